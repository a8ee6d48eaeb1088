"""Follow-ups (差评/投诉) in the services' core: opening one in the caller's transaction (a bad
rating opens one in the rating's own transaction, a citizen or a manager files one), its due date
on the hall's calendar, the evidence a verifier is shown, and its views (staff, citizen)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...domain import complaints as rules
from ...domain.workdays import (
    GREEN,
    CalendarMissing,
    Clock,
    WorkCalendar,
    due_date,
    urgency,
    working_days_between,
)
from ...storage.archive import merged, scalars_both
from ...storage.models import Complaint, Hall, Notice, Rating, Service, Ticket, Transfer, User, Window
from .casework import local_day
from .events import record
from .principal import Principal
from .views import clerk_view, window_ref


def _lock_hall(s: Session, hall: Hall) -> None:
    """Serialise numbering per hall (PostgreSQL; SQLite writers are serial already)."""
    s.execute(select(Hall.id).where(Hall.id == hall.id).with_for_update())


def open_complaint(
    s: Session,
    hall: Hall,
    now: datetime,
    filing: rules.Filing,
    calendar: WorkCalendar,
    ticket: Ticket | None = None,
    rating: Rating | None = None,
    entered_by_id: int | None = None,
) -> Complaint:
    """Open a follow-up in the caller's transaction: its number (per hall and day), code, the
    clerk/window/service concerned from the ticket, and its due date (LIMIT_DAYS working days;
    none, with `calendar_missing`, when the calendar lacks a year)."""
    day = local_day(hall, now)
    _lock_hall(s, hall)
    n = s.scalar(
        select(func.count(Complaint.id)).where(Complaint.hall_id == hall.id, Complaint.filed_day == day)
    )
    try:
        due: date | None = due_date(Clock(day, rules.LIMIT_DAYS), calendar)
        missing = None
    except CalendarMissing as err:
        due, missing = None, err.year
    c = Complaint(
        code=rules.new_code(),
        number=rules.complaint_number(day, int(n or 0) + 1),
        hall_id=hall.id,
        source=filing.source,
        category=filing.category,
        ticket_id=ticket.id if ticket else None,
        rating_id=rating.id if rating else None,
        clerk_id=ticket.served_by_id if ticket else None,
        window_id=ticket.window_id if ticket else None,
        service_id=ticket.service_id if ticket else None,
        text=filing.text,
        contact=filing.contact,
        entered_by_id=entered_by_id,
        filed_at=now,
        filed_day=day,
        due_day=due,
        calendar_missing=missing,
        status=rules.Status.OPEN.value,
    )
    s.add(c)
    s.flush()
    return c


def complaint_urgency(c: Complaint, today: date, calendar: WorkCalendar) -> str:
    """Green, yellow from WARN_DAYS working days left, red from the day after the due date; an
    answered follow-up is done (green)."""
    if c.status == rules.Status.ANSWERED:
        return GREEN
    try:
        return urgency(today, c.due_day, rules.WARN_DAYS, calendar)
    except CalendarMissing:
        return GREEN


def _days_left(c: Complaint, today: date, calendar: WorkCalendar) -> int | None:
    if c.due_day is None or c.status == rules.Status.ANSWERED or today > c.due_day:
        return None
    try:
        return working_days_between(today, c.due_day, calendar)
    except CalendarMissing:
        return None


def event_data(c: Complaint, today: date, calendar: WorkCalendar) -> dict[str, Any]:
    """What a `complaint.*` event carries: never the citizen's text or contact. An integrity (廉政)
    follow-up is marked `restricted`: no audience receives its data (domain/disclosure.py)."""
    data: dict[str, Any] = {
        "complaint": {
            "number": c.number,
            "category": c.category,
            "source": c.source,
            "status": c.status,
            "verdict": c.verdict,
            "due_day": c.due_day.isoformat() if c.due_day else None,
            "urgency": complaint_urgency(c, today, calendar),
        }
    }
    if c.category == rules.INTEGRITY:
        data["restricted"] = rules.SUPERVISOR
    return data


def record_event(
    s: Session,
    hall: Hall,
    type_: str,
    c: Complaint,
    now: datetime,
    actor: Principal | None,
    calendar: WorkCalendar,
) -> dict[str, Any] | None:
    """Record a `complaint.*` event (the audit log); the envelope to publish, None for an integrity
    follow-up (never pushed to any room)."""
    env = record(
        s,
        hall,
        type_,
        event_data(c, local_day(hall, now), calendar),
        now,
        actor,
        window_id=c.window_id,
        ticket_id=c.ticket_id,
    )
    return None if c.category == rules.INTEGRITY else dict(env)


def evidence_of(s: Session, c: Complaint) -> dict[str, list[dict[str, Any]]]:
    """What the verifier is shown: the ticket's history events, transfers and notices, and the
    audit rows of its window on its day (sign-ins, pauses, posts) — each with the id to cite."""
    out: dict[str, list[dict[str, Any]]] = {"events": [], "transfers": [], "notices": [], "audit": []}
    if c.ticket_id is None:
        return out
    ticket = s.get(Ticket, c.ticket_id)
    assert ticket is not None
    users = {u.id: u for u in s.scalars(select(User).where(User.hall_id == c.hall_id))}

    def who(uid: int | None) -> dict[str, Any] | None:
        return clerk_view(users.get(uid)) if uid is not None else None

    # the ticket may be of an archived day: its events are read from both tables
    for e in merged(
        scalars_both(s, lambda E: select(E).where(E.ticket_id == ticket.id)), key=lambda e: e.seq
    ):
        if e.type.startswith("complaint."):
            continue
        out["events"].append({"id": e.id, "type": e.type, "at": e.at.isoformat(), "by": who(e.actor_user_id)})
    for t in s.scalars(select(Transfer).where(Transfer.ticket_id == ticket.id).order_by(Transfer.id)):
        out["transfers"].append(
            {"id": t.id, "at": t.at.isoformat(), "reason": t.reason, "by": who(t.by_user_id)}
        )
    for n in s.scalars(select(Notice).where(Notice.ticket_id == ticket.id).order_by(Notice.id)):
        out["notices"].append(
            {
                "id": n.id,
                "at": n.created_at.isoformat(),
                "code": n.code,
                "note": n.note,
                "by": who(n.by_user_id),
            }
        )
    if ticket.window_id is not None:
        start = ticket.queued_at
        end = ticket.finished_at or ticket.queued_at
        window_id = ticket.window_id
        rows = merged(
            scalars_both(
                s,
                lambda E: (
                    select(E)
                    .where(
                        E.hall_id == c.hall_id,
                        E.window_id == window_id,
                        E.ticket_id.is_(None),
                        E.at >= start,
                        E.at <= end,
                    )
                    .order_by(E.seq)
                    .limit(200)
                ),
            ),
            key=lambda e: e.seq,
        )[:200]
        for e in rows:
            out["audit"].append(
                {"id": e.id, "type": e.type, "at": e.at.isoformat(), "by": who(e.actor_user_id)}
            )
    return out


def evidence_ids(evidence: dict[str, list[dict[str, Any]]]) -> dict[str, set[int]]:
    """The ids a verifier may cite, by kind."""
    return {kind: {int(row["id"]) for row in rows} for kind, rows in evidence.items()}


def complaint_view(
    s: Session, c: Complaint, hall: Hall, today: date, calendar: WorkCalendar
) -> dict[str, Any]:
    """A follow-up as its handlers see it (managers, admins; supervisors)."""
    ticket = s.get(Ticket, c.ticket_id) if c.ticket_id else None
    service = s.get(Service, c.service_id) if c.service_id else None
    rating = s.get(Rating, c.rating_id) if c.rating_id else None
    return {
        "code": c.code,
        "number": c.number,
        "hall": hall.code,
        "source": c.source,
        "category": c.category,
        "category_name": rules.CATEGORY_NAMES_ZH[c.category],
        "status": c.status,
        "verdict": c.verdict,
        "text": c.text,
        "contact": c.contact,
        "ticket": {"id": ticket.public_id, "number": ticket.number} if ticket else None,
        "rating": {"level": rating.level, "reasons": list(rating.reasons or [])} if rating else None,
        "clerk": clerk_view(s.get(User, c.clerk_id)) if c.clerk_id else None,
        "window": window_ref(s.get(Window, c.window_id)) if c.window_id else None,
        "service": service.code if service else None,
        "service_name": service.name if service else None,
        "entered_by": clerk_view(s.get(User, c.entered_by_id)) if c.entered_by_id else None,
        "filed_at": c.filed_at.isoformat(),
        "filed_day": c.filed_day.isoformat(),
        "due_day": c.due_day.isoformat() if c.due_day else None,
        "calendar_missing": c.calendar_missing,
        "urgency": complaint_urgency(c, today, calendar),
        "working_days_left": _days_left(c, today, calendar),
        "evidence": c.evidence,
        "verified_by": clerk_view(s.get(User, c.verified_by_id)) if c.verified_by_id else None,
        "verified_at": c.verified_at.isoformat() if c.verified_at else None,
        "corrective_action": c.corrective_action,
        "answer": c.answer,
        "answered_by": clerk_view(s.get(User, c.answered_by_id)) if c.answered_by_id else None,
        "answered_at": c.answered_at.isoformat() if c.answered_at else None,
        "answered_day": c.answered_day.isoformat() if c.answered_day else None,
    }


def citizen_view(c: Complaint, hall: Hall) -> dict[str, Any]:
    """The citizen's page (the code is their capability): the number, category, status, deadline
    and the answer — never a clerk's name, the verification's notes or the corrective action."""
    return {
        "code": c.code,
        "number": c.number,
        "hall": hall.code,
        "hall_name": hall.name,
        "category": c.category,
        "status": c.status,
        "filed_day": c.filed_day.isoformat(),
        "due_day": c.due_day.isoformat() if c.due_day else None,
        "answer": c.answer if c.status == rules.Status.ANSWERED else None,
        "answered_day": c.answered_day.isoformat() if c.answered_day else None,
    }
