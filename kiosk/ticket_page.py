"""The citizen's phone page for one ticket (`/t/<id>`) and the QR code that leads to it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, render_template

from server.web.helpers import hall_ctx, public_url, qr_svg

bp = Blueprint("ticket_page", __name__)


def _ticket_or_404(ticket_id: str) -> dict[str, Any]:
    from server.services.core.errors import NotFound
    from server.services.tickets import get_ticket

    try:
        return get_ticket(hall_ctx(), ticket_id)
    except NotFound:
        abort(404)


@bp.get("/t/<ticket_id>")
def status(ticket_id: str) -> str:
    from server.services.commitments import service_commitment
    from server.services.halls import hall_timezone

    ticket = _ticket_or_404(ticket_id)
    from server.domain.ratings import LEVEL_NAMES_ZH, REASON_NAMES_ZH, REASONS
    from server.i18n import is_english
    from server.services.complaints import hall_complaint_info
    from server.services.ratings import rating_offer

    hall_name, hall_tz = hall_timezone(hall_ctx(), ticket["hall"], is_english())
    promise = service_commitment(hall_ctx(), ticket["hall"], ticket["service"])["commitment"]
    # 好差评: rating after completion (24 h, once) and the hall's complaint channel
    channel = hall_complaint_info(hall_ctx(), ticket["hall"])["complaint_channel"]
    return render_template(
        "ticket/status.html",
        ticket=ticket,
        hall_name=hall_name,
        hall_tz=hall_tz,
        promise=promise,
        offer=rating_offer(hall_ctx(), ticket["id"]),
        complaint_channel=channel,
        levels=[(lv, LEVEL_NAMES_ZH[lv]) for lv in (5, 4, 3, 2, 1)],
        reasons=[(r, REASON_NAMES_ZH[r]) for r in REASONS],
    )


@bp.get("/t/<ticket_id>/qr.svg")
def qr(ticket_id: str) -> Response:
    ticket = _ticket_or_404(ticket_id)
    return qr_svg(public_url("ticket_page.status", ticket_id=ticket["id"]))
