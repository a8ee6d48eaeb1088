"""A case's clock from its stored history, and its due date refreshed with the hall's calendar."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...domain.workdays import CalendarMissing, Clock, Suspension, WorkCalendar, due_date
from ...storage.models import Case, CaseStep


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
