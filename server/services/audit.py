"""The audit log: every recorded event with who, what, when, where; filters and CSV export."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..storage.models import Event, Ticket, User, Window
from .core.context import Context
from .core.errors import bad_field
from .core.principal import Principal, require_hall, require_role
from .core.rows import load_hall

MAX_ROWS = 5000


def _codes(codes: Any) -> str:
    return "、".join(str(c) for c in codes) if codes else "（无）"


def _who(p: Any) -> str:
    return str(p.get("name") or p.get("username")) if isinstance(p, dict) else "空缺"


def _place(spec: Any, numbers: dict[int, int]) -> str:
    """A move target ({"service": CODE} or {"window": ID}) in words."""
    if isinstance(spec, dict) and "service" in spec:
        return f"事项 {spec['service']}"
    if isinstance(spec, dict) and "window" in spec:
        return f"{numbers.get(spec['window'], spec['window'])}号窗口"
    return str(spec)


def _change(change: Any) -> str:
    """A window change in words: 办理事项 A、H → A; 经理关闭窗口（原因）."""
    if not isinstance(change, dict):
        return str(change)
    parts = []
    for key, value in change.items():
        if key == "services" and isinstance(value, dict):
            parts.append(f"办理事项 {_codes(value.get('before'))} → {_codes(value.get('after'))}")
        elif key == "closed_by_manager":
            parts.append("经理关闭窗口")
        elif key == "reason":
            if value:
                parts.append(f"原因：{value}")
        else:
            parts.append(f"{key}: {value}")
    return "；".join(parts)


def _describe(e: Event, numbers: dict[int, int]) -> str:
    """One line of what happened (the data's ticket, window, people, reason, change)."""
    d = e.data or {}
    t = d.get("ticket") or {}
    w = d.get("window") or {}
    parts = [t.get("number") or "", (w.get("name") if isinstance(w, dict) else "") or ""]
    if e.type == "posts.updated":
        parts.append(f"A岗 {_who(d.get('a'))}，B岗 {_who(d.get('b'))}")
    if e.type == "queue.moved":
        moved = d.get("numbers") or []
        shown = "、".join(moved[:20]) + ("…" if len(moved) > 20 else "")
        where = f"{_place(d.get('from'), numbers)} → {_place(d.get('to'), numbers)}"
        parts.append(f"{where}：{d.get('count', 0)} 人 {shown}")
    if e.type == "leave.registered" and isinstance(d.get("leave"), dict):
        lv = d["leave"]
        short = "（临时请假）" if lv.get("short_notice") else ""
        span = f"{lv.get('start')} 至 {lv.get('end')}"
        parts.append(f"{_who(lv.get('user'))} {span} {lv.get('reason', '')}{short}")
    if e.type == "window.alarm":
        parts.append(f"A岗 {_who(d.get('a'))}、B岗 {_who(d.get('b'))} 均不在岗，{d.get('waiting', 0)} 人等候")
    if e.type == "login.locked":
        tries, locked = d.get("failures", 0), d.get("locked_s", 0)
        parts.append(f"{_who(d.get('user'))} 登录失败 {tries} 次，锁定 {locked} 秒")
    if e.type == "calendar.imported":
        scope = "本大厅" if d.get("scope") else "所有大厅"
        source, n = d.get("source") or "", d.get("recomputed", 0)
        parts.append(f"{d.get('year')} 年工作日历（{scope}）{source}，重算办件 {n} 件")
    if e.type.startswith("case.") and isinstance(d.get("case"), dict):
        c = d["case"]
        parts.append(f"办件 {c.get('number', '')} {c.get('service_name', '')} 责任人 {_who(c.get('owner'))}")
    if e.type.startswith("complaint.") and isinstance(d.get("complaint"), dict):
        c = d["complaint"]  # never the citizen's text or contact (services/core/followups.py)
        parts.append(f"投诉 {c.get('number', '')} {c.get('category', '')} {c.get('status', '')}")
    if e.type == "rating.recorded" and isinstance(d.get("rating"), dict):
        r = d["rating"]
        parts.append(f"{r.get('number', '')} 评价 {r.get('level', '')} 级（{r.get('source', '')}）")
    if d.get("reason"):
        parts.append(str(d["reason"]))
    if "change" in d:
        parts.append(_change(d["change"]))
    return " ".join(p for p in parts if p)


def audit_log(
    ctx: Context,
    actor: Principal,
    hall_code: str,
    user: str | None = None,
    window: int | None = None,
    ticket: str | None = None,
    day: str | None = None,
    limit: int = 500,
) -> list[dict[str, Any]]:
    """Events of the hall, newest first, filtered by clerk, window, ticket (number or id) and day."""
    require_role(actor, ("manager", "admin"))
    if not 1 <= limit <= MAX_ROWS:
        raise bad_field("limit", f"limit 取 1 到 {MAX_ROWS}", f"limit is 1..{MAX_ROWS}")
    with ctx.db.read() as s:
        hall = load_hall(s, hall_code)
        require_hall(actor, hall.id)
        tz = ZoneInfo(hall.timezone)
        q = (
            select(Event, User, Window, Ticket)
            .outerjoin(User, User.id == Event.actor_user_id)
            .outerjoin(Window, Window.id == Event.window_id)
            .outerjoin(Ticket, Ticket.id == Event.ticket_id)
            .where(Event.hall_id == hall.id)
        )
        if user:
            q = q.where(User.username == user)
        if window is not None:
            q = q.where(Event.window_id == window)
        if ticket:
            q = q.where((Ticket.public_id == ticket) | (Ticket.number == ticket.upper()))
        if day:
            try:
                start = datetime.fromisoformat(day).replace(tzinfo=tz)
            except ValueError as err:
                raise bad_field("day", "日期格式应为 YYYY-MM-DD", "day is YYYY-MM-DD") from err
            q = q.where(Event.at >= start, Event.at < start + timedelta(days=1))
        rows = s.execute(q.order_by(Event.seq.desc()).limit(limit)).all()
        numbers = {
            i: n for i, n in s.execute(select(Window.id, Window.number).where(Window.hall_id == hall.id))
        }
        return [
            {
                "seq": e.seq,
                "at": e.at.astimezone(tz).isoformat(timespec="seconds"),
                "type": e.type,
                "actor": {"username": u.username, "name": u.name, "badge": u.badge} if u else None,
                "actor_role": e.actor_role,
                "window": {"id": w.id, "number": w.number} if w else None,
                "ticket": {"id": t.public_id, "number": t.number} if t else None,
                "summary": _describe(e, numbers),
            }
            for e, u, w, t in rows
            if not (e.data or {}).get("restricted")  # 廉政 follow-ups: the supervisor's, never here
        ]


def audit_csv(rows: list[dict[str, Any]]) -> str:
    """The audit rows as CSV (UTF-8 with BOM, so Excel opens the Chinese correctly)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(
        [
            "seq",
            "时间 time",
            "事件 event",
            "操作人 actor",
            "工号 badge",
            "角色 role",
            "窗口 window",
            "票号 ticket",
            "说明 summary",
        ]
    )
    for r in rows:
        a = r["actor"] or {}
        writer.writerow(
            [
                r["seq"],
                r["at"],
                r["type"],
                a.get("name", ""),
                a.get("badge", ""),
                r["actor_role"] or "",
                (r["window"] or {}).get("number", ""),
                (r["ticket"] or {}).get("number", ""),
                r["summary"],
            ]
        )
    return out.getvalue()
