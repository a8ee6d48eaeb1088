"""Appointments (预约): free slots, booking on the phone, cancel and reschedule by code and page
token, today's bookings for the manager, and the hall's booking settings.

The rules are domain.bookings'; check-in is taking a number with the booking's code
(services.tickets.issue_ticket, `POST /api/v1/tickets {"booking": CODE}`). The phone number is
kept only as its keyed hash (like a ticket's citizen key). Nothing here publishes events: a
booking is between the citizen and the hall until it checks in (then `ticket.issued`).
"""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..domain import bookings as rules
from ..domain.errors import RuleViolation
from ..domain.workdays import DEFAULT_MAKEUP_WEEKDAY
from ..storage.models import Booking, Hall, Service, Ticket
from .core.context import Context
from .core.credentials import citizen_key
from .core.errors import bad_field, not_found
from .core.principal import Principal, require_hall, require_role
from .core.rows import hall_day, load_hall
from .core.workcal import hall_calendar

_PHONE = re.compile(r"^\+?[0-9]{5,20}$")
_CODE_ATTEMPTS = 10
STAFF = ("manager", "admin")


def grace_of(hall: Hall) -> int:
    return rules.DEFAULT_GRACE_MINUTES if hall.booking_grace_minutes is None else hall.booking_grace_minutes


def makeup_of(hall: Hall) -> str:
    """The weekday whose hours a 调休 make-up workday uses (the hall's choice, else Monday's)."""
    return hall.makeup_weekday or DEFAULT_MAKEUP_WEEKDAY


def limit_of(hall: Hall) -> int:
    return rules.DEFAULT_MAX_OPEN if hall.max_open_bookings is None else hall.max_open_bookings


def _bookable(s: Session, hall: Hall, service_code: str) -> tuple[Service, rules.Rules]:
    svc = s.scalar(select(Service).where(Service.hall_id == hall.id, Service.code == service_code))
    if svc is None or not svc.active:
        raise not_found("事项", "service")
    r = rules.rules_of(svc.booking)
    if r is None:
        raise bad_field("service", "该事项不接受预约", "this service takes no appointments")
    return svc, r


def _taken(s: Session, service_id: int, day: date) -> dict[datetime, int]:
    """Bookings that hold a place in each slot: booked or checked in (cancelled ones and
    no-shows do not: their place is released)."""
    rows = s.execute(
        select(Booking.starts_at, func.count(Booking.id))
        .where(
            Booking.service_id == service_id,
            Booking.day == day,
            Booking.status.in_([rules.BOOKED, rules.CHECKED_IN]),
        )
        .group_by(Booking.starts_at)
    ).all()
    return {at: int(n) for at, n in rows}


def _slots(s: Session, hall: Hall, r: rules.Rules, day: date) -> list[tuple[datetime, datetime]]:
    return rules.day_slots(r, hall.opening_hours, day, hall_calendar(s, hall), hall.timezone, makeup_of(hall))


def _service_ref(svc: Service) -> dict[str, Any]:
    return {"code": svc.code, "name": svc.name, "name_en": svc.name_en}


def bookable_services(ctx: Context, hall_code: str) -> dict[str, Any]:
    """The hall's bookable services, their rules and the days that have slots (anyone)."""
    now = ctx.clock()
    with ctx.db.read() as s:
        hall = load_hall(s, hall_code)
        today = hall_day(hall, now)
        calendar = hall_calendar(s, hall)
        out = []
        for svc in hall.services:
            r = rules.rules_of(svc.booking)
            if r is None or not svc.active:
                continue
            days = [
                d.isoformat()
                for d in rules.bookable_days(r, today)
                if any(
                    a > now
                    for a, _ in rules.day_slots(
                        r, hall.opening_hours, d, calendar, hall.timezone, makeup_of(hall)
                    )
                )
            ]
            out.append({**_service_ref(svc), **r.__dict__, "days": days})
        return {
            "hall": hall.code,
            "hall_name": hall.name,
            "timezone": hall.timezone,
            "today": today.isoformat(),
            "grace_minutes": grace_of(hall),
            "max_open_bookings": limit_of(hall),
            "services": out,
        }


def free_slots(ctx: Context, hall_code: str, service_code: str | None, day: date | None) -> dict[str, Any]:
    """A service's slots on a day with the places left (anyone); slots already begun are left out."""
    if not service_code:
        raise bad_field("service", "请选择办理事项", "choose a service")
    if day is None:
        raise bad_field("day", "请选择日期", "choose a day")
    now = ctx.clock()
    with ctx.db.read() as s:
        hall = load_hall(s, hall_code)
        svc, r = _bookable(s, hall, service_code)
        today = hall_day(hall, now)
        slots = [] if day < today or day > today + timedelta(days=r.days_ahead) else _slots(s, hall, r, day)
        taken = _taken(s, svc.id, day)
        return {
            "service": svc.code,
            "day": day.isoformat(),
            "slots": [
                {"starts_at": x.starts_at.isoformat(), "ends_at": x.ends_at.isoformat(), "free": x.free}
                for x in rules.with_taken(slots, r.capacity, taken)
                if x.starts_at > now
            ],
        }


