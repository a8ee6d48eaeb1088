"""Retention: which closed days the archive may move (domain/retention.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from server.domain.business_day import business_day
from server.domain.retention import Policy, archivable_days, cutoff, day_bounds

TODAY = date(2026, 12, 1)


def test_the_default_policy_keeps_the_current_and_previous_month_hot():
    assert cutoff(TODAY, Policy()) == date(2026, 9, 30)
    days = archivable_days(date(2026, 9, 28), TODAY, Policy())
    assert days == [date(2026, 9, 28), date(2026, 9, 29)]


def test_today_is_never_archivable_whatever_the_policy_or_before_says():
    assert cutoff(TODAY, Policy(0)) == TODAY
    assert archivable_days(TODAY - timedelta(days=1), TODAY, Policy(0)) == [TODAY - timedelta(days=1)]
    assert archivable_days(TODAY, TODAY, Policy(0), before=TODAY + timedelta(days=5)) == []


def test_before_only_narrows_the_policy():
    assert cutoff(TODAY, Policy(62), before=date(2026, 9, 1)) == date(2026, 9, 1)
    assert cutoff(TODAY, Policy(62), before=date(2026, 11, 30)) == date(2026, 9, 30)


def test_a_day_an_open_record_still_reads_stays_hot():
    held = [date(2026, 9, 2)]
    days = archivable_days(date(2026, 9, 1), TODAY, Policy(), held=held, before=date(2026, 9, 4))
    assert days == [date(2026, 9, 1), date(2026, 9, 3)]


def test_nothing_hot_means_nothing_to_archive():
    assert archivable_days(None, TODAY, Policy()) == []


def test_a_negative_policy_is_refused():
    with pytest.raises(ValueError):
        Policy(-1)


@pytest.mark.parametrize("rollover", [0, 3])
def test_day_bounds_hold_exactly_the_moments_of_the_business_day(rollover):
    start, end = day_bounds(date(2026, 9, 2), "Asia/Shanghai", rollover)
    assert business_day(start.astimezone(UTC), "Asia/Shanghai", rollover) == date(2026, 9, 2)
    last = (end - timedelta(microseconds=1)).astimezone(UTC)
    assert business_day(last, "Asia/Shanghai", rollover) == date(2026, 9, 2)
    assert business_day(end.astimezone(UTC), "Asia/Shanghai", rollover) == date(2026, 9, 3)
    assert start.astimezone(UTC) == datetime(2026, 9, 1, 16 + rollover, tzinfo=UTC)
