"""Cases (办件): the hall's list sorted by urgency, one case with its chain, and what the owner
(or a manager) does to it — suspend, resume, complete, deliver, reassign — plus supervision
(督办) by a manager and the owner's answer. Every action records a step of the chain, refreshes
the due date with the hall's calendar and records a `case.*` event (staff audiences only)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import event_names as names
from ..domain import cases as rules
from ..domain.cases import CaseState, CaseStatus
from ..domain.workdays import GREEN, RED, YELLOW
from ..storage.models import Case, CaseStep, Hall, User
from .core.casework import case_steps, case_urgency, case_view, local_day, refresh_due
from .core.context import Context
from .core.errors import bad_field, not_found
from .core.events import record
from .core.principal import Forbidden, Principal, require_role, user_of
from .core.rows import load_hall
from .core.workcal import hall_calendar

STAFF = ("clerk", "manager", "admin")
STATUS_FILTERS = (*(s.value for s in CaseStatus), "open")
URGENCIES = (GREEN, YELLOW, RED)

_EVENTS = {
    "suspend": names.CASE_SUSPENDED,
    "resume": names.CASE_RESUMED,
    "complete": names.CASE_COMPLETED,
    "deliver": names.CASE_DELIVERED,
    "reassign": names.CASE_REASSIGNED,
    "supervise": names.CASE_SUPERVISED,
    "answer": names.CASE_ANSWERED,
}
#: the step each action records in the chain
_STEPS = {
    "suspend": "suspended",
    "resume": "resumed",
    "complete": "completed",
    "deliver": "delivered",
    "reassign": "reassigned",
    "supervise": "supervised",
    "answer": "answered",
}


def _hall_of(s: Session, actor: Principal, hall_code: str | None) -> Hall:
    """The hall the actor asks about: their own; an admin names one."""
    code = hall_code or actor.hall_code
    if not code:
        raise bad_field("hall", "请指定大厅", "name the hall")
    hall = load_hall(s, code)
    if actor.hall_id is not None and actor.hall_id != hall.id:
        raise Forbidden("forbidden", "无权查看其他大厅的办件", "this user belongs to another hall")
    return hall


def _user_id(s: Session, hall: Hall, username: str, field: str) -> int:
    u = s.scalar(select(User).where(User.username == username, User.hall_id == hall.id))
    if u is None:
        raise bad_field(
            field, f"本大厅没有工作人员 {username}", f"no member of staff {username!r} in this hall"
        )
    return u.id


def list_cases(
    ctx: Context,
    actor: Principal,
    hall: str | None = None,
    status: str | None = None,
    owner: str | None = None,
    due_before: date | None = None,
    urgency: str | None = None,
) -> dict[str, Any]:
    """The hall's cases (staff of the hall), red first, then yellow, then green, the earliest due
    first. `status` is a case status or `open` (not yet delivered); `owner` a username or `me`."""
    require_role(actor, STAFF)
    if status is not None and status not in STATUS_FILTERS:
        raise bad_field(
            "status", f"状态须为 {'/'.join(STATUS_FILTERS)}", f"status is one of {', '.join(STATUS_FILTERS)}"
        )
    if urgency is not None and urgency not in URGENCIES:
        raise bad_field(
            "urgency", f"紧急程度须为 {'/'.join(URGENCIES)}", f"urgency is one of {', '.join(URGENCIES)}"
        )
    with ctx.db.read() as s:
        h = _hall_of(s, actor, hall)
        q = select(Case).where(Case.hall_id == h.id)
        if status == "open":
            q = q.where(Case.status.in_(rules.OPEN_STATUSES))
        elif status is not None:
            q = q.where(Case.status == status)
        if owner is not None:
            owner_id = user_of(actor) if owner == "me" else _user_id(s, h, owner, "owner")
            q = q.where(Case.owner_id == owner_id)
        if due_before is not None:
            q = q.where(Case.due_day.is_not(None), Case.due_day <= due_before)
        today = local_day(h, ctx.clock())
        calendar = hall_calendar(s, h)
        rows = []
        for case in s.scalars(q).all():
            level = case_urgency(case, today, calendar)
            if urgency is None or level == urgency:
                rows.append((rules.list_order(level, case.due_day, case.number), case))
        rows.sort(key=lambda r: r[0])
        return {
            "hall": h.code,
            "today": today.isoformat(),
            "cases": [case_view(s, case, h, today, calendar) for _, case in rows],
        }


def _load_case(s: Session, actor: Principal, code: str, lock: bool = False) -> tuple[Case, Hall]:
    """A case by its code; another hall's case is not found (its existence is not told)."""
    q = select(Case).where(Case.code == code)
    if lock:
        q = q.with_for_update()
    case = s.scalar(q)
    if case is None or (actor.hall_id is not None and actor.hall_id != case.hall_id):
        raise not_found("办件", "case")
    hall = s.get(Hall, case.hall_id)
    assert hall is not None
    return case, hall


