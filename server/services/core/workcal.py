"""The working-day calendar of a hall: chinese-calendar for the years it covers, laid under the
years imported for every hall, laid under the hall's own (domain.workdays decides the rest)."""

from __future__ import annotations

from datetime import date

import chinese_calendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...domain.workdays import WorkCalendar
from ...storage.models import CalendarDay, CalendarYear, Hall


def base_calendar() -> WorkCalendar:
    """What the chinese-calendar package knows: every year it covers, never a guess beyond."""
    years = {d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays}
    covered = set()
    for y in years:
        try:
            chinese_calendar.is_workday(date(y, 6, 30))
        except NotImplementedError:
            continue
        covered.add(y)
    return WorkCalendar(
        years=frozenset(covered),
        holidays=frozenset(d for d in chinese_calendar.holidays if d.year in covered),
        makeup_workdays=frozenset(d for d in chinese_calendar.workdays if d.year in covered),
    )


_BASE = base_calendar()


def imported_calendar(s: Session, hall_id: int | None) -> WorkCalendar:
    """The years imported for every hall (hall_id None) or for one hall."""
    rows = s.scalars(
        select(CalendarYear).where(
            CalendarYear.hall_id.is_(hall_id) if hall_id is None else CalendarYear.hall_id == hall_id
        )
    ).all()
    if not rows:
        return WorkCalendar()
    days = s.scalars(select(CalendarDay).where(CalendarDay.year_id.in_([r.id for r in rows]))).all()
    return WorkCalendar(
        years=frozenset(r.year for r in rows),
        holidays=frozenset(d.day for d in days if d.kind == "holiday"),
        makeup_workdays=frozenset(d.day for d in days if d.kind == "workday"),
    )


def hall_calendar(s: Session, hall: Hall) -> WorkCalendar:
    """The calendar a hall's due dates are counted with."""
    return _BASE.merged(imported_calendar(s, None)).merged(imported_calendar(s, hall.id))


def base() -> WorkCalendar:
    """The chinese-calendar layer alone (what a year shows when nobody imported it)."""
    return _BASE
