"""Late cases in the services' core: the stored case histories and who was on post (attendance,
leave, A/B posts) as domain.overdue reads them. The overdue report and the accountability
records (appraisal) both build on them, so a late day is attributed one way everywhere."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...domain.overdue import CaseHistory, Presence, Step
from ...storage.models import Attendance, Case, CaseStep, Hall, Leave, Service, Window
from .casework import local_day


def case_histories(
    s: Session, hall_id: int, end: date, case_ids: list[int] | None = None
) -> list[CaseHistory]:
    """The stored history of the hall's cases due before `end` (or of `case_ids` only), as
    domain.overdue reads it."""
    q = select(Case).where(Case.hall_id == hall_id, Case.due_day.is_not(None), Case.due_day < end)
    if case_ids is not None:
        q = q.where(Case.id.in_(case_ids))
    cases = s.scalars(q).all()
    if not cases:
        return []
    services = {sv.id: sv.code for sv in s.scalars(select(Service).where(Service.hall_id == hall_id))}
    windows = {w.id: w.number for w in s.scalars(select(Window).where(Window.hall_id == hall_id))}
    steps: dict[int, list[CaseStep]] = {}
    for st in s.scalars(
        select(CaseStep).where(CaseStep.case_id.in_([c.id for c in cases])).order_by(CaseStep.id)
    ):
        steps.setdefault(st.case_id, []).append(st)
    out = []
    for c in cases:
        mine = steps.get(c.id, [])
        completed = next((st.day for st in mine if st.kind == "completed"), None)
        out.append(
            CaseHistory(
                case=c.number,
                service=services.get(c.service_id, "?"),
                window=windows.get(c.window_id) if c.window_id else None,
                due=c.due_day,
                completed=completed,
                steps=tuple(Step(st.day, st.owner_id) for st in mine if st.owner_id is not None),
            )
        )
    return out


#: attendance kinds that put a clerk on post that day
_ON_POST = ("sign_in", "resume")


def presence(s: Session, hall: Hall, first: date, last: date) -> Presence:
    """Who was signed in on which hall-local days of [first, last], who was on leave, and each
    window's A post → B post (the posts as they stand: the log keeps no history of them)."""
    signed_in: set[tuple[int, date]] = set()
    # a day either side: a UTC timestamp's local day may fall one day off
    since = datetime.combine(first - timedelta(days=1), time(), tzinfo=UTC)
    until = datetime.combine(last + timedelta(days=2), time(), tzinfo=UTC)
    for user_id, at in s.execute(
        select(Attendance.user_id, Attendance.at).where(
            Attendance.hall_id == hall.id,
            Attendance.kind.in_(_ON_POST),
            Attendance.at >= since,
            Attendance.at < until,
        )
    ):
        signed_in.add((user_id, local_day(hall, at)))
    on_leave: set[tuple[int, date]] = set()
    for lv in s.scalars(
        select(Leave).where(
            Leave.hall_id == hall.id,
            Leave.cancelled_at.is_(None),
            Leave.start_day <= last,
            Leave.end_day >= first,
        )
    ):
        day = max(lv.start_day, first)
        while day <= min(lv.end_day, last):
            on_leave.add((lv.user_id, day))
            day += timedelta(days=1)
    b_post = {
        w.a_user_id: w.b_user_id
        for w in s.scalars(select(Window).where(Window.hall_id == hall.id))
        if w.a_user_id is not None and w.b_user_id is not None
    }
    return Presence(frozenset(signed_in), frozenset(on_leave), b_post)
