"""Voice calls: the hall's voice status and settings, its recorded clips, speaker boards
(docs/voice.md). The announcements' audio itself is served at `/voice/<hash>.wav` (board/voice.py)."""

from __future__ import annotations

from typing import Any

from flask import Response

from ..auth import current_principal
from ..services import voice
from .blueprint import PUBLIC, bp, ctx
from .schemas.common import Empty
from .schemas.voice import ClipIn, Speaker, SpeakerIn, VoiceSettingsIn, VoiceStatus

#: a one-frame silent WAV, as an example body
_EXAMPLE_WAV = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAIlYAAESsAAACABAAZGF0YQIAAAAAAA=="


@bp.get("/halls/<code>/voice")
@bp.response(200, VoiceStatus())
@bp.doc(**PUBLIC)
def voice_status(code: str) -> Any:
    """The hall's voice: engine (or degraded), times, English, clips; a board token learns
    whether it is its zone's speaker (anonymous boards never speak)"""
    return voice.status(ctx(), current_principal(), code)


@bp.patch("/halls/<code>/voice")
@bp.arguments(VoiceSettingsIn(), example={"announce_times": 2, "announce_english": False})
@bp.response(200, VoiceStatus())
def voice_settings(body: dict[str, Any], code: str) -> Any:
    """How many times boards speak each call, English after it (managers, admins)"""
    return voice.update_settings(
        ctx(), current_principal(), code, body.get("announce_times"), body.get("announce_english")
    )


@bp.put("/halls/<code>/voice/clips/<key>")
@bp.arguments(ClipIn(), example={"audio": _EXAMPLE_WAV})
@bp.response(200, VoiceStatus())
def put_clip(body: dict[str, Any], code: str, key: str) -> Any:
    """Upload one of the hall's own clips (0–9, A–Z, 请 号 到 窗口办理 十 百), a WAV; calls are
    stitched from the clips once all they need exist (managers, admins)"""
    return voice.put_clip(ctx(), current_principal(), code, key, body["audio"])


@bp.get("/halls/<code>/voice/clips/<key>")
@bp.response(200, schema={"type": "string", "format": "binary"}, content_type="audio/wav")
def get_clip(code: str, key: str) -> Any:
    """One of the hall's clips, to listen to it (managers, admins)"""
    data = voice.clip_audio(ctx(), current_principal(), code, key)
    res = Response(data, mimetype="audio/wav")
    res.headers["X-Content-Type-Options"] = "nosniff"
    res.headers["Cache-Control"] = "no-store"
    return res


@bp.delete("/halls/<code>/voice/clips/<key>")
@bp.arguments(Empty(), required=False)
@bp.response(200, VoiceStatus())
def delete_clip(_: dict[str, Any], code: str, key: str) -> Any:
    """Remove one of the hall's clips: calls are spoken by the engine again (managers, admins)"""
    return voice.delete_clip(ctx(), current_principal(), code, key)


@bp.put("/devices/<id:token_id>/speaker")
@bp.arguments(SpeakerIn(), example={"speaker": True, "zone": "一楼"})
@bp.response(200, Speaker())
def set_speaker(body: dict[str, Any], token_id: int) -> Any:
    """Make a board its zone's speaker, or not; a second speaker in a zone is 409
    `speaker_taken` (managers, admins)"""
    return voice.set_speaker(ctx(), current_principal(), token_id, body["speaker"], body.get("zone"))
