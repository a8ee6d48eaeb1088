"""The simulation's day played through the real service layer, on a virtual clock.

`domain.simulation.play_day` decides when citizens arrive, when services end and which windows
are open each hour; this floor turns each of those moments into the use cases a real hall runs:
`tickets.issue_ticket` at the kiosk, `windows.sign_in` / `sign_out` by the window's clerk,
`tickets.call_next`, `act_on_ticket` (start, complete, no-show) and `transfers.transfer`. The
ticket a window calls is therefore the one the services choose (SQL candidates, then the
domain's order) — tests/integration/test_simulation_matches_services.py checks that it is the
same, call for call, as the in-memory engine's.

Engine time `domain.simulation.START + s` is played at `day_start + s` (the local midnight of a
working day of the hall), so the engine's hour 9 is 09:00 in the hall.

A break in the plan signs the window's clerk out and back in; a scenario's `cover` (A/B posts)
is the hall's own here: the services cover by the posts in the database (`domain.posts`), so a
scenario played on this floor names the same B posts the hall has. Appointments are played by
the in-memory engine only.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import select

from .domain.errors import RuleViolation
from .domain.simulation import (
    START,
    Citizen,
    Scenario,
    ScenarioError,
    ServiceTime,
    WindowPlan,
    draw_citizens,
    play_day,
)
from .services import tickets as ticket_service
from .services import transfers as transfer_service
from .services import windows as window_service
from .services.core.context import Context
from .services.core.principal import Principal
from .services.simulation import learned_scenario
from .storage.models import Hall, User, Window

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger(__name__)


@dataclass
class VirtualClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


class ServiceFloor:
    """A `domain.simulation.Floor` backed by the hall's database. Windows are named by number;
    each is worked by its A-post clerk. `live`: the hall's own clock and events (the demo's
    traffic, `LiveTraffic`) instead of a virtual clock and silence."""

    def __init__(self, ctx: Context, hall_code: str, day_start: datetime, live: bool = False) -> None:
        self.day_start = day_start
        self.clock = VirtualClock(day_start)
        self.live = live
        self.sim = ctx if live else replace(ctx, clock=self.clock, publish=lambda _events: None, cache={})
        with ctx.db.read() as s:
            hall = s.scalar(select(Hall).where(Hall.code == hall_code))
            if hall is None:
                raise LookupError(hall_code)
            self.kiosk = Principal(role="kiosk", hall_id=hall.id, hall_code=hall_code)
            self.windows: dict[int, tuple[int, Principal, tuple[str, ...]]] = {}
            for w in s.scalars(select(Window).where(Window.hall_id == hall.id).order_by(Window.number)):
                if w.a_user_id is None:
                    continue
                u = s.get(User, w.a_user_id)
                assert u is not None
                clerk = Principal(
                    role="clerk", hall_id=hall.id, hall_code=hall_code, user_id=u.id, username=u.username
                )
                codes = tuple(link.service.code for link in w.service_links if link.service.active)
                self.windows[w.number] = (w.id, clerk, codes)
        self.tickets: dict[int, str] = {}  # citizen → the ticket's public id
        self.citizens: dict[str, int] = {}

    def plans(self) -> list[WindowPlan]:
        """The hall's windows (worked by a clerk) with their services, as the engine names them."""
        return [WindowPlan(n, codes) for n, (_id, _clerk, codes) in sorted(self.windows.items())]

    def _at(self, at: datetime) -> None:
        if not self.live:
            self.clock.now = self.day_start + (at - START)

    def open(self, window: WindowPlan, at: datetime) -> None:
        wid, clerk, codes = self.windows[window.window]
        if window.services != codes:
            raise ValueError(f"window {window.window} serves {codes} in the hall, not {window.services}")
        self._at(at)
        window_service.sign_in(self.sim, clerk, wid)

    def close(self, window: int, at: datetime) -> None:
        wid, clerk, _codes = self.windows[window]
        self._at(at)
        window_service.sign_out(self.sim, clerk, wid)

    def issue(self, citizen: Citizen, at: datetime) -> None:
        if citizen.slot_s is not None:
            # a booking needs the service's slot rules and a booking row: not played here yet
            raise NotImplementedError("appointments are played by the in-memory engine only")
        self._at(at)
        view = ticket_service.issue_ticket(self.sim, self.kiosk, citizen.service, priority=citizen.priority)
        self.tickets[citizen.index] = view["id"]
        self.citizens[view["id"]] = citizen.index

    def call(self, window: int, at: datetime) -> int | None:
        wid, clerk, _codes = self.windows[window]
        self._at(at)
        view = ticket_service.call_next(self.sim, clerk, wid)
        if view is None:
            return None
        return self.citizens[view["id"]]

    def no_show(self, window: int, citizen: int, at: datetime) -> None:
        self._at(at)
        ticket_service.act_on_ticket(self.sim, self.windows[window][1], self.tickets[citizen], "no-show")

    def complete(self, window: int, citizen: int, at: datetime) -> None:
        self._at(at)
        clerk = self.windows[window][1]
        ticket_service.act_on_ticket(self.sim, clerk, self.tickets[citizen], "start")
        ticket_service.act_on_ticket(self.sim, clerk, self.tickets[citizen], "complete", outcome="done")

    def transfer(self, window: int, citizen: int, service: str, at: datetime) -> None:
        self._at(at)
        clerk = self.windows[window][1]
        transfer_service.transfer(
            self.sim, clerk, self.tickets[citizen], "事项不符，转至对应窗口", service_code=service
        )


