"""Ratings (好差评): the rating a pad or a ticket's holder sends, and what the phone page is offered."""

from __future__ import annotations

from marshmallow import fields

from ...domain.ratings import MAX_COMMENT, REASONS
from .base import In, Int, Out, Str, Texts, say
from .common import DATE, DATETIME


class RatingIn(In):
    level = Int(
        1,
        5,
        required=True,
        message=say("评价等级须为 1–5（5 = 非常满意）", "level is 1-5 (5 = very satisfied)"),
        metadata={"description": "5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意"},
    )
    reasons = Texts(
        32,
        metadata={
            "description": "levels 1 and 2 only (at least one): " + ", ".join(REASONS),
            "items": {"enum": list(REASONS)},
        },
    )
    comment = Str(MAX_COMMENT, allow_none=True, metadata={"description": "free text; explains `other`"})


class Rating(Out):
    ticket = fields.String(required=True, metadata={"description": "the ticket's id"})
    number = fields.String(required=True)
    level = fields.Integer(required=True)
    level_name = fields.String(required=True)
    reasons = fields.List(fields.String(), required=True)
    comment = fields.String(required=True, allow_none=True)
    source = fields.String(required=True, metadata={"enum": ["pad", "phone"]})
    at = fields.String(required=True, metadata=DATETIME)
    day = fields.String(required=True, metadata=DATE)
    follow_up = fields.String(metadata={"description": "levels 1 and 2: the number of the follow-up opened"})


class RatingOffer(Out):
    """What the holder's phone page offers: rate (completed, not rated, within 24 hours)."""

    rated = fields.Boolean(required=True)
    level = fields.Integer(required=True, allow_none=True)
    may_rate = fields.Boolean(required=True)
    until = fields.String(required=True, allow_none=True, metadata=DATETIME)
