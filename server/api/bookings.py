"""Appointments (预约) under /halls/<hall>/bookings: free slots and booking (anyone: the phone
page), the booking's page data, cancel and reschedule by its page token and code, the day's
bookings and the booking settings (the hall's managers, admins). Check-in is
`POST /tickets {"booking": CODE}` (api/tickets.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from ..auth import current_principal
from ..services import bookings as booking_service
from ..web.throttle import booking_attempt
from .blueprint import PUBLIC, bp, ctx
from .schemas.bookings import (
    Bookable,
    Booking,
    BookingCodeIn,
    BookingDay,
    BookingDayQuery,
    BookingIn,
    BookingRescheduleIn,
    BookingSettings,
    BookingSettingsIn,
    BookingSlotQuery,
    BookingSlots,
)

BOOKING = Booking()


@bp.get("/halls/<code>/bookings/services")
@bp.response(200, Bookable())
@bp.doc(**PUBLIC)
def bookable(code: str) -> Any:
    """The hall's bookable services, their rules and the days with slots (anyone)"""
    return booking_service.bookable_services(ctx(), code)


@bp.get("/halls/<code>/bookings/slots")
@bp.arguments(BookingSlotQuery(), location="query")
@bp.response(200, BookingSlots())
@bp.doc(**PUBLIC)
def slots(query: dict[str, Any], code: str) -> Any:
    """A service's slots on a day and the places left (anyone)"""
    day = date.fromisoformat(query["day"]) if query.get("day") else None
    return booking_service.free_slots(ctx(), code, query.get("service"), day)


@bp.post("/halls/<code>/bookings")
@bp.arguments(
    BookingIn(), example={"service": "A", "starts_at": "2026-12-01T09:00:00+08:00", "phone": "13800138000"}
)
@bp.response(201, BOOKING, description="the booking: its code (typed at the kiosk) and page token")
@bp.doc(**PUBLIC)
def book(body: dict[str, Any], code: str) -> Any:
    """Book a slot (anyone; rate-limited per address: 429 rate_limited; 409 slot_full, booking_limit)"""
    with booking_attempt():
        return booking_service.book(ctx(), code, body["service"], body["starts_at"], body["phone"])


@bp.get("/halls/<code>/bookings")
@bp.arguments(BookingDayQuery(), location="query")
@bp.response(200, BookingDay())
def day_report(query: dict[str, Any], code: str) -> Any:
    """A day's bookings, check-ins and no-shows (the hall's managers, admins)"""
    day = date.fromisoformat(query["day"]) if query.get("day") else None
    return booking_service.day_report(ctx(), current_principal(), code, day)


@bp.get("/halls/<code>/bookings/settings")
@bp.response(200, BookingSettings())
def settings(code: str) -> Any:
    """The grace, the per-phone limit and each service's booking rules (managers, admins)"""
    return booking_service.settings(ctx(), current_principal(), code)


@bp.patch("/halls/<code>/bookings/settings")
@bp.arguments(
    BookingSettingsIn(),
    example={
        "grace_minutes": 15,
        "max_open_bookings": 3,
        "services": {"A": {"slot_minutes": 30, "capacity": 4, "days_ahead": 7}},
    },
)
@bp.response(200, BookingSettings())
def update_settings(body: dict[str, Any], code: str) -> Any:
    """Change the grace, the per-phone limit, services' rules (null: not bookable) (managers, admins)"""
    return booking_service.update_settings(ctx(), current_principal(), code, body)


@bp.get("/halls/<code>/bookings/<token>")
@bp.response(200, BOOKING)
@bp.doc(**PUBLIC)
def booking(code: str, token: str) -> Any:
    """A booking by its page token (whoever holds it)"""
    return booking_service.get_booking(ctx(), code, token)


@bp.post("/halls/<code>/bookings/<token>/cancel")
@bp.arguments(BookingCodeIn())
@bp.response(200, BOOKING)
@bp.doc(**PUBLIC)
def cancel(body: dict[str, Any], code: str, token: str) -> Any:
    """Cancel before the slot (page token and booking code; 409 booking_closed, booking_started)"""
    return booking_service.cancel(ctx(), code, token, body["code"])


@bp.post("/halls/<code>/bookings/<token>/reschedule")
@bp.arguments(BookingRescheduleIn())
@bp.response(201, BOOKING, description="the new booking (new code and page); the old one is cancelled")
@bp.doc(**PUBLIC)
def reschedule(body: dict[str, Any], code: str, token: str) -> Any:
    """Move to another slot of the service (page token and booking code)"""
    with booking_attempt():
        return booking_service.reschedule(ctx(), code, token, body["code"], body["starts_at"])
