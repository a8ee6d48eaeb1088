"""Tickets, their printed slips, transfers and one-time notices: requests and answers."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validates_schema

from .base import MISSING, NOT_LIST, Flag, In, Int, Link, Out, Str, StrMap, Text, field_messages, say
from .cases import Case
from .common import DATE, DATETIME, EN_FIELD, BoardClerk, HallRef, Message, WindowRef
from .print_jobs import PrintJob

TICKET_STATUSES = ("waiting", "called", "serving", "done", "no_show", "cancelled")


# ---------------------------------------------------------------- printing


class JobCounts(Out):
    queued = fields.Integer(required=True)
    sent = fields.Integer(required=True)
    printed = fields.Integer(required=True)
    failed = fields.Integer(required=True)


class Printer(Out):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    spec = fields.String(required=True)
    width_mm = fields.Integer(required=True)
    mode = fields.String(required=True, metadata={"enum": ["text", "raster"]})
    driver = fields.String(required=True, metadata={"enum": ["server", "agent"]})
    status = fields.String(required=True)
    fault = fields.Boolean(required=True)
    status_detail = fields.String(required=True, allow_none=True)
    status_at = fields.String(required=True, allow_none=True, metadata=DATETIME)
    jobs = fields.Nested(JobCounts, required=True)


class Printers(Out):
    printers = fields.List(fields.Nested(Printer), required=True)


class PrintJobs(Out):
    jobs = fields.List(fields.Nested(PrintJob), required=True)


# ---------------------------------------------------------------- tickets


class NoticeItem(Out):
    id = fields.String(required=True, allow_none=True, metadata={"description": "the guide's material id"})
    name = fields.String(required=True)
    reason = fields.String(allow_none=True)


class NoticeRef(Out):
    """The earlier notice a ticket came back with: in full for staff, `{"present": true}` for others."""

    code = fields.String()
    missing = fields.List(fields.Nested(NoticeItem))
    note = fields.String(allow_none=True)
    created_at = fields.String(metadata=DATETIME)
    present = fields.Boolean()


class TransferLink(Out):
    """One transfer of a ticket: where the citizen was sent, why."""

    from_service = fields.String(required=True)
    to_service = fields.String(required=True)
    from_window = fields.Nested(WindowRef, required=True, allow_none=True)
    to_window = fields.Nested(WindowRef, required=True, allow_none=True)
    reason = fields.String(required=True)
    overridden = fields.Boolean(required=True)
    at = fields.String(required=True, metadata=DATETIME)


class OnPost(Out):
    """Who called, at which window, covering which windows (B post)."""

    by = fields.String(required=True, allow_none=True)
    window = fields.Integer(required=True)
    covering = fields.List(fields.Integer(), required=True)


class Ticket(Out):
    """A ticket (docs/api.md "Ticket object"); phone numbers never appear."""

    id = fields.String(required=True, metadata={"description": "opaque, unguessable: opens the phone page"})
    ref = fields.String(
        required=True,
        metadata={"description": "non-secret key of the ticket on public screens and streams"},
    )
    number = fields.String(required=True, metadata={"example": "A001"})
    hall = fields.String(required=True)
    service = fields.String(required=True)
    service_name = fields.String(required=True)
    service_name_en = fields.String(allow_none=True, metadata=EN_FIELD)
    status = fields.String(required=True, metadata={"enum": list(TICKET_STATUSES)})
    priority = fields.Boolean(required=True)
    business_day = fields.String(required=True, metadata=DATE)
    queued_at = fields.String(required=True, metadata=DATETIME)
    called_at = fields.String(required=True, allow_none=True, metadata=DATETIME)
    recalls = fields.Integer(required=True)
    window = fields.Nested(WindowRef, required=True, allow_none=True)
    directed_window = fields.Nested(WindowRef, required=True, allow_none=True)
    position = fields.Integer(required=True, allow_none=True, metadata={"description": "people ahead"})
    estimated_wait_s = fields.Integer(required=True, allow_none=True)
    url = Link("/t/{id}", required=True, metadata={"description": "the citizen's phone page (QR)"})
    owner = fields.Nested(
        BoardClerk,
        required=True,
        allow_none=True,
        metadata={"description": "首办责任人 (its holder gets the name and badge only)"},
    )
    notice = fields.Nested(NoticeRef, required=True, allow_none=True)
    # present on some answers only
    print = fields.Nested(PrintJob, allow_none=True, metadata={"description": "the slip (issue, GET)"})
    transfers = fields.List(fields.Nested(TransferLink), metadata={"description": "the transfer chain"})
    repeat_trip = fields.Integer(metadata={"description": "visits for one matter (third and later)"})
    on_post = fields.Nested(OnPost, metadata={"description": "call-next"})
    message = fields.Nested(Message, metadata={"description": "transfer: where the citizen goes"})
    outcome = fields.String(
        metadata={"enum": ["done", "accepted", "refused", "notice"], "description": "complete"}
    )
    outcome_reason = fields.String(allow_none=True, metadata={"description": "complete"})
    case = fields.Nested(Case, metadata={"description": "complete with outcome accepted: the case opened"})
    booking = fields.Nested(
        "BookingCheckIn", metadata={"description": "issue with a booking code: how it checked in"}
    )
    served = fields.Boolean(metadata={"description": "issue: whether a window serves its service now"})


class BookingCheckIn(Out):
    """A check-in's outcome: checked_in (an appointment ticket) or walk_in (late beyond the grace)."""

    status = fields.String(required=True, metadata={"enum": ["checked_in", "walk_in"]})
    starts_at = fields.String(required=True, metadata=DATETIME)
    ends_at = fields.String(required=True, metadata=DATETIME)


