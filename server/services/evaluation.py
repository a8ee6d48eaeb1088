"""The evaluation dashboard (评估): the figures of a hall, service, window or clerk over a date
range, broken down by service, window or clerk; as JSON, CSV and XLSX with exactly the same
figures; and the hall board's public satisfaction rate per window. Every figure is computed by
domain/evaluation.py from the rows core/evaluation_rows.py loads."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from ..domain import evaluation as ev
from ..domain.disclosure import public_satisfaction
from ..storage.models import Service, User, Window
from .core.casework import local_day
from .core.context import Context
from .core.errors import bad_field, not_found
from .core.evaluation_rows import load_rows
from .core.principal import Principal, require_hall, require_role
from .core.rows import load_hall

#: the longest range one evaluation covers
MAX_RANGE_DAYS = 366

#: the breakdown's sheet names and the hall summary's
SHEETS = {"service": "按事项", "window": "按窗口", "clerk": "按人员"}
SUMMARY_SHEET = "全厅汇总"


def parse_range(today: date, start: str | date | None, end: str | date | None) -> tuple[date, date]:
    """[from, to] in hall-local dates (default: the month so far); a 400 naming the field."""
    try:
        last = end if isinstance(end, date) else (date.fromisoformat(end) if end else today)
    except ValueError:
        raise bad_field("to", "日期格式应为 YYYY-MM-DD", "dates are YYYY-MM-DD") from None
    try:
        first = (
            start
            if isinstance(start, date)
            else (date.fromisoformat(start) if start else last.replace(day=1))
        )
    except ValueError:
        raise bad_field("from", "日期格式应为 YYYY-MM-DD", "dates are YYYY-MM-DD") from None
    if last < first:
        raise bad_field("to", "结束日期早于开始日期", "to is before from")
    if (last - first).days >= MAX_RANGE_DAYS:
        raise bad_field("to", "一次最多统计 366 天", "an evaluation covers at most 366 days")
    return first, last


def month_range(month: str) -> tuple[date, date]:
    """The first and last day of a month given as YYYY-MM (a 400 naming `month`)."""
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError:
        raise bad_field("month", "月份格式应为 YYYY-MM", "month is YYYY-MM") from None
    nxt = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first, nxt - timedelta(days=1)


def evaluate(
    ctx: Context,
    actor: Principal,
    hall_code: str,
    start: str | date | None = None,
    end: str | date | None = None,
    by: str = "window",
    service: str | None = None,
    window: int | None = None,
    clerk: str | None = None,
) -> dict[str, Any]:
    """The figures of the hall (or of one `service` code, `window` number or `clerk` username in
    it) over [start, end] and of each service, window or clerk in it (`by`); managers and admins
    of the hall."""
    require_role(actor, ("manager", "admin"))
    if by not in ev.BY:
        raise bad_field("by", "by 只能是 clerk、window 或 service", "by must be clerk, window or service")
    now = ctx.clock()
    with ctx.db.read() as s:
        hall = load_hall(s, hall_code)
        require_hall(actor, hall.id)
        today = local_day(hall, now)
        first, last = parse_range(today, start, end)
        services = {sv.code: sv for sv in s.scalars(select(Service).where(Service.hall_id == hall.id))}
        windows = {w.id: w for w in s.scalars(select(Window).where(Window.hall_id == hall.id))}
        by_number = {w.number: w for w in windows.values()}
        users: dict[int, User] = {u.id: u for u in s.scalars(select(User).where(User.hall_id == hall.id))}
        by_name = {u.username: u for u in users.values()}
        if service is not None and service not in services:
            raise not_found("事项", "service")
        if window is not None and window not in by_number:
            raise not_found("窗口", "window")
        if clerk is not None and clerk not in by_name:
            raise not_found("人员", "clerk")
        scope = ev.Scope(
            first,
            last,
            service=service,
            window=by_number[window].id if window is not None else None,
            clerk=by_name[clerk].id if clerk is not None else None,
        )
        rows = load_rows(s, hall, first, last)
        out = ev.evaluation(rows, scope, today, hall.wait_target_minutes, by)
        for row in out["rows"]:
            row["key"], row["label"] = _label(by, row["key"], services, windows, users)
        if clerk is not None:
            scope_label = _label("clerk", by_name[clerk].id, services, windows, users)[1]
        elif window is not None:
            scope_label = _label("window", by_number[window].id, services, windows, users)[1]
        elif service is not None:
            scope_label = _label("service", service, services, windows, users)[1]
        else:
            scope_label = hall.name
        return {
            "hall": hall.code,
            "hall_name": hall.name,
            "scope_label": scope_label,
            "from": first.isoformat(),
            "to": last.isoformat(),
            "today": today.isoformat(),
            "filter": {"service": service, "window": window, "clerk": clerk},
            **out,
        }


def _label(
    by: str, key: Any, services: dict[str, Service], windows: dict[int, Window], users: dict[int, User]
) -> tuple[str, str]:
    """A breakdown row's key (service code, window number, username) and its Chinese label."""
    if by == "service":
        sv = services.get(key)
        return str(key), sv.name if sv else str(key)
    if by == "window":
        w = windows.get(key)
        return (str(w.number), f"{w.number}号窗口 {w.name}") if w else (str(key), str(key))
    u = users.get(key)
    if u is None:
        return f"#{key}", f"#{key}"
    return u.username, f"{u.name}（{u.badge}）" if u.badge else u.name


