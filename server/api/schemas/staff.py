"""Staff on duty (posts, leave, attendance, alarms), the manager's re-routing and the audit log."""

from __future__ import annotations

from marshmallow import fields

from .base import Choice, Day, Digits, Flag, In, Int, Out, Query, Str, Text, Texts, nested, say
from .common import DATE, DATETIME, Clerk, WindowNumber, WindowRef


class PostsIn(In):
    a = Text(64, metadata={"description": "the A clerk's username; null: nobody"})
    b = Text(64, metadata={"description": "the B clerk's username; null: nobody"})


class ServicesIn(In):
    services = Texts(
        16,
        required=True,
        message=say("services 必须是不重复的事项代码列表", "services must be a list of distinct codes"),
        metadata={"description": "service codes, in call order", "example": ["B", "H"]},
    )


class CloseIn(In):
    #: kept in the attendance log as "closed by <username>: <reason>" (a column of 200)
    reason = Text(120)


class Place(In):
    """A service (`{"service": CODE}`) or a window (`{"window": ID}`): exactly one."""

    service = Text(16)
    window = Int(1)


class MoveIn(In):
    from_ = nested(Place, data_key="from", attribute="from", required=True)
    to = nested(Place, required=True)
    confirm = Flag(metadata={"description": "without it nothing moves: the answer says how many would"})
    reason = Text(300)


class Moved(Out):
    moved = fields.Integer(required=True)
    confirm_required = fields.Boolean(required=True)
    count = fields.Integer(metadata={"description": "without confirm"})
    numbers = fields.List(fields.String(), required=True)


class LeaveIn(In):
    user = Text(64, metadata={"description": "managers: whose leave (default: the caller)"})
    start = Day(required=True)
    end = Day(required=True, metadata={"description": "within a year of the start, which is within a year"})
    reason = Text(300, required=True)
    handover_note = Text(2000, required=True)


class Leave(Out):
    id = fields.Integer(required=True)
    user = fields.Nested(Clerk, required=True, allow_none=True)
    start = fields.String(required=True, metadata=DATE)
    end = fields.String(required=True, metadata=DATE)
    reason = fields.String(required=True)
    handover_note = fields.String(required=True)
    short_notice = fields.Boolean(required=True)
    registered_at = fields.String(required=True, metadata=DATETIME)
    window = fields.Nested(WindowRef, metadata={"description": "handovers: the A clerk's window"})


class Leaves(Out):
    leaves = fields.List(fields.Nested(Leave), required=True)


class Handovers(Out):
    handovers = fields.List(fields.Nested(Leave), required=True)


class DayQuery(Query):
    day = Day(metadata={"description": "YYYY-MM-DD (hall time)"})


class Attendance(Out):
    at = fields.String(required=True, metadata=DATETIME)
    user = fields.Nested(Clerk, required=True)
    window = fields.Nested(WindowRef, required=True)
    kind = fields.String(required=True, metadata={"enum": ["sign_in", "sign_out", "pause", "resume"]})
    reason = fields.String(required=True, allow_none=True)


class AttendanceLog(Out):
    attendance = fields.List(fields.Nested(Attendance), required=True)


class Alarm(Out):
    window = fields.Nested(WindowRef, required=True)
    a = fields.Nested(Clerk, required=True, allow_none=True)
    b = fields.Nested(Clerk, required=True, allow_none=True)
    since = fields.String(required=True, metadata=DATETIME)


class Alarms(Out):
    alarms = fields.List(fields.Nested(Alarm), required=True)


class AuditQuery(Query):
    user = Str(64, metadata={"description": "username"})
    window = Digits(message=say("window 必须是窗口编号", "window must be a window id"))
    ticket = Str(64, metadata={"description": "ticket number or id"})
    day = Day(metadata={"description": "YYYY-MM-DD (hall time)"})
    limit = Digits(
        load_default=500,
        message=say("limit 必须是整数", "limit must be an integer"),
        metadata={"description": "rows of one JSON page, 1..5000 (csv and xlsx carry every row)"},
    )
    before = Digits(
        message=say("before 必须是事件序号", "before must be an event seq"),
        metadata={"description": "the next page: the previous page's next_before (events with a lower seq)"},
    )
    format = Choice(
        ("json", "csv", "xlsx"),
        message=say("format 只能是 json、csv 或 xlsx", "format must be json, csv or xlsx"),
        metadata={
            "description": "csv (UTF-8 with BOM, streamed) / xlsx: every row of the filtered range, "
            "newest first"
        },
    )


class TicketRef(Out):
    id = fields.String(required=True)
    number = fields.String(required=True)


class AuditEvent(Out):
    seq = fields.Integer(required=True)
    at = fields.String(required=True, metadata=DATETIME)
    type = fields.String(required=True, metadata={"example": "ticket.called"})
    actor = fields.Nested(Clerk, required=True, allow_none=True)
    actor_role = fields.String(required=True, allow_none=True)
    window = fields.Nested(WindowNumber, required=True, allow_none=True)
    ticket = fields.Nested(TicketRef, required=True, allow_none=True)
    action = fields.String(
        required=True, metadata={"description": "what happened, in words", "example": "暂停"}
    )
    action_en = fields.String(required=True, metadata={"example": "paused"})
    summary = fields.String(required=True, metadata={"description": "its details"})
    summary_en = fields.String(required=True)


class AuditLog(Out):
    events = fields.List(fields.Nested(AuditEvent), required=True)
    next_before = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "pass as before for the next (older) page; null after the last"},
    )
