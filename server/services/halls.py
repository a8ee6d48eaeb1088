"""Halls as the public sees them: services with waiting counts, the snapshot boards render."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, false, func, select, true
from sqlalchemy.orm import Session, selectinload

from ..domain.business_day import business_day
from ..domain.estimate import estimated_wait_s
from ..domain.ticket import ACTIVE, Status
from ..storage.models import Hall, Service, Ticket, User, Window, WindowService
from .core.context import Context
from .core.errors import not_found
from .core.events import events_since
from .core.principal import Principal, require_hall, require_role
from .core.views import ticket_view, window_view

#: a board that missed more events than this gets a snapshot instead of the events
MAX_REPLAY = 500
RECENT_CALLS = 10
_AVG_TTL_S = 30.0


def load_hall(session: Session, code: str) -> Hall:
    hall = session.scalar(select(Hall).where(Hall.code == code))
    if hall is None:
        raise not_found("大厅", "hall")
    return hall


def hall_day(hall: Hall, now: datetime) -> date:
    return business_day(now, hall.timezone, hall.rollover_hour)


def waiting_counts(session: Session, hall: Hall, day: date) -> dict[str, int]:
    rows = session.execute(
        select(Service.code, func.count(Ticket.id))
        .join(Ticket, Ticket.service_id == Service.id)
        .where(Ticket.hall_id == hall.id, Ticket.business_day == day, Ticket.status == Status.WAITING)
        .group_by(Service.code)
    ).all()
    counts = {s.code: 0 for s in hall.services}
    counts.update({code: int(n) for code, n in rows})
    return counts


_WAITING_COUNT = select(func.count()).where(
    Ticket.__table__.c.service_id == bindparam("service_id"),
    Ticket.__table__.c.business_day == bindparam("day"),
    Ticket.__table__.c.status == Status.WAITING.value,
)

_OPEN_WINDOWS_SERVING = (
    select(func.count())
    .select_from(Window.__table__.join(WindowService.__table__))
    .where(
        WindowService.__table__.c.service_id == bindparam("service_id"), Window.__table__.c.status == "open"
    )
)


def waiting_count(session: Session, service_id: int, day: date) -> int:
    return int(
        session.connection().execute(_WAITING_COUNT, {"service_id": service_id, "day": day}).scalar_one()
    )


def open_windows_serving(session: Session, service_id: int) -> int:
    return int(session.connection().execute(_OPEN_WINDOWS_SERVING, {"service_id": service_id}).scalar_one())


_OPEN_TTL_S = 3.0


def open_windows_cached(ctx: Context, session: Session, service_id: int) -> int:
    """Open windows serving a service, for wait estimates: a few seconds stale is fine."""
    key = f"open:{service_id}"
    now = ctx.clock().timestamp()
    hit = ctx.cache.get(key)
    if hit and now - hit[0] < _OPEN_TTL_S:
        return hit[1]  # type: ignore[no-any-return]
    n = open_windows_serving(session, service_id)
    ctx.cache[key] = (now, n)
    return n


def average_service_s(ctx: Context, session: Session, service_id: int, day: date) -> float | None:
    """Mean call-to-finish time of today's last 20 completed tickets (cached briefly)."""
    key = f"avg:{service_id}:{day}"
    now = ctx.clock().timestamp()
    hit = ctx.cache.get(key)
    if hit and now - hit[0] < _AVG_TTL_S:
        return hit[1]  # type: ignore[no-any-return]
    rows = session.execute(
        select(Ticket.called_at, Ticket.finished_at)
        .where(Ticket.service_id == service_id, Ticket.business_day == day, Ticket.status == Status.DONE)
        .order_by(Ticket.finished_at.desc())
        .limit(20)
    ).all()
    spans = [(f - c).total_seconds() for c, f in rows if c and f and f > c]
    avg = sum(spans) / len(spans) if spans else None
    ctx.cache[key] = (now, avg)
    return avg


def _people_ahead_query() -> Any:
    tk = Ticket.__table__.c
    earlier = (tk.queued_at < bindparam("queued_at")) | (
        (tk.queued_at == bindparam("queued_at")) & (tk.id < bindparam("id"))
    )
    same_rank_earlier = (tk.priority == bindparam("priority")) & earlier
    # a non-priority ticket also has every waiting priority ticket ahead of it
    ahead = same_rank_earlier | ((bindparam("priority") == false()) & (tk.priority == true()))
    return select(func.count()).where(
        tk.service_id == bindparam("service_id"),
        tk.business_day == bindparam("day"),
        tk.status == Status.WAITING.value,
        ahead,
    )


_PEOPLE_AHEAD = _people_ahead_query()


def people_ahead(session: Session, t: Ticket) -> int:
    """Waiting tickets of the same service called before this one (priority first, then time)."""
    params = {
        "queued_at": t.queued_at,
        "id": t.id,
        "priority": t.priority,
        "service_id": t.service_id,
        "day": t.business_day,
    }
    return int(session.connection().execute(_PEOPLE_AHEAD, params).scalar_one())


def ticket_with_position(ctx: Context, session: Session, t: Ticket, base_url: str) -> dict[str, Any]:
    position = wait = None
    if t.status == Status.WAITING:
        position = people_ahead(session, t)
        wait = estimated_wait_s(
            position,
            average_service_s(ctx, session, t.service_id, t.business_day),
            open_windows_cached(ctx, session, t.service_id),
        )
    return ticket_view(t, t.service.hall.code, base_url, position, wait)


def current_ticket(session: Session, window_id: int) -> Ticket | None:
    return session.scalar(
        select(Ticket)
        .where(Ticket.window_id == window_id, Ticket.status.in_([s.value for s in ACTIVE]))
        .order_by(Ticket.called_at.desc())
        .limit(1)
    )


