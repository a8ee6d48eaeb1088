"""The working-day calendar (工作日历): a year as shown and as imported, and the console's warnings.

A schedule body is checked by the domain (server/domain/calendar_import.py), which names every
bad field at once (`workdays[1].day`); the request schema documents its shape and hands the body
over unchanged.
"""

from __future__ import annotations

from typing import Any

from marshmallow import fields
from marshmallow.validate import Length

from ...domain.calendar_import import MAX_HOLIDAYS, MAX_WORKDAYS, MAX_YEAR, MIN_YEAR
from .base import NOT_LIST, Day, In, Int, Out, Query, Str, field_messages, nested, say

SOURCES = ["chinese_calendar", "all_halls", "hall"]
_DAY = {"type": "string", "format": "date", "example": "2027-01-01"}


class YearQuery(Query):
    hall = Str(
        32,
        metadata={"description": "hall code (default: the caller's hall; admins: every hall)"},
        too_long=say("大厅代码最多 32 字", "hall is longer than 32 characters"),
    )


class DayIn(In):
    day = Day(required=True, metadata={"example": "2027-01-01"})
    name = Str(
        50,
        allow_none=True,
        too_long=say("名称最多 50 字", "a name has at most 50 characters"),
        metadata={"example": "元旦"},
    )


def _days(max_items: int, what: str) -> fields.List[Any]:
    return fields.List(
        nested(DayIn),
        allow_none=True,
        validate=Length(max=max_items, error=say(f"最多 {max_items} 天", f"at most {max_items} days")),
        error_messages=field_messages(null=NOT_LIST, invalid=NOT_LIST),
        metadata={"maxItems": max_items, "description": what},
    )


class ScheduleIn(In):
    """A year's schedule. The domain checks the rest, naming every bad day at once: every day in
    the year, none listed twice, a make-up workday on a Saturday or Sunday, at least one holiday."""

    hall = Str(32, allow_none=True, metadata={"description": "omit: every hall (admins only)"})
    year = Int(MIN_YEAR, MAX_YEAR, allow_none=True, metadata={"description": "optional; must match the path"})
    source = Str(200, allow_none=True, metadata={"example": "国办发明电〔2026〕7号"})
    holidays = _days(MAX_HOLIDAYS, "statutory holidays (法定节假日)")
    workdays = _days(MAX_WORKDAYS, "make-up workdays of 调休 (Saturdays or Sundays)")


class NamedDay(Out):
    day = fields.String(required=True, metadata=_DAY)
    name = fields.String(required=True)


class CalendarYear(Out):
    year = fields.Integer(required=True)
    hall = fields.String(required=True, allow_none=True)
    covered = fields.Boolean(required=True, metadata={"description": "false: nobody knows the year"})
    layers = fields.List(
        fields.String(metadata={"enum": SOURCES}),
        required=True,
        metadata={"description": "every source that has the year, lowest first"},
    )
    source = fields.String(
        required=True, allow_none=True, metadata={"enum": SOURCES, "description": "the one in effect"}
    )
    document = fields.String(required=True, metadata={"description": "the schedule's reference"})
    imported_at = fields.String(required=True, allow_none=True)
    imported_by = fields.String(required=True, allow_none=True)
    holidays = fields.List(fields.Nested(NamedDay), required=True)
    workdays = fields.List(fields.Nested(NamedDay), required=True)


class ImportedYear(CalendarYear):
    recomputed = fields.Integer(required=True, metadata={"description": "cases whose due date changed"})
    still_missing = fields.Integer(required=True, metadata={"description": "cases still without a calendar"})


class Uncovered(Out):
    year = fields.Integer(required=True)
    import_by = fields.String(required=True, metadata=_DAY)
    message = fields.String(required=True)
    message_en = fields.String(required=True)


class Missing(Out):
    year = fields.Integer(required=True)
    cases = fields.Integer(required=True)
    message = fields.String(required=True)
    message_en = fields.String(required=True)


class CalendarStatus(Out):
    hall = fields.String(required=True)
    today = fields.String(required=True, metadata=_DAY)
    horizon_days = fields.Integer(required=True)
    uncovered = fields.List(fields.Nested(Uncovered), required=True)
    missing = fields.List(fields.Nested(Missing), required=True)
