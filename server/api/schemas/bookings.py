"""Appointments (预约): free slots, a booking, changes by code, the manager's day and settings."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from marshmallow import fields

from ...domain.bookings import LIMITS, STATUSES
from .base import Day, In, Int, Out, Query, Text, field_messages, nested, say
from .common import DATE, DATETIME

NOT_MOMENT = say(
    "$field 必须是带时区的时间，例如 2026-12-01T09:00:00+08:00",
    "$field must be a date-time with its offset, e.g. 2026-12-01T09:00:00+08:00",
)


class Moment(fields.String):
    """An ISO 8601 date-time with its UTC offset (a slot's start as the slot list gives it)."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(
            error_messages=field_messages(invalid=NOT_MOMENT, null=NOT_MOMENT),
            metadata={**DATETIME, "maxLength": 40},
            **kw,
        )

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> datetime:  # type: ignore[override]
        if not isinstance(value, str) or len(value) > 40:
            raise self.make_error("invalid")
        try:
            at = datetime.fromisoformat(value)
        except ValueError:
            raise self.make_error("invalid") from None
        if at.tzinfo is None or not 2000 <= at.year <= 2999:
            raise self.make_error("invalid")
        try:
            return at.astimezone(UTC)
        except (OverflowError, ValueError):
            raise self.make_error("invalid") from None


PHONE = {"pattern": r"^\+?[0-9]{5,20}$", "example": "13800138000"}


class BookingSlotQuery(Query):
    """Both are needed (the service says which is missing)."""

    service = Text(16, metadata={"example": "A"})
    day = Day()


class BookingIn(In):
    service = Text(16, required=True, metadata={"example": "A"})
    starts_at = Moment(required=True)
    phone = Text(20, required=True, metadata={**PHONE, "description": "kept only as a keyed hash"})


class BookingCodeIn(In):
    code = Text(24, required=True, metadata={"description": "the booking code (shown on its page)"})


class BookingRescheduleIn(BookingCodeIn):
    starts_at = Moment(required=True)


class BookingSlot(Out):
    starts_at = fields.String(required=True, metadata=DATETIME)
    ends_at = fields.String(required=True, metadata=DATETIME)
    free = fields.Integer(required=True, metadata={"description": "places left"})


class BookingSlots(Out):
    service = fields.String(required=True)
    day = fields.String(required=True, metadata=DATE)
    slots = fields.List(fields.Nested(BookingSlot), required=True)


class BookingServiceRef(Out):
    code = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(required=True, allow_none=True)


class BookableService(BookingServiceRef):
    slot_minutes = fields.Integer(required=True)
    capacity = fields.Integer(required=True)
    days_ahead = fields.Integer(required=True)
    days = fields.List(
        fields.String(metadata=DATE), required=True, metadata={"description": "days with slots"}
    )


class Bookable(Out):
    hall = fields.String(required=True)
    hall_name = fields.String(required=True)
    timezone = fields.String(required=True, metadata={"example": "Asia/Shanghai"})
    today = fields.String(required=True, metadata=DATE)
    grace_minutes = fields.Integer(required=True)
    max_open_bookings = fields.Integer(required=True)
    services = fields.List(fields.Nested(BookableService), required=True)


class BookingTicketRef(Out):
    id = fields.String(required=True)
    number = fields.String(required=True)


class Booking(Out):
    """A booking as its holder sees it: `token` keys its page (/b/<hall>/<token>), `code` is typed
    at the kiosk to check in."""

    code = fields.String(required=True)
    token = fields.String(required=True)
    hall = fields.String(required=True)
    hall_name = fields.String(required=True)
    timezone = fields.String(required=True, metadata={"example": "Asia/Shanghai"})
    service = fields.Nested(BookingServiceRef, required=True)
    day = fields.String(required=True, metadata=DATE)
    starts_at = fields.String(required=True, metadata=DATETIME)
    ends_at = fields.String(required=True, metadata=DATETIME)
    status = fields.String(required=True, metadata={"enum": list(STATUSES)})
    created_at = fields.String(required=True, metadata=DATETIME)
    checked_in_at = fields.String(required=True, allow_none=True, metadata=DATETIME)
    ticket = fields.Nested(BookingTicketRef, required=True, allow_none=True)
    check_in_from = fields.String(required=True, metadata=DATETIME)
    check_in_until = fields.String(required=True, metadata=DATETIME)


class BookingOfDay(Out):
    code = fields.String(required=True)
    service = fields.Nested(BookingServiceRef, required=True)
    starts_at = fields.String(required=True, metadata=DATETIME)
    ends_at = fields.String(required=True, metadata=DATETIME)
    status = fields.String(required=True, metadata={"enum": list(STATUSES)})
    checked_in_at = fields.String(required=True, allow_none=True, metadata=DATETIME)
    ticket = fields.Nested(BookingTicketRef, required=True, allow_none=True)


class BookingDayQuery(Query):
    day = Day(metadata={"description": "default: today"})


class BookingDay(Out):
    hall = fields.String(required=True)
    timezone = fields.String(required=True, metadata={"example": "Asia/Shanghai"})
    day = fields.String(required=True, metadata=DATE)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    bookings = fields.List(fields.Nested(BookingOfDay), required=True)


class BookingRulesIn(In):
    slot_minutes = Int(*LIMITS["slot_minutes"], required=True)
    capacity = Int(*LIMITS["capacity"], required=True)
    days_ahead = Int(*LIMITS["days_ahead"], required=True)


class BookingRules(Out):
    slot_minutes = fields.Integer(required=True)
    capacity = fields.Integer(required=True)
    days_ahead = fields.Integer(required=True)


class BookingSettingsIn(In):
    grace_minutes = Int(
        0, 240, metadata={"description": "minutes after its slot a booking still checks in as one"}
    )
    max_open_bookings = Int(1, 50, metadata={"description": "open bookings one phone number may hold"})
    services = fields.Dict(
        keys=fields.String(),
        values=nested(BookingRulesIn, allow_none=True),
        metadata={"description": "{service code: rules, or null: not bookable}"},
    )


class BookingServiceSettings(BookingServiceRef):
    booking = fields.Nested(BookingRules, required=True, allow_none=True)


class BookingSettings(Out):
    hall = fields.String(required=True)
    grace_minutes = fields.Integer(required=True)
    max_open_bookings = fields.Integer(required=True)
    services = fields.List(fields.Nested(BookingServiceSettings), required=True)
