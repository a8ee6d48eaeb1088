"""The citizen's phone page for one ticket (`/t/<id>`) and the QR code that leads to it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template

from server.pages import public_url, qr_svg

bp = Blueprint("ticket_page", __name__)


def _ticket_or_404(ticket_id: str) -> dict[str, Any]:
    from server.services.core.errors import NotFound
    from server.services.tickets import get_ticket

    ctx = current_app.extensions["hallq"]
    try:
        return get_ticket(ctx, ticket_id)
    except NotFound:
        abort(404)


@bp.get("/t/<ticket_id>")
def status(ticket_id: str) -> str:
    from server.services.core.rows import load_hall

    ticket = _ticket_or_404(ticket_id)
    with current_app.extensions["hallq"].db.read() as s:
        hall = load_hall(s, ticket["hall"])
        hall_name, hall_tz = hall.name, hall.timezone
    return render_template("ticket/status.html", ticket=ticket, hall_name=hall_name, hall_tz=hall_tz)


@bp.get("/t/<ticket_id>/qr.svg")
def qr(ticket_id: str) -> Response:
    ticket = _ticket_or_404(ticket_id)
    return qr_svg(public_url("ticket_page.status", ticket_id=ticket["id"]))
