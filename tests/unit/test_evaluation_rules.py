"""The evaluation figures: visits from the event log, percentiles, satisfaction and follow-ups."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from server.domain import evaluation as ev

DAY = date(2026, 11, 2)
T0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


class Log:
    """Builds a ticket's event log in order."""

    def __init__(self) -> None:
        self.events: list[ev.TicketEvent] = []

    def add(
        self,
        ticket: int,
        kind: str,
        minute: float,
        service: str = "A",
        window: int | None = None,
        clerk: int | None = None,
        to: str | None = None,
    ) -> Log:
        self.events.append(
            ev.TicketEvent(
                ticket=ticket,
                seq=len(self.events) + 1,
                kind=kind,
                at=at(minute),
                day=DAY,
                service=service,
                window=window,
                clerk=clerk,
                to_service=to,
            )
        )
        return self


def test_a_visit_waits_from_queuing_to_its_call_and_is_served_from_start_to_completion():
    log = Log().add(1, ev.ISSUED, 0).add(1, ev.CALLED, 12, window=6, clerk=60)
    log.add(1, ev.STARTED, 13, window=6, clerk=60).add(1, ev.DONE, 20, window=6, clerk=60)
    [v] = ev.visits_from_events(log.events)
    assert (v.wait_s, v.service_s, v.outcome, v.window, v.clerk) == (720, 420, ev.DONE, 6, 60)


def test_a_recall_does_not_restart_the_wait():
    log = Log().add(1, ev.ISSUED, 0).add(1, ev.CALLED, 10, window=6, clerk=60)
    log.add(1, ev.RECALLED, 14, window=6, clerk=60).add(1, ev.RECALLED, 18, window=6, clerk=60)
    log.add(1, ev.STARTED, 19, window=6, clerk=60).add(1, ev.DONE, 25, window=6, clerk=60)
    [v] = ev.visits_from_events(log.events)
    assert v.wait_s == 600, "the wait ends at the first call, not at the last recall"


def test_a_transfer_starts_a_new_visit_that_keeps_the_original_queued_time():
    log = Log().add(1, ev.ISSUED, 0, service="C").add(1, ev.CALLED, 5, service="C", window=6, clerk=60)
    log.add(1, ev.STARTED, 6, service="C", window=6, clerk=60)
    log.add(1, ev.TRANSFERRED, 8, service="F", window=6, clerk=60, to="F")
    log.add(1, ev.CALLED, 30, service="F", window=8, clerk=80).add(
        1, ev.STARTED, 31, service="F", window=8, clerk=80
    )
    log.add(1, ev.DONE, 40, service="F", window=8, clerk=80)
    first, second = ev.visits_from_events(log.events)
    assert (first.service, first.outcome, first.to_service, first.wait_s, first.window) == (
        "C",
        ev.TRANSFERRED,
        "F",
        300,
        6,
    )
    assert first.service_s is None, "a transferred visit was not served"
    assert (second.service, second.outcome, second.window, second.clerk) == ("F", ev.DONE, 8, 80)
    assert second.queued_at == at(0) and second.wait_s == 1800, (
        "the citizen has waited since they took the number"
    )
    assert second.service_s == 540 and not second.first


def test_a_reactivated_no_show_resumes_its_visit_without_restarting_the_wait():
    log = (
        Log()
        .add(1, ev.ISSUED, 0)
        .add(1, ev.CALLED, 10, window=6, clerk=60)
        .add(1, ev.NO_SHOW, 15, window=6, clerk=60)
    )
    log.add(1, ev.REACTIVATED, 20).add(1, ev.CALLED, 22, window=7, clerk=70)
    log.add(1, ev.STARTED, 23, window=7, clerk=70).add(1, ev.DONE, 30, window=7, clerk=70)
    [v] = ev.visits_from_events(log.events)
    assert (v.outcome, v.wait_s, v.window, v.clerk) == (ev.DONE, 600, 7, 70)


def test_a_no_show_and_a_waiting_ticket_have_no_service_time():
    log = (
        Log()
        .add(1, ev.ISSUED, 0)
        .add(1, ev.CALLED, 10, window=6, clerk=60)
        .add(1, ev.NO_SHOW, 15, window=6, clerk=60)
    )
    log.add(2, ev.ISSUED, 1)
    no_show, waiting = ev.visits_from_events(log.events)
    assert (no_show.outcome, no_show.service_s) == (ev.NO_SHOW, None)
    assert (waiting.outcome, waiting.wait_s) == (ev.OPEN, None)


