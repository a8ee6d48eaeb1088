"""Reports for managers: the overdue report (责任追究)."""

from __future__ import annotations

from typing import Any

from ..auth import current_principal
from ..services import overdue
from .blueprint import bp, ctx
from .downloads import offers_tables, table_download
from .schemas.reports import OverdueQuery, OverdueReport


@bp.get("/halls/<code>/overdue")
@bp.arguments(OverdueQuery(), location="query")
@bp.response(200, OverdueReport())
@offers_tables
def overdue_report(query: dict[str, Any], code: str) -> Any:
    """Cases late in a date range, who held them each late day, days per clerk, window, service
    (managers, admins)"""
    report = overdue.overdue(ctx(), current_principal(), code, query.get("from_"), query.get("to"))
    name = f"overdue-{code}-{report['from']}-{report['to']}"
    download = table_download(
        query.get("format"), name, lambda: overdue.overdue_csv(report), lambda: overdue.overdue_xlsx(report)
    )
    return download or report
