"""Wait estimates on a simulated day (issue 12, item 2): the estimate that plays the open windows
forward in the call order (domain.estimate.estimated_waits) against today's estimate (people
ahead ÷ open windows × the mean of the last 20 services), on the same simulated days.

The day: two services (A short, B long and variable) at three windows — one serving A only, two
serving both in opposite orders — with green-lane tickets, no-shows, transfers between the two
services (keeping their queued time) and a lunch break (no window 12:00–13:00; window 1 also
leaves at 15:00). Every ticket is estimated the moment it is issued (what the slip shows) and
compared with when it was actually called. docs/performance.md reports the figures.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server.domain.choose_next import Candidate
from server.domain.estimate import WindowNow, estimated_waits, robust_service_s
from server.domain.simulation import Scenario, ServiceTime, WindowPlan, estimate_errors

W1 = WindowPlan(1, ("A",))
W2 = WindowPlan(2, ("A", "B"))
W3 = WindowPlan(3, ("B", "A"))

DAY = Scenario(
    arrivals={
        "A": {8: 8, 9: 18, 10: 14, 11: 8, 13: 6, 14: 14, 15: 10, 16: 5},
        "B": {8: 3, 9: 7, 10: 6, 11: 4, 13: 3, 14: 6, 15: 5, 16: 2},
    },
    service_times={"A": ServiceTime(6.0), "B": ServiceTime(12.0, sigma=0.6)},
    staffing={
        8: [W1, W2, W3],
        9: [W1, W2, W3],
        10: [W1, W2, W3],
        11: [W1, W2, W3],
        13: [W1, W2, W3],
        14: [W1, W2, W3],
        15: [W2, W3],
        16: [W1, W2, W3],
    },
    priority=0.05,
    no_show=0.04,
    transfer=0.08,
    call_gap_seconds=30,
    days=20,
    seed=12,
)


def test_the_call_order_estimate_errs_less_than_todays_on_a_simulated_day() -> None:
    errors = estimate_errors(DAY)
    today, new = errors["today"], errors["call_order"]
    assert today.count == new.count > 1000
    assert new.mean_abs_min < today.mean_abs_min
    assert new.p90_abs_min < today.p90_abs_min


T0 = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)


def ticket(i: int, service: str, minute: int, **kw: object) -> Candidate:
    return Candidate(i, service, T0 + timedelta(minutes=minute), **kw)  # type: ignore[arg-type]


def test_the_estimate_follows_the_call_order_of_each_window() -> None:
    waiting = [ticket(1, "A", 0), ticket(2, "B", 1), ticket(3, "A", 2), ticket(4, "A", 3, priority=True)]
    windows = [WindowNow(1, ("A",)), WindowNow(2, ("B",), serving="B", serving_for_s=100)]
    est = estimated_waits(waiting, windows, {"A": 300, "B": 600})
    # window 1 calls the green-lane ticket 4 now, then 1, then 3; window 2 is free at 600 − 100
    assert est == {4: 0, 1: 300, 3: 600, 2: 500}


def test_a_window_on_a_break_calls_nobody_until_it_is_back() -> None:
    waiting = [ticket(1, "A", 0), ticket(2, "A", 1)]
    windows = [WindowNow(1, ("A",), serving="A", serving_for_s=0, away_s=(60, 3600))]
    assert estimated_waits(waiting, windows, {"A": 300}) == {1: 3600, 2: 3900}


def test_a_ticket_no_open_window_serves_still_gets_an_estimate() -> None:
    est = estimated_waits([ticket(1, "B", 0), ticket(2, "B", 1)], [WindowNow(1, ("A",))], {"B": 400})
    assert est == {1: 0, 2: 400}


def test_the_typical_time_ignores_a_ticket_left_open_for_an_hour() -> None:
    samples = [300.0] * 19 + [3600.0]
    assert robust_service_s(samples) == pytest.approx(300.0)
    assert robust_service_s([]) is None