def test_events_of_a_ticket_issued_outside_the_rows_make_no_visit():
    log = Log().add(1, ev.CALLED, 10, window=6, clerk=60).add(1, ev.DONE, 15, window=6, clerk=60)
    assert ev.visits_from_events(log.events) == []


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [
        ([], 50, None),
        ([7], 90, 7),
        ([1, 2, 3, 4], 50, 2),
        ([1, 2, 3, 4, 5], 50, 3),
        ([5, 1, 4, 2, 3, 10, 9, 8, 7, 6], 90, 9),
        (list(range(1, 101)), 90, 90),
        ([3, 1, 2], 100, 3),
    ],
)
def test_percentiles_are_nearest_rank(values, p, expected):
    assert ev.percentile(values, p) == expected


def test_duration_stats_of_nothing_are_none_not_zero():
    assert ev.duration_stats([]) == {"count": 0, "mean_s": None, "p50_s": None, "p90_s": None}


def rating(level: int, window: int = 6, clerk: int = 60, day: date = DAY, ticket: int = 0) -> ev.RatingRow:
    return ev.RatingRow(ticket=ticket, level=level, day=day, service="A", window=window, clerk=clerk)


def served(n: int, window: int = 6, clerk: int = 60) -> list[ev.TicketEvent]:
    log = Log()
    for i in range(n):
        log.add(100 + i, ev.ISSUED, i).add(100 + i, ev.CALLED, i + 5, window=window, clerk=clerk)
        log.add(100 + i, ev.STARTED, i + 6, window=window, clerk=clerk).add(
            100 + i, ev.DONE, i + 9, window=window, clerk=clerk
        )
    return log.events


def test_satisfaction_rate_is_the_three_top_levels_over_ratings_given():
    assert ev.satisfaction_rate([5, 4, 3, 2]) == 0.75
    assert ev.satisfaction_rate([1, 2]) == 0.0


def test_satisfaction_rate_never_counts_an_unrated_visit_as_satisfied():
    rows = ev.Rows(events=served(10), ratings=[rating(5), rating(1)])
    figs = ev.figures(rows, ev.Scope(DAY, DAY), DAY, None)
    r = figs["ratings"]
    assert (r["rated"], r["satisfied"], r["satisfaction_rate"], r["rating_rate"]) == (2, 1, 0.5, 0.2)
    assert r["levels"] == {"5": 1, "4": 0, "3": 0, "2": 0, "1": 1} and r["bad"] == 1


def test_no_ratings_is_no_satisfaction_rate_not_a_perfect_one():
    figs = ev.figures(ev.Rows(events=served(3)), ev.Scope(DAY, DAY), DAY, None)
    assert figs["ratings"]["satisfaction_rate"] is None and figs["ratings"]["rating_rate"] == 0.0


def test_share_within_the_wait_target_uses_the_halls_target_or_15_minutes():
    log = Log()
    for i, wait in enumerate((5, 10, 15, 20)):
        log.add(i, ev.ISSUED, 0).add(i, ev.CALLED, wait, window=6, clerk=60)
    rows = ev.Rows(events=log.events)
    assert ev.figures(rows, ev.Scope(DAY, DAY), DAY, None)["wait"]["within_target"] == 0.75
    assert ev.figures(rows, ev.Scope(DAY, DAY), DAY, 10)["wait"]["within_target"] == 0.5
    assert (
        ev.evaluation(rows, ev.Scope(DAY, DAY), DAY, None, "clerk")["wait_target_minutes"]
        == ev.DEFAULT_WAIT_TARGET_MINUTES
    )


def test_a_window_or_clerk_has_no_tickets_issued_or_repeat_trips():
    rows = ev.Rows(events=served(2), trips=[ev.TripRow(DAY, "A")])
    hall = ev.figures(rows, ev.Scope(DAY, DAY), DAY, None)
    clerk = ev.figures(rows, ev.Scope(DAY, DAY, clerk=60), DAY, None)
    assert (hall["issued"], hall["repeat_trips"]) == (2, 1)
    assert (clerk["issued"], clerk["repeat_trips"], clerk["served"]) == (None, None, 2)


def fu(
    filed: date,
    due: date | None,
    answered: date | None,
    category: str = "attitude",
    verdict: str | None = None,
    source: str = "phone",
) -> ev.FollowUpRow:
    return ev.FollowUpRow(
        source=source,
        category=category,
        filed_day=filed,
        due_day=due,
        answered_day=answered,
        verdict=verdict,
        service="A",
        window=6,
        clerk=60,
    )


