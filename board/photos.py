"""Clerk photos (挂牌上岗) as the window board and the rating pad show them: `GET /photos/<key>`.

The key is unguessable and new with every upload, so an answer never changes: browsers and
proxies may keep it for a year. Only the JPEG, PNG or WebP bytes the upload was checked to be are
served, with their own type and `nosniff`.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort

from server.web.helpers import hall_ctx

bp = Blueprint("photos", __name__)


@bp.get("/photos/<key>")
def photo(key: str) -> Response:
    from server.services.admin import photo as load_photo

    found = load_photo(hall_ctx(), key)
    if found is None:
        abort(404)
    data, kind = found
    res = Response(data, mimetype=kind)
    res.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    res.headers["X-Content-Type-Options"] = "nosniff"
    res.headers["Content-Disposition"] = "inline"
    return res
