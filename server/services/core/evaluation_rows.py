"""The stored rows the evaluation figures are computed from, as domain.evaluation's plain data.

Both the evaluation dashboard (services/evaluation.py) and the first-contact figures
(services/figures.py) load through here and compute with domain/evaluation.py, so the two never
count differently.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from operator import itemgetter
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ... import event_names as names
from ...domain import evaluation as ev
from ...domain.business_day import business_day
from ...storage.archive import execute_both, merged, scalars_both
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


#: how long after its day a ticket's visit may still end (a ticket left serving over a holiday)
LATE_VISIT = timedelta(days=14)


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

        def ticket_events(E: type[Event]) -> Select[Any]:
            # plain columns, not Event objects, and only the two strings the visits need from
            # the payload (read by the database: a month is ~200,000 events, and building the
            # ORM objects and parsing every payload in Python took most of the evaluation's time)
            return (
                select(
                    E.ticket_id,
                    E.seq,
                    E.type,
                    E.at,
                    E.window_id,
                    E.actor_user_id,
                    E.actor_role,
                    E.data[("ticket", "service")].as_string().label("service"),
                    E.data[("to", "service")].as_string().label("to_service"),
                    Ticket.business_day,
                )
                .join(Ticket, Ticket.id == E.ticket_id)
                .where(
                    E.hall_id == hall.id,
                    # (the ticket is the event's hall's: said again so the hall's tickets of the
                    # month come from the (hall_id, business_day) index, not a scan of every hall)
                    Ticket.hall_id == hall.id,
                    Ticket.business_day >= start,
                    Ticket.business_day <= end,
                    # a visit happens on its ticket's day (one left serving overnight ends a few
                    # days later at most): the span lets the (hall_id, at) index find the
                    # month in the hot log and in the archive
                    E.at >= lo,
                    E.at < hi + LATE_VISIT,
                    E.type.in_(list(KINDS)),
                )
                .order_by(E.seq)
            )

        # a month may lie in the archive (hallq archive), partly or wholly: read both, in seq order
        transferred = names.TICKET_TRANSFERRED
        TicketEvent = ev.TicketEvent
        for ticket, seq, type_, at, window, actor, role, service, to, day in merged(
            execute_both(s, ticket_events), key=itemgetter(1)
        ):
            assert ticket is not None
            events.append(
                TicketEvent(
                    ticket=ticket,
                    seq=seq,
                    kind=KINDS[type_],
                    at=at,
                    day=day,
                    service=service,
                    window=window,
                    clerk=actor if role == "clerk" else None,
                    to_service=to if type_ == transferred else None,
                )
            )
    ratings = [
        ev.RatingRow(
            ticket=ticket,
            level=level,
            day=day,
            service=codes.get(service_id) if service_id else None,
            window=window,
            clerk=clerk,
        )
        # plain columns: a busy hall gives ~25,000 ratings a month
        for ticket, level, day, service_id, window, clerk in s.execute(
            select(
                Rating.ticket_id,
                Rating.level,
                Rating.day,
                Rating.service_id,
                Rating.window_id,
                Rating.clerk_id,
            ).where(Rating.hall_id == hall.id, Rating.day >= start, Rating.day <= end)
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
    for e in scalars_both(
        s,
        lambda E: select(E).where(E.hall_id == hall.id, E.type == names.TRIP_REPEATED, E.at >= lo, E.at < hi),
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
