"""The working-day calendar (工作日历): show a year, import the State Council's schedule, warn in
time.

A hall counts due dates with chinese-calendar for the years it covers, under the years imported
for every hall, under the hall's own (services/core/workcal.py). An admin imports a year for
every hall or for one hall; a manager only for their own hall. An import replaces that year of
that scope and, in the same transaction, recomputes the due date of every case of the affected
halls that is not delivered (a case waiting for the year gets its date the moment it arrives),
and leaves a `calendar.imported` event in each affected hall's log (staff only).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import chinese_calendar
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from .. import event_names as names
from ..domain.calendar_import import (
    YearSchedule,
    check_year,
    import_deadline,
    parse_schedule,
    year_of_document,
)
from ..domain.workdays import uncovered_years
from ..storage.models import CalendarDay, CalendarYear, Case, Hall, User
from .core.casework import refresh_due
from .core.context import Context, Envelope
from .core.errors import bad_field
from .core.events import record
from .core.principal import Forbidden, Principal, require_hall, require_role
from .core.rows import hall_day, load_hall
from .core.workcal import base, hall_calendar

STAFF = ("admin", "manager", "clerk")
EDITORS = ("admin", "manager")
#: the console warns this many days ahead of a date in a year nobody has imported
HORIZON_DAYS = 60
#: the operator at the server's shell (`hallq calendar import`): whoever holds the database
OPERATOR = Principal(role="admin", username="cli", via="cli")

CHINESE_CALENDAR, ALL_HALLS, HALL = "chinese_calendar", "all_halls", "hall"
_ZH_NAMES = {h.value: h.chinese for h in chinese_calendar.Holiday}


def _hall_arg(value: object) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 32:
        raise bad_field("hall", "大厅代码必须是文字", "hall must be a hall code")
    return value


def _scope_hall(s: Session, actor: Principal, hall: str | None) -> Hall | None:
    """The hall a request is about; a caller bound to a hall is about their own by default."""
    if hall is None and actor.hall_id is not None:
        h = s.get(Hall, actor.hall_id)
        assert h is not None
        return h
    if hall is None:
        return None
    h = load_hall(s, hall)
    require_hall(actor, h.id)
    return h


def _year_row(s: Session, hall_id: int | None, year: int) -> CalendarYear | None:
    return s.scalar(
        select(CalendarYear).where(
            CalendarYear.hall_id.is_(None) if hall_id is None else CalendarYear.hall_id == hall_id,
            CalendarYear.year == year,
        )
    )


def _layer_view(s: Session, row: CalendarYear, scope: str) -> dict[str, Any]:
    days = s.scalars(select(CalendarDay).where(CalendarDay.year_id == row.id).order_by(CalendarDay.day)).all()
    by = s.get(User, row.imported_by_id) if row.imported_by_id is not None else None
    return {
        "source": scope,
        "document": row.source,
        "imported_at": row.imported_at.isoformat(),
        "imported_by": by.username if by is not None else None,
        "holidays": [{"day": d.day.isoformat(), "name": d.name} for d in days if d.kind == "holiday"],
        "workdays": [{"day": d.day.isoformat(), "name": d.name} for d in days if d.kind == "workday"],
    }


def _base_view(year: int) -> dict[str, Any] | None:
    cal = base()
    if year not in cal.years:
        return None

    def named(days: frozenset[date], table: dict[date, Any]) -> list[dict[str, str]]:
        out = []
        for d in sorted(x for x in days if x.year == year):
            en = str(table.get(d, ""))
            out.append({"day": d.isoformat(), "name": _ZH_NAMES.get(en, en)})
        return out

    return {
        "source": CHINESE_CALENDAR,
        "document": "chinese-calendar",
        "imported_at": None,
        "imported_by": None,
        "holidays": named(cal.holidays, chinese_calendar.holidays),
        "workdays": named(cal.makeup_workdays, chinese_calendar.workdays),
    }


def _year_view(s: Session, year: int, h: Hall | None) -> dict[str, Any]:
    layers: list[str] = []
    effective = _base_view(year)
    if effective is not None:
        layers.append(CHINESE_CALENDAR)
    row = _year_row(s, None, year)
    if row is not None:
        layers.append(ALL_HALLS)
        effective = _layer_view(s, row, ALL_HALLS)
    if h is not None:
        row = _year_row(s, h.id, year)
        if row is not None:
            layers.append(HALL)
            effective = _layer_view(s, row, HALL)
    empty: dict[str, Any] = {
        "source": None,
        "document": "",
        "imported_at": None,
        "imported_by": None,
        "holidays": [],
        "workdays": [],
    }
    return {
        "year": year,
        "hall": h.code if h else None,
        "covered": effective is not None,
        "layers": layers,
        **(effective or empty),
    }


def show_year(ctx: Context, actor: Principal, year: int, hall: str | None = None) -> dict[str, Any]:
    """A year's effective holidays and make-up workdays for a hall (or for every hall) and
    where they come from: `source` is chinese_calendar, all_halls or hall (None and
    `covered: false` when nobody knows the year); `layers` lists every source that has it (staff)."""
    require_role(actor, STAFF)
    check_year(year)
    with ctx.db.read() as s:
        return _year_view(s, year, _scope_hall(s, actor, hall))


def _lock_scope(s: Session, hall: Hall | None) -> None:
    """Imports of one scope replace its year one after the other: the hall's row is locked (every
    hall's, in id order, for an all-halls import) before its year is read, so two imports at once
    never insert the year twice nor leave its days doubled (PostgreSQL; SQLite writers are serial
    already). The events recorded after lock the same rows, so nothing waits in a new order."""
    q = select(Hall.id).order_by(Hall.id).with_for_update()
    s.execute(q.where(Hall.id == hall.id) if hall is not None else q)


def _replace_year(
    s: Session, hall_id: int | None, sched: YearSchedule, actor: Principal, ctx: Context
) -> None:
    row = _year_row(s, hall_id, sched.year)
    if row is None:
        row = CalendarYear(hall_id=hall_id, year=sched.year, imported_at=ctx.clock())
        s.add(row)
        s.flush()
    else:
        s.execute(delete(CalendarDay).where(CalendarDay.year_id == row.id))
    row.source = sched.source
    row.imported_at = ctx.clock()
    row.imported_by_id = actor.user_id
    for kind, days in (("holiday", sched.holidays), ("workday", sched.workdays)):
        s.add_all(CalendarDay(year_id=row.id, day=d.day, kind=kind, name=d.name) for d in days)
    s.flush()


def _recompute(s: Session, h: Hall) -> tuple[int, int]:
    """Refresh the due date of every case of the hall that is not delivered: (changed, missing)."""
    cal = hall_calendar(s, h)
    changed = missing = 0
    for case in s.scalars(select(Case).where(Case.hall_id == h.id, Case.status != "delivered")):
        before = (case.due_day, case.calendar_missing)
        refresh_due(s, case, cal)
        changed += (case.due_day, case.calendar_missing) != before
        missing += case.calendar_missing is not None
    return changed, missing


def import_year(ctx: Context, actor: Principal, year: int, data: Any) -> dict[str, Any]:
    """Replace one year of the calendar: `{"hall"?: CODE, "source", "holidays": [{"day", "name"}],
    "workdays": [...]}` (no hall: every hall, admins only; a manager imports for their own hall).

    The schedule is checked first (every bad field named at once, nothing changes); then, in one
    transaction, the year is replaced, every not-delivered case of the affected halls gets its
    due date recomputed and each affected hall's log gets a `calendar.imported` event. Answers the
    year as `show_year` does plus `recomputed` (cases whose date changed) and `still_missing`.
    """
    require_role(actor, EDITORS)
    hall = _hall_arg(data.get("hall") if isinstance(data, dict) else None)
    if hall is None and not (actor.role == "admin" and actor.hall_id is None):
        raise Forbidden(
            "forbidden",
            "只有系统管理员可以导入适用于所有大厅的日历；请指定本大厅（hall）",
            "only an admin imports a calendar for every hall; name your hall (hall)",
        )
    sched = parse_schedule(year, data)
    events: list[Envelope] = []
    with ctx.db.transaction() as s:
        h = _scope_hall(s, actor, hall) if hall is not None else None
        _lock_scope(s, h)
        _replace_year(s, h.id if h else None, sched, actor, ctx)
        halls = [h] if h is not None else list(s.scalars(select(Hall).order_by(Hall.id)))
        recomputed = still_missing = 0
        for each in halls:
            changed, missing = _recompute(s, each)
            recomputed += changed
            still_missing += missing
            data_out = {
                "year": year,
                "scope": h.code if h else None,
                "source": sched.source,
                "holidays": len(sched.holidays),
                "workdays": len(sched.workdays),
                "recomputed": changed,
            }
            events.append(record(s, each, names.CALENDAR_IMPORTED, data_out, ctx.clock(), actor))
        s.flush()
        view = _year_view(s, year, h)
    ctx.publish(events)
    return {**view, "recomputed": recomputed, "still_missing": still_missing}


def import_document(
    ctx: Context, data: Any, hall: str | None = None, source: str | None = None
) -> dict[str, Any]:
    """`hallq calendar import FILE`: a schedule document (its year in `year` or its days), for
    every hall or `hall`; `source` overrides the document's. Run by the server's operator."""
    if not isinstance(data, dict):
        raise bad_field(
            "body", "文件必须是一个对象（JSON 或 YAML）", "the file must hold one object (JSON or YAML)"
        )
    year = year_of_document(data)
    body = dict(data)
    if hall is not None:
        body["hall"] = hall
    if source is not None:
        body["source"] = source
    return import_year(ctx, OPERATOR, year, body)


def _status_message(year: int, today: date) -> tuple[str, str]:
    deadline = import_deadline(year)
    if today < deadline:
        when_zh = f"请在 {deadline.year} 年 {deadline.month} 月 {deadline.day} 日前导入"
        when_en = f"import it before {deadline.isoformat()}"
    else:
        when_zh, when_en = "请尽快导入", "import it now"
    return (
        f"{year} 年工作日历尚未导入：{when_zh}国务院办公厅公布的放假安排",
        f"The {year} working-day calendar is missing: {when_en} (the State Council's holiday schedule)",
    )


def calendar_status(ctx: Context, actor: Principal, hall: str) -> dict[str, Any]:
    """What the manager console warns about (staff of the hall): `uncovered` — the years between
    today and HORIZON_DAYS ahead that nobody imported, each with the day to import it by and a
    message — and `missing` — per year, the cases whose due date waits for it."""
    require_role(actor, STAFF)
    with ctx.db.read() as s:
        h = load_hall(s, hall)
        require_hall(actor, h.id)
        today = hall_day(h, ctx.clock())
        years = uncovered_years(today, hall_calendar(s, h), HORIZON_DAYS)
        rows = s.execute(
            select(Case.calendar_missing, func.count())
            .where(Case.hall_id == h.id, Case.calendar_missing.is_not(None), Case.status != "delivered")
            .group_by(Case.calendar_missing)
            .order_by(Case.calendar_missing)
        ).all()
    uncovered = []
    for y in years:
        zh, en = _status_message(y, today)
        uncovered.append(
            {"year": y, "import_by": import_deadline(y).isoformat(), "message": zh, "message_en": en}
        )
    missing = [
        {
            "year": int(y),
            "cases": int(n),
            "message": f"{n} 件办件因缺少 {y} 年工作日历而无法计算办结期限",
            "message_en": f"{n} case(s) have no due date until the {y} calendar is imported",
        }
        for y, n in rows
    ]
    return {
        "hall": h.code,
        "today": today.isoformat(),
        "horizon_days": HORIZON_DAYS,
        "uncovered": uncovered,
        "missing": missing,
    }