# ---------------------------------------------------------------------------------------------
# `hallq demo --traffic`: the demo hall alive in real time


class Stopped(Exception):
    """The traffic was asked to stop: unwinds the day being played."""


class LiveFloor(ServiceFloor):
    """The service floor in real time: each of the engine's moments waits until its time comes
    (`speed` engine seconds per second), then acts through the services with the hall's clock
    and events — so boards, phones and consoles move. A visitor acting in the hall meanwhile
    (a ticket from the kiosk, a window signed out) is taken in its stride: a ticket that is not
    the engine's is served at once; an action the hall refuses is skipped."""

    def __init__(
        self,
        ctx: Context,
        hall_code: str,
        speed: float,
        sleep: Callable[[float], None],
        monotonic: Callable[[], float],
        stopping: Callable[[], bool],
    ) -> None:
        super().__init__(ctx, hall_code, START, live=True)
        self.speed, self.sleep, self.monotonic, self.stopping = speed, sleep, monotonic, stopping
        self.origin_s = 0.0  # engine seconds …
        self.wall0 = monotonic()  # … at this moment
        self.opened: set[int] = set()
        self.serving: dict[int, str] = {}  # window → the ticket at its counter

    def begin(self, engine_s: float) -> None:
        self.origin_s, self.wall0 = engine_s, self.monotonic()

    def wait(self, at: datetime) -> None:
        due = self.wall0 + ((at - START).total_seconds() - self.origin_s) / self.speed
        while True:
            if self.stopping():
                raise Stopped
            left = due - self.monotonic()
            if left <= 0:
                return
            self.sleep(min(left, 1.0))

    def _try(self, what: str, action: Callable[[], Any]) -> Any:
        try:
            return action()
        except (RuleViolation, LookupError, ValueError) as err:  # the hall moved on without us
            log.info("demo traffic: %s skipped (%s)", what, err)
            return None

    def open(self, window: WindowPlan, at: datetime) -> None:
        self.wait(at)

        def sign_in() -> bool:
            ServiceFloor.open(self, window, at)
            return True

        if self._try(f"sign-in at {window.window}", sign_in):
            self.opened.add(window.window)

    def close(self, window: int, at: datetime) -> None:
        self.wait(at)
        self._try(f"sign-out at {window}", lambda: ServiceFloor.close(self, window, at))
        self.opened.discard(window)

    def issue(self, citizen: Citizen, at: datetime) -> None:
        self.wait(at)
        self._try("a ticket", lambda: ServiceFloor.issue(self, citizen, at))

    def call(self, window: int, at: datetime) -> int | None:
        self.wait(at)
        wid, clerk, _codes = self.windows[window]
        for _ in range(20):  # a visitor's tickets are served at once, then the next is called
            view = self._try(f"call-next at {window}", lambda: ticket_service.call_next(self.sim, clerk, wid))
            if view is None:
                return None
            if view["id"] in self.citizens:
                self.serving[window] = view["id"]
                return self.citizens[view["id"]]
            self._serve_visitor(clerk, view["id"])
        return None

    def leave(self) -> None:
        """Stopping: finish the citizens at the counters and sign the windows out."""
        for number, ticket in sorted(self.serving.items()):
            self._serve_visitor(self.windows[number][1], ticket)
        self.serving.clear()
        for number in sorted(self.opened):
            self._try(f"sign-out at {number}", lambda n=number: ServiceFloor.close(self, n, START))  # type: ignore[misc]
        self.opened.clear()

    def _serve_visitor(self, clerk: Principal, ticket: str) -> None:
        self._try(
            "a visitor's ticket", lambda: ticket_service.act_on_ticket(self.sim, clerk, ticket, "start")
        )
        self._try(
            "a visitor's ticket",
            lambda: ticket_service.act_on_ticket(self.sim, clerk, ticket, "complete", outcome="done"),
        )

    def no_show(self, window: int, citizen: int, at: datetime) -> None:
        self.wait(at)
        self.serving.pop(window, None)
        self._try("a no-show", lambda: ServiceFloor.no_show(self, window, citizen, at))

    def complete(self, window: int, citizen: int, at: datetime) -> None:
        self.wait(at)
        self.serving.pop(window, None)
        self._try("a completion", lambda: ServiceFloor.complete(self, window, citizen, at))

    def transfer(self, window: int, citizen: int, service: str, at: datetime) -> None:
        self.wait(at)
        self.serving.pop(window, None)
        self._try("a transfer", lambda: ServiceFloor.transfer(self, window, citizen, service, at))


