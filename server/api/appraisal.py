"""Accountability records (责任追究) and the monthly appraisal (绩效考核): a manager's decision
against a clerk, the clerk's answer, the hall's versioned rules and the month's scores."""

from __future__ import annotations

from typing import Any

from ..auth import current_principal
from ..services import appraisal
from .blueprint import bp, ctx
from .schemas.appraisal import (
    Record,
    RecordAnswerIn,
    RecordIn,
    Records,
    RecordsQuery,
    RulesIn,
    RulesOut,
    Scores,
    ScoresQuery,
)


@bp.post("/halls/<code>/appraisal/records")
@bp.arguments(
    RecordIn(), example={"kind": "overdue", "case": "20261127-0003", "decision": "deduct", "points": 2}
)
@bp.response(201, Record())
def create_record(body: dict[str, Any], code: str) -> Any:
    """Record a decision (提醒/通报/扣分) against the clerk responsible for an overdue case or a
    flagged repeat trip (managers, admins; 409 when that clerk already has a record for it)"""
    return appraisal.record_decision(ctx(), current_principal(), code, body), 201


@bp.get("/halls/<code>/appraisal/records")
@bp.arguments(RecordsQuery(), location="query")
@bp.response(200, Records())
def list_records(query: dict[str, Any], code: str) -> Any:
    """Records against clerks, newest first (managers, admins; a clerk gets their own)"""
    return {
        "records": appraisal.list_records(
            ctx(), current_principal(), code, query.get("user"), query.get("from_"), query.get("to")
        )
    }


@bp.post("/appraisal/records/<id:record_id>/answer")
@bp.arguments(RecordAnswerIn(), example={"answer": "当日系统故障，已补办"})
@bp.response(200, Record())
def answer_record(body: dict[str, Any], record_id: int) -> Any:
    """The clerk concerned answers a record, once (409 the second time)"""
    return appraisal.answer_record(ctx(), current_principal(), record_id, body["answer"])


@bp.get("/halls/<code>/appraisal/rules")
@bp.response(200, RulesOut())
def get_rules(code: str) -> Any:
    """The appraisal rules in force, every version and the factors (staff of the hall)"""
    return appraisal.get_rules(ctx(), current_principal(), code)


@bp.post("/halls/<code>/appraisal/rules")
@bp.arguments(
    RulesIn(),
    example={"effective_from": "2026-06-01", "rules": {"factors": {"late": {"weight": 2, "cap": 10}}}},
)
@bp.response(200, RulesOut())
def save_rules(body: dict[str, Any], code: str) -> Any:
    """A new version of the rules from a month's first day, never a past month (managers, admins)"""
    return appraisal.save_rules(ctx(), current_principal(), code, body["effective_from"], body["rules"])


@bp.get("/halls/<code>/appraisal")
@bp.arguments(ScoresQuery(), location="query")
@bp.response(200, Scores())
def scores(query: dict[str, Any], code: str) -> Any:
    """The month's scores per clerk or window, every point traced to its records (managers,
    admins; a clerk gets their own)"""
    return appraisal.month_scores(
        ctx(), current_principal(), code, query.get("month"), query.get("by") or "clerk"
    )
