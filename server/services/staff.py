"""Staff on duty: A/B posts, leave with handover, attendance, cover (顶岗) and the unstaffed alarm."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import event_names as names
from ..domain import posts as rules
from ..domain import routing, workdays
from ..storage.models import Attendance, Hall, Leave, User, Window
from .core.context import Context, Envelope
from .core.duty import hall_routes, posts_view
from .core.errors import bad_field, not_found
from .core.events import record
from .core.principal import Principal, require_hall, require_role
from .core.queue import waiting_tickets
from .core.rows import hall_day, load_hall, load_window
from .core.views import clerk_view, window_ref
from .core.workcal import hall_calendar

# ---------------------------------------------------------------- who is where


# ---------------------------------------------------------------- posts


def _user(s: Session, hall_id: int, username: str | None, field: str) -> User | None:
    if username is None:
        return None
    u = s.scalar(select(User).where(User.username == username))
    if u is None or u.hall_id != hall_id or u.role != "clerk":
        raise bad_field(field, f"{username} 不是本大厅的工作人员", f"{username} is not a clerk of this hall")
    return u


def get_posts(ctx: Context, actor: Principal, window_id: int) -> dict[str, Any]:
    require_role(actor, ("admin", "manager", "clerk", "board"))
    with ctx.db.read() as s:
        w = load_window(s, window_id, actor)
        return {"window": window_ref(w), **posts_view(w)}


def set_posts(ctx: Context, actor: Principal, window_id: int, a: str | None, b: str | None) -> dict[str, Any]:
    """The manager sets a window's A and B clerks (audit-logged)."""
    require_role(actor, ("admin", "manager"))
    now = ctx.clock()
    with ctx.db.transaction() as s:
        w = load_window(s, window_id, actor, lock=True)
        ua, ub = _user(s, w.hall_id, a, "a"), _user(s, w.hall_id, b, "b")
        rules.check_posts(ua.id if ua else None, ub.id if ub else None)
        w.a_user_id, w.b_user_id = (ua.id if ua else None), (ub.id if ub else None)
        s.flush()
        s.refresh(w, ["a_user", "b_user"])
        view = {"window": window_ref(w), **posts_view(w)}
        event = record(s, w.hall, names.POSTS_UPDATED, view, now, actor, window_id=w.id)
    ctx.publish([event])
    return view


# ---------------------------------------------------------------- leave


def leave_view(lv: Leave) -> dict[str, Any]:
    return {
        "id": lv.id,
        "user": clerk_view(lv.user),
        "start": lv.start_day.isoformat(),
        "end": lv.end_day.isoformat(),
        "reason": lv.reason,
        "handover_note": lv.handover_note,
        "short_notice": lv.short_notice,
        "registered_at": lv.registered_at.isoformat(),
    }


def register_leave(
    ctx: Context,
    actor: Principal,
    start: str,
    end: str,
    reason: str,
    handover_note: str,
    username: str | None = None,
) -> dict[str, Any]:
    """A clerk registers their leave (or a manager for them), with the handover note for B.

    Leave registered later than the day before it starts is marked short-notice.
    """
    require_role(actor, ("clerk", "manager", "admin"))
    try:
        start_day, end_day = date.fromisoformat(start), date.fromisoformat(end)
    except (TypeError, ValueError) as err:
        raise bad_field("start", "日期格式应为 YYYY-MM-DD", "dates are YYYY-MM-DD") from err
    now = ctx.clock()
    with ctx.db.transaction() as s:
        if username is not None and username != actor.username:
            if actor.role == "clerk":
                raise bad_field(
                    "user", "工作人员只能为自己登记请假", "a clerk registers only their own leave"
                )
            user = s.scalar(select(User).where(User.username == username))
            if user is None:
                raise not_found("用户", "user")
        else:
            user = s.get(User, actor.user_id) if actor.user_id else None
            if user is None:
                raise bad_field("user", "请指定请假人", "name the user on leave")
        if user.hall_id is None:
            raise bad_field("user", "该用户不属于任何大厅", "the user belongs to no hall")
        require_hall(actor, user.hall_id)
        hall = s.get(Hall, user.hall_id)
        assert hall is not None
        today = now.astimezone(ZoneInfo(hall.timezone)).date()
        rules.check_leave(start_day, end_day, reason, handover_note, today)
        lv = Leave(
            hall_id=hall.id,
            user_id=user.id,
            start_day=start_day,
            end_day=end_day,
            reason=reason.strip(),
            handover_note=handover_note.strip(),
            short_notice=rules.is_short_notice(today, start_day),
            registered_by_id=actor.user_id,
            registered_at=now,
        )
        s.add(lv)
        s.flush()
        s.refresh(lv, ["user"])
        view = leave_view(lv)
        event = record(s, hall, names.LEAVE_REGISTERED, {"leave": view}, now, actor)
    ctx.publish([event])
    return view


