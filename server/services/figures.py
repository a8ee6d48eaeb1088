"""Figures of first contact and one-time notification: where citizens get lost and come back."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from .. import event_names as names
from ..storage.models import Event, Notice, Service, Transfer
from .core.context import Context
from .core.errors import bad_field
from .core.principal import Principal, require_hall, require_role
from .core.rows import load_hall

MAX_DAYS = 366


def hall_figures(ctx: Context, actor: Principal, hall_code: str, days: int = 30) -> dict[str, Any]:
    """Transfers per (from, to) service, notices per service, and repeated trips, over `days`."""
    require_role(actor, ("manager", "admin"))
    if not 1 <= days <= MAX_DAYS:
        raise bad_field("days", f"days 取 1 到 {MAX_DAYS}", f"days must be within 1..{MAX_DAYS}")
    since = ctx.clock() - timedelta(days=days)
    with ctx.db.read() as s:
        hall = load_hall(s, hall_code)
        require_hall(actor, hall.id)
        notices = s.execute(
            select(Service.code, Service.name, func.count(Notice.id))
            .join(Notice, Notice.service_id == Service.id)
            .where(Notice.hall_id == hall.id, Notice.created_at >= since)
            .group_by(Service.code, Service.name)
            .order_by(func.count(Notice.id).desc())
        ).all()
        trips = repeat_trips(ctx, actor, hall_code, days)
        return {
            "hall": hall.code,
            "days": days,
            "transfers": transfer_figures(s, hall.id, since),
            "notices": [{"service": c, "name": n, "count": int(k)} for c, n, k in notices],
            "repeat_trips": len(trips),
        }


def repeat_trips(ctx: Context, actor: Principal, hall_code: str, days: int = 30) -> list[dict[str, Any]]:
    """Citizens flagged for coming three times or more for one matter (多次往返), newest first."""
    require_role(actor, ("manager", "admin"))
    since = ctx.clock() - timedelta(days=days)
    with ctx.db.read() as s:
        hall = load_hall(s, hall_code)
        require_hall(actor, hall.id)
        rows = s.scalars(
            select(Event)
            .where(Event.hall_id == hall.id, Event.type == names.TRIP_REPEATED, Event.at >= since)
            .order_by(Event.seq.desc())
        ).all()
        return [{"at": e.at.isoformat(), **e.data} for e in rows]


def transfer_figures(s: Any, hall_id: int, since: Any) -> list[dict[str, Any]]:
    """Transfers per (from, to) service pair: where citizens get lost."""
    rows = s.execute(
        select(Transfer.from_service_id, Transfer.to_service_id, func.count(Transfer.id))
        .where(Transfer.hall_id == hall_id, Transfer.at >= since)
        .group_by(Transfer.from_service_id, Transfer.to_service_id)
        .order_by(func.count(Transfer.id).desc())
    ).all()
    codes = {sv.id: sv.code for sv in s.scalars(select(Service).where(Service.hall_id == hall_id))}
    return [{"from": codes[a], "to": codes[b], "count": int(n)} for a, b, n in rows]