def default_scenario(plans: list[WindowPlan], seed: int = 0) -> Scenario:
    """A working day for a hall with no history: every window open 08:00–12:00 and 13:00–17:00,
    each service about 8 citizens an hour (12 at the 09:00–11:00 and 14:00–16:00 peaks), 6
    minutes each (lognormal), a few no-shows, green-lane tickets and transfers."""
    services = sorted({c for p in plans for c in p.services})
    hours = [8, 9, 10, 11, 13, 14, 15, 16]
    peak = {9, 10, 14, 15}
    return Scenario(
        arrivals={s: {h: 12.0 if h in peak else 8.0 for h in hours} for s in services},
        service_times={s: ServiceTime(6.0) for s in services},
        staffing={h: list(plans) for h in hours},
        priority=0.05,
        no_show=0.04,
        transfer=0.03,
        call_gap_seconds=20,
        seed=seed,
    )


def traffic_scenario(
    ctx: Context, hall_code: str, plans: list[WindowPlan], source: str = "learn"
) -> Scenario:
    """The day the traffic plays: `learn` — the hall's last 30 days (its windows as they are
    now), or the default day when it has no history; `default` — the default day."""
    if source not in ("learn", "default"):
        raise ScenarioError(f"traffic scenario {source!r}: learn, default or a scenario file")
    hall_windows = {p.window: p for p in plans}
    if source == "default":
        return default_scenario(plans)
    try:
        learned = learned_scenario(ctx, hall_code, days=30)
    except ScenarioError:
        return default_scenario(plans)
    # the hall's windows as they are now (a learned plan may name services a window lost)
    staffing = {
        h: [hall_windows[p.window] for p in ps if p.window in hall_windows]
        for h, ps in learned.staffing.items()
    }
    staffing = {h: ps for h, ps in staffing.items() if ps}
    if not staffing:
        return default_scenario(plans)
    return replace(learned, staffing=staffing, transfers_to={})


def check_fits_hall(scenario: Scenario, plans: list[WindowPlan]) -> None:
    """A scenario file for the traffic names the hall's windows with their services (the clerks
    work the windows as the hall has them)."""
    hall = {p.window: p.services for p in plans}
    for p in scenario.windows():
        if hall.get(p.window) != p.services:
            have = ", ".join(hall.get(p.window, ())) or "no such window"
            raise ScenarioError(
                f"windows.{p.window}: the hall's window serves {have}, not {', '.join(p.services)}"
            )
    if scenario.appointments:
        raise ScenarioError("appointments: the traffic plays walk-ins only (bookings are the hall's own)")


