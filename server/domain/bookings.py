"""Appointments (预约): slots, capacities, the per-phone limit, booking codes and check-in.

A bookable service has rules {"slot_minutes", "capacity", "days_ahead"}: each working day's
opening spans are cut into slots of `slot_minutes` (a remainder shorter than a slot is not
offered), each holding `capacity` bookings, from today up to `days_ahead` days ahead. Days come
from the hall's working-day calendar (domain.workdays): no slots on weekends and holidays; a
调休 make-up workday uses the opening hours of the weekday the hall names (Monday's unless it
names another). A hall without opening hours (open around the clock for tickets) books within
DEFAULT_HOURS.

Check-in at the kiosk (by the booking's code):

* from CHECK_IN_EARLY_MINUTES before the slot up to the slot's end + the hall's grace: a ticket
  ranked by the appointment rule (domain.choose_next): from its slot's start it is called before
  every walk-in; checked in early, it waits for its slot among the walk-ins (it is called early
  only if the walk-in queue runs dry before its slot);
* earlier than that: refused, with the time from which to check in;
* later than slot end + grace: an ordinary walk-in ticket (the booking is marked walk_in);
* a booking already checked in (or walked in): refused (409), nothing changes;
* a booking for another day, cancelled, or rescheduled: refused.

A booking still `booked` once its slot's end + grace has passed is a no-show: it no longer counts
against the phone's open bookings, and its slot is history (released).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from .errors import RuleViolation
from .notice import CODE_ALPHABET
from .workdays import DAY_KEYS, DEFAULT_MAKEUP_WEEKDAY, CalendarMissing, WorkCalendar, hours_key

DAYS = DAY_KEYS

BOOKED = "booked"
CANCELLED = "cancelled"
CHECKED_IN = "checked_in"
WALK_IN = "walk_in"
NO_SHOW = "no_show"
STATUSES = (BOOKED, CANCELLED, CHECKED_IN, WALK_IN, NO_SHOW)

#: minutes after its slot's end a booking still checks in as one (Hall.booking_grace_minutes)
DEFAULT_GRACE_MINUTES = 15
#: open bookings one phone number may hold at once (Hall.max_open_bookings)
DEFAULT_MAX_OPEN = 3
#: how early before its slot a citizen may check in (the ticket then waits for the slot)
CHECK_IN_EARLY_MINUTES = 30
#: booking codes: typed at a kiosk (8 symbols of 31, look-ups throttled)
CODE_LENGTH = 8
#: the spans a hall without opening hours takes appointments in
DEFAULT_HOURS: dict[str, list[list[str]]] = {
    d: [["09:00", "12:00"], ["13:30", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")
}

LIMITS = {"slot_minutes": (5, 240), "capacity": (1, 500), "days_ahead": (0, 90)}


@dataclass(frozen=True)
class Rules:
    """A service's booking rules."""

    slot_minutes: int
    capacity: int
    days_ahead: int


@dataclass(frozen=True)
class Slot:
    """One slot of a service's day (UTC bounds) and how many bookings it holds."""

    starts_at: datetime
    ends_at: datetime
    capacity: int
    taken: int = 0

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.taken)


def _bad(field: str, zh: str, en: str) -> RuleViolation:
    err = RuleViolation("invalid_field", zh, en)
    err.field = field
    return err


def check_rules(raw: Mapping[str, Any] | None) -> Rules | None:
    """A service's booking rules as stored (None: not bookable); refuses values out of range."""
    if raw is None:
        return None
    values = {}
    for key, (lo, hi) in LIMITS.items():
        v = raw.get(key)
        if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
            raise _bad(
                f"booking.{key}", f"{key} 应为 {lo}–{hi} 的整数", f"{key} must be a whole number {lo}–{hi}"
            )
        values[key] = v
    extra = set(raw) - set(LIMITS)
    if extra:
        name = sorted(extra)[0]
        raise _bad(f"booking.{name}", f"未知的预约设置 {name}", f"unknown booking setting {name}")
    return Rules(**values)


def rules_of(raw: Mapping[str, Any] | None) -> Rules | None:
    """The stored rules, or None when the service is not bookable (or its rules are broken)."""
    try:
        return check_rules(raw)
    except RuleViolation:
        return None


def _hm(text: str) -> time:
    h, m = text.split(":")
    return time(int(h), int(m))


def day_spans(
    hours: Mapping[str, Any] | None,
    day: date,
    calendar: WorkCalendar,
    makeup_weekday: str = DEFAULT_MAKEUP_WEEKDAY,
) -> list[tuple[time, time]]:
    """The opening spans appointments are taken in on `day`: none on days off; a make-up
    workday on a weekend uses `makeup_weekday`'s hours. A day the calendar does not cover has
    no slots (never guessed)."""
    try:
        weekday = hours_key(day, calendar, makeup_weekday)
    except CalendarMissing:
        return []
    if weekday is None:
        return []
    table = DEFAULT_HOURS if hours is None else hours
    return [(_hm(a), _hm(b)) for a, b in table.get(weekday, [])]


def day_slots(
    rules: Rules,
    hours: Mapping[str, Any] | None,
    day: date,
    calendar: WorkCalendar,
    timezone: str,
    makeup_weekday: str = DEFAULT_MAKEUP_WEEKDAY,
) -> list[tuple[datetime, datetime]]:
    """The (start, end) of each slot of `day`, in UTC: each opening span cut into slots of the
    service's length; a remainder shorter than a slot is not offered."""
    tz = ZoneInfo(timezone)
    step = timedelta(minutes=rules.slot_minutes)
    out = []
    for a, b in day_spans(hours, day, calendar, makeup_weekday):
        start = datetime.combine(day, a, tz)
        end = datetime.combine(day, b, tz)
        while start + step <= end:
            out.append((start.astimezone(ZoneInfo("UTC")), (start + step).astimezone(ZoneInfo("UTC"))))
            start += step
    return out


