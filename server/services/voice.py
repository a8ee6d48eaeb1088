"""Voice calls: rendering an announcement's audio off the call path, a hall's own clips, the voice
settings and who speaks (docs/voice.md).

The call path only computes the announcement and its content-hashed URL (core/voice.py). The
audio is made on its first GET: stitched from the hall's clips when every clip it needs exists,
else spoken by `espeak-ng` (a subprocess with a timeout, no shell); it is stored in
`voice_audio` under its hash, so every server process serves the same bytes after that.
"""

from __future__ import annotations

import base64
import binascii
import io
import logging
import shutil
import subprocess
import tempfile
import wave
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from .. import event_names as names
from ..domain import announce as rules
from ..storage.models import ApiToken, Event, Hall, VoiceAudio, VoiceClip
from .core import voice as core
from .core.context import Context
from .core.errors import bad_field, not_found
from .core.events import record
from .core.principal import Principal, require_hall, require_role
from .core.rows import load_hall

log = logging.getLogger(__name__)

#: a clip is a short WAV: at most this many bytes and seconds
MAX_CLIP_BYTES = 240 * 1024
MAX_CLIP_SECONDS = 4.0
#: the engine gets this long to speak one announcement
RENDER_TIMEOUT_S = 10
#: how far back the GET looks for the call whose audio it is asked for
RECENT_CALLS = 500
#: how long rendered audio is kept in `voice_audio`
AUDIO_KEEP = timedelta(days=1)
#: silence between the Chinese and the English, and between stitched clips (seconds)
GAP_S, CLIP_GAP_S = 0.35, 0.04


# ── rendering ──────────────────────────────────────────────────────────────────────────────
def _silence(seconds: float) -> bytes:
    return b"\x00" * (int(core.RATE * seconds) * core.CHANNELS * core.WIDTH)


def _frames(wav: bytes) -> bytes:
    with wave.open(io.BytesIO(wav)) as r:
        return bytes(r.readframes(r.getnframes()))


def _wav(frames: bytes) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(core.CHANNELS)
        w.setsampwidth(core.WIDTH)
        w.setframerate(core.RATE)
        w.writeframes(frames)
    return out.getvalue()


def _speak(text: str, voice: str) -> bytes:
    """PCM frames of `text` spoken by the engine (22.05 kHz mono 16 bit, espeak-ng's own)."""
    path = core.engine_path()
    if path is None:
        raise RuntimeError("no speech engine")
    with tempfile.TemporaryDirectory(prefix="hallq-voice-") as tmp:
        target = Path(tmp) / "out.wav"
        subprocess.run(
            [path, "-v", voice, "-s", str(core.SPEED), "-w", str(target), "--", text],
            capture_output=True,
            timeout=RENDER_TIMEOUT_S,
            check=True,
        )
        data = target.read_bytes()
    with wave.open(io.BytesIO(data)) as r:
        if (r.getframerate(), r.getnchannels(), r.getsampwidth()) != (core.RATE, core.CHANNELS, core.WIDTH):
            return _frames(_convert(data))
        return bytes(r.readframes(r.getnframes()))


def _convert(data: bytes) -> bytes:
    """A WAV in another format resampled to the stored one with sox."""
    sox = shutil.which("sox")
    if sox is None:
        raise bad_field(
            "audio", "录音格式须为 22050 Hz 单声道 16 位 WAV", "a clip is a 22050 Hz mono 16-bit WAV"
        )
    try:
        out = subprocess.run(
            [
                sox,
                "-t",
                "wav",
                "-",
                "-r",
                str(core.RATE),
                "-c",
                str(core.CHANNELS),
                "-b",
                "16",
                "-t",
                "wav",
                "-",
            ],
            input=data,
            capture_output=True,
            timeout=RENDER_TIMEOUT_S,
            check=True,
        ).stdout
        # sox streams to a pipe with an unknown length: rewrite a proper header
        with wave.open(io.BytesIO(out)) as r:
            r.getnframes()
        frames = out[out.index(b"data") + 8 :]
        return _wav(frames)
    except (OSError, subprocess.SubprocessError, wave.Error, ValueError):
        raise bad_field("audio", "无法转换该录音", "this recording cannot be converted") from None


def render(a: rules.Announcement, clips: dict[str, bytes] | None, english: bool) -> bytes:
    """The WAV of an announcement: the hall's clips stitched (`clips`), else the engine's voice;
    the English sentence after it when `english`."""
    parts: list[bytes] = []
    if clips is not None:
        for key in a.clips:
            parts += [_frames(clips[key]), _silence(CLIP_GAP_S)]
    else:
        parts.append(_speak(a.text, core.VOICE))
    if english and a.text_en:
        parts += [_silence(GAP_S), _speak(a.text_en, core.VOICE_EN)]
    return _wav(b"".join(parts))