def _unique(s: Session, column: Any, make: Any) -> str:
    for _ in range(_CODE_ATTEMPTS):
        value = make()
        if s.scalar(select(Booking.id).where(column == value)) is None:
            return str(value)
    raise RuntimeError("could not find a free booking code")


def _local(at: datetime, hall: Hall) -> datetime:
    return at.astimezone(ZoneInfo(hall.timezone))


def _new_booking(
    s: Session, hall: Hall, svc: Service, r: rules.Rules, key: str, starts_at: datetime, now: datetime
) -> Booking:
    """Check the slot, its capacity and the phone's limit; add the booking (caller's transaction)."""
    day = _local(starts_at, hall).date()
    today = hall_day(hall, now)
    start, end = rules.check_slot(r, _slots(s, hall, r, day), day, today, starts_at, now)
    # one booking at a time per service and day: serialise on the service's row
    s.execute(select(Service.id).where(Service.id == svc.id).with_for_update())
    rules.check_capacity(_taken(s, svc.id, day).get(start, 0), r.capacity)
    held = s.scalars(
        select(Booking).where(
            Booking.hall_id == hall.id, Booking.citizen_key == key, Booking.status == rules.BOOKED
        )
    ).all()
    rules.check_open_limit(
        sum(rules.is_open(b.status, b.ends_at, grace_of(hall), now) for b in held), limit_of(hall)
    )
    b = Booking(
        code=_unique(s, Booking.code, rules.new_code),
        token=_unique(s, Booking.token, lambda: secrets.token_urlsafe(12)),
        hall_id=hall.id,
        service_id=svc.id,
        day=day,
        starts_at=start,
        ends_at=end,
        citizen_key=key,
        status=rules.BOOKED,
        created_at=now,
    )
    s.add(b)
    s.flush()
    return b


def booking_view(s: Session, b: Booking, hall: Hall, now: datetime) -> dict[str, Any]:
    """A booking as its holder sees it (the page token is theirs: it is the page's key)."""
    svc = s.get(Service, b.service_id)
    assert svc is not None
    ticket = s.get(Ticket, b.ticket_id) if b.ticket_id else None
    status = rules.NO_SHOW if rules.is_no_show(b.status, b.ends_at, grace_of(hall), now) else b.status
    return {
        "code": b.code,
        "token": b.token,
        "hall": hall.code,
        "hall_name": hall.name,
        "timezone": hall.timezone,
        "service": _service_ref(svc),
        "day": b.day.isoformat(),
        "starts_at": b.starts_at.isoformat(),
        "ends_at": b.ends_at.isoformat(),
        "status": status,
        "created_at": b.created_at.isoformat(),
        "checked_in_at": b.checked_in_at.isoformat() if b.checked_in_at else None,
        "ticket": {"id": ticket.public_id, "number": ticket.number} if ticket is not None else None,
        "check_in_from": (b.starts_at - timedelta(minutes=rules.CHECK_IN_EARLY_MINUTES)).isoformat(),
        "check_in_until": (b.ends_at + timedelta(minutes=grace_of(hall))).isoformat(),
    }


def _key(ctx: Context, phone: str | None) -> str:
    if not isinstance(phone, str) or not _PHONE.match(phone):
        raise bad_field("phone", "手机号格式不正确", "the phone number is not valid")
    return citizen_key(ctx.citizen_key_secret, phone)


def book(ctx: Context, hall_code: str, service_code: str, starts_at: datetime, phone: str) -> dict[str, Any]:
    """Book a slot (anyone, rate-limited per address by the web layer): the answer carries the
    booking code (typed at the kiosk) and the page token (the page /b/<hall>/<token>)."""
    key = _key(ctx, phone)
    now = ctx.clock()
    with ctx.db.transaction() as s:
        hall = load_hall(s, hall_code)
        svc, r = _bookable(s, hall, service_code)
        b = _new_booking(s, hall, svc, r, key, starts_at, now)
        return booking_view(s, b, hall, now)


def _by_token(s: Session, hall: Hall, token: str, code: str | None = None) -> Booking:
    """The booking of this hall with this page token (and code, for changes); 404 otherwise."""
    b = s.scalar(select(Booking).where(Booking.token == token, Booking.hall_id == hall.id)) if token else None
    if b is None or (code is not None and rules.normalise_code(code) != b.code):
        raise not_found("预约", "booking")
    return b


def get_booking(ctx: Context, hall_code: str, token: str) -> dict[str, Any]:
    """A booking by its page token (whoever holds the token: the citizen's page)."""
    now = ctx.clock()
    with ctx.db.read() as s:
        hall = load_hall(s, hall_code)
        return booking_view(s, _by_token(s, hall, token), hall, now)


