"""Accountability records (责任追究) and the monthly appraisal (绩效考核)."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import ValidationError, fields

from ...domain.accountability import DECISIONS, MAX_NOTE, MAX_POINTS
from .base import Choice, Day, In, Int, Object, Out, Query, Str, Text, say
from .common import DATE, DATETIME, Clerk, WindowRef

STAFF_ONLY = "staff only: managers and admins see every record; a clerk sees their own"


class RecordIn(In):
    kind = Choice(
        ("overdue", "repeat_trip"),
        required=True,
        message=say("kind 须为 overdue 或 repeat_trip", "kind is overdue or repeat_trip"),
        metadata={"description": "overdue: an overdue case; repeat_trip: a flagged repeat trip (多次往返)"},
    )
    case = Text(32, metadata={"description": "overdue: the case number (as on the overdue report)"})
    notice = Text(12, metadata={"description": "repeat_trip: the code of the notice before the flagged trip"})
    ticket = Text(24, metadata={"description": "repeat_trip: the flagged ticket's id (the repeat-trip list)"})
    clerk = Text(
        64,
        metadata={
            "description": "the responsible clerk's username: needed when several clerks held an overdue "
            "case on its late days; for a repeat trip it overrides who gave the notice"
        },
    )
    decision = Choice(
        DECISIONS,
        required=True,
        message=say(
            "处理决定须为 reminder(提醒)/circular(通报)/deduct(扣分)",
            "decision is reminder, circular or deduct",
        ),
    )
    points = Int(1, MAX_POINTS, allow_none=True, metadata={"description": "deduct only: points taken"})
    note = Str(MAX_NOTE, allow_none=True)


class Record(Out):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"enum": ["complaint", "rating", "overdue", "repeat_trip"]})
    subject = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "the case number, complaint number or notice code it is about"},
    )
    trip = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "repeat_trip: the flagged number@business day"},
    )
    clerk = fields.Nested(Clerk, required=True, allow_none=True)
    day = fields.String(
        required=True, metadata={**DATE, "description": "the day the fault belongs to (its month)"}
    )
    decision = fields.String(required=True, metadata={"enum": list(DECISIONS)})
    decision_zh = fields.String(required=True)
    points = fields.Integer(required=True)
    note = fields.String(required=True, allow_none=True)
    decided_by = fields.Nested(Clerk, required=True, allow_none=True)
    decided_at = fields.String(required=True, metadata=DATETIME)
    answer = fields.String(required=True, allow_none=True, metadata={"description": "the clerk's answer"})
    answered_at = fields.String(required=True, allow_none=True, metadata=DATETIME)


class Records(Out):
    records = fields.List(fields.Nested(Record), required=True, metadata={"description": STAFF_ONLY})


class RecordsQuery(Query):
    user = Text(64, metadata={"description": "a clerk's username (a clerk may name only themselves)"})
    from_ = Day(data_key="from", metadata={"description": "first day (hall time)"})
    to = Day(metadata={"description": "last day (hall time)"})


class RecordAnswerIn(In):
    answer = Text(1000, required=True)


_MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])\Z")


class Month(fields.String):
    """`YYYY-MM`."""

    def __init__(self, *, metadata: dict[str, Any] | None = None, **kw: Any) -> None:
        meta = {"pattern": r"^\d{4}-\d{2}$", "example": "2026-05", **(metadata or {})}
        super().__init__(metadata=meta, **kw)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> str:
        if not isinstance(value, str) or not _MONTH.match(value):
            raise ValidationError(say("$field 须为 YYYY-MM", "$field is a month YYYY-MM"))
        return value


class ScoresQuery(Query):
    month = Month(metadata={"description": "YYYY-MM (default: this month)"})
    by = Choice(("clerk", "window"), message=say("by 只能是 clerk 或 window", "by is clerk or window"))


class FactorLine(Out):
    factor = fields.String(required=True)
    refs = fields.List(
        fields.String(),
        required=True,
        metadata={
            "description": "the records the points come from: rating:ID, complaint:NUMBER, case:NUMBER, "
            "trip:NUMBER@DAY, attendance:ID, day:DATE (absence), leave:ID, ticket:NUMBER@DAY, record:ID"
        },
    )
    points = fields.Float(required=True)
    capped = fields.Boolean(required=True, metadata={"description": "the factor's cap cut these points"})
    detail = fields.String(required=True, allow_none=True)


class Score(Out):
    clerk = fields.Nested(Clerk, allow_none=True, metadata={"description": "by=clerk"})
    window = fields.Nested(WindowRef, allow_none=True, metadata={"description": "by=window"})
    base = fields.Float(required=True)
    total = fields.Float(required=True, metadata={"description": "base + the points of every line"})
    factors = fields.Dict(keys=fields.String(), values=fields.Float(), required=True)
    lines = fields.List(fields.Nested(FactorLine), required=True)


class Factor(Out):
    key = fields.String(required=True)
    name_zh = fields.String(required=True)
    positive = fields.Boolean(required=True)
    clerk_only = fields.Boolean(required=True)


class Version(Out):
    effective_from = fields.String(required=True, allow_none=True, metadata=DATE)
    rules = fields.Dict(required=True)


class Scores(Out):
    month = fields.String(required=True)
    by = fields.String(required=True)
    as_of = fields.String(required=True, allow_none=True, metadata=DATE)
    rules = fields.Nested(Version, required=True, metadata={"description": "the version in force on the 1st"})
    factors = fields.List(fields.Nested(Factor), required=True)
    scores = fields.List(fields.Nested(Score), required=True)


class SavedVersion(Version):
    created_by = fields.Nested(Clerk, required=True, allow_none=True)
    created_at = fields.String(required=True, metadata=DATETIME)


class RulesOut(Out):
    in_force = fields.Nested(Version, required=True)
    defaults = fields.Dict(required=True)
    factors = fields.List(fields.Nested(Factor), required=True)
    versions = fields.List(fields.Nested(SavedVersion), required=True)


class RulesIn(In):
    effective_from = Day(required=True, metadata={"description": "a month's first day, this month or later"})
    rules = Object(
        required=True,
        metadata={
            "description": '{"base": n, "late_grace_minutes": n, "service_limit_minutes": n, '
            '"factors": {factor: {"weight": n, "cap": n}}}; left out: the defaults'
        },
    )
