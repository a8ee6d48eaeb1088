"""Ratings (好差评, 一次一评): the pad of the window or the ticket's holder rates a completed ticket
once; a rating of level 1 or 2 opens a follow-up in the same transaction. Events
`rating.recorded` (and `complaint.filed`) are staff only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import event_names as names
from ..domain import complaints as complaint_rules
from ..domain import ratings as rules
from ..domain.disclosure import ticket_ref
from ..storage.models import Hall, Rating, Ticket
from .core.casework import local_day
from .core.context import Context
from .core.errors import not_found
from .core.events import record
from .core.followups import open_complaint, record_event
from .core.principal import Forbidden, Principal, require_hall
from .core.workcal import hall_calendar


def _source_of(actor: Principal) -> str:
    """The pad of a window, or the ticket's holder (anonymous: the ticket's id is their
    capability); staff and other devices do not rate."""
    if actor.role == "pad":
        return rules.PAD
    if actor.is_anonymous:
        return rules.PHONE
    raise Forbidden(
        "forbidden",
        "只有评价器或办事群众本人可以评价",
        "only a rating pad or the ticket's holder rates a ticket",
    )


def _find_ticket(s: Session, actor: Principal, ticket_id: str, now: datetime, lock: bool) -> Ticket:
    """The ticket by its id; a pad may name it by the `ref` its `ticket.done` event carried (it
    never receives the id that opens the phone page): among its window's recent completions."""
    q = select(Ticket).where(Ticket.public_id == ticket_id)
    ticket = s.scalar(q.with_for_update(key_share=True) if lock else q)  # see core/rows.py
    if ticket is None and actor.role == "pad" and actor.window_id is not None:
        since = now - rules.PHONE_WINDOW
        candidates = s.scalars(
            select(Ticket).where(
                Ticket.window_id == actor.window_id, Ticket.status == "done", Ticket.finished_at >= since
            )
        ).all()
        match = next((t for t in candidates if ticket_ref(t.public_id) == ticket_id), None)
        if match is not None:
            q = select(Ticket).where(Ticket.id == match.id)
            ticket = s.scalar(q.with_for_update(key_share=True) if lock else q)
    if ticket is None:
        raise not_found("号码", "ticket")
    if actor.hall_id is not None:
        require_hall(actor, ticket.hall_id)
    return ticket


def _rated(s: Session, ticket: Ticket) -> Rating | None:
    return s.scalar(select(Rating).where(Rating.ticket_id == ticket.id))


def _state(ticket: Ticket, rated: bool) -> rules.RatedTicket:
    return rules.RatedTicket(ticket.status, ticket.window_id, ticket.finished_at, rated)


def rating_view(r: Rating, ticket: Ticket) -> dict[str, Any]:
    return {
        "ticket": ticket.public_id,
        "number": ticket.number,
        "level": r.level,
        "level_name": rules.LEVEL_NAMES_ZH[r.level],
        "reasons": list(r.reasons or []),
        "comment": r.comment,
        "source": r.source,
        "at": r.at.isoformat(),
        "day": r.day.isoformat(),
    }


def rate_ticket(ctx: Context, actor: Principal, ticket_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Rate a completed ticket once: `level` 1–5 (5 = 非常满意), `reasons` (levels 1 and 2, from
    domain.ratings.REASONS) and `comment`. By the pad of the ticket's window, or by its holder
    within 24 hours of completion. A second rating, or a ticket not completed: 409. Levels 1 and
    2 open a follow-up (source `rating`) in the same transaction."""
    source = _source_of(actor)
    checked = rules.check_rating(body.get("level"), body.get("reasons"), body.get("comment"))
    now = ctx.clock()
    events: list[Any] = []
    try:
        with ctx.db.transaction() as s:
            ticket = _find_ticket(s, actor, ticket_id, now, lock=True)
            try:
                rules.may_rate(_state(ticket, _rated(s, ticket) is not None), source, actor.window_id, now)
            except rules.RatingRefused as err:
                if err.code == "forbidden":
                    raise Forbidden(err.code, err.message_zh, err.message_en) from err
                raise
            hall = s.get(Hall, ticket.hall_id)
            assert hall is not None
            rating = Rating(
                hall_id=hall.id,
                ticket_id=ticket.id,
                window_id=ticket.window_id,
                service_id=ticket.service_id,
                clerk_id=ticket.served_by_id,
                level=checked.level,
                reasons=list(checked.reasons) or None,
                comment=checked.comment,
                source=source,
                at=now,
                day=local_day(hall, now),
            )
            s.add(rating)
            s.flush()
            view = rating_view(rating, ticket)
            events.append(
                record(
                    s,
                    hall,
                    names.RATING_RECORDED,
                    {
                        "rating": {
                            "ticket": ticket.number,
                            "number": ticket.number,
                            "window": ticket.window_id,
                            "level": checked.level,
                            "reasons": list(checked.reasons),
                            "source": source,
                            "at": now.isoformat(),
                        }
                    },
                    now,
                    actor if actor.role == "pad" else None,
                    window_id=ticket.window_id,
                    ticket_id=ticket.id,
                )
            )
            if checked.is_low:
                calendar = hall_calendar(s, hall)
                filing = complaint_rules.Filing(
                    complaint_rules.RATING,
                    rules.follow_up_category(checked.reasons),
                    rules.describe(checked),
                    None,
                )
                complaint = open_complaint(s, hall, now, filing, calendar, ticket=ticket, rating=rating)
                env = record_event(s, hall, names.COMPLAINT_FILED, complaint, now, None, calendar)
                if env is not None:
                    events.append(env)
                view["follow_up"] = complaint.number
    except IntegrityError:  # a rating of the same ticket committed meanwhile (一次一评)
        raise rules.RatingRefused(
            "already_rated", "该业务已评价（一次一评）", "this ticket has been rated already"
        ) from None
    ctx.publish(events)
    return view


def rating_offer(ctx: Context, ticket_id: str) -> dict[str, Any]:
    """What the holder's phone page shows: whether the ticket is rated, and whether (and until
    when) it may still be rated there."""
    now = ctx.clock()
    with ctx.db.read() as s:
        ticket = s.scalar(select(Ticket).where(Ticket.public_id == ticket_id))
        if ticket is None:
            raise not_found("号码", "ticket")
        rated = _rated(s, ticket)
        state = _state(ticket, rated is not None)
        until = ticket.finished_at + rules.PHONE_WINDOW if ticket.finished_at else None
        return {
            "rated": rated is not None,
            "level": rated.level if rated is not None else None,
            "may_rate": rules.phone_may_still_rate(state, now),
            "until": until.isoformat() if until and ticket.status == "done" else None,
        }
