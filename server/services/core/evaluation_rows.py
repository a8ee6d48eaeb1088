"""The stored rows the evaluation figures are computed from, as domain.evaluation's plain data.

Both the evaluation dashboard (services/evaluation.py) and the first-contact figures
(services/figures.py) load through here and compute with domain/evaluation.py, so the two never
count differently.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ... import event_names as names
from ...domain import evaluation as ev
from ...domain.business_day import business_day
from ...storage.models import Case, Complaint, Event, Hall, Notice, Rating, Service, Ticket

#: ticket events → the kinds visits are built from
KINDS = {
    names.TICKET_ISSUED: ev.ISSUED,
    names.TICKET_CALLED: ev.CALLED,
    names.TICKET_RECALLED: ev.RECALLED,
    names.TICKET_STARTED: ev.STARTED,
    names.TICKET_DONE: ev.DONE,
    names.TICKET_NO_SHOW: ev.NO_SHOW,
    names.TICKET_CANCELLED: ev.CANCELLED,
    names.TICKET_REACTIVATED: ev.REACTIVATED,
    # a no-show taken back within seconds: the visit goes on, like a reactivation
    names.TICKET_NO_SHOW_UNDONE: ev.REACTIVATED,
    names.TICKET_TRANSFERRED: ev.TRANSFERRED,
}


def _service_of(data: dict[str, Any]) -> str | None:
    ticket = data.get("ticket")
    return ticket.get("service") if isinstance(ticket, dict) else None


def _utc_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """A UTC span surely covering the hall's days [start, end] (the domain filters by day)."""
    return (
        datetime.combine(start - timedelta(days=2), time(), tzinfo=UTC),
        datetime.combine(end + timedelta(days=2), time(), tzinfo=UTC),
    )


def _local(hall: Hall, at: datetime | None) -> date | None:
    return None if at is None else business_day(at, hall.timezone, 0)


def load_rows(s: Session, hall: Hall, start: date, end: date, with_events: bool = True) -> ev.Rows:
    """Every row of the hall the figures of [start, end] may count."""
    codes = {sv.id: sv.code for sv in s.scalars(select(Service).where(Service.hall_id == hall.id))}
    lo, hi = _utc_bounds(start, end)
    events: list[ev.TicketEvent] = []
    if with_events:
        q = (
            select(Event, Ticket.business_day)
            .join(Ticket, Ticket.id == Event.ticket_id)
            .where(
                Event.hall_id == hall.id,
                Ticket.business_day >= start,
                Ticket.business_day <= end,
                Event.type.in_(list(KINDS)),
            )
            .order_by(Event.seq)
        )
        for e, day in s.execute(q):
            assert e.ticket_id is not None
            to = e.data.get("to") if e.type == names.TICKET_TRANSFERRED else None
            events.append(
                ev.TicketEvent(
                    ticket=e.ticket_id,
                    seq=e.seq,
                    kind=KINDS[e.type],
                    at=e.at,
                    day=day,
                    service=_service_of(e.data),
                    window=e.window_id,
                    clerk=e.actor_user_id if e.actor_role == "clerk" else None,
                    to_service=to.get("service") if isinstance(to, dict) else None,
                )
            )
    ratings = [
        ev.RatingRow(
            ticket=r.ticket_id,
            level=r.level,
            day=r.day,
            service=codes.get(r.service_id) if r.service_id else None,
            window=r.window_id,
            clerk=r.clerk_id,
        )
        for r in s.scalars(
            select(Rating).where(Rating.hall_id == hall.id, Rating.day >= start, Rating.day <= end)
        )
    ]
    follow_ups = [
        ev.FollowUpRow(
            source=c.source,
            category=c.category,
            filed_day=c.filed_day,
            due_day=c.due_day,
            answered_day=c.answered_day or _local(hall, c.answered_at),
            verdict=c.verdict,
            service=codes.get(c.service_id) if c.service_id else None,
            window=c.window_id,
            clerk=c.clerk_id,
        )
        for c in s.scalars(
            select(Complaint).where(
                Complaint.hall_id == hall.id, Complaint.filed_day >= start, Complaint.filed_day <= end
            )
        )
    ]
    cases = [
        ev.CaseRow(
            accepted_day=c.accepted_day,
            due_day=c.due_day,
            completed_day=_local(hall, c.completed_at),
            service=codes.get(c.service_id),
            window=c.window_id,
            clerk=c.owner_id,
        )
        for c in s.scalars(
            select(Case).where(Case.hall_id == hall.id, Case.accepted_day >= start, Case.accepted_day <= end)
        )
    ]
    notices = [
        ev.NoticeRow(
            day=business_day(n.created_at, hall.timezone, hall.rollover_hour),
            service=codes.get(n.service_id),
            window=n.window_id,
            clerk=n.by_user_id,
        )
        for n in s.scalars(
            select(Notice).where(Notice.hall_id == hall.id, Notice.created_at >= lo, Notice.created_at < hi)
        )
    ]
    trips = []
    for e in s.scalars(
        select(Event).where(
            Event.hall_id == hall.id, Event.type == names.TRIP_REPEATED, Event.at >= lo, Event.at < hi
        )
    ):
        ticket = e.data.get("ticket") or {}
        day = ticket.get("business_day")
        trips.append(
            ev.TripRow(
                day=date.fromisoformat(day) if day else business_day(e.at, hall.timezone, hall.rollover_hour),
                service=e.data.get("service"),
            )
        )
    return ev.Rows(
        events=events, ratings=ratings, follow_ups=follow_ups, cases=cases, notices=notices, trips=trips
    )
