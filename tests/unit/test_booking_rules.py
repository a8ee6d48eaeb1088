"""Appointments (预约): slots over the working-day calendar, capacity, the per-phone limit,
check-in on time, early and late, and the appointment's rank in the call order."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from server.domain import bookings as rules
from server.domain.choose_next import Candidate, call_order
from server.domain.errors import RuleViolation
from server.domain.workdays import WorkCalendar

TZ = "Asia/Shanghai"
HOURS = {
    "mon": [["08:30", "12:00"], ["13:30", "17:00"]],
    "tue": [["09:00", "11:00"]],
    "sat": [["09:00", "10:00"]],
}
# 2026: Sat 10 Jan is a 调休 workday, Thu 1 Jan a holiday (a test calendar, not the real one)
CAL = WorkCalendar(
    years=frozenset({2026}),
    holidays=frozenset({date(2026, 1, 1)}),
    makeup_workdays=frozenset({date(2026, 1, 10)}),
)
R = rules.Rules(slot_minutes=60, capacity=2, days_ahead=7)


def local(day: date, hm: str) -> datetime:
    from zoneinfo import ZoneInfo

    h, m = hm.split(":")
    return datetime(day.year, day.month, day.day, int(h), int(m), tzinfo=ZoneInfo(TZ)).astimezone(UTC)


def test_slots_cut_each_opening_span_and_drop_a_short_remainder() -> None:
    monday = date(2026, 1, 5)
    slots = rules.day_slots(R, HOURS, monday, CAL, TZ)
    starts = [s for s, _ in slots]
    # 08:30–12:00: 08:30, 09:30, 10:30 (11:30–12:00 is too short); 13:30–17:00: 13:30, 14:30, 15:30
    assert starts == [local(monday, t) for t in ("08:30", "09:30", "10:30", "13:30", "14:30", "15:30")]
    assert all(e - s == timedelta(hours=1) for s, e in slots)


def test_a_holiday_and_an_ordinary_weekend_have_no_slots() -> None:
    assert rules.day_slots(R, HOURS, date(2026, 1, 1), CAL, TZ) == []  # holiday
    assert rules.day_slots(R, HOURS, date(2026, 1, 3), CAL, TZ) == []  # Saturday, not a workday


def test_a_makeup_workday_uses_mondays_hours_by_default() -> None:
    sat = date(2026, 1, 10)
    slots = rules.day_slots(R, HOURS, sat, CAL, TZ)
    assert [s for s, _ in slots][:1] == [local(sat, "08:30")]
    assert len(slots) == 6


def test_a_makeup_workday_uses_the_weekday_the_hall_names() -> None:
    sat = date(2026, 1, 10)
    slots = rules.day_slots(R, HOURS, sat, CAL, TZ, makeup_weekday="tue")
    assert [s for s, _ in slots] == [local(sat, "09:00"), local(sat, "10:00")]


def test_a_year_the_calendar_does_not_cover_has_no_slots() -> None:
    assert rules.day_slots(R, HOURS, date(2027, 1, 4), CAL, TZ) == []


def test_a_hall_without_opening_hours_books_within_the_default_hours() -> None:
    slots = rules.day_slots(R, None, date(2026, 1, 5), CAL, TZ)
    assert slots[0][0] == local(date(2026, 1, 5), "09:00")


def test_a_full_slot_refuses_another_booking() -> None:
    rules.check_capacity(1, 2)
    with pytest.raises(RuleViolation) as err:
        rules.check_capacity(2, 2)
    assert err.value.code == "slot_full"


def test_a_phone_holds_at_most_the_halls_limit_of_open_bookings() -> None:
    rules.check_open_limit(2, 3)
    with pytest.raises(RuleViolation) as err:
        rules.check_open_limit(3, 3)
    assert err.value.code == "booking_limit" and err.value.field == "phone"


def test_a_slot_beyond_days_ahead_or_already_started_is_refused() -> None:
    monday = date(2026, 1, 5)
    slots = rules.day_slots(R, HOURS, monday, CAL, TZ)
    now = local(monday, "09:00")
    assert rules.check_slot(R, slots, monday, monday, local(monday, "09:30"), now)[0] == local(
        monday, "09:30"
    )
    with pytest.raises(RuleViolation):
        rules.check_slot(R, slots, monday, monday, local(monday, "08:30"), now)  # started
    with pytest.raises(RuleViolation):
        rules.check_slot(R, slots, monday, monday, local(monday, "09:10"), now)  # not a slot
    with pytest.raises(RuleViolation):
        rules.check_slot(R, slots, monday + timedelta(days=8), monday, local(monday, "09:30"), now)


def test_no_show_after_slot_end_and_grace_no_longer_counts_as_open() -> None:
    end = local(date(2026, 1, 5), "10:30")
    assert rules.is_open("booked", end, 15, end + timedelta(minutes=15))
    assert not rules.is_open("booked", end, 15, end + timedelta(minutes=16))
    assert rules.is_no_show("booked", end, 15, end + timedelta(minutes=16))
    assert not rules.is_no_show("checked_in", end, 15, end + timedelta(minutes=16))


def _check_in(status: str, now: datetime, day: date = date(2026, 1, 5)) -> str:
    monday = date(2026, 1, 5)
    return rules.check_in(status, day, local(monday, "09:30"), local(monday, "10:30"), monday, now, 15, TZ)


def test_check_in_on_time_from_half_an_hour_before_to_slot_end_plus_grace() -> None:
    m = date(2026, 1, 5)
    assert _check_in("booked", local(m, "09:00")) == rules.CHECKED_IN
    assert _check_in("booked", local(m, "10:45")) == rules.CHECKED_IN


def test_check_in_too_early_says_when_to_come_back() -> None:
    with pytest.raises(RuleViolation) as err:
        _check_in("booked", local(date(2026, 1, 5), "08:59"))
    assert err.value.code == "booking_too_early"
    assert "09:00" in err.value.message_zh and "09:00" in err.value.message_en


def test_check_in_late_beyond_the_grace_is_a_walk_in() -> None:
    assert _check_in("booked", local(date(2026, 1, 5), "10:46")) == rules.WALK_IN
    assert _check_in("no_show", local(date(2026, 1, 5), "16:00")) == rules.WALK_IN


def test_double_check_in_cancelled_and_other_days_are_refused() -> None:
    now = local(date(2026, 1, 5), "09:40")
    for status, code in (
        ("checked_in", "booking_checked_in"),
        ("walk_in", "booking_checked_in"),
        ("cancelled", "booking_cancelled"),
    ):
        with pytest.raises(RuleViolation) as err:
            _check_in(status, now)
        assert err.value.code == code
    with pytest.raises(RuleViolation) as err:
        _check_in("booked", now, day=date(2026, 1, 6))
    assert err.value.code == "booking_not_today"


def test_booking_codes_avoid_confusable_symbols() -> None:
    code = rules.new_code()
    assert len(code) == rules.CODE_LENGTH and not set(code) & set("01OIL")
    assert rules.normalise_code(" ab-cd ") == "ABCD"


def test_booking_rules_are_checked() -> None:
    assert rules.check_rules(None) is None
    assert rules.check_rules({"slot_minutes": 30, "capacity": 4, "days_ahead": 7}) == rules.Rules(30, 4, 7)
    for bad in ({"slot_minutes": 0, "capacity": 4, "days_ahead": 7}, {"slot_minutes": 30, "capacity": 4}):
        with pytest.raises(RuleViolation):
            rules.check_rules(bad)


T0 = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)


def c(
    tid: int, minutes: int, slot: int | None = None, priority: bool = False, directed: int | None = None
) -> Candidate:
    return Candidate(
        tid,
        "A",
        T0 + timedelta(minutes=minutes),
        priority,
        directed,
        T0 + timedelta(minutes=slot) if slot is not None else None,
    )


def test_an_appointment_in_its_slot_is_called_before_earlier_walk_ins() -> None:
    now = T0 + timedelta(minutes=30)
    order = call_order(1, ["A"], [c(1, 0), c(2, 5), c(3, 20, slot=30)], now=now)
    assert [x.ticket_id for x in order] == [3, 1, 2]


def test_an_appointment_checked_in_early_waits_for_its_slot_among_walk_ins() -> None:
    now = T0 + timedelta(minutes=10)
    order = call_order(1, ["A"], [c(1, 0), c(3, 5, slot=30), c(2, 8)], now=now)
    assert [x.ticket_id for x in order] == [1, 3, 2]


def test_the_green_lane_and_directed_tickets_come_before_appointments() -> None:
    now = T0 + timedelta(minutes=30)
    order = call_order(1, ["A"], [c(3, 0, slot=0), c(1, 20, priority=True), c(2, 25, directed=1)], now=now)
    assert [x.ticket_id for x in order] == [1, 2, 3]


def test_appointments_are_called_by_their_slot_then_their_check_in() -> None:
    now = T0 + timedelta(minutes=60)
    order = call_order(1, ["A"], [c(1, 10, slot=30), c(2, 5, slot=60), c(3, 20, slot=30)], now=now)
    assert [x.ticket_id for x in order] == [1, 3, 2]
