"""People ahead and the estimated wait shown on the kiosk ticket and the phone page.

`estimated_wait_s` is today's estimate (people ahead ÷ open windows × the mean service time);
`estimated_waits` plays the windows forward in the actual call order (docs/performance.md
compares the two on simulated days).
"""

from __future__ import annotations

import heapq
import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from .choose_next import Candidate, call_order, queue_position

#: Used until a service has finished tickets today to learn from.
DEFAULT_SERVICE_SECONDS = 300


def estimated_wait_s(people_ahead: int, avg_service_s: float | None, serving_windows: int) -> int:
    """Seconds until the citizen is likely called.

    People ahead are served in parallel by the windows serving the service; with no window
    open the estimate assumes one will open (it never promises "0").
    """
    if people_ahead < 0:
        raise ValueError("people_ahead cannot be negative")
    per_ticket = avg_service_s if avg_service_s and avg_service_s > 0 else DEFAULT_SERVICE_SECONDS
    windows = max(serving_windows, 1)
    rounds = math.ceil(people_ahead / windows)
    return int(rounds * per_ticket)


# ---------------------------------------------------------------------------------------------
# Estimates that follow the call order (issue 12, item 2) — measured on simulated days
# (docs/performance.md), not yet shown on the screens.

#: how many recent samples of a service's cycle time the median is taken over
RECENT_SAMPLES = 20


@dataclass(frozen=True)
class WindowNow:
    """An open window as the estimate sees it: its services (in calling order), the windows it
    covers, and how long it has been serving its current citizen (None: free now)."""

    window_id: int
    services: tuple[str, ...]
    covering: tuple[int, ...] = ()
    #: the service of the citizen at the window and seconds since they were called
    serving: str | None = None
    serving_for_s: float = 0.0
    #: a known break ahead (lunch, a planned pause): from and until, in seconds from now; the
    #: window finishes its citizen, then calls nobody until the break ends
    away_s: tuple[float, float] | None = None


def robust_service_s(samples: Sequence[float]) -> float | None:
    """The typical time a window spends per citizen of a service: the mean of the recent
    samples without their shortest and longest tenth (one ticket left open for an hour does
    not move it, unlike the plain mean; and unlike the median it does not forget that service
    times are skewed — a median underestimates the time a queue takes)."""
    recent = sorted(s for s in samples[-RECENT_SAMPLES:] if s > 0)
    if not recent:
        return None
    k = len(recent) // 10
    core = recent[k : len(recent) - k]
    return statistics.fmean(core)


def estimated_waits(
    waiting: Sequence[Candidate],
    windows: Sequence[WindowNow],
    typical_s: Mapping[str, float],
    now: datetime | None = None,
) -> dict[int, int]:
    """Seconds until each waiting ticket is likely called, by ticket id.

    The open windows are played forward: the window likely free first calls the ticket the
    domain's own order gives it (`choose_next.call_order`: green lane, directed, appointments in
    their slot, then queued time — a transferred ticket keeps its time), and is busy for the
    typical time of that ticket's service; and so on. A window serving someone is free after
    what remains of the typical time (at least a quarter of it: a long service is often nearly
    done); a window with a known break ahead calls nobody during it. A ticket no open window may
    call gets the old estimate with one window assumed (`estimated_wait_s`): some window will
    open for it.
    """

    def typical(service: str | None) -> float:
        t = typical_s.get(service or "")
        return t if t and t > 0 else float(DEFAULT_SERVICE_SECONDS)

    free_at: list[tuple[float, int]] = []
    by_id = {w.window_id: w for w in windows}
    for w in windows:
        start = 0.0
        if w.serving is not None:
            t = typical(w.serving)
            start = max(t - w.serving_for_s, t / 4)
        free_at.append((start, w.window_id))
    heapq.heapify(free_at)
    remaining = {c.ticket_id: c for c in waiting}
    out: dict[int, int] = {}
    while free_at and remaining:
        at, wid = heapq.heappop(free_at)
        w = by_id[wid]
        if w.away_s is not None and w.away_s[0] <= at < w.away_s[1]:
            heapq.heappush(free_at, (w.away_s[1], wid))  # on a break: it calls when back
            continue
        order = call_order(wid, w.services, remaining.values(), w.covering, now)
        if not order:
            continue  # nobody this window may call now: it calls nobody later either
        c = order[0]
        out[c.ticket_id] = int(at)
        del remaining[c.ticket_id]
        heapq.heappush(free_at, (at + typical(c.service_code), wid))
    for c in remaining.values():  # no open window serves them
        ahead = queue_position(c, [*waiting])
        out[c.ticket_id] = estimated_wait_s(ahead, typical(c.service_code), 1)
    return out


# ---------------------------------------------------------------------------------------------
# What the screens show (issue 12 item 2, issue 14 item 1): people ahead and the wait of each
# waiting ticket, and of a citizen who would take a number for a service now — all from one
# play-forward of the windows that serve now (domain.routing).

#: a citizen with people ahead is never told "0 minutes": at least this many seconds
MIN_WAIT_WITH_AHEAD_S = 60


@dataclass(frozen=True)
class Estimate:
    """People ahead of a ticket in the real call order, the seconds until it is likely called,
    and whether any window serves it now (False: the wait assumes a window opens)."""

    ahead: int
    wait_s: int
    served: bool = True


def shown_wait_s(ahead: int, wait_s: float) -> int:
    """The wait a screen shows: never 0 with people ahead."""
    w = max(int(wait_s), 0)
    return max(w, MIN_WAIT_WITH_AHEAD_S) if ahead > 0 else w


