"""Windows: a clerk signs in and out, pauses and resumes; what a window sees waiting."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from .. import event_names as names
from ..domain import window as window_rules
from ..domain.choose_next import call_order
from ..domain.errors import RuleViolation
from ..domain.window import WindowState
from ..storage.models import Ticket, Window
from .core.context import Context
from .core.duty import attend, cover_info, covered_windows
from .core.events import record
from .core.principal import Principal, require_role, user_of
from .core.queue import current_ticket, services_of, waiting_candidates
from .core.readmodels import redirect_updates, window_full_view
from .core.rows import hall_day, load_window
from .core.states import apply_window_state, window_state
from .core.views import ticket_view, window_ref, window_view


def _change(
    ctx: Context,
    actor: Principal,
    window_id: int,
    decide: Callable[[Any, Window, WindowState], WindowState],
    kind: str,
    reason: str | None = None,
) -> dict[str, Any]:
    require_role(actor, ("clerk",))
    assert actor.user_id is not None
    now = ctx.clock()
    with ctx.db.transaction() as s:
        w = load_window(s, window_id, actor, lock=True)
        cover_before = cover_info(s, w.hall, now)
        apply_window_state(w, decide(s, w, window_state(w)))
        attend(s, w, actor.user_id, kind, reason, now)
        s.flush()
        s.refresh(w, ["clerk"])
        cover = cover_info(s, w.hall, now)
        view = window_full_view(s, w, cover)
        # what the clerk did (sign_in, sign_out, pause, resume): the audit log says it in words
        data = {"window": view, "action": kind}
        events = [record(s, w.hall, names.WINDOW_UPDATED, data, now, actor, window_id=w.id)]
        # the windows this clerk holds a post at change with them (A's board points to B, or stops)
        related = s.scalars(
            select(Window).where(
                Window.hall_id == w.hall_id,
                Window.id != w.id,
                (Window.a_user_id == actor.user_id) | (Window.b_user_id == actor.user_id),
            )
        ).all()
        for other in related:
            other_view = window_full_view(s, other, cover)
            events.append(
                record(s, w.hall, names.WINDOW_UPDATED, {"window": other_view}, now, window_id=other.id)
            )
        # any other window whose board now sends citizens elsewhere (or nowhere): domain.routing
        skip = {w.id, *(o.id for o in related)}
        for other_view in redirect_updates(s, w.hall, cover_before, cover, skip):
            events.append(
                record(
                    s, w.hall, names.WINDOW_UPDATED, {"window": other_view}, now, window_id=other_view["id"]
                )
            )
    ctx.publish(events)
    return view


def sign_in(ctx: Context, actor: Principal, window_id: int) -> dict[str, Any]:
    """The clerk takes the window (one window per clerk, one clerk per window)."""
    uid = user_of(actor)

    def decide(s: Any, w: Window, state: WindowState) -> WindowState:
        elsewhere = s.scalar(select(Window).where(Window.clerk_id == actor.user_id, Window.id != w.id))
        if elsewhere is not None:
            raise RuleViolation(
                "signed_in_elsewhere",
                f"你已在 {elsewhere.number} 号窗口签到，请先签退",
                f"you are signed in at window {elsewhere.number}; sign out there first",
            )
        return window_rules.sign_in(state, uid)

    return _change(ctx, actor, window_id, decide, "sign_in")


def sign_out(ctx: Context, actor: Principal, window_id: int) -> dict[str, Any]:
    """The clerk leaves the window; a number still at the counter must be finished first."""
    uid = user_of(actor)
    return _change(
        ctx,
        actor,
        window_id,
        lambda s, w, st: window_rules.sign_out(st, uid, current_ticket(s, w.id) is not None),
        "sign_out",
    )


def pause(ctx: Context, actor: Principal, window_id: int, reason: str) -> dict[str, Any]:
    """The window stops calling; the boards show the reason."""
    uid = user_of(actor)
    return _change(
        ctx,
        actor,
        window_id,
        lambda s, w, st: window_rules.pause(st, uid, reason),
        "pause",
        reason,
    )


def resume(ctx: Context, actor: Principal, window_id: int) -> dict[str, Any]:
    """A paused window calls again."""
    uid = user_of(actor)
    return _change(ctx, actor, window_id, lambda s, w, st: window_rules.resume(st, uid), "resume")


def window_detail(ctx: Context, actor: Principal, window_id: int) -> dict[str, Any]:
    """The window with its current ticket and the waiting tickets it would call, in order."""
    require_role(actor, ("admin", "manager", "clerk", "board", "pad"))
    with ctx.db.read() as s:
        w = load_window(s, window_id, actor)
        hall = w.hall
        now = ctx.clock()
        view = window_full_view(s, w, cover_info(s, hall, now))
        current = current_ticket(s, w.id)
        if current is not None and actor.role not in ("board", "pad"):
            view["current"] = ticket_view(current, hall.code, staff=True)
        covering = covered_windows(s, hall, w.clerk_id, now) if w.clerk_id else []
        services = services_of(s, w, covering)
        day = hall_day(hall, now)
        order = call_order(
            w.id,
            [svc.code for svc in services],
            waiting_candidates(s, hall, day, w.id, [svc.id for svc in services], covering),
            covering,
            now,
        )
        view["covering"] = [window_ref(cw) for cw in s.scalars(select(Window).where(Window.id.in_(covering)))]
        by_id = {
            t.id: t for t in s.scalars(select(Ticket).where(Ticket.id.in_([c.ticket_id for c in order])))
        }
        view["waiting"] = [ticket_view(by_id[c.ticket_id], hall.code) for c in order]
        return view


def window_of_clerk(ctx: Context, user_id: int) -> dict[str, Any] | None:
    with ctx.db.read() as s:
        w = s.scalar(select(Window).where(Window.clerk_id == user_id))
        return window_view(w) if w else None
