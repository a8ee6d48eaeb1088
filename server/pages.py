"""The HTML side: the home page and the blueprints of the kiosk, boards, phone page and consoles."""

from __future__ import annotations

import io
from typing import Any

from flask import Flask, Response, abort, current_app, render_template, url_for

from .services.halls import list_halls


def init_pages(app: Flask) -> None:
    from board import bp as board_bp
    from kiosk import bp as kiosk_bp
    from kiosk.guide import guide_bp as kiosk_guide_bp
    from kiosk.notice_page import bp as notice_bp
    from kiosk.ticket_page import bp as ticket_bp

    from .admin_pages import bp as admin_pages_bp
    from .clerk import bp as clerk_bp
    from .guide_admin import bp as guide_admin_bp
    from .manage import bp as manage_bp

    blueprints = (
        kiosk_bp,
        kiosk_guide_bp,
        ticket_bp,
        notice_bp,
        board_bp,
        clerk_bp,
        manage_bp,
        guide_admin_bp,
        admin_pages_bp,
    )
    for bp in blueprints:
        app.register_blueprint(bp)

    @app.get("/")
    def index() -> str:
        return render_template("index.html", halls=list_halls(current_app.extensions["hallq"]))


def hall_name_or_404(code: str) -> str:
    """The hall's display name; 404 for a hall that does not exist (a mistyped device URL)."""
    from .services.core.errors import NotFound
    from .services.core.rows import load_hall

    try:
        with current_app.extensions["hallq"].db.read() as s:
            return str(load_hall(s, code).name)
    except NotFound:
        abort(404)


def public_url(endpoint: str, **values: Any) -> str:
    """An absolute URL for a QR code: behind a proxy the configured public base wins over the
    Host the device used."""
    base = current_app.extensions["hallq"].base_url
    if base:
        return f"{base.rstrip('/')}{url_for(endpoint, **values)}"
    return url_for(endpoint, _external=True, **values)


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
    from flask import request
    from flask_login import current_user

    if current_user.role not in roles:
        abort(403)
    if current_user.hall is not None:
        return str(current_user.hall.code)
    halls = [h["code"] for h in list_halls(current_app.extensions["hallq"])]
    if not halls:
        abort(404)
    asked = request.args.get("hall")
    return asked if asked in halls else halls[0]
