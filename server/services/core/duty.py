"""Who is on duty: A/B posts, leave, sign-ins, and whom a B post covers right now (顶岗).

The rules (who covers whom, when A counts as away) are decided in `domain.posts`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...domain import posts as rules
from ...storage.models import Attendance, Hall, Leave, Window
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
    return list(s.scalars(select(Window).where(Window.hall_id == hall_id).order_by(Window.number)))


def duty(s: Session, hall: Hall, now: datetime) -> tuple[list[rules.Post], dict[int, int], set[int]]:
    """The hall's posts, who is signed in where, and who is on leave today."""
    windows = hall_windows(s, hall.id)
    posts = [rules.Post(w.id, w.a_user_id, w.b_user_id, w.clerk_id) for w in windows]
    signed_in = {w.clerk_id: w.id for w in windows if w.clerk_id is not None}
    return posts, signed_in, on_leave_ids(s, hall.id, hall_day(hall, now))


def covered_windows(s: Session, hall: Hall, clerk_id: int, now: datetime) -> list[int]:
    """The windows whose queues this clerk serves as B post right now."""
    posts, signed_in, leave = duty(s, hall, now)
    return rules.covered_by(clerk_id, posts, signed_in, leave)


def cover_info(s: Session, hall: Hall, now: datetime) -> dict[int, dict[str, Any]]:
    """For each window covered by its B post: where citizens go instead ("请到 X 号窗口办理")."""
    posts, signed_in, leave = duty(s, hall, now)
    windows = {w.id: w for w in hall_windows(s, hall.id)}
    out = {}
    for p in posts:
        if p.b_user is None or p.clerk is not None or not rules.a_is_away(p, leave):
            continue
        b_window = signed_in.get(p.b_user)
        if b_window is None or p.b_user in leave:
            continue
        bw = windows[b_window]
        out[p.window_id] = {"window": window_ref(bw), "clerk": clerk_view(bw.clerk)}
    return out


def posts_view(w: Window) -> dict[str, Any]:
    return {"a": clerk_view(w.a_user), "b": clerk_view(w.b_user)}


def attend(s: Session, w: Window, user_id: int, kind: str, reason: str | None, now: datetime) -> None:
    """Record a sign-in, sign-out, pause or resume in the caller's transaction."""
    s.add(Attendance(hall_id=w.hall_id, user_id=user_id, window_id=w.id, kind=kind, reason=reason, at=now))
