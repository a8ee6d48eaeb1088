"""Appointments (预约) on the citizen's phone.

`GET /b/<hall>` books: service, day, slot, phone number (the page calls the booking API).
`GET /b/<hall>/<token>` is the booking's own page — its code for the kiosk, a QR of the page
(scanned at the kiosk to check in), cancel and reschedule; it prints as a slip-sized page. The
page token (96 random bits) is the secret, like a ticket's id for /t/<id>: an unknown one is a
404. `GET /b/<hall>/<token>/qr.svg` is that QR code.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, render_template

from server.web.helpers import hall_ctx, hall_name_or_404, public_url, qr_svg

bp = Blueprint("booking_page", __name__)


def _booking_or_404(hall: str, token: str) -> dict[str, Any]:
    from server.services.bookings import get_booking
    from server.services.core.errors import NotFound

    try:
        return get_booking(hall_ctx(), hall, token)
    except NotFound:
        abort(404)


def _local(iso: str, tz: str = "Asia/Shanghai") -> datetime:
    return datetime.fromisoformat(iso).astimezone(ZoneInfo(tz))


@bp.get("/b/<hall>")
def book(hall: str) -> str:
    return render_template("booking/book.html", hall=hall, hall_name=hall_name_or_404(hall))


@bp.get("/b/<hall>/<token>")
def booking(hall: str, token: str) -> str:
    b = _booking_or_404(hall, token)
    tz = b["timezone"]
    start, end = _local(b["starts_at"], tz), _local(b["ends_at"], tz)
    return render_template(
        "booking/phone.html",
        hall=hall,
        b=b,
        when=f"{start:%Y-%m-%d} {start:%H:%M}–{end:%H:%M}",
        check_in=f"{_local(b['check_in_from'], tz):%H:%M}–{_local(b['check_in_until'], tz):%H:%M}",
        page_url=public_url("booking_page.booking", hall=hall, token=token),
    )


@bp.get("/b/<hall>/<token>/qr.svg")
def qr(hall: str, token: str) -> Response:
    b = _booking_or_404(hall, token)
    return qr_svg(public_url("booking_page.booking", hall=hall, token=b["token"]))
