"""A discrete-event simulation of a hall day: arrivals, windows calling, serving, no-shows, transfers.

Pure: no database, no clock, no I/O; every random draw comes from one seeded `random.Random`.
The engine decides *when* things happen (citizens arrive, a service ends, a window opens at the
hour the staffing plan says); *which* ticket a free window calls is decided by a `Floor`:

* `MemoryFloor` (here) keeps the waiting tickets in memory and asks the domain's own rule,
  `domain.choose_next.call_order` — priority (green lane), directed, appointments, then the time
  queued, the window's service order, the ticket id — so the engine calls exactly as a real hall;
* `server.simulation_floor.ServiceFloor` plays the same day through the real service layer
  (issue_ticket, call_next, act_on_ticket, transfer, sign_in/sign_out) on a virtual clock.

Everything random about a citizen (arrival, service, green lane, no-show, service times, the
service a transfer sends them to) is drawn before the day is played, in a fixed order, so the two
floors see the same citizens and the call sequences can be compared one for one.

Waits are measured from the ticket's issue to its first call; no-shows are not counted as waits
(nobody waited). Windows open in the last staffed hour keep serving after it until nobody waits
(a hall serves every number it gave out). Also here: the reports, the staffing recommendation,
scenario files, a scenario learned from history, Erlang C (the tests' yardstick) and the error
of wait estimates on simulated days (docs/simulation.md, docs/performance.md).
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Protocol

from . import bookings as booking_rules
from .choose_next import Candidate, call_order, queue_position
from .estimate import WindowNow, estimated_wait_s, estimated_waits, robust_service_s

#: a day of the simulation starts at this instant (hour h of the plan is START + h hours)
START = datetime(2026, 1, 5, tzinfo=UTC)
KINDS = ("exponential", "lognormal", "fixed")


@dataclass(frozen=True)
class ServiceTime:
    """How long a service takes: mean in minutes; lognormal with shape `sigma` (by default) or
    exponential (the M/M/c textbook case) or fixed."""

    mean_minutes: float
    kind: str = "lognormal"
    sigma: float = 0.45

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown service-time distribution {self.kind!r} (one of {', '.join(KINDS)})")
        if self.mean_minutes <= 0:
            raise ValueError("a service takes some time: mean_minutes must be positive")

    def draw_s(self, rng: random.Random) -> float:
        mean = self.mean_minutes * 60.0
        if self.kind == "exponential":
            return rng.expovariate(1.0 / mean)
        if self.kind == "fixed":
            return mean
        # lognormal with the given mean: mu = ln(mean) - sigma²/2
        return rng.lognormvariate(math.log(mean) - self.sigma**2 / 2, self.sigma)


@dataclass(frozen=True)
class WindowPlan:
    """A window open during an hour, and the services it calls (in its order)."""

    window: int
    services: tuple[str, ...]


@dataclass(frozen=True)
class Scenario:
    """What a day looks like. Hours are offsets from the start of the day (8 = 08:00 local)."""

    #: citizens per hour: service code → hour → mean arrivals in that hour (Poisson)
    arrivals: Mapping[str, Mapping[int, float]]
    #: service code → its service time
    service_times: Mapping[str, ServiceTime]
    #: hour → the windows open in that hour
    staffing: Mapping[int, Sequence[WindowPlan]]
    wait_target_minutes: float = 20.0
    #: share of tickets in the green lane (priority)
    priority: float = 0.0
    #: share of called citizens who do not come (过号), and how long the window waits for them
    no_show: float = 0.0
    no_show_minutes: float = 2.5
    #: share of served citizens transferred to another service (keeping their queued time)
    transfer: float = 0.0
    #: where a transfer from a service goes (default: any other service of the scenario)
    transfers_to: Mapping[str, Sequence[str]] = field(default_factory=dict)
    #: seconds between a window becoming free and calling (walking, typing); 0 in theory
    call_gap_seconds: float = 0.0
    days: int = 1
    seed: int = 0
    #: appointments (预约): service code → hour → bookings in that hour, spread over its slots
    appointments: Mapping[str, Mapping[int, int]] = field(default_factory=dict)
    slot_minutes: int = 30
    #: share of bookings never used (the slot is released), and the check-in grace after a slot
    appointment_no_show: float = 0.0
    grace_minutes: int = booking_rules.DEFAULT_GRACE_MINUTES
    #: window → its breaks, (start, end) in seconds from the day's start: away, as if signed out
    breaks: Mapping[int, Sequence[tuple[float, float]]] = field(default_factory=dict)
    #: window → the window of its B post (顶岗): while the window is not open, B serves its queue
    cover: Mapping[int, int] = field(default_factory=dict)

    def services(self) -> list[str]:
        return sorted(set(self.arrivals) | set(self.service_times))

    def windows(self) -> list[WindowPlan]:
        """Every window the plan uses (its widest set of services), by number."""
        out: dict[int, WindowPlan] = {}
        for plans in self.staffing.values():
            for p in plans:
                if p.window not in out or len(p.services) > len(out[p.window].services):
                    out[p.window] = p
        return [out[n] for n in sorted(out)]


@dataclass(frozen=True)
class Citizen:
    """Everything random about one citizen, drawn before the day is played."""

    index: int
    service: str
    arrival_s: float
    priority: bool
    no_show: bool
    service_s: float
    transfer_to: str | None = None
    second_service_s: float = 0.0
    #: an appointment checked in within its slot (or the grace): the slot's start; None: walk-in
    slot_s: float | None = None
    #: came with a booking (checked in in time or, late, as a walk-in)
    booked: bool = False

    @property
    def hour(self) -> int:
        return int(self.arrival_s // 3600)


class Floor(Protocol):
    """Where the day is played: tickets are issued, windows call, serve, transfer.

    Tickets are named by the citizen's index (the order they were issued in)."""

    def open(self, window: WindowPlan, at: datetime) -> None: ...
    def close(self, window: int, at: datetime) -> None: ...
    def issue(self, citizen: Citizen, at: datetime) -> None: ...
    def call(self, window: int, at: datetime) -> int | None: ...
    def no_show(self, window: int, citizen: int, at: datetime) -> None: ...
    def complete(self, window: int, citizen: int, at: datetime) -> None: ...
    def transfer(self, window: int, citizen: int, service: str, at: datetime) -> None: ...