def hall_plan(
    waiting: Sequence[Candidate],
    windows: Sequence[WindowNow],
    typical_s: Mapping[str, float],
    services: Sequence[str],
    now: datetime,
) -> tuple[dict[int, Estimate], dict[str, Estimate]]:
    """Every waiting ticket's estimate, and each service's for a walk-in taking a number now.

    The serving windows are played forward in the call order (as `estimated_waits`). A citizen
    taking a number now is a phantom walk-in per service, queued after everyone: a window calls
    it when it has nobody else to call, and it takes no time (so phantoms never delay each other
    or anyone real). People ahead of a ticket are the tickets called before it by windows that
    could have called it too: the call order, not the service's line. A ticket no window serves
    now is placed in its service's call order (green lane, appointments, time) and waits as if one
    window opened for it (never "0" with people ahead).
    """

    def typical(service: str | None) -> float:
        t = typical_s.get(service or "")
        return t if t and t > 0 else float(DEFAULT_SERVICE_SECONDS)

    later = max([now, *(c.queued_at for c in waiting)]) + timedelta(seconds=1)
    phantoms = {-(i + 1): Candidate(-(i + 1), code, later) for i, code in enumerate(services)}
    by_id = {w.window_id: w for w in windows}
    free_at: list[tuple[float, int]] = []
    for w in windows:
        start = 0.0
        if w.serving is not None:
            t = typical(w.serving)
            start = max(t - w.serving_for_s, t / 4)
        free_at.append((start, w.window_id))
    heapq.heapify(free_at)
    remaining: dict[int, Candidate] = {c.ticket_id: c for c in waiting}
    remaining.update(phantoms)
    # each window's call order is fixed for the play (the clock is `now` throughout): sort once
    # per window, then walk it past the tickets other windows took — O(windows · n log n), not a
    # sort per call
    orders = {
        w.window_id: call_order(w.window_id, w.services, remaining.values(), w.covering, now) for w in windows
    }
    cursor = dict.fromkeys(orders, 0)
    calls: list[tuple[int, int]] = []  # (window, ticket) in the order they are called
    when: dict[int, float] = {}
    while free_at and remaining:
        at, wid = heapq.heappop(free_at)
        w = by_id[wid]
        if w.away_s is not None and w.away_s[0] <= at < w.away_s[1]:
            heapq.heappush(free_at, (w.away_s[1], wid))
            continue
        order, i = orders[wid], cursor[wid]
        while i < len(order) and order[i].ticket_id not in remaining:
            i += 1
        cursor[wid] = i
        if i == len(order):
            continue  # nobody this window may call now: it calls nobody later either
        c = order[i]
        if c.ticket_id < 0:
            # phantoms come after every real ticket: nothing real is left for this window, and a
            # citizen taking a number now would be called at once
            for p in order[i:]:
                if p.ticket_id in remaining:
                    when[p.ticket_id] = at
                    calls.append((wid, p.ticket_id))
                    del remaining[p.ticket_id]
            continue
        when[c.ticket_id] = at
        calls.append((wid, c.ticket_id))
        del remaining[c.ticket_id]
        heapq.heappush(free_at, (at + typical(c.service_code), wid))
    everyone = [*waiting, *phantoms.values()]
    by_ticket = {c.ticket_id: c for c in everyone}
    out: dict[int, Estimate] = {}
    called_by: dict[int, int] = {w.window_id: 0 for w in windows}  # real calls so far, per window
    for wid, tid in calls:
        me = by_ticket[tid]
        ahead = sum(n for w_id, n in called_by.items() if may_call_now(by_id[w_id], me))
        out[tid] = Estimate(ahead, shown_wait_s(ahead, when[tid]))
        if tid > 0:
            called_by[wid] += 1
    real_waiting = [c for c in waiting if c.ticket_id > 0]
    lines: dict[tuple[str, int | None], dict[int, int]] = {}  # a line: ticket id → place in it
    for tid, c in remaining.items():  # no serving window may call them
        key = (c.service_code, c.directed_window_id)
        if key not in lines:
            order = call_order(
                c.directed_window_id if c.directed_window_id is not None else 0,
                (c.service_code,),
                real_waiting,
                (),
                now,
            )
            lines[key] = {x.ticket_id: i for i, x in enumerate(order)}
        line = lines[key]
        ahead = line.get(tid, len(line))
        wait = estimated_wait_s(ahead, typical(c.service_code), 1)
        out[tid] = Estimate(ahead, shown_wait_s(ahead, wait), False)
    per_service = {c.service_code: out[tid] for tid, c in phantoms.items()}
    return {tid: e for tid, e in out.items() if tid > 0}, per_service


def may_call_now(w: WindowNow, c: Candidate) -> bool:
    return c.service_code in w.services and (
        c.directed_window_id is None
        or c.directed_window_id == w.window_id
        or c.directed_window_id in w.covering
    )


def walk_in_estimate(base: Estimate, added_since: int, typical: float | None, servers: int) -> Estimate:
    """A new walk-in's estimate from its service's cached one: the citizens who took a number
    since the plan was made are ahead too, served in parallel by the service's windows."""
    per = typical if typical and typical > 0 else float(DEFAULT_SERVICE_SECONDS)
    extra = max(added_since, 0)
    ahead = base.ahead + extra
    wait = base.wait_s + math.ceil(extra / max(servers, 1)) * per if extra else base.wait_s
    return Estimate(ahead, shown_wait_s(ahead, wait), base.served)
