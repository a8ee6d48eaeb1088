"""The hall's plan: people ahead and the estimated wait of every waiting ticket and of a walk-in
for each service, from the windows that serve now (domain.routing) played forward in the call
order (domain.estimate.hall_plan) — what the kiosk, the slip, the phone page, the boards and the
manager console show.

A play-forward of the whole hall costs O(waiting²); it is built at most once per hall while the
hall's seq stands (up to FRESH_S), and the issue path and the kiosk's home screen take a plan up
to STALE_S old and add the citizens who took a number since (domain.estimate.walk_in_estimate).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...domain import routing
from ...domain.choose_next import Candidate
from ...domain.estimate import (
    RECENT_SAMPLES,
    Estimate,
    WindowNow,
    hall_plan,
    robust_service_s,
    walk_in_estimate,
)
from ...domain.ticket import ACTIVE, Status
from ...storage.models import Hall, Service, Ticket
from .context import Context
from .duty import hall_routes
from .queue import waiting_tickets
from .rows import hall_day

#: a plan is rebuilt when the hall's seq moved, and in any case after this long (the clock moves
#: the services in progress on)
FRESH_S = 30.0
#: the issue path and the kiosk's home take a plan up to this old, adjusted for new tickets
STALE_S = 10.0
#: recent service times are read again after this long
_TYPICAL_TTL_S = 30.0


@dataclass(frozen=True)
class Plan:
    seq: int
    built_at: float
    day: date
    tickets: dict[int, Estimate]
    services: dict[str, Estimate]
    #: waiting tickets per service when the plan was built
    counts: dict[str, int]
    #: serving windows per service now (routing)
    servers: dict[str, int]
    typical: dict[str, float]
    #: waiting tickets no window serves now: (service, directed window id or None) → how many
    unserved: dict[tuple[str, int | None], int] = field(default_factory=dict)


def waiting_candidates_all(s: Session, hall: Hall, day: date) -> list[Candidate]:
    """Every waiting ticket of the hall's day as the call order sees it (with appointment slots)."""
    return waiting_tickets(s, hall, day)


def typical_times(ctx: Context, s: Session, hall: Hall, day: date) -> dict[str, float]:
    """Each service's typical call-to-finish time today (domain.estimate.robust_service_s over
    its last RECENT_SAMPLES tickets), cached briefly."""
    key = f"typical:{hall.id}:{day}"
    now = ctx.clock().timestamp()
    hit = ctx.cache.get(key)
    if hit and now - hit[0] < _TYPICAL_TTL_S:
        return hit[1]  # type: ignore[no-any-return]
    out: dict[str, float] = {}
    for svc in hall.services:
        rows = s.execute(
            select(Ticket.called_at, Ticket.finished_at)
            .where(Ticket.service_id == svc.id, Ticket.business_day == day, Ticket.status == Status.DONE)
            .order_by(Ticket.finished_at.desc())
            .limit(RECENT_SAMPLES)
        ).all()
        spans = [(f - c).total_seconds() for c, f in reversed(rows) if c and f and f > c]
        typical = robust_service_s(spans)
        if typical is not None:
            out[svc.code] = typical
    ctx.cache[key] = (now, out)
    return out


def _windows_now(
    s: Session, hall: Hall, day: date, routes: Iterable[routing.Route], now: datetime
) -> list[WindowNow]:
    ids = [r.window_id for r in routes]
    current: dict[int, tuple[str, datetime | None]] = {}
    if ids:
        for wid, code, called_at in s.execute(
            select(Ticket.window_id, Service.code, Ticket.called_at)
            .join(Service, Service.id == Ticket.service_id)
            .where(
                Ticket.window_id.in_(ids),
                Ticket.business_day == day,
                Ticket.status.in_([st.value for st in ACTIVE]),
            )
        ):
            current[wid] = (code, called_at)
    out = []
    for r in routes:
        code, called_at = current.get(r.window_id, (None, None))
        busy_for = (now - called_at).total_seconds() if called_at is not None else 0.0
        out.append(WindowNow(r.window_id, r.services, r.covering, code, max(busy_for, 0.0)))
    return out


def build_plan(ctx: Context, s: Session, hall: Hall) -> Plan:
    now = ctx.clock()
    day = hall_day(hall, now)
    _windows, _desks, routes, _leave = hall_routes(s, hall, now)
    waiting = waiting_candidates_all(s, hall, day)
    typical = typical_times(ctx, s, hall, day)
    codes = [svc.code for svc in hall.services if svc.active]
    tickets, services = hall_plan(waiting, _windows_now(s, hall, day, routes, now), typical, codes, now)
    counts = {code: 0 for code in codes}
    for c in waiting:
        counts[c.service_code] = counts.get(c.service_code, 0) + 1
    unserved: dict[tuple[str, int | None], int] = {}
    for c in routing.unserved(routes, waiting):
        k = (c.service_code, c.directed_window_id)
        unserved[k] = unserved.get(k, 0) + 1
    return Plan(
        seq=int(hall.seq),
        built_at=now.timestamp(),
        day=day,
        tickets=tickets,
        services=services,
        counts=counts,
        servers={code: len(routing.servers(routes, code)) for code in codes},
        typical=typical,
        unserved=unserved,
    )


