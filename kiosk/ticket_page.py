"""The citizen's phone page for one ticket (`/t/<id>`) and the QR code that leads to it."""

from __future__ import annotations

import io
from typing import Any

import qrcode
import qrcode.image.svg
from flask import Blueprint, Response, abort, current_app, render_template, request, url_for

bp = Blueprint("ticket_page", __name__)


def _ticket_or_404(ticket_id: str) -> dict[str, Any]:
    from server.services.errors import NotFound
    from server.services.tickets import get_ticket

    ctx = current_app.extensions["hallq"]
    try:
        return get_ticket(ctx, ticket_id, ctx.base_url or request.host_url.rstrip("/"))
    except NotFound:
        abort(404)


@bp.get("/t/<ticket_id>")
def status(ticket_id: str) -> str:
    from server.services.halls import load_hall

    ticket = _ticket_or_404(ticket_id)
    with current_app.extensions["hallq"].db.read() as s:
        hall = load_hall(s, ticket["hall"])
        hall_name, hall_tz = hall.name, hall.timezone
    return render_template("ticket/status.html", ticket=ticket, hall_name=hall_name, hall_tz=hall_tz)


@bp.get("/t/<ticket_id>/qr.svg")
def qr(ticket_id: str) -> Response:
    ticket = _ticket_or_404(ticket_id)
    url = _status_url(ticket)
    img = qrcode.make(
        url,
        image_factory=qrcode.image.svg.SvgPathImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=10,
        border=2,
    )
    buf = io.BytesIO()
    img.save(buf)
    resp = Response(buf.getvalue(), mimetype="image/svg+xml")
    # The URL of a ticket never changes: the code can be cached by the kiosk's browser.
    resp.headers["Cache-Control"] = "public, max-age=86400"
    return resp


def _status_url(ticket: dict[str, Any]) -> str:
    base = current_app.extensions["hallq"].base_url
    if base:
        # Behind a proxy the configured public base wins over the Host the kiosk used.
        return f"{base.rstrip('/')}{url_for('ticket_page.status', ticket_id=ticket['id'])}"
    return url_for("ticket_page.status", ticket_id=ticket["id"], _external=True)
