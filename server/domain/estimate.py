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
from datetime import datetime

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