# ------------------------------------------------------------------ exports


def _safe(text: str) -> str:
    """A label a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _scope_name(report: dict[str, Any]) -> str:
    f = report["filter"]
    parts = [report["hall_name"]]
    if f.get("service"):
        parts.append(f"事项 {f['service']}")
    if f.get("window") is not None:
        parts.append(f"{f['window']}号窗口")
    if f.get("clerk"):
        parts.append(f"人员 {f['clerk']}")
    return " / ".join(parts)


def _lines(report: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(view, key, label, figures): the summary, then the breakdown."""
    lines = [(SUMMARY_SHEET, report["hall"], _scope_name(report), report["summary"])]
    for row in report["rows"]:
        lines.append((SHEETS[report["by"]], row["key"], row["label"], row["figures"]))
    return lines


HEAD = ("视图 view", "代码 key", "名称 name", "开始 from", "结束 to")


def evaluation_csv(report: dict[str, Any]) -> str:
    """The summary row then one row per service, window or clerk (UTF-8 with BOM, for
    spreadsheet programs); exactly the JSON's figures, empty where a figure is none."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([*HEAD, *(f"{zh} {en}" for _p, zh, en, _f in ev.COLUMNS)])
    for view, key, label, figs in _lines(report):
        values = [ev.column_value(figs, path) for path, *_ in ev.COLUMNS]
        writer.writerow(
            [
                view,
                _safe(key),
                _safe(label),
                report["from"],
                report["to"],
                *("" if v is None else v for v in values),
            ]
        )
    return out.getvalue()


FORMATS = {"int": "0", "sec": "0.0", "ratio": "0.0%"}


def evaluation_xlsx(report: dict[str, Any]) -> bytes:
    """One sheet for the summary and one for the breakdown: a styled header, widths, number
    formats (rates as percentages); exactly the JSON's figures, empty where a figure is none."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    first = wb.active
    assert first is not None
    head_font = Font(bold=True, color="FFFFFF")
    head_fill = PatternFill("solid", fgColor="1F4E79")
    header = [*HEAD, *(zh for _p, zh, _en, _f in ev.COLUMNS)]
    sheets = {SUMMARY_SHEET: first, SHEETS[report["by"]]: wb.create_sheet(SHEETS[report["by"]])}
    first.title = SUMMARY_SHEET
    for ws in sheets.values():
        ws.append(header)
        for cell in ws[1]:
            cell.font, cell.fill = head_font, head_fill
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.row_dimensions[1].height = 32
        ws.freeze_panes = "D2"
        for i, title in enumerate(header, start=1):
            width = 24 if i == 3 else max(10, min(16, len(title) * 2 + 2))
            ws.column_dimensions[get_column_letter(i)].width = width
    for view, key, label, figs in _lines(report):
        ws = sheets[view]
        values = [ev.column_value(figs, path) for path, *_ in ev.COLUMNS]
        ws.append([view, _safe(key), _safe(label), report["from"], report["to"], *values])
        row = ws.max_row
        for i, (_p, _zh, _en, fmt) in enumerate(ev.COLUMNS, start=len(HEAD) + 1):
            ws.cell(row=row, column=i).number_format = FORMATS[fmt]
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ------------------------------------------------------------------ the hall board


def board_satisfaction(ctx: Context, hall_code: str) -> dict[str, Any]:
    """This month's 满意率 per window for the hall board, when the hall's administrator switched
    it on (`show_satisfaction`); only the public fields (domain/disclosure.py)."""
    now = ctx.clock()
    with ctx.db.read() as s:
        hall = load_hall(s, hall_code)
        if not hall.show_satisfaction:
            return {"shown": False, "month": None, "windows": []}
        today = local_day(hall, now)
        first = today.replace(day=1)
        rows = load_rows(s, hall, first, today, with_events=False)
        per = ev.satisfaction_by_window(rows.ratings, first, today)
        windows = s.scalars(select(Window).where(Window.hall_id == hall.id).order_by(Window.number)).all()
        return {
            "shown": True,
            "month": first.strftime("%Y-%m"),
            "windows": [
                public_satisfaction(
                    {
                        "number": w.number,
                        "name": w.name,
                        **per.get(w.id, {"rated": 0, "satisfaction_rate": None}),
                    }
                )
                for w in windows
            ],
        }
