"""Queue queries: counters, waiting counts, the candidates a window may call (people ahead and
the waits come from the hall's plan: core.estimates).

The order in which a window calls is decided by `domain.choose_next`; these queries only fetch
the rows it decides on (a property test proves the fetch never hides a ticket the rule wants).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Date, Integer, bindparam, case, func, select, text
from sqlalchemy.orm import Session

from ...domain.choose_next import Candidate
from ...domain.ticket import ACTIVE, Status
from ...storage.models import Booking, Hall, Service, Ticket, Window, WindowService

#: candidates fetched per attempt of call-next; directed tickets are fetched on top of these
_CANDIDATES = 50


# One statement for both databases (SQLite ≥ 3.35 and PostgreSQL speak the same upsert).
# Written as text so SQLAlchemy caches it: the dialect upsert constructs are compiled anew
# for every ticket (measured: the issue path's largest single cost, docs/performance.md).
_COUNTER_UPSERT = text(
    "INSERT INTO counters (service_id, day, last) VALUES (:service_id, :day, 1) "
    "ON CONFLICT (service_id, day) DO UPDATE SET last = counters.last + 1 "
    "RETURNING last"
).bindparams(bindparam("service_id", type_=Integer), bindparam("day", type_=Date))


def next_counter(session: Session, service_id: int, day: date) -> int:
    """Bump the (service, day) counter in the caller's transaction: no duplicates, no gaps."""
    return int(
        session.connection().execute(_COUNTER_UPSERT, {"service_id": service_id, "day": day}).scalar_one()
    )


def waiting_candidates(
    s: Session, hall: Hall, day: date, window_id: int, service_ids: list[int], covering: Sequence[int] = ()
) -> list[Candidate]:
    """The waiting tickets `domain.choose_next.call_order` needs to pick this window's next one.

    Every ticket directed to the window (or a window it covers), every appointment ticket (a
    checked-in booking: at most the day's booked capacity), and the first undirected ones in the
    domain's own order — priority, queued time, the window's service order, id — so the
    domain's first choice is always among them (tests/integration/test_queue_sql_matches_domain.py).
    """
    base = _waiting(hall, day).where(Ticket.service_id.in_(service_ids))
    directed = s.execute(base.where(Ticket.directed_window_id.in_([window_id, *covering]))).all()
    order = {sid: i for i, sid in enumerate(service_ids)}
    rank = case(order, value=Ticket.service_id, else_=len(order))
    general = s.execute(
        base.where(Ticket.directed_window_id.is_(None))
        .order_by(Ticket.priority.desc(), Ticket.queued_at, rank, Ticket.id)
        .limit(_CANDIDATES)
    ).all()
    booked = s.execute(base.where(Ticket.directed_window_id.is_(None), Ticket.booking_id.is_not(None))).all()
    seen: set[int] = set()
    out = []
    for r in [*directed, *booked, *general]:
        if r[0] not in seen:
            seen.add(r[0])
            out.append(_candidate(r))
    return out


def _waiting(hall: Hall, day: date) -> Any:
    """The hall's waiting tickets of the day, in the columns a `Candidate` needs (with the
    appointment slot of a checked-in booking)."""
    return (
        select(
            Ticket.id,
            Service.code,
            Ticket.queued_at,
            Ticket.priority,
            Ticket.directed_window_id,
            Booking.starts_at,
        )
        .join(Service, Service.id == Ticket.service_id)
        .outerjoin(Booking, Booking.id == Ticket.booking_id)
        .where(Ticket.hall_id == hall.id, Ticket.business_day == day, Ticket.status == Status.WAITING.value)
    )


def _candidate(r: Any) -> Candidate:
    return Candidate(r[0], r[1], r[2], bool(r[3]), r[4], r[5])


def waiting_tickets(s: Session, hall: Hall, day: date) -> list[Candidate]:
    """Every waiting ticket of the hall's day as the call order sees it (with appointment slots)."""
    return [_candidate(r) for r in s.execute(_waiting(hall, day)).all()]


def services_of(s: Session, w: Window, covering: Sequence[int]) -> list[Service]:
    """The window's own services, then those of the windows it covers (in their order)."""
    out = [link.service for link in w.service_links if link.service.active]
    for cw in s.scalars(select(Window).where(Window.id.in_(covering)).order_by(Window.number)):
        out += [link.service for link in cw.service_links if link.service.active and link.service not in out]
    return out


def waiting_counts(session: Session, hall: Hall, day: date) -> dict[str, int]:
    rows = session.execute(
        select(Service.code, func.count(Ticket.id))
        .join(Ticket, Ticket.service_id == Service.id)
        .where(Ticket.hall_id == hall.id, Ticket.business_day == day, Ticket.status == Status.WAITING)
        .group_by(Service.code)
    ).all()
    counts = {s.code: 0 for s in hall.services}
    counts.update({code: int(n) for code, n in rows})
    return counts


_WAITING_COUNT = select(func.count()).where(
    Ticket.__table__.c.service_id == bindparam("service_id"),
    Ticket.__table__.c.business_day == bindparam("day"),
    Ticket.__table__.c.status == Status.WAITING.value,
)


def waiting_count(session: Session, service_id: int, day: date) -> int:
    return int(
        session.connection().execute(_WAITING_COUNT, {"service_id": service_id, "day": day}).scalar_one()
    )


def current_ticket(session: Session, window_id: int) -> Ticket | None:
    return session.scalar(
        select(Ticket)
        .where(Ticket.window_id == window_id, Ticket.status.in_([s.value for s in ACTIVE]))
        .order_by(Ticket.called_at.desc())
        .limit(1)
    )


def open_windows(s: Any, service_id: int) -> list[Window]:
    return list(
        s.scalars(
            select(Window)
            .join(WindowService, WindowService.window_id == Window.id)
            .where(WindowService.service_id == service_id, Window.status == "open")
            .order_by(Window.number)
        )
    )
