"""One seeded small scenario, played by the in-memory engine and through the real service layer
(kiosk issue, sign-in/out, call-next, no-show, complete, transfer on a virtual clock), makes
exactly the same call sequence: the engine calls as the hall calls.

Two services (户籍 A, 出入境 H) and two windows (2: A; 3: A then H), about 30 citizens over the
morning, green-lane tickets, no-shows and transfers between the two services (which keep the
citizen's queued time), window 2 on a break at 09:30–09:45 (signed out, its B post at window 3
covering) and closing an hour before window 3.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from server.domain.simulation import MemoryFloor, Scenario, ServiceTime, draw_citizens, play_day
from server.simulation_floor import ServiceFloor

#: local midnight of Friday 2026-11-27 in Shanghai (the tests' clock day)
DAY_START = datetime(2026, 11, 26, 16, 0, tzinfo=UTC)


def scenario(plans: dict[int, tuple[str, ...]]) -> Scenario:
    from server.domain.simulation import WindowPlan

    w2 = WindowPlan(2, plans[2])
    w3 = WindowPlan(3, plans[3])
    return Scenario(
        arrivals={"A": {9: 14, 10: 8, 11: 2}, "H": {9: 3, 10: 3}},
        service_times={"A": ServiceTime(7.0), "H": ServiceTime(10.0, "exponential")},
        staffing={9: [w2, w3], 10: [w2, w3], 11: [w3]},
        priority=0.15,
        no_show=0.1,
        transfer=0.2,
        call_gap_seconds=20,
        seed=7,
        # window 2 takes a break (its clerk signs out); its B post, 张伟 at window 3, covers it
        # (the demo hall's posts: B of window 2 is window 3's clerk)
        breaks={2: ((9.5 * 3600, 9.75 * 3600),)},
        cover={2: 3},
    )


def test_engine_and_service_layer_make_the_same_call_sequence(ctx) -> None:
    services_floor = ServiceFloor(ctx, "demo", DAY_START)
    plans = {p.window: p.services for p in services_floor.plans()}
    assert plans[2] == ("A",) and plans[3] == ("A", "H")
    sc = scenario(plans)
    citizens = draw_citizens(sc, random.Random(sc.seed))
    assert 20 <= len(citizens) <= 45
    assert any(c.priority for c in citizens) and any(c.no_show for c in citizens)
    assert any(c.transfer_to for c in citizens)

    engine = play_day(sc, citizens, MemoryFloor(sc))
    real = play_day(sc, citizens, services_floor)

    def sequence(calls):
        return [(c.window, c.citizen) for c in calls]

    assert len(engine.calls) >= len(citizens)  # everyone called (transfers twice)
    assert engine.transfers > 0 and engine.no_shows > 0
    on_break = [c for c in engine.calls if 9.5 * 3600 <= c.at < 9.75 * 3600]
    assert on_break and all(c.window == 3 for c in on_break)  # window 2 away, 3 calling
    assert sequence(real.calls) == sequence(engine.calls)
    assert [c.at for c in real.calls] == [c.at for c in engine.calls]
    # and the tickets the services called are the ones the citizens took, in the same order
    numbers = [services_floor.tickets[c.citizen] for c in real.calls]
    assert len(set(numbers)) == len(citizens)


def test_a_scenario_learned_from_the_hall_history_has_its_arrivals_and_windows(ctx, clock) -> None:
    from server.services.simulation import learned_scenario

    services_floor = ServiceFloor(ctx, "demo", DAY_START)
    sc = scenario({p.window: p.services for p in services_floor.plans()})
    citizens = draw_citizens(sc, random.Random(sc.seed))
    played = play_day(sc, citizens, services_floor)
    clock.now = DAY_START + timedelta(hours=20)
    learned = learned_scenario(ctx, "demo", days=7)
    issued = {s: sum(per.values()) for s, per in learned.arrivals.items()}
    assert issued == {s: float(sum(1 for c in citizens if c.service == s)) for s in ("A", "H")}
    assert set(learned.service_times) == {"A", "H"}
    assert 2 <= learned.service_times["A"].mean_minutes <= 20
    assert {p.window for plans in learned.staffing.values() for p in plans} == {2, 3}
    assert learned.no_show == pytest.approx(played.no_shows / len(played.calls))
    assert learned.transfer == pytest.approx(played.transfers / len(played.calls))
