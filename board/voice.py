"""Announcement audio as boards play it: `GET /voice/<hash>.wav`.

The hash is the content hash of what makes the audio (text, voice, engine version, the hall's
clip versions — domain/announce.py), so the URL holds no ticket id and its answer never changes:
browsers may keep it for a year. The first GET renders it (services/voice.py) and stores it
where every server process finds it; 404 when no recent call announced it.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort

from server.web.helpers import hall_ctx

bp = Blueprint("voice", __name__)


@bp.get("/voice/<digest>.wav")
def announcement_audio(digest: str) -> Response:
    from server.services.voice import audio

    data = audio(hall_ctx(), digest)
    if data is None:
        abort(404)
    res = Response(data, mimetype="audio/wav")
    res.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    res.headers["X-Content-Type-Options"] = "nosniff"
    res.headers["Content-Disposition"] = "inline"
    return res