def handovers(ctx: Context, actor: Principal) -> list[dict[str, Any]]:
    """Leave of the A clerks whose B post I am, current or coming, with their handover notes."""
    require_role(actor, ("clerk",))
    now = ctx.clock()
    with ctx.db.read() as s:
        mine = s.scalars(select(Window).where(Window.b_user_id == actor.user_id)).all()
        a_users = {w.a_user_id: w for w in mine if w.a_user_id is not None}
        if not a_users:
            return []
        hall = s.get(Hall, mine[0].hall_id)
        assert hall is not None
        today = hall_day(hall, now)
        rows = s.scalars(
            select(Leave)
            .where(Leave.user_id.in_(list(a_users)), Leave.end_day >= today, Leave.cancelled_at.is_(None))
            .order_by(Leave.start_day)
        ).all()
        return [{**leave_view(lv), "window": window_ref(a_users[lv.user_id])} for lv in rows]


def list_leave(ctx: Context, actor: Principal, hall_code: str) -> list[dict[str, Any]]:
    require_role(actor, ("manager", "admin"))
    with ctx.db.read() as s:
        hall = load_hall(s, hall_code)
        require_hall(actor, hall.id)
        today = hall_day(hall, ctx.clock())
        rows = s.scalars(
            select(Leave)
            .where(Leave.hall_id == hall.id, Leave.end_day >= today, Leave.cancelled_at.is_(None))
            .order_by(Leave.start_day)
        ).all()
        return [leave_view(lv) for lv in rows]


# ---------------------------------------------------------------- attendance


def attendance_log(
    ctx: Context, actor: Principal, hall_code: str, day: str | None = None
) -> list[dict[str, Any]]:
    require_role(actor, ("manager", "admin"))
    with ctx.db.read() as s:
        hall = load_hall(s, hall_code)
        require_hall(actor, hall.id)
        q = select(Attendance, User, Window).join(User, User.id == Attendance.user_id)
        q = q.join(Window, Window.id == Attendance.window_id).where(Attendance.hall_id == hall.id)
        rows = s.execute(q.order_by(Attendance.id.desc()).limit(1000)).all()
        out = []
        tz = ZoneInfo(hall.timezone)
        for a, u, w in rows:
            local = a.at.astimezone(tz)
            if day and local.date().isoformat() != day:
                continue
            out.append(
                {
                    "at": local.isoformat(),
                    "user": clerk_view(u),
                    "window": window_ref(w),
                    "kind": a.kind,
                    "reason": a.reason,
                }
            )
        return out


# ---------------------------------------------------------------- alarms


def _hours_key(s: Session, hall: Hall, day: date) -> str | None:
    """Whose opening hours the hall keeps today (none on a holiday; the named weekday's on a 调休
    workday); a year no calendar covers keeps the ordinary weekday's: alarms are not silenced
    by a missing calendar."""
    try:
        return workdays.hours_key(day, hall_calendar(s, hall), hall.makeup_weekday)
    except workdays.CalendarMissing:
        return workdays.DAY_KEYS[day.weekday()]


def check_alarms(ctx: Context, hall_code: str | None = None) -> list[Envelope]:
    """Raise (or clear) the alarm of every window nobody staffs while citizens wait for it.

    Run every few seconds by the server; an alarm reaches the manager console and the B
    clerk's console as a `window.alarm` event.
    """
    now = ctx.clock()
    events: list[Envelope] = []
    with ctx.db.transaction() as s:
        q = select(Hall)
        if hall_code:
            q = q.where(Hall.code == hall_code)
        # the hall row lock makes the check of several server processes run one after another,
        # so an alarm is raised (and cleared) once
        for hall in s.scalars(q.with_for_update()).all():
            windows, desks, routes, _leave = hall_routes(s, hall, now)
            day = hall_day(hall, now)
            local = now.astimezone(ZoneInfo(hall.timezone))
            open_now = rules.is_open(hall.opening_hours, local, _hours_key(s, hall, local.date()))
            waiting_now = waiting_tickets(s, hall, day) if open_now else []
            by_id = {w.id: w for w in windows}
            for d in desks:
                w = by_id[d.window_id]
                if w.a_user_id is None and w.b_user_id is None:
                    continue  # no posts set: nobody to hold responsible
                # citizens waiting at it whom no window can serve now (domain.routing)
                waiting = routing.window_alarm(d, routes, waiting_now, open_now)
                alarm = waiting > 0
                if alarm and w.alarm_at is None:
                    w.alarm_at = now
                    data = {
                        "window": window_ref(w),
                        **posts_view(w),
                        "waiting": waiting,
                        "since": now.isoformat(),
                    }
                    events.append(record(s, hall, names.WINDOW_ALARM, data, now, window_id=w.id))
                elif not alarm and w.alarm_at is not None:
                    w.alarm_at = None
                    events.append(
                        record(
                            s,
                            hall,
                            names.WINDOW_ALARM_CLEARED,
                            {"window": window_ref(w)},
                            now,
                            window_id=w.id,
                        )
                    )
    ctx.publish(events)
    return events


def active_alarms(ctx: Context, actor: Principal, hall_code: str) -> list[dict[str, Any]]:
    require_role(actor, ("manager", "admin", "clerk"))
    with ctx.db.read() as s:
        hall = load_hall(s, hall_code)
        require_hall(actor, hall.id)
        rows = s.scalars(select(Window).where(Window.hall_id == hall.id, Window.alarm_at.is_not(None))).all()
        return [
            {"window": window_ref(w), **posts_view(w), "since": w.alarm_at.isoformat()}
            for w in rows
            if w.alarm_at
        ]
