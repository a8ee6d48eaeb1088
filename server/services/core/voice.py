"""The announcement a call carries, decided on the call path WITHOUT rendering any audio.

`announcement_data` is what `ticket.called` / `ticket.recalled` carry: the text the hall speaks
and `/voice/<hash>.wav`, a content hash of what makes the audio (domain/announce.py). Computing
it costs one small query (the hall's clip keys and versions) and a cached look-up of the speech
engine; the audio itself is rendered on its first GET (services/voice.py) and kept in
`voice_audio`, which every server process shares.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...domain import announce as rules
from ...domain.errors import RuleViolation
from ...storage.models import ApiToken, Hall, VoiceClip

#: the speech engine and the voice picked by comparison (docs/voice.md)
ENGINE = "espeak-ng"
VOICE = "cmn-latn-pinyin"
VOICE_EN = "en-us"
#: words per minute: a little slower than espeak-ng's 175, for the hall's elderly citizens
SPEED = 140
#: stitched clips and rendered audio are stored in this one format
RATE, CHANNELS, WIDTH = 22050, 1, 2
AUDIO_PATH = "/voice/"


def engine_path() -> str | None:
    """Where the speech engine is installed, or None (boards fall back to the browser's speech)."""
    return shutil.which(ENGINE)


@functools.lru_cache(maxsize=4)
def _engine_version(path: str) -> str:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return ENGINE
    first = out.stdout.decode("utf-8", "replace").split("Data at")[0].strip()
    return first or ENGINE


def engine() -> str | None:
    """The engine's name and version ("eSpeak NG text-to-speech: 1.51"), or None."""
    path = engine_path()
    return _engine_version(path) if path else None


def hall_clips(s: Session, hall_id: int) -> dict[str, str]:
    """The hall's recorded clips: key → version (the upload time, which moves on with every
    upload of that key); never their bytes."""
    rows = s.execute(select(VoiceClip.key, VoiceClip.uploaded_at).where(VoiceClip.hall_id == hall_id)).all()
    return {key: at.isoformat() for key, at in rows}


def plan(
    hall: Hall, clips: dict[str, str], number: str, window: int, engine_version: str | None
) -> tuple[rules.Announcement, str | None, bool]:
    """(announcement, audio hash or None, stitched from clips?) — the same on the call path and
    when the audio is rendered, so the GET can check a recipe still gives the URL it was asked."""
    a = rules.announcement(number, window, english=bool(hall.announce_english))
    stitched = rules.stitchable(a.clips, clips)
    en = a.text_en if engine_version is not None else None
    if stitched:
        digest = rules.audio_hash(
            a.text, en, voice=VOICE, engine=engine_version or "", clips=clips, order=a.clips
        )
        return a, digest, True
    if engine_version is None:
        return a, None, False
    return a, rules.audio_hash(a.text, en, voice=VOICE, engine=engine_version), False


def announcement_data(s: Session, hall: Hall, number: str, window: int) -> dict[str, Any]:
    """`{"text", "text_en", "audio_url", "times"}` of a call, for its event (no rendering)."""
    a, digest, _ = plan(hall, hall_clips(s, hall.id), number, window, engine())
    return {
        "text": a.text,
        "text_en": a.text_en,
        "audio_url": f"{AUDIO_PATH}{digest}.wav" if digest else None,
        "times": rules.times(hall.announce_times),
    }


def check_speaker_free(s: Session, hall_id: int, zone: str, except_id: int | None = None) -> None:
    rows = s.execute(
        select(ApiToken.id, ApiToken.zone).where(
            ApiToken.hall_id == hall_id, ApiToken.speaker.is_(True), ApiToken.revoked_at.is_(None)
        )
    ).all()
    taken = rules.speaker_conflict(zone, {i: z or "" for i, z in rows}, except_id)
    if taken is not None:
        raise RuleViolation(
            "speaker_taken",
            f"该区域（{zone or '全厅'}）已有播报大屏（令牌 {taken}），请先关闭它",
            f"zone {zone or '(whole hall)'} already has a speaker (token {taken}); turn it off first",
        )
