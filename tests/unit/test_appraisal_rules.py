"""The monthly appraisal's rules (domain.appraisal): each factor, caps, versions, traceability."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from server.domain import appraisal as a
from server.domain.errors import RuleViolation

MAY = date(2026, 5, 1)
HOURS = {d: [["08:30", "12:00"], ["13:30", "17:30"]] for d in ("mon", "tue", "wed", "thu", "fri")}


def rules(**factors: dict[str, float]) -> dict:
    return a.check_rules({"factors": factors})


def one(month: a.Month, by: str = "clerk", subject: int = 1) -> a.Score:
    return next(s for s in a.score_month(month, by) if s.subject == subject)


def points(score: a.Score, factor: str) -> float:
    return round(sum(line.points for line in score.lines if line.factor == factor), 2)


def assert_traced(score: a.Score) -> None:
    assert score.total == pytest.approx(score.base + sum(line.points for line in score.lines), abs=0.005)
    assert all(line.refs for line in score.lines)


def test_satisfaction_is_the_top_three_levels_over_rated_and_unrated_never_counts():
    month = a.Month(
        MAY,
        a.DEFAULT_RULES,
        ratings=[a.RatingFact(f"rating:{i}", 1, 7, lv) for i, lv in enumerate((5, 4, 3, 2))],
        served=[a.ServedFact(f"ticket:{i}", 1, 7, 60) for i in range(10)],  # 6 never rated
    )
    s = one(month)
    assert points(s, "satisfaction") == 7.5  # 10 × 3/4: the unrated six change nothing
    line = next(line for line in s.lines if line.factor == "satisfaction")
    assert line.refs == ("rating:0", "rating:1", "rating:2", "rating:3") and line.detail == "3/4"
    assert_traced(s)


def test_no_ratings_give_no_satisfaction_points():
    s = one(a.Month(MAY, a.DEFAULT_RULES, clerks=[1]))
    assert points(s, "satisfaction") == 0 and s.total == 100


def test_a_bad_rating_answered_after_its_due_day_or_unanswered_past_it_costs_points():
    month = a.Month(
        MAY,
        a.DEFAULT_RULES,
        as_of=date(2026, 5, 31),
        bad_ratings=[
            a.BadRatingFact("complaint:on-time", 1, 7, date(2026, 5, 20), date(2026, 5, 20)),
            a.BadRatingFact("complaint:late", 1, 7, date(2026, 5, 20), date(2026, 5, 21)),
            a.BadRatingFact("complaint:open-past-due", 1, 7, date(2026, 5, 20), None),
            a.BadRatingFact("complaint:open-not-due", 1, 7, date(2026, 6, 10), None),
        ],
    )
    s = one(month)
    late = [line for line in s.lines if line.factor == "bad_rating_late"]
    assert [line.refs[0] for line in late] == ["complaint:late", "complaint:open-past-due"]
    assert points(s, "bad_rating_late") == -4


def test_only_upheld_complaints_count():
    month = a.Month(
        MAY,
        a.DEFAULT_RULES,
        complaints=[a.ComplaintFact("complaint:1", 1, 7, True), a.ComplaintFact("complaint:2", 1, 7, False)],
    )
    assert points(one(month), "complaints") == -5


def test_overdue_cases_and_repeat_trips_count_per_record():
    month = a.Month(
        MAY,
        a.DEFAULT_RULES,
        overdue=[a.Fault("case:N1", 1, 7), a.Fault("case:N2", 1, 7)],
        repeat_trips=[a.Fault("trip:A003@2026-05-06", 1, 7)],
    )
    s = one(month)
    assert points(s, "overdue") == -2 and points(s, "repeat_trips") == -2
    assert_traced(s)


def test_signed_in_hours_late_sign_in_and_absence_follow_the_opening_hours():
    # May 2026: Mon 4 … Fri 8; the clerk signs in late on Monday, on time Tuesday, is away Wednesday
    # on registered leave, absent Thursday, and signs in Friday at 08:34 (within the grace)
    att = [
        a.AttendanceFact("attendance:1", 1, 7, "sign_in", datetime(2026, 5, 4, 8, 50)),
        a.AttendanceFact("attendance:2", 1, 7, "sign_out", datetime(2026, 5, 4, 12, 50)),
        a.AttendanceFact("attendance:3", 1, 7, "sign_in", datetime(2026, 5, 5, 8, 30)),
        a.AttendanceFact("attendance:4", 1, 7, "sign_out", datetime(2026, 5, 5, 10, 30)),
        a.AttendanceFact("attendance:5", 1, 7, "sign_in", datetime(2026, 5, 8, 8, 34)),
    ]
    leave = a.LeaveFact("leave:1", 1, date(2026, 5, 6), date(2026, 5, 6), True)
    month = a.Month(
        MAY,
        rules(hours={"weight": 1, "cap": 100}),
        working_days=[date(2026, 5, d) for d in (4, 5, 6, 7, 8)],
        opening_hours=HOURS,
        clerks=[1],
        attendance=att,
        leaves=[leave],
    )
    s = one(month)
    assert [line.refs for line in s.lines if line.factor == "late"] == [("attendance:1",)]
    assert [line.refs for line in s.lines if line.factor == "absence"] == [("day:2026-05-07",)]
    assert [line.refs for line in s.lines if line.factor == "short_leave"] == [("leave:1",)]
    # 4 h + 2 h + Friday's unclosed sign-in runs to the hall's closing time (17:30: 8 h 56 min)
    assert points(s, "hours") == pytest.approx(4 + 2 + 8 + 56 / 60, abs=0.01)
    assert_traced(s)


def test_a_hall_open_around_the_clock_has_no_late_sign_in():
    att = [a.AttendanceFact("attendance:1", 1, 7, "sign_in", datetime(2026, 5, 4, 11, 0))]
    s = one(a.Month(MAY, a.DEFAULT_RULES, attendance=att, working_days=[date(2026, 5, 4)]))
    assert points(s, "late") == 0 and points(s, "absence") == 0


def test_tickets_served_and_service_time_over_the_limit():
    served = [a.ServedFact(f"ticket:{i}", 1, 7, secs) for i, secs in enumerate((600, 1801, 3600, None))]
    s = one(a.Month(MAY, rules(served={"weight": 1, "cap": 10}), served=served))
    assert points(s, "served") == 4
    assert [line.refs for line in s.lines if line.factor == "service_time"] == [("ticket:1",), ("ticket:2",)]
    assert points(s, "service_time") == -0.2


def test_manager_deductions_take_their_points_times_the_weight():
    d = [a.DeductionFact("record:1", 1, 7, 3), a.DeductionFact("record:2", 1, None, 0)]
    s = one(a.Month(MAY, rules(deductions={"weight": 2, "cap": 30}), deductions=d))
    assert points(s, "deductions") == -6


def test_a_cap_stops_a_factor_and_later_records_are_listed_capped_with_no_points():
    month = a.Month(
        MAY,
        rules(overdue={"weight": 4, "cap": 10}),
        overdue=[a.Fault(f"case:N{i}", 1, 7) for i in range(4)],
    )
    s = one(month)
    lines = [line for line in s.lines if line.factor == "overdue"]
    assert [line.points for line in lines] == [-4, -4, -2, 0]
    assert [line.capped for line in lines] == [False, False, True, True]
    assert s.total == 90
    assert_traced(s)


def test_window_scores_leave_out_a_persons_attendance_factors():
    att = [a.AttendanceFact("attendance:1", 1, 7, "sign_in", datetime(2026, 5, 4, 9, 30))]
    month = a.Month(
        MAY,
        a.DEFAULT_RULES,
        working_days=[date(2026, 5, 4), date(2026, 5, 5)],
        opening_hours=HOURS,
        clerks=[1],
        windows=[7],
        attendance=att,
        overdue=[a.Fault("case:N1", 1, 7), a.Fault("case:N2", 2, 7)],
    )
    w = one(month, "window", 7)
    assert {line.factor for line in w.lines} == {"overdue", "hours"}
    assert points(w, "overdue") == -2
    c = one(month, "clerk", 1)
    assert points(c, "late") == -1 and points(c, "absence") == -3


def test_every_point_is_traced_and_the_lines_add_up_to_the_total():
    month = a.Month(
        MAY,
        a.DEFAULT_RULES,
        ratings=[a.RatingFact(f"rating:{i}", 1 + i % 2, 7, 1 + i % 5) for i in range(17)],
        complaints=[a.ComplaintFact("complaint:1", 2, 7, True)],
        served=[a.ServedFact(f"ticket:{i}", 1 + i % 2, 7, 100 * i) for i in range(40)],
        deductions=[a.DeductionFact("record:9", 2, 7, 7)],
    )
    for by in ("clerk", "window"):
        for s in a.score_month(month, by):
            assert_traced(s)


def test_rules_fill_in_defaults_and_refuse_unknown_factors_and_bad_numbers():
    r = a.check_rules({"base": 90, "factors": {"late": {"weight": 2}}})
    assert r["base"] == 90 and r["factors"]["late"] == {"weight": 2, "cap": 5}
    assert r["factors"]["absence"] == a.DEFAULT_RULES["factors"]["absence"]
    for bad, where in (
        ({"factors": {"nap": {"weight": 1}}}, "factors.nap"),
        ({"factors": {"late": {"weight": -1}}}, "factors.late.weight"),
        ({"factors": {"late": {"weight": True}}}, "factors.late.weight"),
        ({"factors": {"late": {"cap": "5"}}}, "factors.late.cap"),
        ({"factors": {"late": {"scale": 1}}}, "factors.late.scale"),
        ({"base": float("nan")}, "base"),
        ({"bonus": 1}, "bonus"),
        ([], "rules"),
    ):
        with pytest.raises(RuleViolation) as err:
            a.check_rules(bad)
        assert err.value.field == where


def test_a_month_is_scored_by_the_version_in_force_on_its_first_day():
    versions = [(date(2026, 1, 1), {"base": 80}), (date(2026, 6, 1), {"base": 60})]
    assert a.rules_in_force(versions, date(2026, 5, 1)) == (date(2026, 1, 1), a.check_rules({"base": 80}))
    assert a.rules_in_force(versions, date(2026, 6, 1))[1]["base"] == 60
    assert a.rules_in_force(versions, date(2025, 12, 1)) == (None, a.DEFAULT_RULES)


def test_a_version_takes_effect_on_a_months_first_day_never_in_a_past_month():
    a.check_effective(date(2026, 6, 1), today=date(2026, 6, 15))
    a.check_effective(date(2026, 7, 1), today=date(2026, 6, 15))
    for bad in (date(2026, 5, 1), date(2026, 6, 2)):
        with pytest.raises(RuleViolation) as err:
            a.check_effective(bad, today=date(2026, 6, 15))
        assert err.value.field == "effective_from"


def test_a_repeat_trip_is_answered_by_whoever_gave_the_last_notice_else_whoever_served_before():
    assert a.repeat_trip_responsible(3, 5) == 3
    assert a.repeat_trip_responsible(None, 5) == 5
    assert a.repeat_trip_responsible(None, None) is None


def test_months_parse_as_their_first_day():
    assert a.parse_month("2026-05") == MAY
    for bad in ("2026-13", "2026-5", "May", None, "0001-01", "9999-12"):
        with pytest.raises(RuleViolation):
            a.parse_month(bad)


def test_an_overdue_case_is_answered_for_by_a_clerk_who_held_it_on_a_late_day():
    late = [(date(2026, 5, 4), 3), (date(2026, 5, 5), 3), (date(2026, 5, 6), 4)]
    assert a.overdue_responsible(late[:2], None) == (3, date(2026, 5, 4))
    assert a.overdue_responsible(late, 4) == (4, date(2026, 5, 6))
    for named in (None, 9):  # two holders and nobody named; a clerk who never held it late
        with pytest.raises(RuleViolation) as err:
            a.overdue_responsible(late, named)
        assert err.value.field == "clerk"
    with pytest.raises(RuleViolation) as err:
        a.overdue_responsible([], None)
    assert err.value.code == "not_overdue"
