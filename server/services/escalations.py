"""Escalations (请示): a clerk's question to a manager about a ticket or a case, the manager's
answer back to the clerk, and what the citizen was told (反馈). Every step records an
`escalation.*` event (staff audiences; the audit log reads them)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import event_names as names
from ..domain import escalations as rules
from ..domain.escalations import EscalationState
from ..storage.models import Case, Escalation, Hall, Ticket, User, Window
from .core.context import Context
from .core.errors import bad_field, not_found
from .core.events import record
from .core.principal import Forbidden, Principal, require_role
from .core.rows import load_hall, load_ticket
from .core.views import clerk_view

STAFF = ("clerk", "manager", "admin")


def _person(s: Session, user_id: int | None) -> dict[str, Any] | None:
    return clerk_view(s.get(User, user_id)) if user_id is not None else None


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


def escalation_view(s: Session, e: Escalation) -> dict[str, Any]:
    """An escalation as staff see it."""
    ticket = s.get(Ticket, e.ticket_id) if e.ticket_id is not None else None
    case = s.get(Case, e.case_id) if e.case_id is not None else None
    window = s.get(Window, e.window_id) if e.window_id is not None else None
    state = _state(e)
    return {
        "id": e.id,
        "status": state.status,
        "ticket": {"id": ticket.public_id, "number": ticket.number} if ticket is not None else None,
        "case": {"code": case.code, "number": case.number} if case is not None else None,
        "window": {"id": window.id, "number": window.number, "name": window.name} if window else None,
        "asked_by": _person(s, e.asked_by_id),
        "question": e.question,
        "asked_at": e.asked_at.isoformat(),
        "answered_by": _person(s, e.answered_by_id),
        "answer": e.answer,
        "answered_at": _iso(e.answered_at),
        "feedback": e.feedback,
        "fed_back_at": _iso(e.fed_back_at),
    }


def _current_window(s: Session, actor: Principal, hall_id: int) -> int | None:
    """The window the asker is signed in at (None when at none)."""
    if actor.user_id is None:
        return None
    return s.scalar(select(Window.id).where(Window.hall_id == hall_id, Window.clerk_id == actor.user_id))


def ask(ctx: Context, actor: Principal, body: dict[str, Any]) -> dict[str, Any]:
    """Escalate a question about a ticket (`ticket`: its id) or a case (`case`: its code) of the
    asker's hall to the hall's managers."""
    require_role(actor, STAFF)
    ticket_id, case_code = body.get("ticket"), body.get("case")
    question = rules.ask(actor.role, ticket_id, case_code, body.get("question"))
    now = ctx.clock()
    with ctx.db.transaction() as s:
        ticket: Ticket | None = None
        case: Case | None = None
        if ticket_id is not None:
            ticket = load_ticket(s, str(ticket_id), actor)
            hall_id = ticket.hall_id
        else:
            case = s.scalar(select(Case).where(Case.code == str(case_code)))
            if case is None or (actor.hall_id is not None and actor.hall_id != case.hall_id):
                raise not_found("办件", "case")
            hall_id = case.hall_id
        hall = s.get(Hall, hall_id)
        assert hall is not None and actor.user_id is not None
        e = Escalation(
            hall_id=hall.id,
            ticket_id=ticket.id if ticket is not None else case.ticket_id if case is not None else None,
            case_id=case.id if case is not None else None,
            window_id=_current_window(s, actor, hall.id),
            asked_by_id=actor.user_id,
            question=question,
            asked_at=now,
        )
        s.add(e)
        s.flush()
        view = escalation_view(s, e)
        event = record(
            s,
            hall,
            names.ESCALATION_ASKED,
            {"escalation": view},
            now,
            actor,
            window_id=e.window_id,
            ticket_id=e.ticket_id,
        )
    ctx.publish([event])
    return view


def list_escalations(
    ctx: Context, actor: Principal, hall: str | None = None, status: str = "open", mine: bool = False
) -> dict[str, Any]:
    """The hall's escalations: `open` (waiting for an answer), `answered` (waiting for the
    feedback) or `all`, the oldest first; `mine`: those the actor asked. A clerk sees their own."""
    require_role(actor, STAFF)
    if status not in rules.FILTERS:
        raise bad_field("status", "status 须为 open/answered/all", "status is open, answered or all")
    code = hall or actor.hall_code
    if not code:
        raise bad_field("hall", "请指定大厅", "name the hall")
    with ctx.db.read() as s:
        h = load_hall(s, code)
        if actor.hall_id is not None and actor.hall_id != h.id:
            raise Forbidden("forbidden", "无权查看其他大厅的请示", "this user belongs to another hall")
        q = select(Escalation).where(Escalation.hall_id == h.id)
        if mine or actor.role == "clerk":
            q = q.where(Escalation.asked_by_id == actor.user_id)
        if status == "open":
            q = q.where(Escalation.answered_at.is_(None))
        elif status == "answered":
            q = q.where(Escalation.answered_at.is_not(None), Escalation.fed_back_at.is_(None))
        rows = s.scalars(q.order_by(Escalation.id)).all()
        return {"hall": h.code, "escalations": [escalation_view(s, e) for e in rows]}


def _load(s: Session, actor: Principal, escalation_id: int) -> tuple[Escalation, Hall]:
    e = s.get(Escalation, escalation_id, with_for_update=True)
    if e is None or (actor.hall_id is not None and actor.hall_id != e.hall_id):
        raise not_found("请示", "escalation")
    hall = s.get(Hall, e.hall_id)
    assert hall is not None
    return e, hall


def _state(e: Escalation) -> EscalationState:
    return EscalationState(e.asked_by_id, e.answered_at is not None, e.fed_back_at is not None)


def _step(
    ctx: Context,
    actor: Principal,
    escalation_id: int,
    event_type: str,
    apply: Callable[[Escalation, datetime], None],
) -> dict[str, Any]:
    """One step of an escalation in its own transaction: `apply` checks the rule and writes the
    row; the step's event follows (published after commit)."""
    require_role(actor, STAFF)
    now = ctx.clock()
    with ctx.db.transaction() as s:
        e, hall = _load(s, actor, escalation_id)
        apply(e, now)
        s.flush()
        view = escalation_view(s, e)
        event = record(
            s,
            hall,
            event_type,
            {"escalation": view},
            now,
            actor,
            window_id=e.window_id,
            ticket_id=e.ticket_id,
        )
    ctx.publish([event])
    return view


def answer(ctx: Context, actor: Principal, escalation_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """A manager answers (once; never their own question); the answer goes back to the clerk."""

    def apply(e: Escalation, now: datetime) -> None:
        _, reply = rules.answer(_state(e), actor.role, actor.user_id, body.get("answer"))
        e.answer, e.answered_by_id, e.answered_at = reply, actor.user_id, now

    return _step(ctx, actor, escalation_id, names.ESCALATION_ANSWERED, apply)


def feed_back(ctx: Context, actor: Principal, escalation_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """The clerk who asked records what the citizen was told (反馈), after the answer, once; a
    case's feedback shows on the citizen's case page."""

    def apply(e: Escalation, now: datetime) -> None:
        _, said = rules.feed_back(_state(e), actor.user_id, body.get("feedback"))
        e.feedback, e.fed_back_at = said, now

    return _step(ctx, actor, escalation_id, names.ESCALATION_FED_BACK, apply)
