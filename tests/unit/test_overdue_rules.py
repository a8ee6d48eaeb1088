"""Accountability for late matters: each overdue day is held by someone (domain.overdue)."""

from __future__ import annotations

from datetime import date

from server.domain.overdue import CaseHistory, Step, Tally, holder_on, overdue_days, overdue_report

D = date


def history(**kw):
    base = {
        "case": "20260907-C-0001",
        "service": "C",
        "window": 6,
        "due": D(2026, 9, 14),
        "completed": None,
        "steps": (Step(D(2026, 9, 7), 6), Step(D(2026, 9, 16), 7)),  # accepted by 6, handed to 7
    }
    return CaseHistory(**{**base, **kw})


def test_the_holder_is_the_owner_after_the_last_step_of_that_day():
    h = history()
    assert holder_on(h, D(2026, 9, 6)) is None
    assert holder_on(h, D(2026, 9, 15)) == 6
    assert holder_on(h, D(2026, 9, 16)) == 7


def test_a_case_is_late_from_the_day_after_it_is_due_until_it_is_completed():
    assert overdue_days(history(), D(2026, 9, 1), D(2026, 9, 17)) == [
        (D(2026, 9, 15), 6),
        (D(2026, 9, 16), 7),
        (D(2026, 9, 17), 7),
    ]
    assert overdue_days(history(completed=D(2026, 9, 15)), D(2026, 9, 1), D(2026, 9, 30)) == [
        (D(2026, 9, 15), 6)
    ]
    assert overdue_days(history(completed=D(2026, 9, 14)), D(2026, 9, 1), D(2026, 9, 30)) == []
    assert overdue_days(history(due=None), D(2026, 9, 1), D(2026, 9, 30)) == []  # never on a guess
    assert overdue_days(history(), D(2026, 9, 16), D(2026, 9, 16)) == [(D(2026, 9, 16), 7)]


def test_the_report_adds_up_days_per_clerk_window_and_service():
    on_time = history(case="B", completed=D(2026, 9, 10))
    other = history(case="X", service="F", window=8, steps=(Step(D(2026, 9, 7), 8),), due=D(2026, 9, 16))
    report = overdue_report([history(), on_time, other], D(2026, 9, 1), D(2026, 9, 17))
    assert [c["case"] for c in report["cases"]] == ["20260907-C-0001", "X"]  # type: ignore[index]
    assert report["by_clerk"] == {6: Tally(1, 1), 7: Tally(1, 2), 8: Tally(1, 1)}
    assert report["by_window"] == {6: Tally(1, 3), 8: Tally(1, 1)}
    assert report["by_service"] == {"C": Tally(1, 3), "F": Tally(1, 1)}


# ---------------------------------------------------------------- A/B cover (AB岗)


def _late(owner: int = 1) -> CaseHistory:
    return CaseHistory("N1", "A", 2, date(2026, 9, 7), None, (Step(date(2026, 9, 1), owner),))


def test_an_absent_owner_is_covered_by_their_b_post_who_was_signed_in():
    from server.domain.overdue import HeldDay, Presence, held_days

    d8, d9, d10 = date(2026, 9, 8), date(2026, 9, 9), date(2026, 9, 10)
    presence = Presence(
        signed_in=frozenset({(1, d8), (2, d9), (2, d10)}),
        on_leave=frozenset({(1, d9)}),
        b_post={1: 2},
    )
    assert held_days(_late(), d8, d10, presence) == [
        HeldDay(d8, 1, 1, False),  # the owner was at work
        HeldDay(d9, 1, 2, True),  # on leave: B covered
        HeldDay(d10, 1, 2, True),  # not signed in (no leave registered): B covered
    ]


def test_nobody_covered_so_the_owner_stays_responsible():
    from server.domain.overdue import Presence, held_days

    d9 = date(2026, 9, 9)
    no_b = Presence(signed_in=frozenset(), on_leave=frozenset({(1, d9)}), b_post={})
    b_absent = Presence(signed_in=frozenset(), on_leave=frozenset({(1, d9)}), b_post={1: 2})
    b_on_leave_too = Presence(
        signed_in=frozenset({(2, d9)}), on_leave=frozenset({(1, d9), (2, d9)}), b_post={1: 2}
    )
    for presence in (no_b, b_absent, b_on_leave_too):
        [held] = held_days(_late(), d9, d9, presence)
        assert (held.clerk, held.covering) == (1, False)


def test_the_report_counts_covered_days_against_the_b_post():
    from server.domain.overdue import Presence

    d8, d9 = date(2026, 9, 8), date(2026, 9, 9)
    presence = Presence(signed_in=frozenset({(1, d8), (2, d9)}), b_post={1: 2})
    report = overdue_report([_late()], d8, d9, presence)
    assert report["by_clerk"] == {1: Tally(1, 1), 2: Tally(1, 1)}