def bookable_days(rules: Rules, today: date) -> list[date]:
    """Today and the next `days_ahead` days (the calendar removes days off)."""
    return [today + timedelta(days=i) for i in range(rules.days_ahead + 1)]


def with_taken(
    slots: Sequence[tuple[datetime, datetime]], capacity: int, taken: Mapping[datetime, int]
) -> list[Slot]:
    return [Slot(a, b, capacity, taken.get(a, 0)) for a, b in slots]


def check_slot(
    rules: Rules,
    slots: Sequence[tuple[datetime, datetime]],
    day: date,
    today: date,
    starts_at: datetime,
    now: datetime,
) -> tuple[datetime, datetime]:
    """The slot a citizen asks for is one of the day's slots, not started yet, within the days
    ahead the service takes bookings for. Returns its bounds."""
    if day < today or day > today + timedelta(days=rules.days_ahead):
        raise _bad(
            "day",
            f"只能预约今天起 {rules.days_ahead} 天内的日期",
            f"bookings are taken for today and the next {rules.days_ahead} days",
        )
    for a, b in slots:
        if a == starts_at:
            if a <= now:
                raise _bad("starts_at", "该时段已开始，请选择其他时段", "this slot has started: pick another")
            return a, b
    raise _bad("starts_at", "该日期没有这个预约时段", "there is no such slot on that day")


def check_capacity(taken: int, capacity: int) -> None:
    if taken >= capacity:
        raise RuleViolation(
            "slot_full", "该时段已约满，请选择其他时段", "this slot is fully booked: pick another"
        )


def is_open(status: str, ends_at: datetime, grace_minutes: int, now: datetime) -> bool:
    """A booking still to come: booked, and its slot's end + grace not yet passed."""
    return status == BOOKED and now <= ends_at + timedelta(minutes=grace_minutes)


def is_no_show(status: str, ends_at: datetime, grace_minutes: int, now: datetime) -> bool:
    """Booked, never checked in, and its slot's end + grace has passed: the slot is released."""
    return status == BOOKED and now > ends_at + timedelta(minutes=grace_minutes)


def check_open_limit(open_bookings: int, limit: int) -> None:
    """At most `limit` open bookings per phone number (cancel one to book another)."""
    if open_bookings >= limit:
        err = RuleViolation(
            "booking_limit",
            f"每个手机号最多同时持有 {limit} 个预约，请先取消不需要的预约",
            f"one phone number holds at most {limit} open bookings: cancel one first",
        )
        err.field = "phone"
        raise err


def new_code(randbelow: Callable[[int], int] = secrets.randbelow) -> str:
    """A booking code (typed at a kiosk; the page's token is the secret, not this)."""
    return "".join(CODE_ALPHABET[randbelow(len(CODE_ALPHABET))] for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    return code.strip().upper().replace(" ", "").replace("-", "")


def unknown_code() -> RuleViolation:
    err = RuleViolation(
        "booking_not_found", "预约码无效，请核对后重新输入", "no booking with that code in this hall"
    )
    err.field = "booking"
    return err


def check_changeable(status: str, starts_at: datetime, now: datetime) -> None:
    """Cancel or reschedule: only a booking still booked, before its slot starts."""
    if status != BOOKED:
        raise RuleViolation(
            "booking_closed",
            "该预约已签到、取消或失效，不能再修改",
            "this booking was used, cancelled or has lapsed",
        )
    if now >= starts_at:
        raise RuleViolation(
            "booking_started", "预约时段已开始，不能再修改", "the slot has started: it cannot change"
        )


def _local_hm(at: datetime, timezone: str) -> str:
    local = at.astimezone(ZoneInfo(timezone))
    return f"{local.hour:02d}:{local.minute:02d}"


def double_check_in() -> RuleViolation:
    """The booking already gave its ticket (checked in, or walked in late)."""
    err = RuleViolation(
        "booking_checked_in", "该预约已签到取号，请勿重复签到", "this booking has already checked in"
    )
    err.field = "booking"
    return err


def check_in(
    status: str,
    day: date,
    starts_at: datetime,
    ends_at: datetime,
    today: date,
    now: datetime,
    grace_minutes: int,
    timezone: str,
) -> str:
    """What checking in now makes of the booking: CHECKED_IN (an appointment ticket) or WALK_IN
    (late beyond the grace: an ordinary ticket). Refuses early, double, cancelled and other days'
    check-ins (409, nothing changes)."""

    def refuse(code: str, zh: str, en: str) -> RuleViolation:
        err = RuleViolation(code, zh, en)
        err.field = "booking"
        return err

    if status in (CHECKED_IN, WALK_IN):
        raise double_check_in()
    if status == CANCELLED:
        raise refuse("booking_cancelled", "该预约已取消或已改约", "this booking was cancelled or rescheduled")
    if day != today:
        raise refuse(
            "booking_not_today",
            f"您预约的是 {day.month} 月 {day.day} 日，请当天来签到",
            f"this booking is for {day.isoformat()}: check in on that day",
        )
    opens = starts_at - timedelta(minutes=CHECK_IN_EARLY_MINUTES)
    if now < opens:
        at = _local_hm(opens, timezone)
        raise refuse(
            "booking_too_early",
            f"您预约的时段从 {_local_hm(starts_at, timezone)} 开始，请于 {at} 后再来签到",
            f"your slot starts at {_local_hm(starts_at, timezone)}: check in from {at}",
        )
    if now <= ends_at + timedelta(minutes=grace_minutes):
        return CHECKED_IN
    return WALK_IN
