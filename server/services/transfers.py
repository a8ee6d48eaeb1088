"""Transfers at a window (转办) and the first-contact owner's follow-up list (首办责任人)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from .. import event_names as names
from ..domain import transfer as rules
from ..domain.errors import RuleViolation
from ..domain.ticket import Status
from ..storage.models import Hall, Service, Ticket, Transfer, Window
from .core.context import Context
from .core.errors import bad_field, not_found
from .core.events import record
from .core.principal import Forbidden, Principal, require_role
from .core.queue import open_windows, waiting_count
from .core.readmodels import transfer_chain
from .core.rows import load_ticket
from .core.states import apply_ticket_state, ticket_state
from .core.views import ticket_view, window_ref


def transfer(
    ctx: Context,
    actor: Principal,
    public_id: str,
    reason: str | None,
    service_code: str | None = None,
    window_id: int | None = None,
    override: bool = False,
) -> dict[str, Any]:
    """Send the citizen at this window to the right service or window, keeping their place.

    The clerk at the ticket's window (or a manager) transfers it with a reason. The ticket keeps
    its number and queued time; with a window it is directed there. A target no open window
    serves is refused unless a manager sets `override`. The transferring clerk becomes the
    owner if the citizen had none (first contact).
    """
    require_role(actor, ("clerk", "manager", "admin"))
    if override and actor.role == "clerk":
        raise Forbidden("forbidden", "只有经理可以强制转办", "only a manager can override")
    if (service_code is None) == (window_id is None):
        raise bad_field("service", "请指定转办的事项或窗口（二选一）", "give either a service or a window")
    why = rules.check_reason(reason)
    now = ctx.clock()
    with ctx.db.transaction() as s:
        t = load_ticket(s, public_id, actor, lock=True)
        hall = s.get(Hall, t.hall_id)
        assert hall is not None
        from_window = t.window
        if actor.role == "clerk" and (from_window is None or from_window.clerk_id != actor.user_id):
            raise RuleViolation(
                "window_not_signed_in",
                "该号码不在你签到的窗口",
                "this ticket is not at the window you are signed in at",
            )
        target_window: Window | None = None
        if window_id is not None:
            target_window = s.get(Window, window_id)
            if target_window is None or target_window.hall_id != hall.id:
                raise not_found("窗口", "window")
            served = {link.service.code: link.service for link in target_window.service_links}
            active = [code for code, svc in served.items() if svc.active]
            target_service = served[rules.service_at_window(t.service.code, active)]
            target_open = target_window.status == "open"
        else:
            found = s.scalar(select(Service).where(Service.hall_id == hall.id, Service.code == service_code))
            if found is None or not found.active:
                raise not_found("事项", "service")
            target_service = found
            target_open = bool(open_windows(s, target_service.id))
        if from_window is not None and target_window is not None and target_window.id == from_window.id:
            raise bad_field("window", "不能转给本窗口", "that is this window")
        rules.check_target_open(target_open, override)

        from_service = t.service
        apply_ticket_state(t, rules.transfer(ticket_state(t)))
        t.service_id, t.service = target_service.id, target_service
        t.directed_window_id = target_window.id if target_window else None
        t.directed_window = target_window
        if actor.role == "clerk":
            assert actor.user_id is not None
            t.owner_id = rules.first_contact_owner(t.owner_id, actor.user_id)
        s.add(
            Transfer(
                ticket_id=t.id,
                hall_id=hall.id,
                from_service_id=from_service.id,
                to_service_id=target_service.id,
                from_window_id=from_window.id if from_window else None,
                to_window_id=target_window.id if target_window else None,
                reason=why,
                by_user_id=actor.user_id,
                overridden=override and not target_open,
                at=now,
            )
        )
        s.flush()
        s.refresh(t, ["owner", "window", "directed_window"])
        numbers = (
            [target_window.number]
            if target_window
            else [w.number for w in open_windows(s, target_service.id)]
        )
        zh, en = rules.where_to_go(t.number, numbers)
        view = ticket_view(t, hall.code)
        view["transfers"] = transfer_chain(s, t.id)
        data = {
            "ticket": ticket_view(t, hall.code),
            "from": {"service": from_service.code, "window": window_ref(from_window)},
            "to": {"service": target_service.code, "window": window_ref(target_window), "windows": numbers},
            "reason": why,
            "message": {"zh": zh, "en": en},
            "waiting": {
                from_service.code: waiting_count(s, from_service.id, t.business_day),
                target_service.code: waiting_count(s, target_service.id, t.business_day),
            },
        }
        event = record(
            s,
            hall,
            names.TICKET_TRANSFERRED,
            data,
            now,
            actor,
            window_id=from_window.id if from_window else None,
            ticket_id=t.id,
        )
        view["message"] = data["message"]
    ctx.publish([event])
    return view


def follow_ups(ctx: Context, actor: Principal) -> list[dict[str, Any]]:
    """The owner's follow-up list: every matter they own that is not done yet, oldest first."""
    require_role(actor, ("clerk", "manager", "admin"))
    with ctx.db.read() as s:
        rows = s.scalars(
            select(Ticket)
            .where(
                Ticket.owner_id == actor.user_id,
                Ticket.status.not_in([Status.DONE.value, Status.CANCELLED.value]),
            )
            .order_by(Ticket.queued_at)
        ).all()
        out = []
        for t in rows:
            view = ticket_view(t, t.service.hall.code, staff=True)
            view["transfers"] = transfer_chain(s, t.id)
            out.append(view)
        return out
