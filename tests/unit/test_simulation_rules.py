"""Rules of the simulation engine (domain/simulation.py), on small hand-made days."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from server.cli import cli
from server.domain.simulation import (
    Citizen,
    MemoryFloor,
    Scenario,
    ScenarioError,
    ServiceTime,
    WindowPlan,
    hour_meets_target,
    play_day,
    recommend_staffing,
    scenario_from_dict,
    scenario_to_dict,
    simulate,
    staffing_order,
    with_windows,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "simulation-example.yaml"


def one_window(*services: str, hours: tuple[int, ...] = (9,)) -> Scenario:
    return Scenario(
        arrivals={s: {} for s in services},
        service_times={s: ServiceTime(5.0, "fixed") for s in services},
        staffing={h: [WindowPlan(1, services)] for h in hours},
    )


def citizen(i: int, service: str, minute: float, **kw: object) -> Citizen:
    base: dict[str, object] = {"priority": False, "no_show": False, "service_s": 300.0}
    base.update(kw)
    return Citizen(i, service, 9 * 3600 + minute * 60, **base)  # type: ignore[arg-type]


def test_a_green_lane_ticket_is_called_before_those_who_came_earlier() -> None:
    sc = one_window("A")
    people = [citizen(0, "A", 0), citizen(1, "A", 1), citizen(2, "A", 2), citizen(3, "A", 3, priority=True)]
    day = play_day(sc, people, MemoryFloor())
    assert [c.citizen for c in day.calls] == [0, 3, 1, 2]


def test_a_transferred_citizen_keeps_the_time_first_queued_in_the_new_queue() -> None:
    sc = Scenario(
        arrivals={"A": {}, "B": {}},
        service_times={"A": ServiceTime(5.0, "fixed"), "B": ServiceTime(5.0, "fixed")},
        staffing={9: [WindowPlan(1, ("A",)), WindowPlan(2, ("B",))]},
    )
    people = [
        citizen(0, "A", 0, transfer_to="B", second_service_s=300.0),  # at A from 09:00 to 09:05
        citizen(1, "B", 0.5),  # at B from 09:00:30 to 09:05:30
        citizen(2, "B", 1),  # came after citizen 0 …
    ]
    day = play_day(sc, people, MemoryFloor())
    at_b = [c.citizen for c in day.calls if c.window == 2]
    assert at_b == [1, 0, 2]  # … so the transferred citizen 0 goes first at 09:05:30
    assert day.transfers == 1


def test_a_no_show_holds_the_window_and_is_not_counted_as_a_wait() -> None:
    sc = one_window("A")
    people = [citizen(0, "A", 0, no_show=True), citizen(1, "A", 0.5)]
    day = play_day(sc, people, MemoryFloor())
    assert day.no_shows == 1
    assert [w.wait_s for w in day.waits] == [pytest.approx(2.0 * 60)]  # 2.5 min hold − 0.5 min


def test_citizens_nobody_serves_are_reported_unserved() -> None:
    sc = Scenario(
        arrivals={"A": {}, "B": {}},
        service_times={"A": ServiceTime(5.0, "fixed"), "B": ServiceTime(5.0, "fixed")},
        staffing={9: [WindowPlan(1, ("A",))]},
    )
    day = play_day(sc, [citizen(0, "A", 0), citizen(1, "B", 1)], MemoryFloor())
    assert [c.index for c in day.unserved] == [1]


def test_the_last_windows_serve_everyone_who_took_a_number_before_closing() -> None:
    sc = one_window("A", hours=(9,))
    people = [citizen(i, "A", 50 + i) for i in range(5)]  # 25 minutes of work from 09:50
    day = play_day(sc, people, MemoryFloor())
    assert len(day.calls) == 5 and not day.unserved
    assert day.open_s[1] == pytest.approx(3600 + 15 * 60)  # until the last one is done, 10:15


def test_a_window_leaves_the_plan_after_serving_its_citizen() -> None:
    sc = Scenario(
        arrivals={"A": {}},
        service_times={"A": ServiceTime(30.0, "fixed")},
        staffing={9: [WindowPlan(1, ("A",)), WindowPlan(2, ("A",))], 10: [WindowPlan(1, ("A",))]},
    )
    people = [citizen(i, "A", m, service_s=1800.0) for i, m in enumerate((45, 46, 70))]
    day = play_day(sc, people, MemoryFloor())
    assert [(c.window, c.citizen) for c in day.calls] == [(1, 0), (2, 1), (1, 2)]
    assert day.open_s[2] == pytest.approx(46 * 60 + 30 * 60)  # 09:00 → 10:16, then it closed


def test_the_same_seed_plays_the_same_days() -> None:
    sc = scenario_from_dict(_example())
    a, b = simulate(sc), simulate(sc)
    assert [(c.window, c.citizen, c.at) for c in a.calls] == [(c.window, c.citizen, c.at) for c in b.calls]


def test_recommended_staffing_meets_the_wait_target_in_every_hour_for_every_service() -> None:
    sc = scenario_from_dict({**_example(), "days": 5})
    advice = recommend_staffing(sc)
    assert set(advice) == set(sc.staffing)
    everyone = len(sc.windows())
    report = simulate(with_windows(sc, advice))
    for h in sc.staffing:
        if hour_meets_target(report, h):
            continue
        # an hour still missing it: more windows would not help — every window serving a service
        # that waits too long is open already (H, 出入境, has window 3 only)
        late = {c.service for c in report.cells if c.hour == h and c.p90_min > sc.wait_target_minutes}
        assert late, h
        assert all(p.window in advice[h] for p in sc.windows() if late & set(p.services)), h
    assert not report.unserved
    assert any(len(ws) < everyone for ws in advice.values())
    # fewer windows than recommended: some hour misses the target
    peak = max(sc.staffing, key=lambda h: len(advice[h]))
    for dropped in advice[peak]:
        fewer = simulate(with_windows(sc, {**advice, peak: [w for w in advice[peak] if w != dropped]}))
        assert not all(hour_meets_target(fewer, h) for h in sc.staffing)


def test_an_hour_nobody_comes_in_needs_no_window() -> None:
    sc = one_window("A", hours=(9, 10, 11))
    sc = Scenario(
        arrivals={"A": {9: 6, 11: 6}},
        service_times=sc.service_times,
        staffing=sc.staffing,
        seed=3,
        days=3,
    )
    assert recommend_staffing(sc) == {9: [1], 10: [], 11: [1]}


def test_staffing_up_covers_every_service_first() -> None:
    sc = scenario_from_dict(_example())
    first = staffing_order(sc)[:3]
    assert {s for p in first for s in p.services} >= {"A", "H", "B", "G"}


def _example() -> dict[str, object]:
    import yaml

    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_a_scenario_file_round_trips() -> None:
    sc = scenario_from_dict(_example())
    again = scenario_from_dict(json.loads(json.dumps(scenario_to_dict(sc))))
    assert again.staffing == sc.staffing and again.arrivals == sc.arrivals
    assert again.service_times.keys() == sc.service_times.keys()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"services": {}}, "services"),
        ({"arrivals": {"Z": {9: 3}}}, "arrivals.Z"),
        ({"windows": {1: ["Q"]}}, "windows.1"),
        ({"staffing": {9: [99]}}, "staffing.9"),
        ({"no_show": 2}, "no_show"),
        ({"servics": {}}, "unknown field"),
        ({"services": {"A": {"mean_minutes": 5, "distribution": "weibull"}}}, "services.A"),
        ({"breaks": {2: ["10:30"]}}, "breaks.2"),
        ({"breaks": {2: ["11:00-10:30"]}}, "breaks.2"),
        ({"cover": {2: 2}}, "cover.2"),
        ({"appointments": {"Z": {9: 2}}}, "appointments.Z"),
        ({"slot_minutes": 1}, "slot_minutes"),
    ],
)
def test_a_bad_scenario_file_names_the_field(change: dict[str, object], message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        scenario_from_dict({**_example(), **change})


def test_the_command_prints_waits_utilisation_and_recommended_staffing() -> None:
    result = CliRunner().invoke(cli, ["simulate", str(EXAMPLE), "--days", "3"], obj={})
    assert result.exit_code == 0, result.output
    assert "mean min" in result.output and "p90 min" in result.output
    assert "window utilisation" in result.output
    assert "recommended windows per hour" in result.output


def test_the_command_prints_json_and_the_estimates_error_without_recommending_when_asked() -> None:
    result = CliRunner().invoke(
        cli, ["simulate", str(EXAMPLE), "--days", "2", "--no-recommend", "--estimates", "--json"], obj={}
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output[result.output.index("{") :])
    assert data["days"] == 2 and data["recommended"] == {} and data["cells"]
    assert set(data["estimates"]) == {"today", "call_order"}


def test_random_draws_come_only_from_the_seed() -> None:
    from server.domain.simulation import draw_citizens

    sc = scenario_from_dict(_example())
    assert draw_citizens(sc, random.Random(1)) == draw_citizens(sc, random.Random(1))


# ---------------------------------------------------------------------------------------------
# Appointments, breaks, A/B cover


def test_an_appointment_in_its_slot_is_called_before_walk_ins_who_came_earlier() -> None:
    sc = one_window("A")
    people = [
        citizen(0, "A", 0),
        citizen(1, "A", 1),
        citizen(2, "A", 2),
        citizen(3, "A", 3, slot_s=9 * 3600.0, booked=True),
    ]
    day = play_day(sc, people, MemoryFloor(sc))
    assert [c.citizen for c in day.calls] == [0, 3, 1, 2]


def test_an_appointment_checked_in_before_its_slot_waits_among_the_walk_ins() -> None:
    sc = one_window("A")
    slot = 9 * 3600.0 + 30 * 60  # 09:30, checked in at 09:01
    people = [citizen(0, "A", 0), citizen(1, "A", 1, slot_s=slot, booked=True), citizen(2, "A", 2)]
    day = play_day(sc, people, MemoryFloor(sc))
    assert [c.citizen for c in day.calls] == [0, 1, 2]


def test_a_booked_citizen_late_beyond_the_grace_is_a_walk_in_and_unused_bookings_bring_nobody() -> None:
    from server.domain.simulation import draw_citizens

    base = one_window("A")
    sc = Scenario(
        arrivals={"A": {}},
        service_times=base.service_times,
        staffing=base.staffing,
        appointments={"A": {9: 200}},
        slot_minutes=5,
        grace_minutes=0,
    )
    people = draw_citizens(sc, random.Random(3))
    assert len(people) == 200 and all(c.booked for c in people)
    late = [c for c in people if c.slot_s is None]
    in_time = [c for c in people if c.slot_s is not None]
    assert late and in_time  # some come after their 5-minute slot's end (grace 0)
    assert {c.slot_s for c in in_time} == {9 * 3600.0 + k * 300.0 for k in range(12)}
    assert all(c.arrival_s >= c.slot_s - 30 * 60 for c in in_time if c.slot_s is not None)
    nobody = Scenario(**{**sc.__dict__, "appointment_no_show": 1.0})
    assert draw_citizens(nobody, random.Random(3)) == []


def test_a_window_on_a_break_calls_nobody_until_it_is_back() -> None:
    sc = Scenario(**{**one_window("A").__dict__, "breaks": {1: ((9 * 3600.0 + 600, 9 * 3600.0 + 1200),)}})
    people = [citizen(0, "A", 0), citizen(1, "A", 6)]  # 1 arrives at 09:06; served 09:00-09:05
    day = play_day(sc, people, MemoryFloor(sc))
    assert [(c.citizen, c.at - 9 * 3600) for c in day.calls] == [(0, 0.0), (1, 360.0)]
    people = [citizen(0, "A", 0), citizen(1, "A", 11)]  # arrives during the 09:10-09:20 break
    day = play_day(sc, people, MemoryFloor(sc))
    assert [(c.citizen, c.at - 9 * 3600) for c in day.calls] == [(0, 0.0), (1, 1200.0)]


def test_while_a_window_is_away_its_b_post_serves_its_queue_after_its_own() -> None:
    two = {9: [WindowPlan(1, ("A",)), WindowPlan(2, ("B",))]}
    away = ((9 * 3600.0, 10 * 3600.0),)  # window 2 away all hour
    times = {"A": ServiceTime(5.0, "fixed"), "B": ServiceTime(5.0, "fixed")}
    people = [citizen(0, "B", 0), citizen(1, "A", 1), citizen(2, "B", 2)]
    alone = Scenario(arrivals={}, service_times=times, staffing=two, breaks={2: away})
    day = play_day(alone, people, MemoryFloor(alone))
    assert [c.citizen for c in day.calls] == [1]  # nobody serves B
    covered = Scenario(**{**alone.__dict__, "cover": {2: 1}})
    day = play_day(covered, people, MemoryFloor(covered))
    assert [(c.window, c.citizen) for c in day.calls] == [(1, 0), (1, 1), (1, 2)]


def test_appointments_breaks_and_cover_round_trip_through_a_scenario_file() -> None:
    data = {
        **_example(),
        "appointments": {"A": {9: 4, 14: 2}},
        "slot_minutes": 20,
        "appointment_no_show": 0.1,
        "breaks": {2: ["10:30-10:45"]},
        "cover": {2: 3},
    }
    sc = scenario_from_dict(data)
    assert sc.breaks == {2: ((10.5 * 3600, 10.75 * 3600),)} and sc.cover == {2: 3}
    again = scenario_from_dict(json.loads(json.dumps(scenario_to_dict(sc))))
    assert (again.appointments, again.breaks, again.cover, again.slot_minutes) == (
        sc.appointments,
        sc.breaks,
        sc.cover,
        20,
    )
    report = simulate(replace(again, days=2))
    assert report.waits


def test_the_examples_commented_breaks_cover_and_appointments_are_a_valid_scenario() -> None:
    import re

    import yaml

    text = EXAMPLE.read_text(encoding="utf-8")
    head, tail = text.split("# Breaks, A/B cover and appointments", 1)
    tail = re.sub(r"^# ", "", tail.split("\n", 1)[1], flags=re.M)
    sc = scenario_from_dict(yaml.safe_load(head + tail))
    assert sc.breaks and sc.cover and sc.appointments
    report = simulate(replace(sc, days=2))
    assert not report.unserved and report.waits


def test_a_web_run_that_names_no_days_simulates_as_many_as_fit_within_the_bound() -> None:
    from server.domain.simulation import (
        MAX_WEB_CITIZENS,
        check_web_run,
        run_size,
        web_days,
    )

    sc = scenario_from_dict(_example())
    days = web_days(sc, True, 20)
    assert 1 <= days < 20  # the recommendation's trials make 20 days too many
    check_web_run(replace(sc, days=days), True)
    assert run_size(replace(sc, days=days + 1), True) > MAX_WEB_CITIZENS
    with pytest.raises(ScenarioError, match="too big"):
        check_web_run(replace(sc, days=days + 1), True)
    assert web_days(sc, False, 20) == 20  # without it they fit