def get_case(ctx: Context, actor: Principal, code: str) -> dict[str, Any]:
    """One case with its chain of steps (staff of its hall)."""
    require_role(actor, STAFF)
    with ctx.db.read() as s:
        case, hall = _load_case(s, actor, code)
        view = case_view(s, case, hall, local_day(hall, ctx.clock()), hall_calendar(s, hall))
        view["steps"] = case_steps(s, case)
        return view


def act_on_case(
    ctx: Context, actor: Principal, code: str, action: str, body: dict[str, Any]
) -> dict[str, Any]:
    """Suspend (`kind`, `reason`), resume, complete, deliver (`method`, `note`), reassign (`to`,
    `reason`), supervise (`note`, `reply_by`: a manager) or answer (`answer`: the owner).

    Only the owner or a manager acts on a case of their hall; the case answers with its chain.
    """
    if action not in rules.ACTIONS:
        raise not_found("操作", "action")
    require_role(actor, STAFF)
    now = ctx.clock()
    with ctx.db.transaction() as s:
        case, hall = _load_case(s, actor, code, lock=True)
        if not rules.may_act(action, actor.role, actor.user_id, case.owner_id):
            raise Forbidden(
                "forbidden",
                "只有办件责任人或经理可以办理此操作" if action != "answer" else "只有办件责任人可以答复督办",
                "only the case's owner or a manager may do this"
                if action != "answer"
                else "only the case's owner answers a supervision",
            )
        today = local_day(hall, now)
        state = CaseState(
            CaseStatus(case.status),
            case.owner_id,
            case.supervised_at is not None and case.supervision_answered_at is None,
        )
        reason: str | None = None
        data: dict[str, Any] = {}
        if action == "suspend":
            state, kind, reason = rules.suspend(state, body.get("kind"), body.get("reason"))
            data["kind"] = kind
        elif action == "resume":
            state = rules.resume(state)
        elif action == "complete":
            state = rules.complete(state)
            case.completed_at = now
        elif action == "deliver":
            state, method, note = rules.deliver(state, body.get("method"), body.get("note"))
            case.delivered_at, case.delivery_method, case.delivery_note = now, method, note
            data["method"] = method
            reason = note
        elif action == "reassign":
            to = body.get("to")
            to_id = _clerk_of(s, hall, to) if to else None
            state, reason = rules.reassign(state, to_id, body.get("reason"))
            data["from"] = _username(s, case.owner_id) if case.owner_id is not None else None
            data["to"] = to
        elif action == "supervise":
            state, note, due = rules.supervise(state, body.get("note"), _day(body.get("reply_by")), today)
            case.supervised_at, case.supervised_by_id = now, actor.user_id
            case.supervision_note, case.supervision_due = note, due
            case.supervision_answer, case.supervision_answered_at = None, None
            reason, data["reply_by"] = note, due.isoformat()
        else:  # answer
            state, reply = rules.answer(state, body.get("answer"))
            case.supervision_answer, case.supervision_answered_at = reply, now
            reason = reply
        case.status, case.owner_id = state.status.value, state.owner_id
        s.add(
            CaseStep(
                case_id=case.id,
                kind=_STEPS[action],
                at=now,
                day=today,
                by_user_id=actor.user_id,
                owner_id=case.owner_id,
                reason=reason,
                data=data or None,
            )
        )
        s.flush()
        calendar = hall_calendar(s, hall)
        refresh_due(s, case, calendar)
        s.flush()
        s.refresh(case, ["owner"])
        view = case_view(s, case, hall, today, calendar)
        event = record(
            s,
            hall,
            _EVENTS[action],
            {"case": view, "step": _STEPS[action], **({"reason": reason} if reason else {})},
            now,
            actor,
            ticket_id=case.ticket_id,
        )
        view["steps"] = case_steps(s, case)
    ctx.publish([event])
    return view


def _day(value: Any) -> date | None:
    """A YYYY-MM-DD day of a request (the schema checked it; a direct caller gets a 400)."""
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise bad_field("reply_by", "答复期限须为 YYYY-MM-DD", "reply_by is a date YYYY-MM-DD") from None


def _clerk_of(s: Session, hall: Hall, username: str) -> int:
    """An active clerk (or manager) of the hall who can take a case over."""
    u = s.scalar(select(User).where(User.username == username, User.hall_id == hall.id))
    if u is None or not u.active or u.role not in ("clerk", "manager"):
        raise bad_field(
            "to", f"本大厅没有可接手的工作人员 {username}", f"no active clerk {username!r} in this hall"
        )
    return u.id


def _username(s: Session, user_id: int) -> str | None:
    u = s.get(User, user_id)
    return u.username if u is not None else None
