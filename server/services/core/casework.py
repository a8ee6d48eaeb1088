"""Cases (办件) in the services' core: a case's clock from its stored history, its due date
refreshed with the hall's calendar, opening the case of an accepted ticket (the ticket path and
the case use cases share it) and the case's views."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...domain import cases as rules
from ...domain.business_day import business_day
from ...domain.workdays import GREEN, CalendarMissing, Clock, Suspension, WorkCalendar, due_date, urgency
from ...storage.models import Case, CaseStep, Hall, Ticket, User
from .views import clerk_view
from .workcal import hall_calendar


def suspensions(s: Session, case: Case) -> tuple[Suspension, ...]:
    """The case's suspensions, from its `suspended` / `resumed` steps in order (the last one open
    while the case is suspended)."""
    steps = s.scalars(
        select(CaseStep)
        .where(CaseStep.case_id == case.id, CaseStep.kind.in_(("suspended", "resumed")))
        .order_by(CaseStep.id)
    ).all()
    out: list[Suspension] = []
    for step in steps:
        if step.kind == "suspended":
            out.append(Suspension(step.day))
        elif out and out[-1].end is None:
            out[-1] = Suspension(out[-1].start, step.day)
    return tuple(out)


def refresh_due(s: Session, case: Case, calendar: WorkCalendar) -> None:
    """Recompute `due_day` / `calendar_missing` (never a due date on a guess)."""
    if case.limit_days is None:
        case.due_day, case.calendar_missing = None, None
        return
    try:
        case.due_day = due_date(Clock(case.accepted_day, case.limit_days, suspensions(s, case)), calendar)
        case.calendar_missing = None
    except CalendarMissing as missing:
        case.due_day, case.calendar_missing = None, missing.year


# ---------------------------------------------------------------- opening a case, its views


def local_day(hall: Hall, now: datetime) -> date:
    """The hall's local calendar date (the law counts from it; the rollover hour does not apply)."""
    return business_day(now, hall.timezone, 0)


def _lock_hall(s: Session, hall: Hall) -> None:
    """Serialise case numbering per hall (PostgreSQL; SQLite writers are serial already)."""
    s.execute(select(Hall.id).where(Hall.id == hall.id).with_for_update())


def open_case(
    s: Session,
    hall: Hall,
    ticket: Ticket,
    by_user_id: int | None,
    now: datetime,
    reason: str | None = None,
    materials: list[dict[str, Any]] | None = None,
) -> Case:
    """Open the case of an accepted ticket in the caller's transaction: its number (per hall and
    day, under the hall's lock), code, owner (the ticket's first-contact clerk, else whoever
    accepted it), time limit (promised, else legal) and due date from the hall's calendar."""
    service = ticket.service
    guide = service.guide
    day = local_day(hall, now)
    _lock_hall(s, hall)
    today = (
        s.scalar(select(func.count(Case.id)).where(Case.hall_id == hall.id, Case.accepted_day == day)) or 0
    )
    owner_id = ticket.owner_id if ticket.owner_id is not None else by_user_id
    case = Case(
        code=rules.new_case_code(),
        number=rules.case_number(day, service.prefix, int(today) + 1),
        hall_id=hall.id,
        service_id=service.id,
        ticket_id=ticket.id,
        window_id=ticket.window_id,
        owner_id=owner_id,
        status=rules.CaseStatus.ACCEPTED.value,
        accepted_at=now,
        accepted_day=day,
        limit_days=rules.case_limit(guide),
        legal_limit_days=rules.legal_limit(guide),
        warn_days=rules.warn_days(guide),
        reason=reason,
        materials=materials,
        citizen_key=ticket.citizen_key,
    )
    case.service = service
    s.add(case)
    s.flush()
    s.add(
        CaseStep(
            case_id=case.id,
            kind="accepted",
            at=now,
            day=day,
            by_user_id=by_user_id,
            owner_id=owner_id,
            reason=reason,
            data={"ticket": ticket.number},
        )
    )
    s.flush()
    refresh_due(s, case, hall_calendar(s, hall))
    return case


def case_urgency(case: Case, today: date, calendar: WorkCalendar) -> str:
    """Green, yellow or red today (a delivered case is done: green)."""
    if case.status == rules.CaseStatus.DELIVERED.value:
        return GREEN
    if case.status == rules.CaseStatus.COMPLETED.value and case.completed_at is not None:
        return GREEN
    try:
        return urgency(today, case.due_day, case.warn_days, calendar)
    except CalendarMissing:
        return GREEN


def _person(s: Session, user_id: int | None) -> dict[str, Any] | None:
    u = s.get(User, user_id) if user_id is not None else None
    return clerk_view(u)


def case_view(s: Session, case: Case, hall: Hall, today: date, calendar: WorkCalendar) -> dict[str, Any]:
    """A case as staff see it (never the ticket's id: that opens the citizen's phone page)."""
    ticket = s.get(Ticket, case.ticket_id) if case.ticket_id is not None else None
    supervision = None
    if case.supervised_at is not None:
        supervision = {
            "at": case.supervised_at.isoformat(),
            "by": _person(s, case.supervised_by_id),
            "note": case.supervision_note,
            "reply_by": case.supervision_due.isoformat() if case.supervision_due else None,
            "answer": case.supervision_answer,
            "answered_at": case.supervision_answered_at.isoformat() if case.supervision_answered_at else None,
        }
    return {
        "code": case.code,
        "number": case.number,
        "hall": hall.code,
        "service": case.service.code,
        "service_name": case.service.name,
        "status": case.status,
        "owner": _person(s, case.owner_id),
        "ticket": ticket.number if ticket is not None else None,
        "accepted_at": case.accepted_at.isoformat(),
        "accepted_day": case.accepted_day.isoformat(),
        "limit_days": case.limit_days,
        "legal_limit_days": case.legal_limit_days,
        "warn_days": case.warn_days,
        "due": case.due_day.isoformat() if case.due_day else None,
        "calendar_missing": case.calendar_missing,
        "urgency": case_urgency(case, today, calendar),
        "reason": case.reason,
        "materials": case.materials or [],
        "completed_at": case.completed_at.isoformat() if case.completed_at else None,
        "delivered_at": case.delivered_at.isoformat() if case.delivered_at else None,
        "delivery_method": case.delivery_method,
        "delivery_note": case.delivery_note,
        "supervision": supervision,
    }


def case_steps(s: Session, case: Case) -> list[dict[str, Any]]:
    """The case's history chain, in order."""
    steps = s.scalars(select(CaseStep).where(CaseStep.case_id == case.id).order_by(CaseStep.id)).all()
    return [
        {
            "kind": st.kind,
            "at": st.at.isoformat(),
            "day": st.day.isoformat(),
            "by": _person(s, st.by_user_id),
            "owner": _person(s, st.owner_id),
            "reason": st.reason,
            "data": st.data or {},
        }
        for st in steps
    ]
