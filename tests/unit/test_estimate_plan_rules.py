"""What the screens show (issue 12 item 2, issue 14 item 1): people ahead in the real call order
and an estimate that is never 0 with people ahead (domain.estimate.hall_plan)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.domain.choose_next import Candidate
from server.domain.estimate import (
    DEFAULT_SERVICE_SECONDS,
    MIN_WAIT_WITH_AHEAD_S,
    Estimate,
    WindowNow,
    hall_plan,
    shown_wait_s,
    walk_in_estimate,
)

T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
NOW = T0 + timedelta(minutes=30)


def c(tid, service="A", minutes=0, priority=False, directed=None, slot=None):
    return Candidate(tid, service, T0 + timedelta(minutes=minutes), priority, directed, slot)


def test_an_estimate_is_never_0_with_people_ahead():
    assert shown_wait_s(1, 0) == MIN_WAIT_WITH_AHEAD_S
    assert shown_wait_s(0, 0) == 0
    assert shown_wait_s(3, 900) == 900
    # two free windows, three waiting: the second is called at once by the other window, but a
    # citizen is told a wait whenever somebody is ahead of them
    waiting = [c(1), c(2, minutes=1), c(3, minutes=2)]
    windows = [WindowNow(1, ("A",)), WindowNow(2, ("A",))]
    tickets, _ = hall_plan(waiting, windows, {"A": 300}, ["A"], NOW)
    for e in tickets.values():
        assert e.ahead == 0 or e.wait_s > 0
    assert tickets[1] == Estimate(0, 0)
    assert tickets[2].ahead == 1 and tickets[2].wait_s >= MIN_WAIT_WITH_AHEAD_S


def test_people_ahead_follow_the_call_order_green_lane_and_appointments_first():
    waiting = [
        c(1, minutes=0),
        c(2, minutes=5, priority=True),  # green lane: ahead of everyone
        c(3, minutes=10, slot=T0 + timedelta(minutes=20)),  # appointment whose slot began
        c(4, minutes=15),
    ]
    tickets, _ = hall_plan(waiting, [WindowNow(1, ("A",))], {"A": 600}, ["A"], NOW)
    assert [tickets[t].ahead for t in (2, 3, 1, 4)] == [0, 1, 2, 3]
    assert [tickets[t].wait_s for t in (2, 3, 1, 4)] == [0, 600, 1200, 1800]


def test_people_ahead_count_only_those_called_by_windows_that_could_call_me():
    # window 1 serves A only, window 2 serves B only: B's citizen has nobody ahead
    waiting = [c(1, "A"), c(2, "A", minutes=1), c(3, "B", minutes=2)]
    windows = [WindowNow(1, ("A",)), WindowNow(2, ("B",))]
    tickets, services = hall_plan(waiting, windows, {"A": 300, "B": 300}, ["A", "B"], NOW)
    assert tickets[3] == Estimate(0, 0)
    assert tickets[2].ahead == 1
    # a walk-in taking a number now
    assert services["A"] == Estimate(2, 600)
    assert services["B"] == Estimate(1, 300)


def test_a_ticket_directed_to_another_window_is_not_ahead_of_me():
    waiting = [c(1, directed=2), c(2, minutes=1)]
    windows = [WindowNow(1, ("A",)), WindowNow(2, ("A",), serving="A", serving_for_s=0)]
    tickets, _ = hall_plan(waiting, windows, {"A": 300}, ["A"], NOW)
    assert tickets[2] == Estimate(0, 0)
    assert tickets[1].ahead == 0 and tickets[1].wait_s == 300


def test_a_ticket_no_window_serves_waits_as_if_one_opened_and_is_flagged():
    waiting = [c(1, "B"), c(2, "B", minutes=1)]
    tickets, services = hall_plan(waiting, [WindowNow(1, ("A",))], {"B": 400}, ["A", "B"], NOW)
    assert tickets[1] == Estimate(0, 0, served=False)
    assert tickets[2] == Estimate(1, 400, served=False)
    assert services["B"] == Estimate(2, 800, served=False)
    assert services["A"] == Estimate(0, 0)


def test_with_no_service_times_yet_the_default_is_used():
    waiting = [c(1), c(2, minutes=1)]
    tickets, _ = hall_plan(waiting, [WindowNow(1, ("A",))], {}, ["A"], NOW)
    assert tickets[2].wait_s == DEFAULT_SERVICE_SECONDS


def test_a_new_walk_in_adds_the_citizens_who_took_a_number_since_the_plan():
    base = Estimate(2, 600)
    assert walk_in_estimate(base, 0, 300, 2) == base
    assert walk_in_estimate(base, 3, 300, 2) == Estimate(5, 1200)
    # nobody ahead in the plan, one newcomer since: never 0
    assert walk_in_estimate(Estimate(0, 0), 1, 300, 3).wait_s >= MIN_WAIT_WITH_AHEAD_S
