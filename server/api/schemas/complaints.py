"""Follow-ups (差评, 投诉): filing, the lists and views, verification (核实) and the answer (回访)."""

from __future__ import annotations

from marshmallow import fields

from ...domain import accountability
from ...domain.complaints import (
    CATEGORIES,
    CITIZEN_SOURCES,
    ENTERED_SOURCES,
    EVIDENCE_KINDS,
    MAX_ACTION,
    MAX_ANSWER,
    MAX_CONTACT,
    MAX_NOTE,
    MAX_TEXT,
    SOURCES,
    STATUSES,
    VERDICTS,
)
from .base import Choice, In, Int, Link, Object, Out, Query, Text, nested, say
from .common import DATE, DATETIME, Clerk, WindowRef

URGENCIES = ("green", "yellow", "red")
CATEGORY_DOC = (
    "attitude 态度, shirking 推诿, overdue 超时, notice 一次告知未落实, fees 违规收费, "
    "integrity 廉政 (supervisors only)"
)


def _category() -> Choice:
    return Choice(
        CATEGORIES,
        required=True,
        message=say(f"类别须为 {'/'.join(CATEGORIES)}", f"category is one of {', '.join(CATEGORIES)}"),
        metadata={"description": CATEGORY_DOC},
    )


class CitizenComplaintIn(In):
    hall = Text(32, required=True)
    category = _category()
    text = Text(MAX_TEXT, required=True)
    ticket = Text(24, metadata={"description": "the ticket's id or number (optional)"})
    contact = Text(
        MAX_CONTACT, metadata={"description": "how to reach the citizen for the answer (staff only)"}
    )
    source = Choice(
        CITIZEN_SOURCES,
        message=say("来源须为 phone 或 kiosk", "source is phone or kiosk"),
        metadata={"description": "default phone"},
    )


class EnteredComplaintIn(In):
    source = Choice(
        ENTERED_SOURCES,
        required=True,
        message=say("来源须为 hotline（12345）或 letter（来信）", "source is hotline or letter"),
    )
    category = _category()
    text = Text(MAX_TEXT, required=True)
    ticket = Text(24, metadata={"description": "the ticket's id or number (optional)"})
    contact = Text(MAX_CONTACT)


class DecisionIn(In):
    decision = Choice(
        accountability.DECISIONS,
        required=True,
        message=say("处理决定须为 提醒/通报/扣分", "decision is reminder, circular or deduct"),
        metadata={"description": "reminder 提醒, circular 通报, deduct 扣分"},
    )
    points = Int(0, accountability.MAX_POINTS, metadata={"description": "deduct: 1..100"})
    note = Text(accountability.MAX_NOTE)


class VerifyIn(In):
    verdict = Choice(
        VERDICTS,
        required=True,
        message=say("核实结论须为 upheld 或 not_upheld", "verdict is upheld or not_upheld"),
    )
    note = Text(MAX_NOTE, required=True, metadata={"description": "what the verification found"})
    corrective_action = Text(MAX_ACTION, metadata={"description": "整改: required when upheld"})
    evidence = Object(
        metadata={
            "description": "ids cited, by kind (" + ", ".join(EVIDENCE_KINDS) + "): each one of the ticket's",
            "example": {"events": [12, 15]},
        }
    )
    decision = nested(
        DecisionIn, metadata={"description": "upheld with a clerk concerned: the manager's decision"}
    )


class ComplaintAnswerIn(In):
    answer = Text(MAX_ANSWER, required=True, metadata={"description": "回访: shown on the citizen's page"})


class ComplaintsQuery(Query):
    status = Choice(
        (*STATUSES, "pending"),
        message=say(
            "状态须为 open/verified/answered/pending", "status is open, verified, answered or pending"
        ),
    )
    urgency = Choice(
        URGENCIES, message=say("紧急程度须为 green/yellow/red", "urgency is green, yellow or red")
    )


class ComplaintTicket(Out):
    id = fields.String(required=True)
    number = fields.String(required=True)


class RatingRef(Out):
    level = fields.Integer(required=True)
    reasons = fields.List(fields.String(), required=True)


