"""Reports for managers: the overdue report (责任追究)."""

from __future__ import annotations

from typing import Any

from flask import Response

from ..auth import current_principal
from ..services import overdue
from .blueprint import bp, ctx
from .schemas.reports import OverdueQuery, OverdueReport

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/halls/<code>/overdue")
@bp.arguments(OverdueQuery(), location="query")
@bp.response(200, OverdueReport())
@bp.alt_response(200, schema={"type": "string"}, content_type="text/csv", description="with format=csv")
@bp.alt_response(
    200, schema={"type": "string", "format": "binary"}, content_type=XLSX, description="with format=xlsx"
)
def overdue_report(query: dict[str, Any], code: str) -> Any:
    """Cases late in a date range, who held them each late day, days per clerk, window, service
    (managers, admins)"""
    report = overdue.overdue(ctx(), current_principal(), code, query.get("from_"), query.get("to"))
    name = f"overdue-{code}-{report['from']}-{report['to']}"
    if query.get("format") == "csv":
        return Response(
            overdue.overdue_csv(report),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    if query.get("format") == "xlsx":
        return Response(
            overdue.overdue_xlsx(report),
            mimetype=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    return report