def _recipe(s: Any, url: str) -> tuple[Hall, str, int] | None:
    """The hall, ticket number and window of a recent call that announced `url`."""
    rows = s.execute(
        select(Event.hall_id, Event.data)
        .where(Event.type.in_((names.TICKET_CALLED, names.TICKET_RECALLED)))
        .order_by(Event.id.desc())
        .limit(RECENT_CALLS)
    ).all()
    for hall_id, data in rows:
        ann = (data or {}).get("announcement") or {}
        if ann.get("audio_url") != url:
            continue
        t = data.get("ticket") or {}
        w = t.get("window") or {}
        if not isinstance(t.get("number"), str) or not isinstance(w.get("number"), int):
            continue
        hall = s.get(Hall, hall_id)
        if hall is not None:
            return hall, t["number"], w["number"]
    return None


def audio(ctx: Context, digest: str) -> bytes | None:
    """The WAV under `digest`: from the shared cache, else rendered now and stored; None when no
    recent call announced it (or the hall's clips changed since)."""
    if not rules.is_audio_hash(digest):
        return None
    with ctx.db.read() as s:
        cached = s.get(VoiceAudio, digest)
        if cached is not None:
            return bytes(cached.data)
        found = _recipe(s, f"{core.AUDIO_PATH}{digest}.wav")
        if found is None:
            return None
        hall, number, window = found
        have = core.hall_clips(s, hall.id)
        version = core.engine()
        a, again, stitched = core.plan(hall, have, number, window, version)
        if again != digest:
            return None  # the clips or the engine changed since: a new call gets a new URL
        clip_bytes: dict[str, bytes] | None = None
        if stitched:
            rows = s.scalars(
                select(VoiceClip).where(VoiceClip.hall_id == hall.id, VoiceClip.key.in_(set(a.clips)))
            ).all()
            clip_bytes = {c.key: bytes(c.data) for c in rows}
        hall_id = hall.id
    try:
        data = render(a, clip_bytes, english=version is not None)
    except (OSError, subprocess.SubprocessError, RuntimeError, wave.Error) as err:
        log.warning("voice: rendering %s failed: %s", digest, err)
        return None
    text = a.text + (f" / {a.text_en}" if a.text_en else "")
    now = ctx.clock()
    try:
        with ctx.db.transaction() as s:
            # the cache keeps a day of calls (~200 KB each); an older URL is rendered again if asked
            s.execute(delete(VoiceAudio).where(VoiceAudio.created_at < now - AUDIO_KEEP))
            s.add(
                VoiceAudio(
                    hash=digest,
                    hall_id=hall_id,
                    text=text[:500],
                    content_type="audio/wav",
                    data=data,
                    created_at=now,
                )
            )
    except IntegrityError:
        pass  # another process rendered it meanwhile: the same bytes
    return data


# ── the hall's voice: settings, status, clips ──────────────────────────────────────────────
def _speaker_of(s: Any, actor: Principal, hall_id: int) -> tuple[bool, str | None]:
    if actor.role != "board" or actor.token_id is None or actor.hall_id != hall_id:
        return False, None
    t = s.get(ApiToken, actor.token_id)
    if t is None or t.revoked_at is not None:
        return False, None
    return bool(t.speaker), t.zone


def status(ctx: Context, actor: Principal, hall_code: str) -> dict[str, Any]:
    """The hall's voice: engine (None = degraded: boards use the browser's speech), settings, the
    clips recorded, and whether the asking board is its zone's speaker (anonymous: never)."""
    version = core.engine()
    with ctx.db.read() as s:
        hall = load_hall(s, hall_code)
        speaker, zone = _speaker_of(s, actor, hall.id)
        clips = sorted(core.hall_clips(s, hall.id), key=rules.CLIP_KEYS.index)
        return {
            "hall": hall.code,
            "engine": version,
            "voice": core.VOICE if version else None,
            "degraded": version is None,
            "times": rules.times(hall.announce_times),
            "english": bool(hall.announce_english),
            "clips": clips,
            "clips_missing": [k for k in rules.CLIP_KEYS if k not in clips],
            "speaker": speaker,
            "zone": zone,
        }


def update_settings(
    ctx: Context, actor: Principal, hall_code: str, times: int | None, english: bool | None
) -> dict[str, Any]:
    """How many times boards speak each call (1–5, default 2) and English after the Chinese."""
    require_role(actor, ("admin", "manager"))
    with ctx.db.transaction() as s:
        hall = load_hall(s, hall_code)
        require_hall(actor, hall.id)
        if times is not None:
            hall.announce_times = rules.check_times(times)
        if english is not None:
            hall.announce_english = english
        data = {"change": "settings", "times": hall.announce_times, "english": bool(hall.announce_english)}
        env = record(s, hall, names.VOICE_UPDATED, data, ctx.clock(), actor)
    ctx.publish([env])
    return status(ctx, actor, hall_code)


