"""Figures of first contact and one-time notification: where citizens get lost and come back.

Computed by domain/evaluation.py from the rows core/evaluation_rows.py loads, like the
evaluation dashboard (services/evaluation.py), so the two never count differently."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from .. import event_names as names
from ..domain import evaluation as ev
from ..storage.archive import merged, scalars_both
from ..storage.models import Service
from .core.casework import local_day
from .core.context import Context
from .core.errors import bad_field
from .core.evaluation_rows import load_rows
from .core.principal import Principal, require_hall, require_role
from .core.rows import hall_day, load_hall

MAX_DAYS = 366


def hall_figures(ctx: Context, actor: Principal, hall_code: str, days: int = 30) -> dict[str, Any]:
    """Transfers per (from, to) service, notices per service, and repeated trips, over the last
    `days` business days of the hall (today included)."""
    require_role(actor, ("manager", "admin"))
    if not 1 <= days <= MAX_DAYS:
        raise bad_field("days", f"days 取 1 到 {MAX_DAYS}", f"days must be within 1..{MAX_DAYS}")
    with ctx.db.read() as s:
        hall = load_hall(s, hall_code)
        require_hall(actor, hall.id)
        today = hall_day(hall, ctx.clock())
        start = today - timedelta(days=days - 1)
        rows = load_rows(s, hall, start, today)
        visits = ev.visits_from_events(rows.events)
        scope = ev.Scope(start, today)
        figs = ev.figures(rows, scope, local_day(hall, ctx.clock()), hall.wait_target_minutes, visits)
        names_of = {sv.code: sv.name for sv in s.scalars(select(Service).where(Service.hall_id == hall.id))}
        notices = ev.notices_per_service(rows.notices, start, today)
        return {
            "hall": hall.code,
            "days": days,
            "transfers": ev.transfer_pairs(visits, start, today),
            "notices": [
                {"service": code, "name": names_of.get(code, code), "count": n}
                for code, n in sorted(notices.items(), key=lambda kv: (-kv[1], kv[0]))
            ],
            "repeat_trips": figs["repeat_trips"] or 0,
        }


def repeat_trips(ctx: Context, actor: Principal, hall_code: str, days: int = 30) -> list[dict[str, Any]]:
    """Citizens flagged for coming three times or more for one matter (多次往返), newest first."""
    require_role(actor, ("manager", "admin"))
    since = ctx.clock() - timedelta(days=days)
    with ctx.db.read() as s:
        hall = load_hall(s, hall_code)
        require_hall(actor, hall.id)
        rows = merged(
            scalars_both(
                s,
                lambda E: select(E).where(E.hall_id == hall.id, E.type == names.TRIP_REPEATED, E.at >= since),
            ),
            key=lambda e: e.seq,
            reverse=True,
        )
        return [{"at": e.at.isoformat(), **e.data} for e in rows]