def cancel(ctx: Context, hall_code: str, token: str, code: str) -> dict[str, Any]:
    """Cancel a booking before its slot (its page token and its code): the place is released."""
    now = ctx.clock()
    with ctx.db.transaction() as s:
        hall = load_hall(s, hall_code)
        b = _by_token(s, hall, token, code)
        rules.check_changeable(b.status, b.starts_at, now)
        b.status, b.cancelled_at = rules.CANCELLED, now
        s.flush()
        return booking_view(s, b, hall, now)


def reschedule(ctx: Context, hall_code: str, token: str, code: str, starts_at: datetime) -> dict[str, Any]:
    """Move a booking to another slot of its service: a new booking (new code and page) replaces
    it; the old one is cancelled. Refused (nothing changes) if the new slot is not free."""
    now = ctx.clock()
    with ctx.db.transaction() as s:
        hall = load_hall(s, hall_code)
        old = _by_token(s, hall, token, code)
        rules.check_changeable(old.status, old.starts_at, now)
        svc = s.get(Service, old.service_id)
        assert svc is not None
        r = rules.rules_of(svc.booking)
        if r is None or not svc.active:
            raise bad_field("service", "该事项已不接受预约", "this service no longer takes appointments")
        old.status, old.cancelled_at = rules.CANCELLED, now
        s.flush()
        # a refusal (full, not a slot…) rolls the whole transaction back: the old booking stands
        new = _new_booking(s, hall, svc, r, old.citizen_key, starts_at, now)
        new.previous_id = old.id
        s.flush()
        return booking_view(s, new, hall, now)


def _release_no_shows(s: Session, hall: Hall, now: datetime) -> int:
    """Mark bookings whose slot's end + grace has passed without a check-in as no-shows."""
    cutoff = now - timedelta(minutes=grace_of(hall))
    result = s.execute(
        update(Booking)
        .where(Booking.hall_id == hall.id, Booking.status == rules.BOOKED, Booking.ends_at < cutoff)
        .values(status=rules.NO_SHOW)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def day_report(ctx: Context, actor: Principal, hall_code: str, day: date | None = None) -> dict[str, Any]:
    """A day's bookings (today by default) for the hall's manager: each with its status and
    ticket, and the counts of booked, checked-in, walk-in, no-show and cancelled. Lapsed
    bookings are marked no-shows first."""
    require_role(actor, STAFF)
    now = ctx.clock()
    with ctx.db.transaction() as s:
        hall = load_hall(s, hall_code)
        require_hall(actor, hall.id)
        _release_no_shows(s, hall, now)
        the_day = day or hall_day(hall, now)
        rows = s.scalars(
            select(Booking)
            .where(Booking.hall_id == hall.id, Booking.day == the_day)
            .order_by(Booking.starts_at, Booking.id)
        ).all()
        items = []
        counts = {st: 0 for st in rules.STATUSES}
        for b in rows:
            v = booking_view(s, b, hall, now)
            counts[v["status"]] += 1
            items.append(
                {
                    k: v[k]
                    for k in ("code", "service", "starts_at", "ends_at", "status", "checked_in_at", "ticket")
                }
            )
        return {
            "hall": hall.code,
            "timezone": hall.timezone,
            "day": the_day.isoformat(),
            "counts": counts,
            "bookings": items,
        }


def settings(ctx: Context, actor: Principal, hall_code: str) -> dict[str, Any]:
    """The hall's booking settings: grace, per-phone limit, each service's rules (staff)."""
    require_role(actor, STAFF)
    with ctx.db.read() as s:
        hall = load_hall(s, hall_code)
        require_hall(actor, hall.id)
        return _settings_view(hall)


def _settings_view(hall: Hall) -> dict[str, Any]:
    return {
        "hall": hall.code,
        "grace_minutes": grace_of(hall),
        "max_open_bookings": limit_of(hall),
        "services": [
            {
                **_service_ref(svc),
                "booking": rules.rules_of(svc.booking).__dict__ if rules.rules_of(svc.booking) else None,
            }
            for svc in hall.services
        ],
    }


def update_settings(ctx: Context, actor: Principal, hall_code: str, data: dict[str, Any]) -> dict[str, Any]:
    """Change the grace, the per-phone limit and services' rules (`services`: {code: rules or
    null}) — the hall's managers and admins. All or nothing."""
    require_role(actor, STAFF)
    with ctx.db.transaction() as s:
        hall = load_hall(s, hall_code)
        require_hall(actor, hall.id)
        if "grace_minutes" in data:
            hall.booking_grace_minutes = data["grace_minutes"]
        if "max_open_bookings" in data:
            hall.max_open_bookings = data["max_open_bookings"]
        by_code = {svc.code: svc for svc in hall.services}
        for code, raw in (data.get("services") or {}).items():
            svc = by_code.get(code)
            if svc is None:
                raise bad_field(f"services.{code}", f"没有事项 {code}", f"no service {code}")
            try:
                r = rules.check_rules(raw)
            except RuleViolation as err:
                err.field = f"services.{code}" + (err.field or "").removeprefix("booking")
                raise
            svc.booking = dict(r.__dict__) if r is not None else None
        s.flush()
        return _settings_view(hall)