def test_a_follow_up_is_on_time_when_answered_by_its_due_day_and_late_when_still_open_after_it():
    d = date(2026, 11, 2)
    rows = ev.Rows(
        follow_ups=[
            fu(d, date(2026, 11, 20), date(2026, 11, 19), verdict="upheld", source="rating"),  # on time
            fu(d, date(2026, 11, 20), date(2026, 11, 21)),  # late answer
            fu(d, date(2026, 11, 20), None),  # still open after its due day
            fu(d, date(2026, 12, 20), None),  # open, not due yet: not judged
            fu(d, None, None),  # no due day (calendar missing): not judged
            fu(d, date(2026, 11, 20), date(2026, 11, 3), category=ev.INTEGRITY),  # the supervisor's
        ]
    )
    f = ev.figures(rows, ev.Scope(date(2026, 11, 1), date(2026, 11, 30)), date(2026, 11, 25), None)[
        "follow_ups"
    ]
    assert f == {
        "filed": 5,
        "from_ratings": 1,
        "complaints": 4,
        "upheld": 1,
        "answered": 2,
        "answered_on_time": 1,
        "overdue_open": 1,
        "on_time_rate": round(1 / 3, 4),
    }


def test_cases_accepted_in_the_range_are_on_time_late_or_overdue_open():
    d = date(2026, 11, 2)

    def case(due: date | None, done: date | None) -> ev.CaseRow:
        return ev.CaseRow(accepted_day=d, due_day=due, completed_day=done, service="A", window=6, clerk=60)

    rows = ev.Rows(
        cases=[
            case(date(2026, 11, 10), date(2026, 11, 9)),
            case(date(2026, 11, 10), date(2026, 11, 11)),
            case(date(2026, 11, 10), None),
            case(date(2026, 12, 10), None),
            case(None, date(2026, 11, 5)),
        ]
    )
    c = ev.figures(rows, ev.Scope(d, date(2026, 11, 30)), date(2026, 11, 20), None)["cases"]
    assert c == {"accepted": 5, "completed_on_time": 2, "completed_late": 1, "open": 2, "open_overdue": 1}


def test_the_breakdown_has_a_row_per_clerk_with_the_same_rules_as_the_summary():
    rows = ev.Rows(
        events=served(2, window=6, clerk=60),
        ratings=[rating(4, clerk=70, window=7)],
    )
    out = ev.evaluation(rows, ev.Scope(DAY, DAY), DAY, None, "clerk")
    assert [r["key"] for r in out["rows"]] == [60, 70]
    assert out["rows"][0]["figures"]["served"] == 2 and out["rows"][1]["figures"]["ratings"]["rated"] == 1
    assert out["summary"]["served"] == 2 and out["summary"]["ratings"]["rated"] == 1


def test_transfer_pairs_count_where_citizens_get_lost():
    log = Log()
    for t in (1, 2):
        log.add(t, ev.ISSUED, 0, service="C").add(t, ev.CALLED, 1, service="C", window=6, clerk=60)
        log.add(t, ev.TRANSFERRED, 2, service="F", window=6, clerk=60, to="F")
    visits = ev.visits_from_events(log.events)
    assert ev.transfer_pairs(visits, DAY, DAY) == [{"from": "C", "to": "F", "count": 2}]


def test_the_boards_satisfaction_per_window_counts_ratings_in_the_range_only():
    rows = [rating(5, window=6), rating(2, window=6), rating(1, window=7, day=date(2026, 10, 31))]
    out = ev.satisfaction_by_window(rows, date(2026, 11, 1), date(2026, 11, 30))
    assert out == {6: {"rated": 2, "satisfaction_rate": 0.5}}


def test_the_export_columns_are_exactly_the_figures():
    figs = ev.figures(ev.Rows(events=served(1)), ev.Scope(DAY, DAY), DAY, None)

    def leaves(d, prefix=""):
        for k, v in d.items():
            if isinstance(v, dict):
                yield from leaves(v, f"{prefix}{k}.")
            else:
                yield prefix + k

    paths = [path for path, _zh, _en, _fmt in ev.COLUMNS]
    assert sorted(paths) == sorted(leaves(figs)) and len(set(paths)) == len(paths)


def test_the_board_shows_a_windows_rate_only_from_five_ratings_and_nothing_but_public_fields():
    from server.domain.disclosure import MIN_PUBLIC_RATINGS, public_satisfaction

    row = {
        "number": 6,
        "name": "6号窗口",
        "rated": MIN_PUBLIC_RATINGS,
        "satisfaction_rate": 0.8,
        "clerk": "clerk06",
        "levels": {"1": 1},
    }
    assert public_satisfaction(row) == {"number": 6, "name": "6号窗口", "rated": 5, "satisfaction_rate": 0.8}
    few = public_satisfaction({**row, "rated": MIN_PUBLIC_RATINGS - 1})
    assert few["satisfaction_rate"] is None and few["rated"] == 4
