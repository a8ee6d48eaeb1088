"""Cases (办件): the hall's list by urgency, one case with its chain, and the actions of its owner
(or a manager): suspend, resume, complete, deliver, reassign; supervision (督办) and its answer."""

from __future__ import annotations

from datetime import date
from typing import Any

from ..auth import current_principal
from ..services import cases
from .blueprint import bp, ctx
from .schemas.cases import AnswerIn, Case, Cases, CasesQuery, DeliverIn, ReassignIn, SuperviseIn, SuspendIn
from .schemas.common import Empty

CASE = Case()
CODE = "/cases/<code>"


@bp.get("/cases")
@bp.arguments(CasesQuery(), location="query")
@bp.response(200, Cases())
def list_cases(query: dict[str, Any]) -> Any:
    """The hall's cases, red, then yellow, then green, the earliest due first (staff of the hall)"""
    return cases.list_cases(
        ctx(),
        current_principal(),
        hall=query.get("hall") or None,
        status=query.get("status"),
        owner=query.get("owner") or None,
        due_before=_day(query.get("due_before")),
        urgency=query.get("urgency"),
    )


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@bp.get(CODE)
@bp.response(200, CASE, description="the case with its chain of steps")
def get_case(code: str) -> Any:
    """One case (staff of its hall)"""
    return cases.get_case(ctx(), current_principal(), code)


def _act(code: str, action: str, body: dict[str, Any]) -> Any:
    return cases.act_on_case(ctx(), current_principal(), code, action, body)


@bp.post(f"{CODE}/suspend")
@bp.arguments(SuspendIn(), example={"kind": "补正", "reason": "等待申请人补交户口簿复印件"})
@bp.response(200, CASE)
def suspend(body: dict[str, Any], code: str) -> Any:
    """Stop the clock for a legal reason: 补正 or 特别程序 (the owner, a manager)"""
    return _act(code, "suspend", body)


@bp.post(f"{CODE}/resume")
@bp.arguments(Empty(), required=False)
@bp.response(200, CASE)
def resume(body: dict[str, Any], code: str) -> Any:
    """The clock runs again; the due date moves (the owner, a manager; 409 when not suspended)"""
    return _act(code, "resume", body)


@bp.post(f"{CODE}/complete")
@bp.arguments(Empty(), required=False)
@bp.response(200, CASE)
def complete(body: dict[str, Any], code: str) -> Any:
    """The matter is finished (办结) (the owner, a manager)"""
    return _act(code, "complete", body)


@bp.post(f"{CODE}/deliver")
@bp.arguments(DeliverIn(), example={"method": "post", "note": "EMS 1234567890"})
@bp.response(200, CASE)
def deliver(body: dict[str, Any], code: str) -> Any:
    """The result reached the citizen (送达): window, post or electronic (the owner, a manager)"""
    return _act(code, "deliver", body)


@bp.post(f"{CODE}/reassign")
@bp.arguments(ReassignIn(), example={"to": "clerk03", "reason": "原责任人调岗"})
@bp.response(200, CASE)
def reassign(body: dict[str, Any], code: str) -> Any:
    """Hand the case to another clerk with a reason, kept in its chain (the owner, a manager)"""
    return _act(code, "reassign", body)


@bp.post(f"{CODE}/supervise")
@bp.arguments(SuperviseIn(), example={"note": "请说明进展", "reply_by": "2026-12-02"})
@bp.response(200, CASE)
def supervise(body: dict[str, Any], code: str) -> Any:
    """Put the case under supervision (督办) with a note and a reply-by date (managers, admins)"""
    return _act(code, "supervise", body)


@bp.post(f"{CODE}/answer")
@bp.arguments(AnswerIn(), example={"answer": "已联系申请人，明日补正"})
@bp.response(200, CASE)
def answer(body: dict[str, Any], code: str) -> Any:
    """Answer the supervision (the case's owner)"""
    return _act(code, "answer", body)
