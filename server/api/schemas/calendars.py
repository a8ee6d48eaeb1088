"""The working-day calendar (工作日历): a year as shown and as imported, and the console's warnings.

A schedule body is checked by the domain (server/domain/calendar_import.py), which names every
bad field at once (`workdays[1].day`); the request schema documents its shape and hands the body
over unchanged.
"""

from __future__ import annotations

from typing import Any

from marshmallow import fields

from .base import In, Out, Query, Str, say

SOURCES = ["chinese_calendar", "all_halls", "hall"]
_DAY = {"type": "string", "format": "date", "example": "2027-01-01"}


class YearQuery(Query):
    hall = Str(
        32,
        metadata={"description": "hall code (default: the caller's hall; admins: every hall)"},
        too_long=say("大厅代码最多 32 字", "hall is longer than 32 characters"),
    )


class DayIn(In):
    day = fields.String(required=True, metadata=_DAY)
    name = fields.String(metadata={"maxLength": 50, "example": "元旦"})


class ScheduleIn(In):
    """A year's schedule; every day must lie in the year, a make-up workday on a weekend."""

    hall = fields.String(
        allow_none=True, metadata={"maxLength": 32, "description": "omit: every hall (admins only)"}
    )
    year = fields.Integer(allow_none=True, metadata={"description": "optional; must match the path"})
    source = fields.String(allow_none=True, metadata={"maxLength": 200, "example": "国办发明电〔2026〕7号"})
    holidays = fields.List(fields.Nested(DayIn), metadata={"maxItems": 60, "minItems": 1})
    workdays = fields.List(fields.Nested(DayIn), allow_none=True, metadata={"maxItems": 20})

    def load(self, data: Any, **_: Any) -> Any:
        return data  # the domain checks it, every bad field at once


class Day(Out):
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
    holidays = fields.List(fields.Nested(Day), required=True)
    workdays = fields.List(fields.Nested(Day), required=True)


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