class Tickets(Out):
    tickets = fields.List(fields.Nested(Ticket), required=True)


class CompletedAndCalled(Out):
    """办结并叫号: the ticket completed and the one called next (null when nobody waits)."""

    completed = fields.Nested(Ticket, required=True)
    called = fields.Nested(Ticket, allow_none=True, required=True)


class IssueIn(In):
    """Take a number: a service, or the code of a one-time notice (a priority ticket)."""

    service = Text(16, metadata={"example": "A"})
    priority = Flag()
    phone = Text(20, metadata={"pattern": r"^\+?[0-9]{5,20}$", "example": "13800138000"})
    hall = Text(32, metadata={"description": "optional for hall-bound tokens", "example": "demo"})
    notice = Text(
        24, metadata={"description": "a one-time notice's code as typed, or its page token (a scanned QR)"}
    )
    booking = Text(
        24,
        metadata={
            "description": "check in for an appointment (预约): its code as typed, or its page token (QR)"
        },
    )

    @validates_schema
    def _service_or_notice(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("service") is None and data.get("notice") is None and data.get("booking") is None:
            raise ValidationError(MISSING, field_name="service")


class TransferIn(In):
    service = Text(16)
    window = Int(1, message=say("window 必须是窗口编号（整数）", "window must be a window id (integer)"))
    reason = Text(300, required=True)
    override = Flag(metadata={"description": "manager only: even if no open window serves the target"})


# ---------------------------------------------------------------- one-time notices


class MissingItem(fields.Raw):
    """A material id of the service's guide, or `{"name": free text, "id"?: material id}`."""


class NoticeIn(In):
    missing = fields.List(
        MissingItem(
            metadata={
                "oneOf": [
                    {"type": "string"},
                    {
                        "type": "object",
                        "required": ["name"],
                        "properties": {"name": {"type": "string"}, "id": {"type": "string"}},
                    },
                ]
            }
        ),
        error_messages=field_messages(null=NOT_LIST, invalid=NOT_LIST),
    )
    note = Str(1000, allow_none=True)
    reasons = StrMap(
        say("reasons 必须是 {材料: 原因}", "reasons must map items to text"),
        allow_none=True,
        metadata={"description": "why an item the earlier notice did not list is asked for now"},
    )


class Notice(Out):
    """A one-time notice (一次告知单); GET adds the service name, hall, number and guide."""

    code = fields.String(
        required=True, metadata={"description": "the short code typed at a kiosk (opens no page)"}
    )
    token = fields.String(required=True, metadata={"description": "the page's key: /n/<token>, on the QR"})
    service = fields.String(required=True)
    missing = fields.List(fields.Nested(NoticeItem), required=True)
    note = fields.String(required=True, allow_none=True)
    created_at = fields.String(required=True, metadata=DATETIME)
    url = Link("/n/{token}", required=True)
    print_url = Link("/n/{token}/print", required=True)
    previous = fields.String(required=True, allow_none=True, metadata={"description": "the earlier notice"})
    ticket = fields.String(metadata={"description": "POST only"})
    print = fields.Nested(PrintJob, allow_none=True, metadata={"description": "POST only"})
    service_name = fields.String(metadata={"description": "GET only"})
    hall = fields.Nested(HallRef, metadata={"description": "GET only"})
    number = fields.String(metadata={"description": "GET only"})
    guide = fields.Dict(allow_none=True, metadata={"description": "GET only: the service's guide"})


# ---------------------------------------------------------------- figures


class TransferCount(Out):
    from_ = fields.String(data_key="from", attribute="from", required=True)
    to = fields.String(required=True)
    count = fields.Integer(required=True)


class NoticeCount(Out):
    service = fields.String(required=True)
    name = fields.String(required=True)
    count = fields.Integer(required=True)


class Figures(Out):
    hall = fields.String(required=True)
    days = fields.Integer(required=True)
    transfers = fields.List(fields.Nested(TransferCount), required=True)
    notices = fields.List(fields.Nested(NoticeCount), required=True)
    repeat_trips = fields.Integer(required=True)


class Visit(Out):
    number = fields.String(required=True)
    business_day = fields.String(required=True, metadata=DATE)
    status = fields.String(required=True)
    notices = fields.Integer(required=True)


class RepeatTrip(Out):
    at = fields.String(required=True, metadata=DATETIME)
    ticket = fields.Nested(Ticket, required=True)
    service = fields.String(required=True)
    service_name = fields.String(required=True)
    visits = fields.Integer(required=True)
    history = fields.List(fields.Nested(Visit), required=True)


class RepeatTrips(Out):
    trips = fields.List(fields.Nested(RepeatTrip), required=True)
