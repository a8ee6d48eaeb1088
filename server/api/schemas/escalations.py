"""Escalations (请示): requests and answers."""

from __future__ import annotations

from marshmallow import fields

from ...domain.escalations import FILTERS, MAX_TEXT, STATUSES
from .base import Choice, In, Out, Query, Str, Text, say
from .common import DATETIME, Clerk


class EscalationTicket(Out):
    id = fields.String(required=True)
    number = fields.String(required=True)


class EscalationCase(Out):
    code = fields.String(required=True)
    number = fields.String(required=True)


class EscalationWindow(Out):
    id = fields.Integer(required=True)
    number = fields.Integer(required=True)
    name = fields.String(required=True)


class Escalation(Out):
    """A clerk's question to a manager (请示), the answer and the feedback to the citizen (反馈)."""

    id = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"enum": list(STATUSES)})
    ticket = fields.Nested(EscalationTicket, required=True, allow_none=True)
    case = fields.Nested(EscalationCase, required=True, allow_none=True)
    window = fields.Nested(EscalationWindow, required=True, allow_none=True)
    asked_by = fields.Nested(Clerk, required=True, allow_none=True)
    question = fields.String(required=True)
    asked_at = fields.String(required=True, metadata=DATETIME)
    answered_by = fields.Nested(Clerk, required=True, allow_none=True)
    answer = fields.String(required=True, allow_none=True)
    answered_at = fields.String(required=True, allow_none=True, metadata=DATETIME)
    feedback = fields.String(required=True, allow_none=True)
    fed_back_at = fields.String(required=True, allow_none=True, metadata=DATETIME)


class Escalations(Out):
    hall = fields.String(required=True)
    escalations = fields.List(fields.Nested(Escalation), required=True)


class EscalationsQuery(Query):
    status = Choice(
        FILTERS,
        message=say("status 须为 open/answered/all", "status is open, answered or all"),
        metadata={"description": "open: not answered (default); answered: waiting for the feedback"},
    )
    mine = Choice(("true", "false"), message=say("mine 须为 true/false", "mine is true or false"))
    hall = Str(32, metadata={"description": "admins: the hall"})


class EscalationAskIn(In):
    ticket = Text(24, metadata={"description": "the ticket's id (one of ticket, case)"})
    case = Text(24, metadata={"description": "the case's code (one of ticket, case)"})
    question = Text(MAX_TEXT, required=True)


class EscalationAnswerIn(In):
    answer = Text(MAX_TEXT, required=True)


class EscalationFeedbackIn(In):
    feedback = Text(MAX_TEXT, required=True, metadata={"description": "what the citizen was told"})