class MemoryFloor:
    """The waiting tickets in memory; the next one is the domain's choice (choose_next)."""

    def __init__(self, scenario: Scenario | None = None) -> None:
        self.waiting: dict[int, Candidate] = {}
        self.issued: dict[int, Candidate] = {}
        self.services: dict[int, tuple[str, ...]] = {}
        self.cover = dict(scenario.cover) if scenario is not None else {}
        self.plans = {p.window: p.services for p in scenario.windows()} if scenario is not None else {}

    def open(self, window: WindowPlan, at: datetime) -> None:
        self.services[window.window] = window.services
        self.plans[window.window] = window.services

    def close(self, window: int, at: datetime) -> None:
        self.services.pop(window, None)

    def issue(self, citizen: Citizen, at: datetime) -> None:
        self.waiting[citizen.index] = self.issued[citizen.index] = candidate(citizen, at)

    def call(self, window: int, at: datetime) -> int | None:
        services = serving_services(window, self.services, self.plans, self.cover)
        order = call_order(window, services, self.waiting.values(), (), at)
        if not order:
            return None
        del self.waiting[order[0].ticket_id]
        return order[0].ticket_id

    def no_show(self, window: int, citizen: int, at: datetime) -> None:
        return None

    def complete(self, window: int, citizen: int, at: datetime) -> None:
        return None

    def transfer(self, window: int, citizen: int, service: str, at: datetime) -> None:
        """Back to waiting in another service's queue, keeping the time it was first queued
        (domain.transfer)."""
        self.waiting[citizen] = replace(self.issued[citizen], service_code=service)


def candidate(citizen: Citizen, at: datetime) -> Candidate:
    """The waiting ticket a citizen holds (an appointment carries its slot's start)."""
    slot = at_s(citizen.slot_s) if citizen.slot_s is not None else None
    return Candidate(citizen.index, citizen.service, at, priority=citizen.priority, slot_start=slot)


def covered(window: int, open_: Mapping[int, object], cover: Mapping[int, int]) -> list[int]:
    """The windows whose queue `window` serves as their B post (顶岗): those it covers that are
    not open now (A away), by number — as `domain.posts.covered_by` decides in the hall."""
    if window not in open_:
        return []
    return sorted(w for w, b in cover.items() if b == window and w not in open_)


def serving_services(
    window: int,
    open_: Mapping[int, tuple[str, ...]],
    plans: Mapping[int, tuple[str, ...]],
    cover: Mapping[int, int],
) -> tuple[str, ...]:
    """A window's own services, then those of the windows it covers (as
    `services.core.queue.services_of`): `plans` knows the services of every window seen."""
    out = list(open_.get(window, ()))
    for w in covered(window, open_, cover):
        out += [s for s in plans.get(w, ()) if s not in out]
    return tuple(out)


@dataclass(frozen=True)
class Call:
    """A window called a ticket: `at` seconds after the day's start."""

    day: int
    at: float
    window: int
    citizen: int
    service: str


@dataclass(frozen=True)
class Wait:
    day: int
    service: str
    hour: int
    arrival_s: float
    wait_s: float


@dataclass
class DayResult:
    calls: list[Call] = field(default_factory=list)
    waits: list[Wait] = field(default_factory=list)
    busy_s: dict[int, float] = field(default_factory=dict)
    open_s: dict[int, float] = field(default_factory=dict)
    no_shows: int = 0
    transfers: int = 0
    #: citizens never called (no window open for their service until the hall closed)
    unserved: list[Citizen] = field(default_factory=list)


def draw_citizens(scenario: Scenario, rng: random.Random) -> list[Citizen]:
    """The day's citizens, by arrival time: a Poisson process per service and hour."""
    arrivals: list[tuple[float, str]] = []
    for service in sorted(scenario.arrivals):
        for hour in sorted(scenario.arrivals[service]):
            rate = scenario.arrivals[service][hour]
            if rate <= 0:
                continue
            t = hour * 3600.0
            end = t + 3600.0
            while True:
                t += rng.expovariate(rate / 3600.0)
                if t >= end:
                    break
                arrivals.append((t, service))
    booked = _draw_bookings(scenario, rng)  # none: the walk-ins' draws stay as they were
    everyone = sorted([(t, service, False, None) for t, service in arrivals] + booked, key=lambda x: x[:3])
    services = scenario.services()
    out = []
    for i, (t, service, came_booked, slot_s) in enumerate(everyone):
        priority = rng.random() < scenario.priority
        no_show = rng.random() < scenario.no_show
        service_s = _time_of(scenario, service).draw_s(rng)
        target: str | None = None
        second = 0.0
        if not no_show and rng.random() < scenario.transfer:
            choices = [s for s in scenario.transfers_to.get(service, services) if s != service]
            if choices:
                target = rng.choice(choices)
                second = _time_of(scenario, target).draw_s(rng)
        out.append(Citizen(i, service, t, priority, no_show, service_s, target, second, slot_s, came_booked))
    return out


