"""A case as its citizen sees it (`/c/<code>`): the case code (≥ 60 bits, only on their receipt)
is the capability, like a ticket's id for its phone page.

The citizen sees their matter's number, service, state in plain words, the promised date, who
follows it (name and badge: 挂牌上岗), the materials received and its history — suspensions with
their reason (补正: what they must bring), completion and delivery — never staff's internal steps
(hand-overs between clerks, supervision, questions to managers) nor anyone's login name; what the
clerk told them after asking a manager (反馈) is there. They confirm receiving it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from .. import event_names as names
from ..domain.errors import RuleViolation
from ..storage.models import Case, CaseStep, Escalation, Hall, Service, User
from .core.casework import local_day
from .core.context import Context
from .core.errors import not_found
from .core.events import record

#: the steps a citizen sees of their case's history
CITIZEN_STEPS = ("accepted", "suspended", "resumed", "completed", "delivered", "confirmed")


def _load(s: Any, code: str, lock: bool = False) -> Case:
    if not isinstance(code, str) or not 0 < len(code) <= 24:
        raise not_found("办件", "case")
    q = select(Case).where(Case.code == code)
    case = s.scalar(q.with_for_update() if lock else q)
    if case is None:
        raise not_found("办件", "case")
    return case  # type: ignore[no-any-return]


def _person(s: Any, user_id: int | None) -> dict[str, Any] | None:
    u = s.get(User, user_id) if user_id else None
    return {"name": u.name, "badge": u.badge} if u else None


def citizen_case(ctx: Context, code: str) -> dict[str, Any]:
    """The citizen's view of their case (404 for an unknown code)."""
    with ctx.db.read() as s:
        case = _load(s, code)
        hall = s.get(Hall, case.hall_id)
        service = s.get(Service, case.service_id)
        assert hall is not None and service is not None
        steps = s.scalars(select(CaseStep).where(CaseStep.case_id == case.id).order_by(CaseStep.id)).all()
        # 反馈: what the clerk told the citizen after asking a manager (never the question or the
        # manager's own words: those stay with staff)
        replies = s.scalars(
            select(Escalation)
            .where(Escalation.case_id == case.id, Escalation.fed_back_at.is_not(None))
            .order_by(Escalation.fed_back_at, Escalation.id)
        ).all()
        return {
            "code": case.code,
            "number": case.number,
            "hall": {
                "code": hall.code,
                "name": hall.name,
                "name_en": hall.name_en,
                "timezone": hall.timezone,
            },
            "service": service.code,
            "service_name": service.name,
            "service_name_en": service.name_en,
            "status": case.status,
            "accepted_day": case.accepted_day.isoformat(),
            "limit_days": case.limit_days,
            "due": case.due_day.isoformat() if case.due_day else None,
            "calendar_missing": case.calendar_missing,
            "owner": _person(s, case.owner_id),
            "materials": [m.get("name") for m in (case.materials or []) if isinstance(m, dict)],
            "delivery": {"method": case.delivery_method, "note": case.delivery_note}
            if case.delivered_at
            else None,
            "confirmed": any(st.kind == "confirmed" for st in steps),
            "steps": [
                {
                    "kind": st.kind,
                    "day": st.day.isoformat(),
                    # a suspension's reason tells the citizen what is awaited (补正 materials)
                    "reason": st.reason if st.kind == "suspended" else None,
                }
                for st in steps
                if st.kind in CITIZEN_STEPS
            ],
            "replies": [
                {"day": local_day(hall, e.fed_back_at).isoformat(), "text": e.feedback}
                for e in replies
                if e.fed_back_at is not None
            ],
        }


def confirm_received(ctx: Context, code: str) -> dict[str, Any]:
    """The citizen confirms they received the delivered result (送达确认), once."""
    now = ctx.clock()
    event = None
    with ctx.db.transaction() as s:
        case = _load(s, code, lock=True)
        if case.status != "delivered":
            err = RuleViolation(
                "not_delivered", "办件尚未送达，暂不能确认领取", "the case has not been delivered yet"
            )
            err.field = "code"
            raise err
        done = s.scalar(select(CaseStep.id).where(CaseStep.case_id == case.id, CaseStep.kind == "confirmed"))
        if done is None:
            hall = s.get(Hall, case.hall_id)
            assert hall is not None
            day = local_day(hall, now)
            s.add(CaseStep(case_id=case.id, kind="confirmed", at=now, day=day, owner_id=case.owner_id))
            # staff only (domain.disclosure gives unknown types no data publicly); the audit log
            event = record(
                s, hall, names.CASE_CONFIRMED, {"case": {"code": case.code, "number": case.number}}, now
            )
    if event is not None:
        ctx.publish([event])
    return citizen_case(ctx, code)