class LiveTraffic:
    """Citizens arriving and clerks calling in the hall, in real time (or `speed` times faster),
    from the hall's learned history (`services.simulation.learned_scenario`) or, without one, a
    default day; day after day until stopped. The day starts at the hall's local time of day
    when that is within the plan, else at the plan's first hour. Windows it signed in are
    signed out when it stops."""

    def __init__(
        self,
        ctx: Context,
        hall_code: str,
        speed: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        seed: int | None = None,
        scenario: Scenario | None = None,
    ) -> None:
        self.ctx, self.hall_code, self.speed = ctx, hall_code, speed
        self.given = scenario
        self.sleep, self.monotonic = sleep, monotonic
        self.rng = random.Random(seed)
        self.stop_requested = False
        self.days = 0
        self.floor: LiveFloor | None = None

    def stop(self) -> None:
        self.stop_requested = True

    def scenario(self, floor: LiveFloor) -> Scenario:
        if self.given is not None:
            return self.given
        return traffic_scenario(self.ctx, self.hall_code, floor.plans())

    def _now_s(self) -> float:
        with self.ctx.db.read() as s:
            hall = s.scalar(select(Hall).where(Hall.code == self.hall_code))
            tz = ZoneInfo(hall.timezone if hall is not None else "Asia/Shanghai")
        local = self.ctx.clock().astimezone(tz)
        return local.hour * 3600.0 + local.minute * 60.0 + local.second

    def run(self, max_days: int | None = None, until_s: float | None = None) -> None:
        """Play days until stopped (or `max_days` days, or engine time `until_s` of the first day)."""
        floor = LiveFloor(
            self.ctx, self.hall_code, self.speed, self.sleep, self.monotonic, lambda: self.stop_requested
        )
        self.floor = floor
        sc = self.scenario(floor)
        first, last = min(sc.staffing), max(sc.staffing) + 1
        start_s = self._now_s()
        if not first * 3600.0 <= start_s < last * 3600.0:
            start_s = first * 3600.0
        try:
            while not self.stop_requested and (max_days is None or self.days < max_days):
                day_sc = replace(
                    sc, staffing={h: p for h, p in sc.staffing.items() if h >= int(start_s // 3600)}
                )
                if until_s is not None:
                    day_sc = replace(
                        day_sc,
                        staffing={h: p for h, p in day_sc.staffing.items() if h * 3600.0 < until_s},
                    )
                    if not day_sc.staffing:
                        break
                citizens = [
                    c
                    for c in draw_citizens(day_sc, self.rng)
                    if c.arrival_s >= start_s and (until_s is None or c.arrival_s < until_s)
                ]
                citizens = [replace(c, index=i) for i, c in enumerate(citizens)]
                floor.tickets.clear()
                floor.citizens.clear()
                floor.begin(start_s)
                play_day(day_sc, citizens, floor)
                self.days += 1
                start_s = first * 3600.0
                if until_s is not None:
                    break
        except Stopped:
            pass
        finally:
            floor.leave()


def hall_plans(ctx: Context, hall_code: str) -> list[WindowPlan]:
    """The hall's windows worked by a clerk, with their services."""
    return ServiceFloor(ctx, hall_code, START).plans()


def start_traffic(
    app: Flask, hall_code: str, speed: float = 1.0, scenario: Scenario | None = None
) -> LiveTraffic:
    """Run the hall's traffic beside the server (a greenlet or thread of the async mode)."""
    from .extensions import socketio

    ctx: Context = app.extensions["hallq"]
    sleep = cast(Callable[[float], None], socketio.sleep)
    traffic = LiveTraffic(ctx, hall_code, speed=speed, sleep=sleep, scenario=scenario)

    def forever() -> None:
        try:
            traffic.run()
        except Exception:  # the demo keeps serving whatever happens to its traffic
            log.exception("demo traffic stopped")

    socketio.start_background_task(forever)
    return traffic
