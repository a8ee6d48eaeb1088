"""Read models: what boards, phones and consoles are shown — the snapshot, a ticket with its
place in the queue, a window with its posts and cover, a ticket's transfer chain.

They hold ids and data, never a host: URLs are the web layer's job.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ... import event_names as names
from ...domain.ticket import ACTIVE, Status
from ...storage.models import Event, Hall, Service, Ticket, Transfer, Window, WindowService
from . import duty
from .context import Context
from .estimates import hall_plan_cached, service_rows, ticket_estimate
from .queue import current_ticket, waiting_counts
from .rows import hall_day
from .views import ticket_view, window_ref, window_view

RECENT_CALLS = 10


def ticket_with_position(ctx: Context, session: Session, t: Ticket) -> dict[str, Any]:
    """A ticket with the people ahead of it in the real call order and its estimated wait
    (the hall's plan, core.estimates: routing truth + the play-forward)."""
    position = wait = None
    if t.status == Status.WAITING:
        e = ticket_estimate(ctx, session, t.service.hall, t.id)
        position, wait = e.ahead, e.wait_s
    return ticket_view(t, t.service.hall.code, position, wait)


def build_snapshot(ctx: Context, s: Session, hall: Hall) -> dict[str, Any]:
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
    current_by_window: dict[int | None, Ticket] = {}
    for t in active:
        current_by_window.setdefault(t.window_id, t)
    counts = waiting_counts(s, hall, day)
    cover = duty.cover_info(s, hall, ctx.clock())
    plan = hall_plan_cached(ctx, s, hall)
    waits = service_rows(plan, counts)
    return {
        "transfers": recent_transfers(s, hall, day),
        "seq": hall.seq,
        "hall": {
            "code": hall.code,
            "name": hall.name,
            "name_en": hall.name_en,
            "timezone": hall.timezone,
            # public: the hall's promise to the public (挂牌上岗), shown on the window boards
            "commitments": hall.commitments,
            "commitments_en": hall.commitments_en,
        },
        "business_day": day.isoformat(),
        "now_calling": [ticket_view(t, hall.code) for t in active],
        "recent_calls": [ticket_view(t, hall.code) for t in recent],
        "waiting": counts,
        "services": [
            {
                "code": svc.code,
                "prefix": svc.prefix,
                "name": svc.name,
                "name_en": svc.name_en,
                "category": svc.category,
                "category_en": svc.category_en,
                "waiting": counts.get(svc.code, 0),
                **waits.get(svc.code, {}),
            }
            for svc in hall.services
            if svc.active
        ],
        # waiting citizens no window can serve now, whatever the reason (domain.routing): the
        # manager console's alarm (staff only: domain.disclosure drops it for the public)
        "unserved": [
            {
                "service": code,
                "directed_window": next((window_ref(w) for w in windows if w.id == directed), None),
                "waiting": n,
            }
            for (code, directed), n in sorted(plan.unserved.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0))
        ],
        "windows": [
            {
                **window_view(
                    w,
                    ticket_view(current_by_window[w.id], hall.code) if w.id in current_by_window else None,
                ),
                "posts": duty.posts_view(w),
                **dict(zip(("cover", "redirect"), duty.cover_and_redirect(cover, w.id), strict=True)),
            }
            for w in windows
        ],
    }


RECENT_TRANSFERS = 8


def recent_transfers(s: Session, hall: Hall, day: date) -> list[dict[str, Any]]:
    """Today's transfers whose citizen still waits, newest first: a reloaded board shows them too."""
    rows = s.scalars(
        select(Event)
        .where(Event.hall_id == hall.id, Event.type == names.TICKET_TRANSFERRED)
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


def window_full_view(s: Any, w: Window, cover: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """The window with its current ticket, its A/B posts and, when B covers it, where to go."""
    current = current_ticket(s, w.id)
    view = window_view(w, ticket_view(current, w.hall.code) if current else None)
    view["posts"] = duty.posts_view(w)
    view["cover"], view["redirect"] = duty.cover_and_redirect(cover, w.id)
    return view


def transfer_chain(s: Any, ticket_id: int) -> list[dict[str, Any]]:
    """Every transfer of a ticket, oldest first: where the citizen was sent, why, by whom."""
    rows = s.scalars(select(Transfer).where(Transfer.ticket_id == ticket_id).order_by(Transfer.id)).all()
    out = []
    for r in rows:
        services = {
            sv.id: sv.code
            for sv in s.scalars(select(Service).where(Service.id.in_([r.from_service_id, r.to_service_id])))
        }
        out.append(
            {
                "from_service": services[r.from_service_id],
                "to_service": services[r.to_service_id],
                "from_window": window_ref(s.get(Window, r.from_window_id)) if r.from_window_id else None,
                "to_window": window_ref(s.get(Window, r.to_window_id)) if r.to_window_id else None,
                "reason": r.reason,
                "overridden": r.overridden,
                "at": r.at.isoformat(),
            }
        )
    return out


def redirect_updates(
    s: Any, hall: Hall, before: dict[int, dict[str, Any]], after: dict[int, dict[str, Any]], skip: set[int]
) -> list[dict[str, Any]]:
    """The views of the windows (other than `skip`) whose cover or redirect changed between two
    `duty.cover_info` readings: their boards must stop sending citizens to a window that paused,
    or start sending them to one that opened (domain.routing)."""
    changed = [
        wid for wid in set(before) | set(after) if wid not in skip and before.get(wid) != after.get(wid)
    ]
    if not changed:
        return []
    rows = s.scalars(
        select(Window).where(Window.hall_id == hall.id, Window.id.in_(changed)).order_by(Window.number)
    )
    return [window_full_view(s, w, after) for w in rows]