def serving_now(s: Session, hall: Hall, now: datetime) -> dict[str, int]:
    """Serving windows per active service right now, read fresh (domain.routing)."""
    routes = hall_routes(s, hall, now)[2]
    return {svc.code: len(routing.servers(routes, svc.code)) for svc in hall.services if svc.active}


def kiosk_plan(ctx: Context, s: Session, hall: Hall) -> Plan:
    """The plan for the kiosk's home screen: whether a service is served is read fresh (the kiosk
    warns before issuing); a recent plan serves the waits unless who serves what has changed."""
    plan = hall_plan_cached(ctx, s, hall, stale_ok=True)
    servers = serving_now(s, hall, ctx.clock())
    if plan.servers != servers:
        plan = _rebuild(ctx, s, hall, lambda p: p is not None and p.day == plan.day and p.servers == servers)
    return plan


def hall_plan_cached(ctx: Context, s: Session, hall: Hall, stale_ok: bool = False) -> Plan:
    """The hall's plan: rebuilt when the hall's seq moved or after FRESH_S (every phone page
    re-reading after one event shares one build); with `stale_ok` a plan up to STALE_S old
    serves whatever the seq, and any older one while another request rebuilds it."""
    day = hall_day(hall, ctx.clock())

    def usable(plan: Plan | None) -> bool:
        if plan is None or plan.day != day:
            return False
        age = ctx.clock().timestamp() - plan.built_at
        return (stale_ok and age < STALE_S) or (plan.seq == hall.seq and age < FRESH_S)

    hit: Plan | None = ctx.cache.get(_key(hall))
    if usable(hit):
        assert hit is not None
        return hit
    lock = _build_lock(ctx, hall)
    if stale_ok and hit is not None and hit.day == day and lock.locked():
        return hit  # the issue path does not wait for a rebuild another request started
    return _rebuild(ctx, s, hall, usable)


def _key(hall: Hall) -> str:
    return f"plan:{hall.id}"


def _build_lock(ctx: Context, hall: Hall) -> threading.Lock:
    lock: threading.Lock = ctx.cache.setdefault(f"plan-lock:{hall.id}", threading.Lock())
    return lock


def _rebuild(ctx: Context, s: Session, hall: Hall, usable: Callable[[Plan | None], bool]) -> Plan:
    """A new plan, one build at a time per hall: who asks while one is being built waits for it
    and takes it if it is `usable` to them (same seq), else builds again. A busy hall's plan
    costs O(waiting²) — at 10,000 waiting ~0.3 s of CPU — and fifty issuing requests finding it
    stale at once built it fifty times (docs/performance.md, "Open loop")."""
    with _build_lock(ctx, hall):
        hit: Plan | None = ctx.cache.get(_key(hall))
        if usable(hit):
            assert hit is not None
            return hit
        plan = build_plan(ctx, s, hall)
        ctx.cache[_key(hall)] = plan
        return plan


def ticket_estimate(ctx: Context, s: Session, hall: Hall, ticket_id: int) -> Estimate:
    """A waiting ticket's people ahead and wait, from the hall's plan (rebuilt when the plan
    predates the ticket)."""
    plan = hall_plan_cached(ctx, s, hall)
    e = plan.tickets.get(ticket_id)
    if e is None:
        plan = build_plan(ctx, s, hall)  # in this session: the ticket may not be committed yet
        ctx.cache[_key(hall)] = plan
        e = plan.tickets.get(ticket_id)
    return e if e is not None else Estimate(0, 0, False)


def service_estimate(plan: Plan, code: str, waiting_now: int) -> Estimate:
    """The estimate of a walk-in taking a number for `code` now (`waiting_now`: the service's
    waiting tickets now, the new one not counted)."""
    base = plan.services.get(code) or Estimate(0, 0, False)
    return walk_in_estimate(
        base, waiting_now - plan.counts.get(code, 0), plan.typical.get(code), plan.servers.get(code, 0)
    )


def service_rows(plan: Plan, counts: dict[str, int]) -> dict[str, dict[str, Any]]:
    """Per service: the walk-in's estimated wait and whether a window serves it now."""
    out = {}
    for code, n in counts.items():
        e = service_estimate(plan, code, n)
        out[code] = {"estimated_wait_s": e.wait_s, "served": plan.servers.get(code, 0) > 0}
    return out
