"""The manager re-routes the hall live: window services, closing windows, moving waiting citizens.

Every action takes effect at once on boards, consoles and call-next, and is audit-logged.
Actions that move citizens need `confirm`: without it they answer how many would move.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from .. import event_names as names
from ..domain.choose_next import waits_at
from ..domain.errors import RuleViolation
from ..domain.ticket import Status
from ..storage.models import Service, Ticket, Transfer, Window, WindowService
from .core.context import Context, Envelope
from .core.duty import attend, cover_info
from .core.errors import bad_field
from .core.events import record
from .core.principal import Principal, require_hall, require_role
from .core.queue import current_ticket, waiting_counts, waiting_tickets
from .core.readmodels import redirect_updates, window_full_view
from .core.rows import hall_day, load_hall, load_window


def set_window_services(ctx: Context, actor: Principal, window_id: int, codes: Any) -> dict[str, Any]:
    """Replace the services a window serves (in order); call-next follows at once."""
    require_role(actor, ("manager", "admin"))
    if (
        not isinstance(codes, list)
        or not all(isinstance(c, str) for c in codes)
        or len(set(codes)) != len(codes)
    ):
        raise bad_field(
            "services", "services 必须是不重复的事项代码列表", "services must be a list of distinct codes"
        )
    now = ctx.clock()
    with ctx.db.transaction() as s:
        w = load_window(s, window_id, actor, lock=True)
        cover_before = cover_info(s, w.hall, now)
        found = {sv.code: sv for sv in s.scalars(select(Service).where(Service.hall_id == w.hall_id))}
        for i, code in enumerate(codes):
            if code not in found:
                raise bad_field(f"services[{i}]", f"没有事项 {code}", f"no service {code}")
        before = [link.service.code for link in w.service_links]
        w.service_links.clear()
        s.flush()
        for pos, code in enumerate(codes):
            w.service_links.append(WindowService(window_id=w.id, service_id=found[code].id, position=pos))
        s.flush()
        s.refresh(w, ["service_links"])

        cover = cover_info(s, w.hall, now)
        view = window_full_view(s, w, cover)
        data = {"window": view, "change": {"services": {"before": before, "after": list(codes)}}}
        events = [record(s, w.hall, names.WINDOW_UPDATED, data, now, actor, window_id=w.id)]
        events += _redirects(s, w, cover_before, cover, now)
    ctx.publish(events)
    return view


def _redirects(
    s: Any, w: Window, before: dict[int, dict[str, Any]], after: dict[int, dict[str, Any]], now: Any
) -> list[Envelope]:
    """window.updated for each other window whose board now sends citizens elsewhere."""
    return [
        record(s, w.hall, names.WINDOW_UPDATED, {"window": v}, now, window_id=v["id"])
        for v in redirect_updates(s, w.hall, before, after, {w.id})
    ]


def close_window(ctx: Context, actor: Principal, window_id: int, reason: str | None) -> dict[str, Any]:
    """The manager closes a window (its clerk is signed out); a number still at it must finish first."""
    require_role(actor, ("manager", "admin"))
    now = ctx.clock()
    with ctx.db.transaction() as s:
        w = load_window(s, window_id, actor, lock=True)
        if current_ticket(s, w.id) is not None:
            raise RuleViolation("window_busy", "该窗口还有号码在办理", "the window still serves a number")
        cover_before = cover_info(s, w.hall, now)

        if w.clerk_id is not None:
            attend(s, w, w.clerk_id, "sign_out", f"closed by {actor.username}: {reason or ''}".strip(), now)
        w.status, w.clerk_id, w.pause_reason = "closed", None, None
        s.flush()
        s.refresh(w, ["clerk"])
        cover = cover_info(s, w.hall, now)
        view = window_full_view(s, w, cover)
        data = {"window": view, "change": {"closed_by_manager": True, "reason": reason}}
        events = [record(s, w.hall, names.WINDOW_UPDATED, data, now, actor, window_id=w.id)]
        events += _redirects(s, w, cover_before, cover, now)
    ctx.publish(events)
    return view


def move_waiting(
    ctx: Context,
    actor: Principal,
    hall_code: str,
    source: Any,
    target: Any,
    confirm: bool,
    reason: str | None = None,
) -> dict[str, Any]:
    """Move every waiting ticket of a service or window to another service or window (bulk transfer).

    Tickets keep their numbers and queued times. Without `confirm` nothing moves and the answer
    says how many would (the console asks the manager to confirm).
    """
    require_role(actor, ("manager", "admin"))
    for name, spec in (("from", source), ("to", target)):
        if not isinstance(spec, dict) or len(spec) != 1 or not ({"service", "window"} >= set(spec)):
            raise bad_field(
                name,
                f"{name} 必须是 {{service: 代码}} 或 {{window: 编号}}",
                f"{name} is a service or a window",
            )
    now = ctx.clock()
    with ctx.db.transaction() as s:
        hall = load_hall(s, hall_code)
        require_hall(actor, hall.id)
        day = hall_day(hall, now)

        def resolve(spec: dict[str, Any], field: str) -> tuple[Service | None, Window | None]:
            if "service" in spec:
                sv = s.scalar(
                    select(Service).where(Service.hall_id == hall.id, Service.code == spec["service"])
                )
                if sv is None:
                    raise bad_field(field, f"没有事项 {spec['service']}", f"no service {spec['service']}")
                return sv, None
            wn = s.get(Window, spec["window"]) if isinstance(spec["window"], int) else None
            if wn is None or wn.hall_id != hall.id:
                raise bad_field(field, "没有这个窗口", "no such window")
            return None, wn

        from_svc, from_win = resolve(source, "from")
        to_svc, to_win = resolve(target, "to")
        waiting = waiting_tickets(s, hall, day)
        if from_svc is not None:
            moving = [c.ticket_id for c in waiting if c.service_code == from_svc.code]
        else:
            assert from_win is not None
            served = {link.service.code for link in from_win.service_links}
            moving = [c.ticket_id for c in waiting if waits_at(from_win.id, served, c)]
        tickets = s.scalars(
            select(Ticket)
            .where(Ticket.id.in_(moving), Ticket.status == Status.WAITING.value)
            .order_by(Ticket.queued_at)
            .with_for_update()
        ).all()
        if to_win is not None:
            to_links = [link.service for link in to_win.service_links]
            if not to_links:
                raise bad_field("to", "目标窗口没有办理任何事项", "the target window serves nothing")
        preview = {"count": len(tickets), "numbers": [t.number for t in tickets]}
        if not confirm:
            return {"moved": 0, "confirm_required": True, **preview}
        why = (reason or "").strip() or "值班经理调度"
        for t in tickets:
            new_service = to_svc or (t.service if t.service in to_links else to_links[0])
            s.add(
                Transfer(
                    ticket_id=t.id,
                    hall_id=hall.id,
                    from_service_id=t.service_id,
                    to_service_id=new_service.id,
                    from_window_id=None,
                    to_window_id=to_win.id if to_win else None,
                    reason=why,
                    by_user_id=actor.user_id,
                    overridden=False,
                    at=now,
                )
            )
            t.service_id, t.service = new_service.id, new_service
            t.directed_window_id = to_win.id if to_win else None
        s.flush()
        data = {
            "from": source,
            "to": target,
            "reason": why,
            **preview,
            "waiting": waiting_counts(s, hall, day),
        }
        event = record(s, hall, names.QUEUE_MOVED, data, now, actor)
    ctx.publish([event])
    return {"moved": preview["count"], "numbers": preview["numbers"], "confirm_required": False}
