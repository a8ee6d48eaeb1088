"""The evaluation dashboard (评估) for managers, and the hall board's public satisfaction rate."""

from __future__ import annotations

from typing import Any

from flask import current_app

from ..auth import current_principal
from ..services import evaluation
from ..services.core.principal import require_role
from .blueprint import PUBLIC, bp, ctx
from .downloads import offers_tables, table_download
from .schemas.evaluation import BoardSatisfaction, Evaluation, EvaluationQuery


@bp.get("/halls/<code>/evaluation")
@bp.arguments(EvaluationQuery(), location="query")
@bp.response(200, Evaluation())
@offers_tables
def evaluation_figures(query: dict[str, Any], code: str) -> Any:
    """Issued, served, no-shows, transfers, waits and service times, ratings, follow-ups, cases,
    notices and repeat trips of the hall (or a service, window or clerk) over a range, per clerk,
    window or service (managers, admins)"""
    report = evaluation.evaluate(
        ctx(),
        current_principal(),
        code,
        query.get("from_"),
        query.get("to"),
        query.get("by") or "window",
        service=query.get("service"),
        window=query.get("window"),
        clerk=query.get("clerk"),
    )
    name = f"evaluation-{code}-{report['from']}-{report['to']}-{report['by']}"
    download = table_download(
        query.get("format"),
        name,
        lambda: evaluation.evaluation_csv(report),
        lambda: evaluation.evaluation_xlsx(report),
    )
    return download or report


@bp.get("/halls/<code>/satisfaction")
@bp.response(200, BoardSatisfaction())
@bp.doc(**PUBLIC)
def board_satisfaction(code: str) -> Any:
    """This month's satisfaction rate per window, for the hall board (boards and staff; anyone
    while public boards are on; empty unless the hall's administrator switched
    show_satisfaction on)"""
    p = current_principal()
    if p.is_anonymous and not current_app.config["PUBLIC_BOARDS"]:
        require_role(p, ("board",))
    return evaluation.board_satisfaction(ctx(), code)
