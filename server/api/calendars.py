"""Working-day calendar endpoints (工作日历): a year for staff, imports for admins and a hall's
managers, and what the manager console warns about."""

from __future__ import annotations

from typing import Any

from ..auth import current_principal
from ..services import calendars as calendar_service
from .blueprint import bp, ctx
from .schemas.calendars import CalendarStatus, CalendarYear, ImportedYear, ScheduleIn, YearQuery


@bp.get("/calendar/<int:year>")
@bp.arguments(YearQuery(), location="query")
@bp.response(200, CalendarYear())
def get_calendar_year(query: dict[str, Any], year: int) -> Any:
    """A year's effective holidays and make-up workdays and where they come from (staff)"""
    return calendar_service.show_year(ctx(), current_principal(), year, query.get("hall") or None)


@bp.put("/calendar/<int:year>")
@bp.arguments(ScheduleIn())
@bp.response(200, ImportedYear())
def put_calendar_year(body: dict[str, Any], year: int) -> Any:
    """Replace a year for every hall (admins) or one hall (its managers); recomputes due dates"""
    return calendar_service.import_year(ctx(), current_principal(), year, body)


@bp.get("/halls/<code>/calendar-status")
@bp.response(200, CalendarStatus())
def calendar_status(code: str) -> Any:
    """Years to import before they are needed, and cases waiting for one (the hall's staff)"""
    return calendar_service.calendar_status(ctx(), current_principal(), code)
