"""Who is on duty: A/B posts, leave, sign-ins, and whom a B post covers right now (顶岗).

The rules (who covers whom along the chain, when A counts as away, who serves now) are decided
in `domain.routing` (on `domain.posts`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ...domain import routing
from ...storage.models import Attendance, Hall, Leave, Window, WindowService
from .rows import hall_day
from .views import clerk_view, window_ref


def on_leave_ids(s: Session, hall_id: int, day: date) -> set[int]:
    return set(
        s.scalars(
            select(Leave.user_id).where(
                Leave.hall_id == hall_id,
                Leave.start_day <= day,
                Leave.end_day >= day,
                Leave.cancelled_at.is_(None),
            )
        )
    )


def hall_windows(s: Session, hall_id: int) -> list[Window]:
    return list(
        s.scalars(
            select(Window)
            .where(Window.hall_id == hall_id)
            .order_by(Window.number)
            .options(selectinload(Window.service_links).selectinload(WindowService.service))
        )
    )


def desks(windows: list[Window]) -> list[routing.Desk]:
    """The hall's windows as the routing rule sees them (domain.routing)."""
    return [
        routing.Desk(
            w.id,
            w.number,
            str(w.status),
            tuple(link.service.code for link in w.service_links if link.service.active),
            w.clerk_id,
            w.a_user_id,
            w.b_user_id,
        )
        for w in windows
    ]


def hall_routes(
    s: Session, hall: Hall, now: datetime
) -> tuple[list[Window], list[routing.Desk], list[routing.Route], set[int]]:
    """The hall's windows, their desks, the windows serving now (with whom they cover), and who
    is on leave today: one read for every screen that asks where citizens are served."""
    windows = hall_windows(s, hall.id)
    ds = desks(windows)
    leave = on_leave_ids(s, hall.id, hall_day(hall, now))
    return windows, ds, routing.routes(ds, leave), leave


def covered_windows(s: Session, hall: Hall, clerk_id: int, now: datetime) -> list[int]:
    """The windows whose queues this clerk serves as B post right now (along the cover chain)."""
    windows = hall_windows(s, hall.id)
    mine = next((w.id for w in windows if w.clerk_id == clerk_id), None)
    if mine is None:
        return []
    ds = desks(windows)
    cover = routing.cover_of(ds, on_leave_ids(s, hall.id, hall_day(hall, now)))
    number = {w.id: w.number for w in windows}
    return sorted((w for w, by in cover.items() if by == mine), key=lambda w: number[w])


def cover_info(s: Session, hall: Hall, now: datetime) -> dict[int, dict[str, Any]]:
    """For each window that does not serve now: where its board sends citizens — a window that
    serves now ("请到 X 号窗口办理": its B post's — kind "cover" — or another serving its
    services — "other"), or nowhere (kind "none"). domain.routing decides; `cover_and_redirect`
    splits it for a window's view."""
    windows, ds, rs, leave = hall_routes(s, hall, now)
    by_id = {w.id: w for w in windows}
    out: dict[int, dict[str, Any]] = {}
    for d in ds:
        r = routing.redirect(d.window_id, ds, rs, leave)
        if r is None:
            continue
        target = by_id[r.window_id] if r.window_id is not None else None
        out[d.window_id] = {
            "kind": r.kind,
            "window": window_ref(target),
            "clerk": clerk_view(target.clerk) if target is not None and r.kind == "cover" else None,
        }
    return out


def cover_and_redirect(
    info: dict[int, dict[str, Any]], window_id: int
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """A window's `cover` (its B post serves its queue from a window serving now) and its
    `redirect` (where its board sends citizens: kind cover / other / none; None while it serves)."""
    entry = info.get(window_id)
    if entry is None:
        return None, None
    cover = {"window": entry["window"], "clerk": entry["clerk"]} if entry["kind"] == "cover" else None
    return cover, {"kind": entry["kind"], "window": entry["window"]}


def posts_view(w: Window) -> dict[str, Any]:
    return {"a": clerk_view(w.a_user), "b": clerk_view(w.b_user)}


def attend(s: Session, w: Window, user_id: int, kind: str, reason: str | None, now: datetime) -> None:
    """Record a sign-in, sign-out, pause or resume in the caller's transaction."""
    s.add(Attendance(hall_id=w.hall_id, user_id=user_id, window_id=w.id, kind=kind, reason=reason, at=now))
