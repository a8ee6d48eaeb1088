"""The overdue report (责任追究)."""

from __future__ import annotations

from marshmallow import fields

from .base import Choice, Day, Out, Query, say
from .common import DATE, Clerk


class OverdueQuery(Query):
    from_ = Day(
        data_key="from",
        metadata={"description": "YYYY-MM-DD (hall time), first day; default: 29 days before `to`"},
    )
    to = Day(metadata={"description": "YYYY-MM-DD (hall time), last day (default today); at most 366 days"})
    format = Choice(
        ("json", "csv", "xlsx"),
        message=say("format 只能是 json、csv 或 xlsx", "format must be json, csv or xlsx"),
        metadata={"description": "csv / xlsx: one row per overdue case-day with who held it"},
    )


class HeldBy(Out):
    day = fields.String(required=True, metadata=DATE)
    clerk = fields.Nested(
        Clerk,
        required=True,
        allow_none=True,
        metadata={"description": "who answers for the day: the owner, or the B post who covered"},
    )
    owner = fields.Nested(Clerk, required=True, allow_none=True, metadata={"description": "the case's owner"})
    covering = fields.Boolean(
        required=True, metadata={"description": "the B post covered (顶岗) for an owner on leave or absent"}
    )


class OverdueCase(Out):
    case = fields.String(required=True, metadata={"description": "the case number"})
    service = fields.String(required=True)
    window = fields.Integer(required=True, allow_none=True)
    due = fields.String(required=True, metadata=DATE)
    days_late = fields.Integer(required=True)
    held_by = fields.List(fields.Nested(HeldBy), required=True)


class ClerkTally(Out):
    clerk = fields.Nested(Clerk, required=True, allow_none=True)
    cases = fields.Integer(required=True)
    days = fields.Integer(required=True)


class WindowTally(Out):
    window = fields.Integer(required=True, allow_none=True)
    cases = fields.Integer(required=True)
    days = fields.Integer(required=True)


class ServiceTally(Out):
    service = fields.String(required=True)
    cases = fields.Integer(required=True)
    days = fields.Integer(required=True)


class OverdueReport(Out):
    from_ = fields.String(required=True, data_key="from", attribute="from", metadata=DATE)
    to = fields.String(required=True, metadata=DATE)
    cases = fields.List(fields.Nested(OverdueCase), required=True)
    by_clerk = fields.List(fields.Nested(ClerkTally), required=True)
    by_window = fields.List(fields.Nested(WindowTally), required=True)
    by_service = fields.List(fields.Nested(ServiceTally), required=True)