def check_clip(data: bytes) -> bytes:
    """A clip as stored: a PCM WAV recognised by its bytes, short, converted to the one format."""
    if not data:
        raise bad_field("audio", "录音为空", "the clip is empty")
    if len(data) > MAX_CLIP_BYTES:
        raise bad_field(
            "audio",
            f"录音不能超过 {MAX_CLIP_BYTES // 1024} KB",
            f"a clip is at most {MAX_CLIP_BYTES // 1024} KB",
        )
    if not (len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WAVE"):
        raise bad_field("audio", "录音须为 WAV 文件", "a clip is a WAV file")
    try:
        with wave.open(io.BytesIO(data)) as r:
            params = (r.getframerate(), r.getnchannels(), r.getsampwidth())
            n = r.getnframes()
            seconds = n / r.getframerate() if r.getframerate() else 0
            frames = r.readframes(n)
    except (wave.Error, EOFError, ValueError):
        raise bad_field("audio", "录音须为 PCM 编码的 WAV 文件", "a clip is a PCM WAV file") from None
    if n == 0 or not frames:
        raise bad_field("audio", "录音没有声音", "the clip holds no sound")
    if seconds > MAX_CLIP_SECONDS:
        raise bad_field(
            "audio", f"录音不能超过 {MAX_CLIP_SECONDS:g} 秒", f"a clip is at most {MAX_CLIP_SECONDS:g} s"
        )
    if params != (core.RATE, core.CHANNELS, core.WIDTH):
        return _convert(data)
    return _wav(frames)


def _decode(audio_b64: str) -> bytes:
    raw = audio_b64.split(",", 1)[1] if audio_b64.startswith("data:") else audio_b64
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise bad_field("audio", "录音须为 base64 编码的 WAV", "audio is a base64-encoded WAV") from None


def put_clip(ctx: Context, actor: Principal, hall_code: str, key: str, audio_b64: str) -> dict[str, Any]:
    """Upload (or replace) one of the hall's clips; later calls use it once every clip they
    need exists (a new version gives new audio URLs)."""
    require_role(actor, ("admin", "manager"))
    rules.check_clip_key(key)
    data = check_clip(_decode(audio_b64))
    with ctx.db.transaction() as s:
        hall = load_hall(s, hall_code)
        require_hall(actor, hall.id)
        clip = s.scalar(select(VoiceClip).where(VoiceClip.hall_id == hall.id, VoiceClip.key == key))
        now = ctx.clock()
        if clip is None:
            clip = VoiceClip(hall_id=hall.id, key=key)
            s.add(clip)
        elif clip.uploaded_at >= now:  # the upload time is the clip's version: it always moves on
            now = clip.uploaded_at + timedelta(microseconds=1)
        clip.content_type, clip.data, clip.uploaded_at = "audio/wav", data, now
        env = record(s, hall, names.VOICE_UPDATED, {"change": "clip_saved", "clip": key}, ctx.clock(), actor)
    ctx.publish([env])
    return status(ctx, actor, hall_code)


def delete_clip(ctx: Context, actor: Principal, hall_code: str, key: str) -> dict[str, Any]:
    require_role(actor, ("admin", "manager"))
    rules.check_clip_key(key)
    with ctx.db.transaction() as s:
        hall = load_hall(s, hall_code)
        require_hall(actor, hall.id)
        clip = s.scalar(select(VoiceClip).where(VoiceClip.hall_id == hall.id, VoiceClip.key == key))
        if clip is None:
            raise not_found("录音片段", "clip")
        s.delete(clip)
        env = record(
            s, hall, names.VOICE_UPDATED, {"change": "clip_deleted", "clip": key}, ctx.clock(), actor
        )
    ctx.publish([env])
    return status(ctx, actor, hall_code)


def clip_audio(ctx: Context, actor: Principal, hall_code: str, key: str) -> bytes:
    """A clip's WAV, for the admin page to play it back."""
    require_role(actor, ("admin", "manager"))
    rules.check_clip_key(key)
    with ctx.db.read() as s:
        hall = load_hall(s, hall_code)
        require_hall(actor, hall.id)
        clip = s.scalar(select(VoiceClip).where(VoiceClip.hall_id == hall.id, VoiceClip.key == key))
        if clip is None:
            raise not_found("录音片段", "clip")
        return bytes(clip.data)


# ── speakers: one per zone ───────────────────────────────────────────────────────────────
def set_speaker(
    ctx: Context, actor: Principal, token_id: int, speaker: bool, zone: str | None
) -> dict[str, Any]:
    """Make a board its zone's speaker (or not). A second speaker in the same zone is refused
    (409 `speaker_taken`): the manager turns the first one off first."""
    require_role(actor, ("admin", "manager"))
    with ctx.db.transaction() as s:
        t = s.get(ApiToken, token_id)
        if t is None or t.hall_id is None:
            raise not_found("设备令牌", "token")
        require_hall(actor, t.hall_id)
        z = rules.normalise_zone(zone)
        if speaker:
            if t.role != "board":
                raise bad_field("speaker", "只有大屏可以播报语音", "only boards speak")
            core.check_speaker_free(s, t.hall_id, z, except_id=t.id)
        t.speaker, t.zone = speaker, z or None
        out = {"id": t.id, "role": t.role, "label": t.label, "speaker": t.speaker, "zone": t.zone}
        hall = s.get(Hall, t.hall_id)
        assert hall is not None
        env = record(s, hall, names.VOICE_UPDATED, {"change": "speaker", "device": out}, ctx.clock(), actor)
    ctx.publish([env])
    return out
