"""Due dates in working days (限时办结制), over the 2026 Mid-Autumn and National Day holidays."""

from __future__ import annotations

from datetime import date

import chinese_calendar
import pytest

from server.domain.workdays import (
    RED,
    YELLOW,
    CalendarMissing,
    Clock,
    Suspension,
    WorkCalendar,
    counts,
    due_date,
    uncovered_years,
    urgency,
    working_days_between,
)

CAL_2026 = WorkCalendar(
    years=frozenset({2026}),
    holidays=frozenset(d for d in chinese_calendar.holidays if d.year == 2026),
    makeup_workdays=frozenset(d for d in chinese_calendar.workdays if d.year == 2026),
)


def due(accepted: date, days: int, *suspensions: Suspension) -> date | None:
    return due_date(Clock(accepted, days, tuple(suspensions)), CAL_2026)


def test_the_2026_calendar_knows_the_tiaoxiu_workdays():
    assert CAL_2026.is_working_day(date(2026, 9, 20)) and CAL_2026.is_working_day(date(2026, 10, 10))
    assert not CAL_2026.is_working_day(date(2026, 10, 1)) and not CAL_2026.is_working_day(date(2026, 9, 25))


def test_three_days_from_30_september_skip_national_day_and_end_on_the_makeup_saturday():
    assert due(date(2026, 9, 30), 3) == date(2026, 10, 10)


def test_five_days_from_24_september_skip_mid_autumn_and_national_day():
    assert due(date(2026, 9, 24), 5) == date(2026, 10, 9)


def test_two_days_from_friday_18_september_count_the_makeup_sunday():
    assert due(date(2026, 9, 18), 2) == date(2026, 9, 21)


def test_suspended_days_do_not_count():
    assert due(date(2026, 9, 7), 5) == date(2026, 9, 14)
    assert due(date(2026, 9, 7), 5, Suspension(date(2026, 9, 9), date(2026, 9, 11))) == date(2026, 9, 16)


def test_an_open_suspension_stops_the_clock():
    assert due(date(2026, 9, 7), 5, Suspension(date(2026, 9, 9))) is None


def test_an_on_the_spot_matter_is_due_the_day_it_is_accepted():
    assert due(date(2026, 10, 3), 0) == date(2026, 10, 3)
    with pytest.raises(ValueError):
        due(date(2026, 10, 3), -1)


def test_a_year_the_calendar_does_not_cover_is_never_guessed():
    with pytest.raises(CalendarMissing) as missing:
        due(date(2026, 12, 10), 20)
    assert missing.value.year == 2027
    assert uncovered_years(date(2026, 12, 10), CAL_2026) == [2027]
    assert uncovered_years(date(2026, 9, 1), CAL_2026) == []


def test_an_imported_year_completes_the_count():
    from datetime import timedelta

    jan = [date(2027, 1, 1)]
    cal_2027 = WorkCalendar(years=frozenset({2027}), holidays=frozenset(jan))
    merged = CAL_2026.merged(cal_2027)
    # 15 working days in December after the 10th, then 4 Jan 2027 (Mon) … 8 Jan (Fri)
    assert due_date(Clock(date(2026, 12, 10), 20), merged) == date(2027, 1, 8)
    # a hall's import replaces the base source's view of the same year
    override = WorkCalendar(years=frozenset({2026}), holidays=frozenset({date(2026, 9, 21)}))
    replaced = CAL_2026.merged(override)
    assert not replaced.is_working_day(date(2026, 9, 21)) and not replaced.is_working_day(date(2026, 9, 20))
    assert (
        replaced.is_working_day(date(2026, 10, 1))
        and date(2026, 9, 21) + timedelta(days=0) in replaced.holidays
    )


def test_a_case_turns_yellow_at_warn_days_and_red_the_day_after_it_is_due():
    accepted = date(2026, 9, 7)
    d = due(accepted, 5)
    assert d == date(2026, 9, 14)
    assert urgency(date(2026, 9, 8), d, 2, CAL_2026) == "green"  # 4 working days left
    assert urgency(date(2026, 9, 10), d, 2, CAL_2026) == YELLOW  # 11, 14 left
    assert urgency(date(2026, 9, 14), d, 2, CAL_2026) == YELLOW  # due today
    assert urgency(date(2026, 9, 15), d, 2, CAL_2026) == RED
    assert urgency(date(2026, 9, 10), d, None, CAL_2026) == "green"
    assert urgency(date(2026, 9, 30), None, 2, CAL_2026) == "green"


def test_counting_helpers():
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 10), CAL_2026) == 3
    assert working_days_between(date(2026, 10, 10), date(2026, 9, 30), CAL_2026) == 0
    assert counts(date(2026, 9, 10), CAL_2026) and not counts(
        date(2026, 9, 10), CAL_2026, [Suspension(date(2026, 9, 9))]
    )


def test_whose_hours_a_day_keeps_follows_the_calendar_and_the_halls_makeup_weekday():
    from server.domain.workdays import hours_key

    cal = WorkCalendar(
        years=frozenset({2026}),
        holidays=frozenset({date(2026, 10, 1)}),
        makeup_workdays=frozenset({date(2026, 10, 10)}),
    )
    assert hours_key(date(2026, 10, 9), cal) == "fri"
    assert hours_key(date(2026, 10, 1), cal) is None, "a statutory holiday keeps no hours"
    assert hours_key(date(2026, 10, 11), cal) is None, "a weekend off"
    assert hours_key(date(2026, 10, 10), cal) == "mon", "调休: Monday's by default"
    assert hours_key(date(2026, 10, 10), cal, "thu") == "thu"
    with pytest.raises(CalendarMissing):
        hours_key(date(2027, 3, 1), cal)