def hall_info(ctx: Context, code: str) -> dict[str, Any]:
    """The hall for kiosks: services by category with waiting counts and estimated waits."""
    with ctx.db.read() as s:
        hall = load_hall(s, code)
        day = hall_day(hall, ctx.clock())
        counts = waiting_counts(s, hall, day)
        services = []
        for svc in hall.services:
            if not svc.active:
                continue
            n = counts.get(svc.code, 0)
            services.append(
                {
                    "code": svc.code,
                    "prefix": svc.prefix,
                    "name": svc.name,
                    "name_en": svc.name_en,
                    "category": svc.category,
                    "waiting": n,
                    "estimated_wait_s": estimated_wait_s(
                        n, average_service_s(ctx, s, svc.id, day), open_windows_serving(s, svc.id)
                    ),
                }
            )
        categories = list(dict.fromkeys(svc["category"] for svc in services))
        return {
            "code": hall.code,
            "name": hall.name,
            "timezone": hall.timezone,
            "business_day": day.isoformat(),
            "categories": categories,
            "services": services,
        }


def list_halls(ctx: Context) -> list[dict[str, str]]:
    with ctx.db.read() as s:
        return [{"code": h.code, "name": h.name} for h in s.scalars(select(Hall).order_by(Hall.code))]


def build_snapshot(ctx: Context, s: Session, hall: Hall, base_url: str) -> dict[str, Any]:
    day = hall_day(hall, ctx.clock())
    windows = s.scalars(
        select(Window)
        .where(Window.hall_id == hall.id)
        .order_by(Window.number)
        .options(
            selectinload(Window.service_links).selectinload(WindowService.service),
            selectinload(Window.clerk),
        )
    ).all()
    active = s.scalars(
        select(Ticket)
        .where(
            Ticket.hall_id == hall.id,
            Ticket.business_day == day,
            Ticket.status.in_([st.value for st in ACTIVE]),
        )
        .order_by(Ticket.called_at.desc())
    ).all()
    recent = s.scalars(
        select(Ticket)
        .where(Ticket.hall_id == hall.id, Ticket.business_day == day, Ticket.called_at.is_not(None))
        .order_by(Ticket.called_at.desc())
        .limit(RECENT_CALLS)
    ).all()
    current_by_window = {}
    for t in active:
        current_by_window.setdefault(t.window_id, t)
    counts = waiting_counts(s, hall, day)
    from . import staff  # staff builds on this module

    cover = staff.cover_info(s, hall, ctx.clock())
    return {
        "transfers": recent_transfers(s, hall, day),
        "seq": hall.seq,
        "hall": {"code": hall.code, "name": hall.name, "timezone": hall.timezone},
        "business_day": day.isoformat(),
        "now_calling": [ticket_view(t, hall.code, base_url) for t in active],
        "recent_calls": [ticket_view(t, hall.code, base_url) for t in recent],
        "waiting": counts,
        "services": [
            {
                "code": svc.code,
                "prefix": svc.prefix,
                "name": svc.name,
                "category": svc.category,
                "waiting": counts.get(svc.code, 0),
            }
            for svc in hall.services
            if svc.active
        ],
        "windows": [
            {
                **window_view(
                    w,
                    ticket_view(current_by_window[w.id], hall.code, base_url)
                    if w.id in current_by_window
                    else None,
                ),
                "posts": staff.posts_view(w),
                "cover": cover.get(w.id),
            }
            for w in windows
        ],
    }


RECENT_TRANSFERS = 8


def recent_transfers(s: Session, hall: Hall, day: date) -> list[dict[str, Any]]:
    """Today's transfers whose citizen still waits, newest first: a reloaded board shows them too."""
    from ..event_names import TICKET_TRANSFERRED
    from ..storage.models import Event

    rows = s.scalars(
        select(Event)
        .where(Event.hall_id == hall.id, Event.type == TICKET_TRANSFERRED)
        .order_by(Event.seq.desc())
        .limit(50)
    ).all()
    seen: set[str] = set()
    out = []
    for e in rows:
        tid = e.data["ticket"]["id"]
        if tid in seen or e.data["ticket"].get("business_day") != day.isoformat():
            continue
        seen.add(tid)
        status = s.scalar(select(Ticket.status).where(Ticket.public_id == tid))
        if status == Status.WAITING:
            out.append(e.data)
        if len(out) >= RECENT_TRANSFERS:
            break
    return out


def snapshot(ctx: Context, actor: Principal, code: str, base_url: str = "") -> dict[str, Any]:
    """What a board shows right now, with the seq it is consistent with."""
    with ctx.db.read() as s:
        hall = load_hall(s, code)
        authorize_read(actor, hall)
        return build_snapshot(ctx, s, hall, base_url)


def resync(
    ctx: Context, actor: Principal, code: str, since: int | None, base_url: str = ""
) -> dict[str, Any]:
    """A (re)connecting board's catch-up: the events it missed, or a snapshot."""
    with ctx.db.read() as s:
        hall = load_hall(s, code)
        authorize_read(actor, hall)
        if since is not None and 0 <= since <= hall.seq:
            missed = events_since(s, hall, since, MAX_REPLAY)
            if missed is not None:
                return {"seq": hall.seq, "events": missed}
        return {"seq": hall.seq, "snapshot": build_snapshot(ctx, s, hall, base_url)}


def authorize_read(actor: Principal, hall: Hall, public_boards: bool = True) -> None:
    if actor.is_anonymous:
        return  # callers decide whether anonymous readers are allowed at all
    require_role(actor, ("admin", "manager", "clerk", "kiosk", "board"))
    require_hall(actor, hall.id)


def user_by_id(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)
