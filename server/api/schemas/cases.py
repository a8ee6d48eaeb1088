"""Cases (办件) and the outcome of a completed ticket: requests and answers."""

from __future__ import annotations

from marshmallow import fields

from ...domain.cases import (
    DELIVERY_METHODS,
    MAX_ANSWER,
    MAX_MATERIALS,
    MAX_OUTCOME_REASON,
    OUTCOMES,
    REFUSAL_REASONS,
    SUSPEND_KINDS,
)
from .base import Choice, Day, In, Link, Out, Query, Str, Text, Texts, say
from .common import DATE, DATETIME, Clerk
from .print_jobs import PrintJob

CASE_STATUSES = ("accepted", "suspended", "completed", "delivered")
URGENCIES = ("green", "yellow", "red")


class ReceivedMaterial(Out):
    name = fields.String(required=True)


class Supervision(Out):
    """督办: a manager's note and reply-by date, and the owner's answer."""

    at = fields.String(required=True, metadata=DATETIME)
    by = fields.Nested(Clerk, required=True, allow_none=True)
    note = fields.String(required=True, allow_none=True)
    reply_by = fields.String(required=True, allow_none=True, metadata=DATE)
    answer = fields.String(required=True, allow_none=True)
    answered_at = fields.String(required=True, allow_none=True, metadata=DATETIME)


class CaseStep(Out):
    """One step of a case's chain: who did what, when, why; the owner after it."""

    kind = fields.String(
        required=True,
        metadata={
            "enum": [
                "accepted",
                "suspended",
                "resumed",
                "completed",
                "delivered",
                "reassigned",
                "supervised",
                "answered",
            ]
        },
    )
    at = fields.String(required=True, metadata=DATETIME)
    day = fields.String(required=True, metadata=DATE)
    by = fields.Nested(Clerk, required=True, allow_none=True)
    owner = fields.Nested(Clerk, required=True, allow_none=True)
    reason = fields.String(required=True, allow_none=True)
    data = fields.Dict(required=True)


class Case(Out):
    """A case (办件) as staff see it."""

    code = fields.String(
        required=True, metadata={"description": "unguessable (96 bits): the citizen's page key"}
    )
    number = fields.String(required=True, metadata={"example": "20261130-A-0001"})
    url = Link("/c/{code}", metadata={"description": "the citizen's case page (the receipt's QR)"})
    receipt_url = Link("/c/{code}/receipt", metadata={"description": "the A4 acceptance receipt"})
    print = fields.Nested(
        PrintJob,
        allow_none=True,
        metadata={"description": "the receipt slip on the window's printer (accepting)"},
    )
    hall = fields.String(required=True)
    service = fields.String(required=True)
    service_name = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": list(CASE_STATUSES)})
    owner = fields.Nested(Clerk, required=True, allow_none=True, metadata={"description": "首办责任人"})
    ticket = fields.String(required=True, allow_none=True, metadata={"description": "the ticket's number"})
    accepted_at = fields.String(required=True, metadata=DATETIME)
    accepted_day = fields.String(required=True, metadata=DATE)
    limit_days = fields.Integer(required=True, allow_none=True, metadata={"description": "working days"})
    legal_limit_days = fields.Integer(required=True, allow_none=True)
    warn_days = fields.Integer(required=True, allow_none=True)
    due = fields.String(
        required=True,
        allow_none=True,
        metadata={**DATE, "description": "null while suspended, with no limit, or with calendar_missing"},
    )
    calendar_missing = fields.Integer(
        required=True, allow_none=True, metadata={"description": "the year the hall's calendar must import"}
    )
    urgency = fields.String(required=True, metadata={"enum": list(URGENCIES)})
    reason = fields.String(required=True, allow_none=True)
    materials = fields.List(fields.Nested(ReceivedMaterial), required=True)
    completed_at = fields.String(required=True, allow_none=True, metadata=DATETIME)
    delivered_at = fields.String(required=True, allow_none=True, metadata=DATETIME)
    delivery_method = fields.String(required=True, allow_none=True, metadata={"enum": list(DELIVERY_METHODS)})
    delivery_note = fields.String(required=True, allow_none=True)
    supervision = fields.Nested(Supervision, required=True, allow_none=True)
    steps = fields.List(fields.Nested(CaseStep), metadata={"description": "GET one case and actions"})


class Cases(Out):
    hall = fields.String(required=True)
    today = fields.String(required=True, metadata=DATE)
    cases = fields.List(fields.Nested(Case), required=True)


class CasesQuery(Query):
    status = Choice(
        (*CASE_STATUSES, "open"),
        message=say("status 须为 accepted/suspended/completed/delivered/open", "status is not a case status"),
        metadata={"description": "open: not yet delivered"},
    )
    owner = Str(64, metadata={"description": "a username, or me"})
    due_before = Day(metadata={"description": "due on or before this day"})
    hall = Str(32, metadata={"description": "admins: the hall"})
    urgency = Choice(
        URGENCIES, message=say("urgency 须为 green/yellow/red", "urgency is green, yellow or red")
    )


class CompleteIn(In):
    """What completing a ticket meant (body optional: `done`, or `notice` after a one-time notice)."""

    outcome = Choice(
        OUTCOMES,
        message=say(
            "未知的办理结果：$field 须为 done/accepted/refused/notice",
            "unknown outcome: $field is done, accepted, refused or notice",
        ),
        metadata={
            "description": "done 办结 | accepted 受理 (opens a case) | refused 不予受理 | notice 一次告知"
        },
    )
    reason = Text(
        MAX_OUTCOME_REASON,
        metadata={"description": "refused: 说明理由 (required); accepted 即办件: why (required)"},
    )
    reason_code = Text(
        32, metadata={"enum": list(REFUSAL_REASONS), "description": "refused: the listed reason"}
    )
    materials = Texts(
        200, metadata={"maxItems": MAX_MATERIALS, "description": "accepted: materials received"}
    )


class SuspendIn(In):
    kind = Text(16, required=True, metadata={"enum": list(SUSPEND_KINDS)})
    reason = Text(500, required=True)


class DeliverIn(In):
    method = Choice(
        DELIVERY_METHODS,
        required=True,
        message=say("送达方式 $field 须为 window/post/electronic", "$field is window, post or electronic"),
    )
    note = Text(200, metadata={"description": "post: the tracking text (required)"})


class ReassignIn(In):
    to = Text(64, required=True, metadata={"description": "the username of the clerk who takes it"})
    reason = Text(500, required=True)


class SuperviseIn(In):
    note = Text(500, required=True)
    reply_by = Day(required=True)


class AnswerIn(In):
    answer = Text(MAX_ANSWER, required=True)
