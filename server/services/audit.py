"""The audit log: every recorded event with who, what, when, where; filters and CSV export."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..storage.models import Event, Ticket, User, Window
from .context import Context
from .errors import bad_field
from .halls import load_hall
from .principal import Principal, require_hall, require_role

MAX_ROWS = 5000


def _describe(e: Event) -> str:
    d = e.data or {}
    t = d.get("ticket") or {}
    w = d.get("window") or {}
    parts = [t.get("number") or "", (w.get("name") if isinstance(w, dict) else "") or ""]
    if "reason" in d:
        parts.append(str(d["reason"]))
    if "change" in d:
        parts.append(str(d["change"]))
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
        return [
            {
                "seq": e.seq,
                "at": e.at.astimezone(tz).isoformat(timespec="seconds"),
                "type": e.type,
                "actor": {"username": u.username, "name": u.name, "badge": u.badge} if u else None,
                "actor_role": e.actor_role,
                "window": {"id": w.id, "number": w.number} if w else None,
                "ticket": {"id": t.public_id, "number": t.number} if t else None,
                "summary": _describe(e),
            }
            for e, u, w, t in rows
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
