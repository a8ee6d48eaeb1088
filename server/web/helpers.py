"""Helpers shared by every page blueprint (kiosk, boards, phone pages, consoles): the hall a page
shows, public URLs for QR codes, QR images. They sit below the blueprints and import none."""

from __future__ import annotations

import io
from typing import Any

from flask import Response, abort, current_app, request, url_for

from ..i18n import is_english
from ..services.core.context import Context
from ..services.core.errors import NotFound
from ..services.halls import hall_name, list_halls
from .links import absolute_url


def hall_ctx() -> Context:
    """The services' context of the app serving this request."""
    return current_app.extensions["hallq"]  # type: ignore[no-any-return]


def hall_name_or_404(code: str) -> str:
    """The hall's display name; 404 for a hall that does not exist (a mistyped device URL)."""
    try:
        return hall_name(hall_ctx(), code, is_english())
    except NotFound:
        abort(404)


def public_url(endpoint: str, **values: Any) -> str:
    """An absolute URL for a QR code: behind a proxy the configured public base wins over the
    Host the device used."""
    return absolute_url(url_for(endpoint, **values))


def qr_svg(data: str) -> Response:
    """A QR code as SVG; the URLs it encodes never change, so browsers may cache it."""
    import qrcode
    import qrcode.image.svg

    img = qrcode.make(
        data,
        image_factory=qrcode.image.svg.SvgPathImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=10,
        border=2,
    )
    buf = io.BytesIO()
    img.save(buf)
    resp = Response(buf.getvalue(), mimetype="image/svg+xml")
    resp.headers["Cache-Control"] = "public, max-age=86400"
    return resp


def console_hall(roles: tuple[str, ...]) -> str:
    """The hall a console page shows: the person's own; an admin (no hall) picks one with
    `?hall=CODE`, else the first there is. 403 for other roles, 404 when there is no hall."""
    from flask_login import current_user

    if current_user.role not in roles:
        abort(403)
    if current_user.hall is not None:
        return str(current_user.hall.code)
    halls = [h["code"] for h in list_halls(hall_ctx())]
    if not halls:
        abort(404)
    asked = request.args.get("hall")
    return asked if asked in halls else halls[0]
