"""The evaluation dashboard (评估) and the hall board's public satisfaction rate."""

from __future__ import annotations

from marshmallow import fields

from .base import Choice, Day, Digits, Out, Query, Str, say
from .common import DATE

RATE = {"description": "a share from 0 to 1 (4 decimals); null when there is nothing to share"}
SECONDS = {"description": "seconds (1 decimal); null when there is no visit to measure"}


class EvaluationQuery(Query):
    from_ = Day(
        data_key="from",
        metadata={"description": "YYYY-MM-DD (hall time), first day; default: the 1st of `to`'s month"},
    )
    to = Day(metadata={"description": "YYYY-MM-DD (hall time), last day (default today); at most 366 days"})
    by = Choice(
        ("clerk", "window", "service"),
        message=say("by 只能是 clerk、window 或 service", "by must be clerk, window or service"),
        metadata={"description": "the breakdown: one row per clerk, window or service (default window)"},
    )
    service = Str(16, metadata={"description": "drill down: only this service (its code)"})
    window = Digits(metadata={"description": "drill down: only this window (its number)"})
    clerk = Str(64, metadata={"description": "drill down: only this clerk (their username)"})
    format = Choice(
        ("json", "csv", "xlsx"),
        message=say("format 只能是 json、csv 或 xlsx", "format must be json, csv or xlsx"),
        metadata={"description": "csv / xlsx: the summary row and the breakdown rows, the same figures"},
    )


class EvalDurations(Out):
    count = fields.Integer(required=True)
    mean_s = fields.Float(required=True, allow_none=True, metadata=SECONDS)
    p50_s = fields.Float(required=True, allow_none=True, metadata=SECONDS)
    p90_s = fields.Float(required=True, allow_none=True, metadata=SECONDS)


class EvalWaits(EvalDurations):
    within_target = fields.Float(
        required=True,
        allow_none=True,
        metadata={"description": "share of called visits within the hall's target"},
    )


class RatingLevels(Out):
    """Ratings per level: 5 = 非常满意 … 1 = 非常不满意."""

    l5 = fields.Integer(required=True, data_key="5", attribute="5")
    l4 = fields.Integer(required=True, data_key="4", attribute="4")
    l3 = fields.Integer(required=True, data_key="3", attribute="3")
    l2 = fields.Integer(required=True, data_key="2", attribute="2")
    l1 = fields.Integer(required=True, data_key="1", attribute="1")


class EvalRatings(Out):
    levels = fields.Nested(RatingLevels, required=True)
    rated = fields.Integer(required=True)
    satisfied = fields.Integer(required=True, metadata={"description": "levels 3-5"})
    satisfaction_rate = fields.Float(
        required=True, allow_none=True, metadata={"description": "满意率: levels 3-5 over rated"}
    )
    rating_rate = fields.Float(required=True, allow_none=True, metadata={"description": "rated over served"})
    bad = fields.Integer(required=True, metadata={"description": "levels 1-2 (差评)"})


class EvalFollowUps(Out):
    filed = fields.Integer(required=True)
    from_ratings = fields.Integer(required=True)
    complaints = fields.Integer(required=True)
    upheld = fields.Integer(required=True)
    answered = fields.Integer(required=True)
    answered_on_time = fields.Integer(required=True)
    overdue_open = fields.Integer(required=True)
    on_time_rate = fields.Float(required=True, allow_none=True, metadata=RATE)


class EvalCases(Out):
    accepted = fields.Integer(required=True)
    completed_on_time = fields.Integer(required=True)
    completed_late = fields.Integer(required=True)
    open = fields.Integer(required=True)
    open_overdue = fields.Integer(required=True)


class EvalFigures(Out):
    visits = fields.Integer(required=True)
    issued = fields.Integer(
        required=True, allow_none=True, metadata={"description": "null for a window or clerk"}
    )
    served = fields.Integer(required=True)
    no_shows = fields.Integer(required=True)
    transfers = fields.Integer(required=True)
    cancelled = fields.Integer(required=True)
    wait = fields.Nested(EvalWaits, required=True)
    service_time = fields.Nested(EvalDurations, required=True)
    ratings = fields.Nested(EvalRatings, required=True)
    follow_ups = fields.Nested(EvalFollowUps, required=True)
    cases = fields.Nested(EvalCases, required=True)
    notices = fields.Integer(required=True)
    repeat_trips = fields.Integer(
        required=True, allow_none=True, metadata={"description": "null for a window or clerk"}
    )


class EvalBreakdown(Out):
    key = fields.String(required=True, metadata={"description": "service code, window number or username"})
    label = fields.String(required=True)
    figures = fields.Nested(EvalFigures, required=True)


class EvalFilter(Out):
    service = fields.String(required=True, allow_none=True)
    window = fields.Integer(required=True, allow_none=True)
    clerk = fields.String(required=True, allow_none=True)


class Evaluation(Out):
    hall = fields.String(required=True)
    hall_name = fields.String(required=True)
    scope_label = fields.String(
        required=True,
        metadata={"description": "the hall's name, or the service, window or clerk drilled into"},
    )
    from_ = fields.String(required=True, data_key="from", attribute="from", metadata=DATE)
    to = fields.String(required=True, metadata=DATE)
    today = fields.String(required=True, metadata=DATE)
    filter = fields.Nested(EvalFilter, required=True)
    wait_target_minutes = fields.Integer(required=True)
    wait_target_default = fields.Boolean(
        required=True, metadata={"description": "true: the hall set no target, the default (15 min) applies"}
    )
    summary = fields.Nested(EvalFigures, required=True)
    by = fields.String(required=True)
    rows = fields.List(fields.Nested(EvalBreakdown), required=True)


class WindowSatisfaction(Out):
    number = fields.Integer(required=True)
    name = fields.String(required=True)
    rated = fields.Integer(required=True)
    satisfaction_rate = fields.Float(
        required=True, allow_none=True, metadata={"description": "null below 5 ratings this month"}
    )


class BoardSatisfaction(Out):
    shown = fields.Boolean(required=True, metadata={"description": "the hall's switch show_satisfaction"})
    month = fields.String(required=True, allow_none=True, metadata={"example": "2026-11"})
    windows = fields.List(fields.Nested(WindowSatisfaction), required=True)
