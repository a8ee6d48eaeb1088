"""`hallq demo --traffic`: the demo hall kept alive — citizens take tickets and clerks call,
start and complete them through the real services, on the hall's clock, with events published.

Time is the test's: the traffic's sleep advances a fake monotonic clock and the hall's clock
together, so an hour of the hall plays at once and nothing waits on a real clock."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import func, select

from server import event_names as names
from server.domain.simulation import Scenario, ServiceTime, WindowPlan
from server.simulation_floor import LiveTraffic, check_fits_hall, hall_plans, traffic_scenario
from server.storage.models import Event, Ticket, Window


class FakeTime:
    def __init__(self, clock) -> None:
        self.t = 1000.0
        self.clock = clock
        self.slept = 0

    def monotonic(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.slept += 1
        self.t += seconds
        self.clock.advance(seconds=seconds * SPEED)


SPEED = 60.0  # a minute of the hall a second
#: windows 2 (户籍 A) and 3 (户籍, 出入境 H) of the demo hall, 09:00–11:00
SMALL = Scenario(
    arrivals={"A": {9: 16, 10: 16}, "H": {9: 6, 10: 6}},
    service_times={"A": ServiceTime(6.0), "H": ServiceTime(8.0)},
    staffing={h: [WindowPlan(2, ("A",)), WindowPlan(3, ("A", "H"))] for h in (9, 10)},
    no_show=0.1,
    transfer=0.1,
    call_gap_seconds=20,
)


def _counts(ctx):
    with ctx.db.read() as s:
        issued = s.scalar(select(func.count()).select_from(Ticket)) or 0
        called = (
            s.scalar(select(func.count()).select_from(Event).where(Event.type == names.TICKET_CALLED)) or 0
        )
        done = s.scalar(select(func.count()).select_from(Event).where(Event.type == names.TICKET_DONE)) or 0
        open_ = s.scalar(select(func.count()).select_from(Window).where(Window.status == "open")) or 0
    return issued, called, done, open_


def test_an_hour_of_traffic_issues_calls_and_completes_tickets_through_the_services(ctx, clock):
    published: list[object] = []
    ctx = replace(ctx, publish=published.extend)  # what the live connection would push
    before = _counts(ctx)
    fake = FakeTime(clock)
    traffic = LiveTraffic(
        ctx, "demo", speed=SPEED, sleep=fake.sleep, monotonic=fake.monotonic, seed=1, scenario=SMALL
    )
    traffic.run(until_s=10.5 * 3600)  # from 09:30 (the test clock, Shanghai) to 10:30
    issued, called, done, open_ = _counts(ctx)
    assert issued - before[0] >= 10  # ~24 an hour
    assert called - before[1] >= issued - before[0]  # everyone called (after closing too)
    assert done - before[2] >= (issued - before[0]) // 2
    assert open_ == 0  # the windows it opened are closed again
    assert fake.slept > 0 and published


def test_stopping_the_traffic_mid_day_unwinds_and_signs_the_windows_out(ctx, clock):
    fake = FakeTime(clock)
    traffic = LiveTraffic(ctx, "demo", speed=SPEED, sleep=fake.sleep, monotonic=fake.monotonic, seed=2)

    def sleep(seconds: float) -> None:
        fake.sleep(seconds)
        if fake.slept >= 30:
            traffic.stop()

    traffic.sleep = sleep
    traffic.run()  # until stopped
    issued, called, _done, open_ = _counts(ctx)
    assert traffic.days == 0 and issued > 0 and called > 0
    assert open_ == 0


def test_without_history_the_traffic_plays_the_default_day_and_a_file_must_name_the_halls_windows(ctx):
    import pytest

    from server.domain.simulation import ScenarioError

    plans = hall_plans(ctx, "demo")
    learned = traffic_scenario(ctx, "demo", plans, "learn")  # no history in the test hall
    assert learned == traffic_scenario(ctx, "demo", plans, "default")
    assert {p.window for ps in learned.staffing.values() for p in ps} == set(range(1, 13))
    check_fits_hall(SMALL, plans)
    wrong = Scenario(**{**SMALL.__dict__, "staffing": {9: [WindowPlan(2, ("H",))]}})
    with pytest.raises(ScenarioError, match="windows.2"):
        check_fits_hall(wrong, plans)
