"""The overdue report (责任追究): every case late in a date range, who answered for each late day
(its owner, or the B post who covered an absent owner, from the attendance log and registered
leave), and the late days per clerk, window and service — from the stored case history, decided
by domain.overdue. On the manager console and as CSV or XLSX."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from ..domain.overdue import Tally, overdue_report
from ..storage.models import User
from .core.casework import local_day
from .core.context import Context
from .core.errors import bad_field
from .core.lateness import case_histories, presence
from .core.principal import Principal, require_hall, require_role
from .core.rows import load_hall

#: the longest range one report covers
MAX_RANGE_DAYS = 366


def _tally(t: Tally) -> dict[str, int]:
    return {"cases": t.cases, "days": t.days}


def overdue(
    ctx: Context, actor: Principal, hall_code: str, start: str | None = None, end: str | None = None
) -> dict[str, Any]:
    """The report for [start, end] (hall-local dates, both included; by default the 30 days up
    to today)."""
    require_role(actor, ("manager", "admin"))
    with ctx.db.read() as s:
        today = local_day(load_hall(s, hall_code), ctx.clock())
    try:
        last = date.fromisoformat(end) if end else today
    except ValueError:
        raise bad_field("to", "日期格式应为 YYYY-MM-DD", "dates are YYYY-MM-DD") from None
    try:
        first = date.fromisoformat(start) if start else last - timedelta(days=29)
    except ValueError:
        raise bad_field("from", "日期格式应为 YYYY-MM-DD", "dates are YYYY-MM-DD") from None
    if last < first:
        raise bad_field("to", "结束日期早于开始日期", "to is before from")
    if (last - first).days > MAX_RANGE_DAYS:
        raise bad_field("to", "一次最多统计 366 天", "a report covers at most 366 days")
    with ctx.db.read() as s:
        hall = load_hall(s, hall_code)
        require_hall(actor, hall.id)
        report = overdue_report(case_histories(s, hall.id, last), first, last, presence(s, hall, first, last))
        people = {u.id: u for u in s.scalars(select(User).where(User.hall_id == hall.id))}

    def person(uid: int | None) -> dict[str, Any] | None:
        u = people.get(uid) if uid is not None else None
        return {"username": u.username, "name": u.name, "badge": u.badge} if u else None

    cases = report["cases"]
    assert isinstance(cases, list)
    by_clerk = report["by_clerk"]
    by_window = report["by_window"]
    by_service = report["by_service"]
    assert isinstance(by_clerk, dict) and isinstance(by_window, dict) and isinstance(by_service, dict)
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "cases": [
            {
                "case": c["case"],
                "service": c["service"],
                "window": c["window"],
                "due": c["due"].isoformat(),
                "days_late": len(c["days"]),
                "held_by": [
                    {
                        "day": d.day.isoformat(),
                        "clerk": person(d.clerk),
                        "owner": person(d.owner),
                        "covering": d.covering,
                    }
                    for d in c["days"]
                ],
            }
            for c in cases
        ],
        "by_clerk": [
            {"clerk": person(uid), **_tally(t)}
            for uid, t in sorted(by_clerk.items(), key=lambda kv: -kv[1].days)
        ],
        "by_window": [
            {"window": w, **_tally(t)} for w, t in sorted(by_window.items(), key=lambda kv: -kv[1].days)
        ],
        "by_service": [
            {"service": sv, **_tally(t)} for sv, t in sorted(by_service.items(), key=lambda kv: -kv[1].days)
        ],
    }


HEADER = (
    "办件编号",
    "事项",
    "受理窗口",
    "承诺办结日期",
    "超期天数",
    "超期日",
    "当日承办人",
    "工号",
    "顶岗（B岗代A岗）",
)


def _rows(report: dict[str, Any]) -> list[tuple[Any, ...]]:
    rows = []
    for c in report["cases"]:
        for held in c["held_by"]:
            clerk = held["clerk"] or {}
            rows.append(
                (
                    c["case"],
                    c["service"],
                    c["window"],
                    c["due"],
                    c["days_late"],
                    held["day"],
                    clerk.get("name", ""),
                    clerk.get("badge") or "",
                    f"代 {(held['owner'] or {}).get('name', '')}" if held["covering"] else "",
                )
            )
    return rows


def overdue_csv(report: dict[str, Any]) -> str:
    """One row per overdue case-day: who held it (UTF-8 with BOM, for spreadsheet programs)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(_rows(report))
    return out.getvalue()


def overdue_xlsx(report: dict[str, Any]) -> bytes:
    """The same rows as an XLSX workbook, with a sheet of days per clerk."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "超期办件"
    ws.append(HEADER)
    for row in _rows(report):
        ws.append(list(row))
    per = wb.create_sheet("按承办人")
    per.append(("承办人", "工号", "超期件数", "超期天数"))
    for r in report["by_clerk"]:
        clerk = r["clerk"] or {}
        per.append((clerk.get("name", ""), clerk.get("badge") or "", r["cases"], r["days"]))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