class EvidenceRow(Out):
    id = fields.Integer(required=True)
    type = fields.String()
    at = fields.String(required=True, metadata=DATETIME)
    reason = fields.String(allow_none=True)
    code = fields.String()
    note = fields.String(allow_none=True)
    by = fields.Nested(Clerk, required=True, allow_none=True)


class Evidence(Out):
    events = fields.List(fields.Nested(EvidenceRow), required=True)
    transfers = fields.List(fields.Nested(EvidenceRow), required=True)
    notices = fields.List(fields.Nested(EvidenceRow), required=True)
    audit = fields.List(fields.Nested(EvidenceRow), required=True)


class Complaint(Out):
    """A follow-up as its handlers see it (managers, admins, supervisors)."""

    code = fields.String(
        required=True, metadata={"description": "unguessable (96 bits): the citizen's page key"}
    )
    url = Link("/complaints/{code}", metadata={"description": "the citizen's page"})
    number = fields.String(required=True, metadata={"example": "TS20261130-0001"})
    hall = fields.String(required=True)
    source = fields.String(required=True, metadata={"enum": list(SOURCES)})
    category = fields.String(required=True, metadata={"enum": list(CATEGORIES)})
    category_name = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": list(STATUSES)})
    verdict = fields.String(required=True, allow_none=True, metadata={"enum": list(VERDICTS)})
    text = fields.String(required=True)
    contact = fields.String(required=True, allow_none=True)
    ticket = fields.Nested(ComplaintTicket, required=True, allow_none=True)
    rating = fields.Nested(RatingRef, required=True, allow_none=True)
    clerk = fields.Nested(
        Clerk, required=True, allow_none=True, metadata={"description": "who served the ticket"}
    )
    window = fields.Nested(WindowRef, required=True, allow_none=True)
    service = fields.String(required=True, allow_none=True)
    service_name = fields.String(required=True, allow_none=True)
    entered_by = fields.Nested(Clerk, required=True, allow_none=True)
    filed_at = fields.String(required=True, metadata=DATETIME)
    filed_day = fields.String(required=True, metadata=DATE)
    due_day = fields.String(required=True, allow_none=True, metadata=DATE)
    calendar_missing = fields.Integer(
        required=True, allow_none=True, metadata={"description": "the year to import"}
    )
    urgency = fields.String(required=True, metadata={"enum": list(URGENCIES)})
    working_days_left = fields.Integer(required=True, allow_none=True)
    evidence = fields.Dict(
        required=True, allow_none=True, metadata={"description": "ids cited by kind, and the note"}
    )
    verified_by = fields.Nested(Clerk, required=True, allow_none=True)
    verified_at = fields.String(required=True, allow_none=True, metadata=DATETIME)
    corrective_action = fields.String(required=True, allow_none=True)
    answer = fields.String(required=True, allow_none=True)
    answered_by = fields.Nested(Clerk, required=True, allow_none=True)
    answered_at = fields.String(required=True, allow_none=True, metadata=DATETIME)
    answered_day = fields.String(required=True, allow_none=True, metadata=DATE)
    available_evidence = fields.Nested(
        Evidence, metadata={"description": "single views: what the verifier may cite"}
    )


class Complaints(Out):
    hall = fields.String(required=True)
    today = fields.String(required=True, metadata=DATE)
    complaints = fields.List(fields.Nested(Complaint), required=True)


class CitizenComplaint(Out):
    """The citizen's view (the code is their capability): never a clerk's name, never staff notes."""

    code = fields.String(required=True)
    url = Link("/complaints/{code}")
    number = fields.String(required=True)
    hall = fields.String(required=True)
    hall_name = fields.String(required=True)
    category = fields.String(required=True, metadata={"enum": list(CATEGORIES)})
    status = fields.String(required=True, metadata={"enum": list(STATUSES)})
    filed_day = fields.String(required=True, metadata=DATE)
    due_day = fields.String(required=True, allow_none=True, metadata=DATE)
    answer = fields.String(required=True, allow_none=True)
    answered_day = fields.String(required=True, allow_none=True, metadata=DATE)