def slot_starts_s(scenario: Scenario, hour: int, bookings: int) -> list[float]:
    """The slots of an hour's bookings: the hour's slots (slot_minutes long) taken in turn, so
    the bookings spread evenly over the hour."""
    per_hour = max(1, 60 // scenario.slot_minutes)
    return [hour * 3600.0 + (i % per_hour) * scenario.slot_minutes * 60.0 for i in range(bookings)]


#: a booked citizen comes this many minutes before the slot's start on average (spread: SD)
BOOKED_EARLY_MINUTES = 5.0
BOOKED_SPREAD_MINUTES = 8.0


def _draw_bookings(scenario: Scenario, rng: random.Random) -> list[tuple[float, str, bool, float | None]]:
    """The booked citizens who come: (arrival, service, True, their slot's start when checked in
    in time, None when late beyond the grace — a walk-in, `domain.bookings.check_in`)."""
    out: list[tuple[float, str, bool, float | None]] = []
    slot_s = scenario.slot_minutes * 60.0
    for service in sorted(scenario.appointments):
        for hour in sorted(scenario.appointments[service]):
            for start in slot_starts_s(scenario, hour, scenario.appointments[service][hour]):
                if rng.random() < scenario.appointment_no_show:
                    continue  # never came: the slot is released
                offset = rng.gauss(-BOOKED_EARLY_MINUTES, BOOKED_SPREAD_MINUTES) * 60.0
                t = max(start + offset, start - booking_rules.CHECK_IN_EARLY_MINUTES * 60.0, 0.0)
                state = booking_rules.check_in(
                    booking_rules.BOOKED,
                    START.date(),
                    at_s(start),
                    at_s(start + slot_s),
                    START.date(),
                    at_s(t),
                    scenario.grace_minutes,
                    "UTC",
                )
                out.append((t, service, True, start if state == booking_rules.CHECKED_IN else None))
    return out


def _time_of(scenario: Scenario, service: str) -> ServiceTime:
    st = scenario.service_times.get(service)
    if st is None:
        raise ValueError(f"no service time for service {service!r}")
    return st


def at_s(seconds: float) -> datetime:
    return START + timedelta(seconds=seconds)


@dataclass(frozen=True)
class Snapshot:
    """The hall the moment a ticket is issued, as a wait estimate would see it."""

    at_s: float
    waiting: Sequence[Candidate]
    windows: Sequence[WindowNow]
    #: per service, the recent call-to-finish times of completed visits (today's estimate uses them)
    done_s: Mapping[str, Sequence[float]]
    #: per service, the recent times from one call of a busy window to its next (what a citizen
    #: of that service costs the window: serving, no-show waits, the call gap)
    cycle_s: Mapping[str, Sequence[float]]


Observer = Callable[[Citizen, Snapshot], None]


def play_day(
    scenario: Scenario,
    citizens: Sequence[Citizen],
    floor: Floor,
    day: int = 0,
    observe: Observer | None = None,
) -> DayResult:
    """Play one day on `floor`; the floor decides which ticket each call takes. `observe` sees
    the hall each time a ticket is issued (for measuring wait estimates)."""
    res = DayResult()
    events: list[tuple[float, int, str, int]] = []
    seq = 0

    def push(t: float, kind: str, data: int) -> None:
        nonlocal seq
        seq += 1
        heapq.heappush(events, (t, seq, kind, data))

    for c in citizens:
        push(c.arrival_s, "arrive", c.index)
    last_staffed = max(scenario.staffing) if scenario.staffing else 0
    if scenario.staffing:  # every hour, those missing from the plan too (lunch: nobody open)
        for h in range(min(scenario.staffing), last_staffed + 2):
            push(h * 3600.0, "hour", h)
        for spans in scenario.breaks.values():  # a break begins or ends: the plan changes
            for start, end in spans:
                for edge in (start, end):
                    if edge % 3600.0 and edge < (last_staffed + 1) * 3600.0:
                        push(edge, "plan", int(edge // 3600))
    every_plan = {p.window: p.services for p in scenario.windows()}

    services: dict[int, tuple[str, ...]] = {}  # open windows
    opened_at: dict[int, float] = {}
    closing: set[int] = set()
    serving: dict[int, tuple[int, float]] = {}  # window → (citizen, called at)
    idle: set[int] = set()
    current_service: dict[int, str] = {}
    transferred: set[int] = set()
    after_close = False
    plan_now: dict[int, WindowPlan] = {}
    # what an estimate sees (kept by the engine whatever the floor)
    waiting_now: dict[int, Candidate] = {}
    last_call: dict[int, tuple[float, str]] = {}  # window → (its last call, that ticket's service)
    done_s: dict[str, list[float]] = {}
    cycle_s: dict[str, list[float]] = {}

    def open_(plan: WindowPlan, t: float) -> None:
        floor.open(plan, at_s(t))
        services[plan.window] = plan.services
        opened_at[plan.window] = t
        idle.add(plan.window)

    def close(window: int, t: float) -> None:
        last_call.pop(window, None)
        floor.close(window, at_s(t))
        res.open_s[window] = res.open_s.get(window, 0.0) + t - opened_at.pop(window)
        services.pop(window, None)
        idle.discard(window)
        closing.discard(window)
        b = scenario.cover.get(window)
        if b is not None and b in idle and b not in closing and not after_close:
            try_call(b, t)  # its B post takes over the queue

    def try_call(window: int, t: float) -> bool:
        got = floor.call(window, at_s(t))
        if got is None:
            idle.add(window)
            last_call.pop(window, None)
            return False
        idle.discard(window)
        c = citizens[got]
        waiting_now.pop(got, None)
        if window in last_call:
            since, svc = last_call[window]
            cycle_s.setdefault(svc, []).append(t - since)
        last_call[window] = (t, current_service[got])
        serving[window] = (got, t)
        res.calls.append(Call(day, t, window, got, current_service[got]))
        if got not in transferred:
            if not c.no_show:  # an appointment checked in early waits from its slot's start
                since = max(c.arrival_s, c.slot_s) if c.slot_s is not None else c.arrival_s
                res.waits.append(Wait(day, c.service, c.hour, c.arrival_s, max(0.0, t - since)))
            if c.no_show:
                push(t + scenario.no_show_minutes * 60.0, "no_show", window)
                return True
            push(t + c.service_s, "done", window)
        else:
            push(t + c.second_service_s, "done", window)
        return True

    def serves(w: int) -> tuple[str, ...]:
        return serving_services(w, services, every_plan, scenario.cover)

    def wake(service: str, t: float) -> None:
        """A new waiting ticket: the first idle window (by number) that serves it calls it."""
        for w in sorted(idle):
            if service in serves(w) and w not in closing:
                if try_call(w, t):
                    return

    def free(window: int, t: float) -> None:
        since = serving.pop(window)[1]
        res.busy_s[window] = res.busy_s.get(window, 0.0) + t - since
        if window in closing:
            close(window, t)
            if window in plan_now:  # the plan changed its services: it opens again at once
                open_(plan_now[window], t)
                try_call(window, t)
            return
        if scenario.call_gap_seconds > 0:
            push(t + scenario.call_gap_seconds, "free", window)
        else:
            call_or_close(window, t)

    def call_or_close(window: int, t: float) -> None:
        if window in closing:
            close(window, t)
            return
        if not try_call(window, t) and after_close:
            close(window, t)

    staffed_hours = sorted(scenario.staffing)

    def next_break(window: int, t: float) -> tuple[float, float] | None:
        """The window's next gap: a break of its own, or an absence from the plan (absent in an
        hour and back later), whichever comes first."""
        hour = int(t // 3600)
        away: int | None = None
        gap: tuple[float, float] | None = None
        for h in range(hour + 1, staffed_hours[-1] + 1):
            here = any(p.window == window for p in scenario.staffing.get(h, ()))
            if away is None and not here:
                away = h
            elif away is not None and here:
                gap = (away * 3600.0 - t, h * 3600.0 - t)
                break
        for start, end in sorted(scenario.breaks.get(window, ())):
            if start > t and (gap is None or start - t < gap[0]):
                return (start - t, end - t)
        return gap

    def snapshot(t: float) -> Snapshot:
        windows = []
        for w in sorted(services):
            if w in closing:
                continue
            busy = serving.get(w)
            windows.append(
                WindowNow(
                    w,
                    serves(w),  # its own services, then those of the windows it covers
                    serving=current_service[busy[0]] if busy else None,
                    serving_for_s=t - busy[1] if busy else 0.0,
                    away_s=next_break(w, t),
                )
            )
        return Snapshot(t, list(waiting_now.values()), windows, done_s, cycle_s)

    last_t = 0.0
    while events:
        t, _, kind, data = heapq.heappop(events)
        last_t = t
        if kind == "arrive":
            c = citizens[data]
            current_service[data] = c.service
            floor.issue(c, at_s(t))
            waiting_now[data] = candidate(c, at_s(t))
            if observe is not None:
                observe(c, snapshot(t))
            wake(c.service, t)
        elif kind in ("hour", "plan"):
            if after_close:
                continue
            plan = plan_at(scenario, t)
            plan_now = plan
            if data > last_staffed:
                # closing time: the windows still open serve until nobody waits
                after_close = True
                for w in sorted(idle):
                    close(w, t)
                continue
            for w in sorted(services):
                if w not in plan or plan[w].services != services[w]:
                    if w in serving:
                        closing.add(w)
                    else:
                        close(w, t)
            for w in sorted(plan):
                if w in services:  # open already (or serving its last citizen of the old plan)
                    continue
                open_(plan[w], t)
            for w in sorted(idle):
                try_call(w, t)
        elif kind == "done":
            window = data
            cid = serving[window][0]
            c = citizens[cid]
            if c.transfer_to is not None and cid not in transferred:
                transferred.add(cid)
                res.transfers += 1
                current_service[cid] = c.transfer_to
                floor.transfer(window, cid, c.transfer_to, at_s(t))
                waiting_now[cid] = Candidate(cid, c.transfer_to, at_s(c.arrival_s), priority=c.priority)
                free(window, t)
                wake(c.transfer_to, t)
            else:
                floor.complete(window, cid, at_s(t))
                done_s.setdefault(current_service[cid], []).append(t - serving[window][1])
                free(window, t)
        elif kind == "no_show":
            res.no_shows += 1
            floor.no_show(window=data, citizen=serving[data][0], at=at_s(t))
            free(data, t)
        elif kind == "free":
            # after the call gap; a window closed by the plan meanwhile (or reopened and busy
            # already) has nothing to do here
            if data in services and data not in serving and data not in idle:
                call_or_close(data, t)
    for w in sorted(services):  # nobody left: the hall closes
        close(w, max(last_t, opened_at[w]))
    called = {c.citizen for c in res.calls}
    res.unserved = [c for c in citizens if c.index not in called]
    return res


def on_break(scenario: Scenario, window: int, t: float) -> bool:
    return any(start <= t < end for start, end in scenario.breaks.get(window, ()))


def plan_at(scenario: Scenario, t: float) -> dict[int, WindowPlan]:
    """The windows open at `t`: those the staffing plan opens in its hour, less those on a break."""
    hour = int(t // 3600)
    return {p.window: p for p in scenario.staffing.get(hour, ()) if not on_break(scenario, p.window, t)}


# ---------------------------------------------------------------------------------------------
# Reports


@dataclass(frozen=True)
class Cell:
    """Waits of the citizens of one service who arrived in one hour."""

    service: str
    hour: int
    count: int
    mean_min: float
    p90_min: float
    within_target: float


@dataclass
class Report:
    scenario: Scenario
    cells: list[Cell]
    by_service: list[Cell]
    utilisation: dict[int, float]
    waits: list[Wait]
    calls: list[Call]
    no_shows: int
    transfers: int
    days: int
    unserved: list[tuple[int, Citizen]] = field(default_factory=list)

    def overall(self) -> Cell:
        return summarise("*", -1, [w.wait_s for w in self.waits], self.scenario.wait_target_minutes)

    def hour_p90_min(self, hour: int) -> float:
        ws = [w.wait_s for w in self.waits if w.hour == hour]
        return percentile(ws, 0.9) / 60.0 if ws else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """The q-quantile by the nearest-rank method (the value at least q of the values are at or below)."""
    if not values:
        return 0.0
    s = sorted(values)
    k = max(0, math.ceil(q * len(s)) - 1)
    return s[k]


def summarise(service: str, hour: int, waits_s: Sequence[float], target_min: float) -> Cell:
    n = len(waits_s)
    if n == 0:
        return Cell(service, hour, 0, 0.0, 0.0, 1.0)
    within = sum(1 for w in waits_s if w <= target_min * 60.0) / n
    return Cell(service, hour, n, sum(waits_s) / n / 60.0, percentile(waits_s, 0.9) / 60.0, within)


def simulate(
    scenario: Scenario,
    floor_factory: Callable[[], Floor] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Play `scenario.days` days (seeded) and report waits per service and hour and utilisation."""
    if floor_factory is None:
        floor_factory = lambda: MemoryFloor(scenario)  # noqa: E731
    rng = random.Random(scenario.seed)
    waits: list[Wait] = []
    calls: list[Call] = []
    busy: dict[int, float] = {}
    opened: dict[int, float] = {}
    no_shows = transfers = 0
    unserved: list[tuple[int, Citizen]] = []
    for day in range(scenario.days):
        citizens = draw_citizens(scenario, rng)
        r = play_day(scenario, citizens, floor_factory(), day)
        waits += r.waits
        calls += r.calls
        no_shows += r.no_shows
        transfers += r.transfers
        unserved += [(day, c) for c in r.unserved]
        for w, s in r.busy_s.items():
            busy[w] = busy.get(w, 0.0) + s
        for w, s in r.open_s.items():
            opened[w] = opened.get(w, 0.0) + s
        if progress is not None:
            progress(1)
    target = scenario.wait_target_minutes
    groups: dict[tuple[str, int], list[float]] = {}
    per_service: dict[str, list[float]] = {}
    for wt in waits:
        groups.setdefault((wt.service, wt.hour), []).append(wt.wait_s)
        per_service.setdefault(wt.service, []).append(wt.wait_s)
    cells = [summarise(s, h, ws, target) for (s, h), ws in sorted(groups.items())]
    by_service = [summarise(s, -1, ws, target) for s, ws in sorted(per_service.items())]
    utilisation = {w: (busy.get(w, 0.0) / opened[w] if opened[w] > 0 else 0.0) for w in sorted(opened)}
    return Report(
        scenario, cells, by_service, utilisation, waits, calls, no_shows, transfers, scenario.days, unserved
    )


# ---------------------------------------------------------------------------------------------
# Staffing recommendation


def staffing_order(scenario: Scenario) -> list[WindowPlan]:
    """The order windows are added in when staffing up: first those that cover the most services
    nobody covers yet (so that a few windows already serve every service), then by number."""
    pool = scenario.windows()
    out: list[WindowPlan] = []
    uncovered = set(scenario.services())
    rest = list(pool)
    while rest and uncovered:
        best = max(rest, key=lambda p: (len(uncovered & set(p.services)), -p.window))
        if not uncovered & set(best.services):
            break
        out.append(best)
        rest.remove(best)
        uncovered -= set(best.services)
    return out + rest


def with_windows(scenario: Scenario, windows: Mapping[int, Sequence[int]]) -> Scenario:
    """The scenario staffed with the given windows (by number) in the named hours (the other
    hours keep their plan)."""
    from dataclasses import replace as replace_

    pool = {p.window: p for p in scenario.windows()}
    staffing = dict(scenario.staffing)
    for h, numbers in windows.items():
        staffing[h] = [pool[n] for n in sorted(numbers)]
    return replace_(scenario, staffing=staffing)


def _next_window(
    report: Report, hour: int, current: Sequence[int], pool: Sequence[WindowPlan], measure: str
) -> int | None:
    """The window to add in an hour that misses the target: one serving the service that waits
    longest then (its citizens never called first) among those a window not yet open serves,
    preferring a window that calls that service first and serves fewest others. None when no
    window would serve a service that misses the target (more windows would not help)."""
    target = report.scenario.wait_target_minutes
    waits: dict[str, list[float]] = {}
    for w in report.waits:
        if w.hour == hour:
            waits.setdefault(w.service, []).append(w.wait_s)
    badness: dict[str, float] = {}
    for service, ws in waits.items():
        value = (percentile(ws, 0.9) if measure == "p90" else sum(ws) / len(ws)) / 60.0
        if value > target:
            badness[service] = value
    for _day, c in report.unserved:
        if c.hour == hour:
            badness[c.service] = math.inf
    free = [p for p in pool if p.window not in current]
    for service in sorted(badness, key=lambda s: (-badness[s], s)):
        serving = [p for p in free if service in p.services]
        if serving:
            best = min(serving, key=lambda p: (p.services.index(service), len(p.services), p.window))
            return best.window
    return None


def recommend_staffing(
    scenario: Scenario,
    measure: str = "p90",
    progress: Callable[[int], None] | None = None,
) -> dict[int, list[int]]:
    """For each staffed hour, the fewest windows (by number) with which the simulated p90 (or
    mean) wait of the citizens arriving in that hour meets the scenario's wait target, service
    by service.

    Hour by hour in order (a queue left over from an hour is the next hour's problem): earlier
    hours at their recommendation, later hours with every window open, the same seed for every
    trial (common random numbers, so the comparison is of staffing, not of luck). An hour
    starts with no window (nobody may come then) and gains, one at a time, a window for the
    service that waits longest (`_next_window`). A second pass replays the recommended day and
    adds a window to every hour that misses the target (fewer windows later can make an
    earlier hour's citizens wait longer), until none does. An hour of which someone is never
    called does not meet the target; when no window left would serve a service that misses it
    (its only windows are open already), the hour gets no more.
    """
    pool = staffing_order(scenario)
    everyone = [p.window for p in pool]
    hours = sorted(scenario.staffing)
    chosen: dict[int, list[int]] = {h: list(everyone) for h in hours}
    target = scenario.wait_target_minutes
    for h in hours:
        current: list[int] = []
        while True:
            report = simulate(with_windows(scenario, {**chosen, h: current}))
            if progress is not None:
                progress(1)
            if _hour_value(report, h, measure) <= target:
                break
            more = _next_window(report, h, current, pool, measure)
            if more is None:
                break
            current.append(more)
        chosen[h] = current
    for _round in range(len(pool) * len(hours)):
        report = simulate(with_windows(scenario, chosen))
        if progress is not None:
            progress(1)
        added = False
        for h in hours:
            if _hour_value(report, h, measure) > target:
                more = _next_window(report, h, chosen[h], pool, measure)
                if more is not None:
                    chosen[h].append(more)
                    added = True
        if not added:
            break
    return {h: sorted(ws) for h, ws in chosen.items()}


def _hour_value(report: Report, hour: int, measure: str) -> float:
    """The p90 (or mean) wait in minutes of the citizens who arrived in the hour, of the service
    that waits longest (a rare service is not hidden by a frequent one); infinite when one of
    them was never called."""
    if any(c.hour == hour for _day, c in report.unserved):
        return math.inf
    by_service: dict[str, list[float]] = {}
    for w in report.waits:
        if w.hour == hour:
            by_service.setdefault(w.service, []).append(w.wait_s)
    if not by_service:
        return 0.0
    if measure == "p90":
        return max(percentile(ws, 0.9) for ws in by_service.values()) / 60.0
    return max(sum(ws) / len(ws) for ws in by_service.values()) / 60.0


def hour_meets_target(report: Report, hour: int, measure: str = "p90") -> bool:
    """Whether every service's citizens arriving in the hour wait within the target (p90 or mean)."""
    return _hour_value(report, hour, measure) <= report.scenario.wait_target_minutes


#: a run asked for over the web plays at most this many citizens (days × citizens a day ×
#: the simulations the recommendation needs): a few seconds of one worker
MAX_WEB_CITIZENS = 100_000
MAX_WEB_DAYS = 30


def citizens_per_day(scenario: Scenario) -> float:
    """The citizens a simulated day expects (arrivals and bookings)."""
    walk_ins = sum(r for per in scenario.arrivals.values() for r in per.values())
    booked = sum(n for per in scenario.appointments.values() for n in per.values())
    return walk_ins + booked * (1.0 - scenario.appointment_no_show)


def run_size(scenario: Scenario, recommend: bool) -> float:
    """The citizens a run plays: days × citizens a day × (1 + the recommendation's simulations)."""
    trials = recommendation_trials(scenario) if recommend else 0
    return scenario.days * citizens_per_day(scenario) * (1 + trials)


def web_days(scenario: Scenario, recommend: bool, wanted: int) -> int:
    """The days a web run simulates when the page does not say: `wanted`, or fewer so the run
    stays within MAX_WEB_CITIZENS (at least one: `check_web_run` refuses a day too big)."""
    one_day = run_size(replace(scenario, days=1), recommend)
    fits = int(MAX_WEB_CITIZENS // one_day) if one_day > 0 else wanted
    return max(1, min(wanted, MAX_WEB_DAYS, fits))


def check_web_run(scenario: Scenario, recommend: bool) -> None:
    """A run one web request may ask for: at most MAX_WEB_DAYS days and MAX_WEB_CITIZENS citizens
    played, so a request cannot tie up a worker for long (the command line has no such bound)."""
    if scenario.days > MAX_WEB_DAYS:
        raise ScenarioError(f"days: at most {MAX_WEB_DAYS} simulated days here (hallq simulate has no limit)")
    size = run_size(scenario, recommend)
    if size > MAX_WEB_CITIZENS:
        raise ScenarioError(
            f"too big to run here: about {size:,.0f} citizens to play (at most {MAX_WEB_CITIZENS:,}); "
            "fewer days, fewer hours or windows, or no recommendation — or run hallq simulate"
        )


def recommendation_trials(scenario: Scenario) -> int:
    """At most how many simulations `recommend_staffing` runs (for a progress bar)."""
    return len(scenario.staffing) * (len(scenario.windows()) + 1) + 1


# ---------------------------------------------------------------------------------------------
# Queueing theory (M/M/c), the yardstick of the engine's tests


def erlang_c(c: int, offered: float) -> float:
    """Probability that an arrival waits in an M/M/c queue with `offered` = λ/μ erlangs (< c)."""
    if not 0 <= offered < c:
        raise ValueError("the offered load must be below the number of servers")
    term = 1.0
    total = 1.0  # k = 0
    for k in range(1, c):
        term *= offered / k
        total += term
    last = term * offered / c  # a^c / c!
    top = last * c / (c - offered)
    return top / (total + top)


def erlang_c_mean_wait(c: int, arrival_rate: float, service_rate: float) -> float:
    """Mean wait in queue Wq = C(c, a) / (cμ − λ), in the units of 1 / rate."""
    a = arrival_rate / service_rate
    return erlang_c(c, a) / (c * service_rate - arrival_rate)


# ---------------------------------------------------------------------------------------------
# Scenario files (YAML / JSON, read by `hallq simulate`) and scenarios learned from history

SCENARIO_KEYS = {
    "seed", "days", "wait_target_minutes", "priority", "no_show", "no_show_minutes", "transfer",
    "transfers_to", "call_gap_seconds", "services", "arrivals", "windows", "staffing",
    "appointments", "slot_minutes", "appointment_no_show", "grace_minutes", "breaks", "cover",
}  # fmt: skip


class ScenarioError(ValueError):
    """A scenario file the user can fix: the message names the field."""


def _number(
    data: Mapping[str, object], key: str, default: float, lo: float = 0.0, hi: float | None = None
) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioError(f"{key}: a number, not {value!r}")
    if value < lo or (hi is not None and value > hi):
        raise ScenarioError(f"{key}: {value} is out of range ({lo}…{hi if hi is not None else '∞'})")
    return float(value)


def _hour(key: object, where: str) -> int:
    try:
        h = int(str(key))
    except ValueError:
        raise ScenarioError(f"{where}: hour {key!r} is not a number") from None
    if not 0 <= h <= 47:
        raise ScenarioError(f"{where}: hour {h} is out of range (0…47)")
    return h


def scenario_from_dict(data: object) -> Scenario:
    """A scenario from a scenario file's data (docs/simulation.md describes the format)."""
    if not isinstance(data, Mapping):
        raise ScenarioError("a scenario is a mapping (services, arrivals, windows, staffing, …)")
    unknown = sorted(str(k) for k in data if k not in SCENARIO_KEYS)
    if unknown:
        raise ScenarioError(f"unknown field(s): {', '.join(unknown)}")
    services_in = data.get("services")
    if not isinstance(services_in, Mapping) or not services_in:
        raise ScenarioError("services: a mapping of service code → {mean_minutes, distribution?, sigma?}")
    times: dict[str, ServiceTime] = {}
    for code, spec in services_in.items():
        if isinstance(spec, int | float) and not isinstance(spec, bool):
            spec = {"mean_minutes": spec}
        if not isinstance(spec, Mapping):
            raise ScenarioError(f"services.{code}: {{mean_minutes, distribution?, sigma?}}")
        try:
            times[str(code)] = ServiceTime(
                _number(spec, "mean_minutes", 0.0),
                str(spec.get("distribution", "lognormal")),
                _number(spec, "sigma", 0.45),
            )
        except ValueError as err:
            raise ScenarioError(f"services.{code}: {err}") from None
    arrivals_in = data.get("arrivals")
    if not isinstance(arrivals_in, Mapping) or not arrivals_in:
        raise ScenarioError("arrivals: a mapping of service code → {hour: citizens per hour}")
    arrivals: dict[str, dict[int, float]] = {}
    for code, per in arrivals_in.items():
        if str(code) not in times:
            raise ScenarioError(f"arrivals.{code}: not one of the services ({', '.join(sorted(times))})")
        if not isinstance(per, Mapping):
            raise ScenarioError(f"arrivals.{code}: a mapping of hour → citizens per hour")
        arrivals[str(code)] = {_hour(h, f"arrivals.{code}"): _number(per, h, 0.0) for h in per}
    windows_in = data.get("windows")
    if not isinstance(windows_in, Mapping) or not windows_in:
        raise ScenarioError("windows: a mapping of window number → its services, in calling order")
    windows: dict[int, tuple[str, ...]] = {}
    for number, codes in windows_in.items():
        if not isinstance(codes, list) or not codes or any(str(c) not in times for c in codes):
            raise ScenarioError(f"windows.{number}: a list of service codes among {', '.join(sorted(times))}")
        windows[_window(number)] = tuple(str(c) for c in codes)
    staffing_in = data.get("staffing")
    staffing: dict[int, list[WindowPlan]] = {}
    if staffing_in is None:  # every window, in every hour anyone arrives
        hours = sorted({h for per in arrivals.values() for h in per})
        staffing = {h: [WindowPlan(n, windows[n]) for n in sorted(windows)] for h in hours}
    elif isinstance(staffing_in, Mapping):
        for h, numbers in staffing_in.items():
            hour = _hour(h, "staffing")
            if numbers == "all":
                numbers = sorted(windows)
            if not isinstance(numbers, list) or any(_window(n) not in windows for n in numbers):
                raise ScenarioError(f"staffing.{h}: a list of window numbers among {sorted(windows)}, or all")
            staffing[hour] = [
                WindowPlan(_window(n), windows[_window(n)]) for n in sorted(numbers, key=_window)
            ]
    else:
        raise ScenarioError("staffing: a mapping of hour → window numbers open then")
    transfers_in = data.get("transfers_to", {})
    if not isinstance(transfers_in, Mapping):
        raise ScenarioError("transfers_to: a mapping of service code → services a transfer sends to")
    transfers_to: dict[str, tuple[str, ...]] = {}
    for code, targets in transfers_in.items():
        if not isinstance(targets, list) or any(str(t) not in times for t in targets):
            raise ScenarioError(f"transfers_to.{code}: a list of service codes")
        transfers_to[str(code)] = tuple(str(t) for t in targets)
    appointments_in = data.get("appointments", {})
    if not isinstance(appointments_in, Mapping):
        raise ScenarioError("appointments: a mapping of service code → {hour: bookings}")
    appointments: dict[str, dict[int, int]] = {}
    for code, per in appointments_in.items():
        if str(code) not in times:
            raise ScenarioError(f"appointments.{code}: not one of the services ({', '.join(sorted(times))})")
        if not isinstance(per, Mapping):
            raise ScenarioError(f"appointments.{code}: a mapping of hour → bookings")
        appointments[str(code)] = {
            _hour(h, f"appointments.{code}"): int(_number(per, h, 0, 0, 500)) for h in per
        }
    breaks_in = data.get("breaks", {})
    if not isinstance(breaks_in, Mapping):
        raise ScenarioError('breaks: a mapping of window number → ["HH:MM-HH:MM", …]')
    breaks: dict[int, tuple[tuple[float, float], ...]] = {}
    for number, spans in breaks_in.items():
        if _window(number) not in windows or not isinstance(spans, list):
            raise ScenarioError(f'breaks.{number}: a window among {sorted(windows)} → ["HH:MM-HH:MM", …]')
        breaks[_window(number)] = tuple(_span(x, f"breaks.{number}") for x in spans)
    cover_in = data.get("cover", {})
    if not isinstance(cover_in, Mapping):
        raise ScenarioError("cover: a mapping of window number → the window of its B post")
    cover: dict[int, int] = {}
    for number, b in cover_in.items():
        if _window(number) not in windows or _window(b) not in windows or _window(b) == _window(number):
            raise ScenarioError(f"cover.{number}: another window among {sorted(windows)}")
        cover[_window(number)] = _window(b)
    return Scenario(
        arrivals=arrivals,
        service_times=times,
        staffing=staffing,
        wait_target_minutes=_number(data, "wait_target_minutes", 20.0, 0.1),
        priority=_number(data, "priority", 0.0, 0.0, 1.0),
        no_show=_number(data, "no_show", 0.0, 0.0, 1.0),
        no_show_minutes=_number(data, "no_show_minutes", 2.5),
        transfer=_number(data, "transfer", 0.0, 0.0, 1.0),
        transfers_to=transfers_to,
        call_gap_seconds=_number(data, "call_gap_seconds", 0.0),
        days=int(_number(data, "days", 1, 1, 1000)),
        seed=int(_number(data, "seed", 0, 0)),
        appointments=appointments,
        slot_minutes=int(_number(data, "slot_minutes", 30, 5, 240)),
        appointment_no_show=_number(data, "appointment_no_show", 0.0, 0.0, 1.0),
        grace_minutes=int(_number(data, "grace_minutes", booking_rules.DEFAULT_GRACE_MINUTES, 0, 240)),
        breaks=breaks,
        cover=cover,
    )


def _span(text: object, where: str) -> tuple[float, float]:
    """ "10:30-10:45" → seconds from the day's start."""
    try:
        a, b = str(text).split("-")
        (ah, am), (bh, bm) = (map(int, x.strip().split(":")) for x in (a, b))
    except ValueError:
        raise ScenarioError(f'{where}: {text!r} is not "HH:MM-HH:MM"') from None
    start, end = ah * 3600.0 + am * 60.0, bh * 3600.0 + bm * 60.0
    if not (0 <= am < 60 and 0 <= bm < 60 and 0 <= start < end <= 48 * 3600.0):
        raise ScenarioError(f"{where}: {text!r} is not a span of the day (start before end)")
    return start, end


def _hm(seconds: float) -> str:
    return f"{int(seconds // 3600):02d}:{int(seconds % 3600 // 60):02d}"


def _window(number: object) -> int:
    try:
        return int(str(number))
    except ValueError:
        raise ScenarioError(f"window {number!r} is not a number") from None


def scenario_to_dict(s: Scenario) -> dict[str, object]:
    """A scenario as a scenario file's data (what `hallq simulate --learn --save FILE` writes)."""
    windows = {p.window: list(p.services) for p in s.windows()}
    return {
        "seed": s.seed,
        "days": s.days,
        "wait_target_minutes": s.wait_target_minutes,
        "priority": s.priority,
        "no_show": s.no_show,
        "no_show_minutes": s.no_show_minutes,
        "transfer": s.transfer,
        "call_gap_seconds": s.call_gap_seconds,
        "services": {
            code: {
                "mean_minutes": round(t.mean_minutes, 2),
                "distribution": t.kind,
                "sigma": round(t.sigma, 3),
            }
            for code, t in sorted(s.service_times.items())
        },
        "arrivals": {
            code: {h: round(r, 2) for h, r in sorted(per.items())} for code, per in sorted(s.arrivals.items())
        },
        "windows": windows,
        "staffing": {h: [p.window for p in plans] for h, plans in sorted(s.staffing.items())},
        **({"transfers_to": {k: list(v) for k, v in s.transfers_to.items()}} if s.transfers_to else {}),
        **(
            {
                "appointments": {c: dict(sorted(per.items())) for c, per in sorted(s.appointments.items())},
                "slot_minutes": s.slot_minutes,
                "appointment_no_show": s.appointment_no_show,
                "grace_minutes": s.grace_minutes,
            }
            if s.appointments
            else {}
        ),
        **(
            {"breaks": {w: [f"{_hm(a)}-{_hm(b)}" for a, b in spans] for w, spans in sorted(s.breaks.items())}}
            if s.breaks
            else {}
        ),
        **({"cover": dict(sorted(s.cover.items()))} if s.cover else {}),
    }


@dataclass(frozen=True)
class History:
    """What a hall's event log says about its recent days (services.simulation reads it)."""

    days: int  # working days observed (with at least one ticket)
    #: (service, local hour) of every ticket issued
    issued: Sequence[tuple[str, int]]
    #: (service, seconds from start to done/transfer) of every service at a window
    services_s: Sequence[tuple[str, float]]
    #: (local hour, window number) of every hour a window was open at (signed in)
    open_hours: Sequence[tuple[int, int]]
    windows: Mapping[int, tuple[str, ...]]
    called: int = 0
    no_shows: int = 0
    transfers: int = 0
    priority: int = 0


def learn_scenario(h: History, wait_target_minutes: float = 20.0, days: int = 20, seed: int = 0) -> Scenario:
    """A scenario from history: mean arrivals per service and hour over the observed days;
    service times lognormal, fitted robustly (the median and the spread of the logarithms by
    their interquartile range, so a few forgotten-to-complete tickets do not make the hall
    slow); staffing the windows open in each hour on most days; no-show, transfer and
    green-lane shares as observed."""
    if h.days <= 0 or not h.issued:
        raise ScenarioError("no history: the hall has no tickets in the period")
    arrivals: dict[str, dict[int, float]] = {}
    for service, hour in h.issued:
        per = arrivals.setdefault(service, {})
        per[hour] = per.get(hour, 0.0) + 1.0 / h.days
    by_service: dict[str, list[float]] = {}
    for service, secs in h.services_s:
        if secs > 0:
            by_service.setdefault(service, []).append(secs)
    all_s = [x for xs in by_service.values() for x in xs] or [300.0]
    times = {}
    for service in arrivals:
        times[service] = _fit_lognormal(by_service.get(service) or all_s)
    opened: dict[int, dict[int, int]] = {}
    for hour, number in h.open_hours:
        opened.setdefault(hour, {}).setdefault(number, 0)
        opened[hour][number] += 1
    windows = {n: tuple(c for c in codes if c in times) for n, codes in h.windows.items()}
    windows = {n: codes for n, codes in windows.items() if codes}
    staffing: dict[int, list[WindowPlan]] = {}
    for hour in sorted(opened):
        numbers = [n for n, k in sorted(opened[hour].items()) if n in windows and k * 2 >= h.days]
        if numbers:
            staffing[hour] = [WindowPlan(n, windows[n]) for n in numbers]
    if not staffing:  # no sign-ins recorded: every window in every hour anyone came
        hours = sorted({hr for per in arrivals.values() for hr in per})
        staffing = {hr: [WindowPlan(n, windows[n]) for n in sorted(windows)] for hr in hours}
    issued = len(h.issued)
    return Scenario(
        arrivals=arrivals,
        service_times=times,
        staffing=staffing,
        wait_target_minutes=wait_target_minutes,
        priority=h.priority / issued,
        no_show=h.no_shows / h.called if h.called else 0.0,
        transfer=h.transfers / h.called if h.called else 0.0,
        days=days,
        seed=seed,
    )


def _fit_lognormal(samples: Sequence[float]) -> ServiceTime:
    logs = sorted(math.log(x) for x in samples)
    mu = logs[len(logs) // 2]
    if len(logs) >= 4:
        iqr = logs[(3 * len(logs)) // 4] - logs[len(logs) // 4]
        sigma = min(max(iqr / 1.349, 0.05), 1.5)
    else:
        sigma = 0.45
    return ServiceTime(math.exp(mu + sigma**2 / 2) / 60.0, "lognormal", sigma)


# ---------------------------------------------------------------------------------------------
# How good are the wait estimates? (issue 12, item 2; docs/performance.md)


def today_estimate(ticket: Candidate, snap: Snapshot) -> int:
    """The estimate the hall shows today: people ahead in the service's queue ÷ the open windows
    serving it × the mean call-to-finish time of the service's last 20 completed visits."""
    recent = list(snap.done_s.get(ticket.service_code, ()))[-20:]
    avg = sum(recent) / len(recent) if recent else None
    ahead = queue_position(ticket, snap.waiting)
    open_ = sum(1 for w in snap.windows if ticket.service_code in w.services)
    return estimated_wait_s(ahead, avg, open_)


def call_order_estimate(ticket: Candidate, snap: Snapshot) -> int:
    """The estimate that plays the open windows forward in the call order, with robust (trimmed mean)
    recent cycle times per service (`domain.estimate.estimated_waits`)."""
    typical: dict[str, float] = {}
    for service, samples in snap.cycle_s.items():
        t = robust_service_s(list(samples))
        if t is not None:
            typical[service] = t
    return estimated_waits(snap.waiting, snap.windows, typical, at_s(snap.at_s))[ticket.ticket_id]


@dataclass(frozen=True)
class EstimateError:
    """Errors (estimated − actual wait) in minutes over the tickets issued."""

    count: int
    mean_abs_min: float
    p90_abs_min: float
    bias_min: float


def _shower(
    chosen: Mapping[str, Callable[[Candidate, Snapshot], int]], shown: dict[int, dict[str, int]]
) -> Observer:
    """An observer that keeps what each estimator shows a ticket when it is issued."""

    def observe(c: Citizen, snap: Snapshot) -> None:
        me = next(x for x in snap.waiting if x.ticket_id == c.index)
        shown[c.index] = {name: f(me, snap) for name, f in chosen.items()}

    return observe


def estimate_errors(
    scenario: Scenario,
    estimators: Mapping[str, Callable[[Candidate, Snapshot], int]] | None = None,
) -> dict[str, EstimateError]:
    """Every ticket of `scenario.days` simulated days gets each estimator's estimate the moment it
    is issued (what the slip and the kiosk show); compared with when it was actually called."""
    chosen = estimators or {"today": today_estimate, "call_order": call_order_estimate}
    rng = random.Random(scenario.seed)
    errors: dict[str, list[float]] = {name: [] for name in chosen}
    for day in range(scenario.days):
        citizens = draw_citizens(scenario, rng)
        shown: dict[int, dict[str, int]] = {}

        result = play_day(scenario, citizens, MemoryFloor(scenario), day, _shower(chosen, shown))
        first_call: dict[int, float] = {}
        for call in result.calls:
            first_call.setdefault(call.citizen, call.at)
        for index, estimates in shown.items():
            if index not in first_call:
                continue
            actual = first_call[index] - citizens[index].arrival_s
            for name, est in estimates.items():
                errors[name].append((est - actual) / 60.0)
    out = {}
    for name, errs in errors.items():
        absolute = [abs(e) for e in errs]
        out[name] = EstimateError(
            len(errs),
            sum(absolute) / len(absolute) if absolute else 0.0,
            percentile(absolute, 0.9),
            sum(errs) / len(errs) if errs else 0.0,
        )
    return out
