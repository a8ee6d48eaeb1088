"""Escalations (请示): a clerk asks a manager about a ticket or a case; the answer comes back and
the clerk records what the citizen was told (反馈)."""

from __future__ import annotations

from typing import Any

from ..auth import current_principal
from ..services import escalations
from .blueprint import bp, ctx
from .schemas.escalations import (
    Escalation,
    EscalationAnswerIn,
    EscalationAskIn,
    EscalationFeedbackIn,
    Escalations,
    EscalationsQuery,
)

ESCALATION = Escalation()
ONE = "/escalations/<id:escalation_id>"


@bp.post("/escalations")
@bp.arguments(
    EscalationAskIn(), example={"case": "x7Kq2m9PzR4tVw8e", "question": "申请人要求加急，能否提前办结？"}
)
@bp.response(201, ESCALATION)
def ask(body: dict[str, Any]) -> Any:
    """Escalate a question about a ticket or a case to the hall's managers (clerks, managers)"""
    return escalations.ask(ctx(), current_principal(), body)


@bp.get("/escalations")
@bp.arguments(EscalationsQuery(), location="query")
@bp.response(200, Escalations())
def list_escalations(query: dict[str, Any]) -> Any:
    """The hall's escalations, the oldest first (a clerk sees their own)"""
    return escalations.list_escalations(
        ctx(),
        current_principal(),
        hall=query.get("hall") or None,
        status=query.get("status") or "open",
        mine=query.get("mine") == "true",
    )


@bp.post(f"{ONE}/answer")
@bp.arguments(EscalationAnswerIn(), example={"answer": "同意加急，按特事特办处理"})
@bp.response(200, ESCALATION)
def answer(body: dict[str, Any], escalation_id: int) -> Any:
    """Answer an escalation, once (managers; never one's own question)"""
    return escalations.answer(ctx(), current_principal(), escalation_id, body)


@bp.post(f"{ONE}/feedback")
@bp.arguments(EscalationFeedbackIn(), example={"feedback": "已电话告知申请人，预计周五办结"})
@bp.response(200, ESCALATION)
def feedback(body: dict[str, Any], escalation_id: int) -> Any:
    """Record what the citizen was told (反馈), once, after the answer (the clerk who asked)"""
    return escalations.feed_back(ctx(), current_principal(), escalation_id, body)
