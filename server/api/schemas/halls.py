"""Halls and windows as kiosks, boards and consoles see them; who the caller is."""

from __future__ import annotations

from marshmallow import fields

from .base import Digits, In, Link, Out, Query, Str, Text, say
from .common import DATE, DATETIME, EN_FIELD, STAFF_ONLY, BoardClerk, Clerk, Counts, Message, WindowRef
from .tickets import NoticeRef, Ticket

WINDOW_STATUSES = ("open", "paused", "closed")


class Posts(Out):
    """The window's A clerk and B clerk (who covers for A)."""

    a = fields.Nested(Clerk, required=True, allow_none=True)
    b = fields.Nested(Clerk, required=True, allow_none=True)


class WindowPosts(Posts):
    window = fields.Nested(WindowRef, required=True)


class Cover(Out):
    """While A is away: where citizens go instead (only while that window serves)."""

    window = fields.Nested(WindowRef, required=True)
    clerk = fields.Nested(Clerk, required=True, allow_none=True)


class Redirect(Out):
    """A window that does not serve now: where its board sends citizens (domain/routing.py)."""

    kind = fields.String(
        required=True,
        metadata={
            "enum": ["cover", "other", "none"],
            "description": "cover: its B post serves its queue; other: another window serves its "
            "services; none: no window serves its citizens now",
        },
    )
    window = fields.Nested(WindowRef, required=True, allow_none=True)


class Window(Out):
    """A window (docs/api.md "Window object"); consoles and boards get its posts and cover,
    GET /windows/<id> the windows it covers and the tickets it would call, in order."""

    id = fields.Integer(required=True)
    number = fields.Integer(required=True)
    name = fields.String(required=True)
    name_en = fields.String(allow_none=True, metadata=EN_FIELD)
    status = fields.String(required=True, metadata={"enum": list(WINDOW_STATUSES)})
    services = fields.List(fields.String(), required=True)
    clerk = fields.Nested(Clerk, required=True, allow_none=True)
    pause_reason = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "public: only one of the hall's public phrases"},
    )
    pause_reason_public = fields.Boolean(metadata={"description": "staff: whether boards show the reason"})
    current = fields.Nested(Ticket, required=True, allow_none=True)
    posts = fields.Nested(Posts)
    cover = fields.Nested(Cover, allow_none=True)
    redirect = fields.Nested(Redirect, allow_none=True, metadata={"description": "None while it serves"})
    covering = fields.List(fields.Nested(WindowRef))
    waiting = fields.List(fields.Nested(Ticket))


class PauseIn(In):
    reason = Text(200, required=True, metadata={"example": "系统维护"})


class User(Out):
    username = fields.String(required=True)
    name = fields.String(required=True, allow_none=True)
    badge = fields.String(required=True, allow_none=True)


class Me(Out):
    role = fields.String(
        required=True,
        metadata={"enum": ["admin", "manager", "clerk", "supervisor", "kiosk", "board", "pad"]},
    )
    hall = fields.String(required=True, allow_none=True)
    user = fields.Nested(User, required=True, allow_none=True)
    window = fields.Nested(Window, required=True, allow_none=True)


class HallService(Out):
    code = fields.String(required=True)
    prefix = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(required=True, allow_none=True)
    category = fields.String(required=True)
    category_en = fields.String(allow_none=True, metadata=EN_FIELD)
    waiting = fields.Integer(required=True)
    estimated_wait_s = fields.Integer(
        required=True, metadata={"description": "a walk-in taking a number now (never 0 with people ahead)"}
    )
    served = fields.Boolean(required=True, metadata={"description": "a window serves it now (routing)"})
    bookable = fields.Boolean(required=True, metadata={"description": "appointments (预约) at /b/<hall>"})
    commitment = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "服务承诺 from the guide: 法定时限 / 承诺时限 or 即办件 / 收费"},
    )
    commitment_en = fields.List(fields.String(), metadata={"description": "the same lines in English"})


class HallInfo(Out):
    """The hall for kiosks: its active services with waiting counts and estimated waits."""

    code = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(allow_none=True, metadata=EN_FIELD)
    timezone = fields.String(required=True)
    business_day = fields.String(required=True, metadata=DATE)
    categories = fields.List(fields.String(), required=True)
    services = fields.List(fields.Nested(HallService), required=True)
    queue_when_unserved = fields.Boolean(
        required=True, metadata={"description": "numbers are issued for services no window serves now"}
    )
    opens_at = fields.String(
        required=True, allow_none=True, metadata={**DATETIME, "description": "while closed: when it opens"}
    )


class SnapshotHall(Out):
    code = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(allow_none=True, metadata=EN_FIELD)
    timezone = fields.String(required=True)
    commitments = fields.String(required=True, allow_none=True, metadata={"description": "服务承诺 (public)"})
    commitments_en = fields.String(allow_none=True, metadata=EN_FIELD)


class SnapshotService(Out):
    code = fields.String(required=True)
    prefix = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(allow_none=True, metadata=EN_FIELD)
    category = fields.String(required=True)
    category_en = fields.String(allow_none=True, metadata=EN_FIELD)
    waiting = fields.Integer(required=True)
    estimated_wait_s = fields.Integer(metadata={"description": "a walk-in taking a number now"})
    served = fields.Boolean(metadata={"description": "a window serves it now (domain/routing.py)"})


class Unserved(Out):
    """Citizens waiting with no window able to serve them now (staff only)."""

    service = fields.String(required=True)
    directed_window = fields.Nested(WindowRef, required=True, allow_none=True)
    waiting = fields.Integer(required=True)


class TransferFrom(Out):
    service = fields.String(required=True)
    window = fields.Nested(WindowRef, required=True, allow_none=True)


class TransferTo(TransferFrom):
    windows = fields.List(fields.Integer(), required=True, metadata={"description": "where to go"})


class BoardTicket(Ticket):
    """A ticket in the snapshot: anonymous callers and devices get it by `ref`, without the id
    that opens its phone page, its owner or its notice (docs/security.md)."""

    id = fields.String(metadata={"description": STAFF_ONLY})
    url = Link("/t/{id}", metadata={"description": STAFF_ONLY})
    priority = fields.Boolean(metadata={"description": STAFF_ONLY})
    owner = fields.Nested(BoardClerk, allow_none=True, metadata={"description": STAFF_ONLY})
    notice = fields.Nested(NoticeRef, allow_none=True, metadata={"description": STAFF_ONLY})


class BoardPosts(Posts):
    a = fields.Nested(BoardClerk, required=True, allow_none=True)
    b = fields.Nested(BoardClerk, required=True, allow_none=True)


class BoardCover(Cover):
    clerk = fields.Nested(BoardClerk, required=True, allow_none=True)


class BoardWindow(Window):
    clerk = fields.Nested(BoardClerk, required=True, allow_none=True)
    current = fields.Nested(BoardTicket, required=True, allow_none=True)
    posts = fields.Nested(BoardPosts)
    cover = fields.Nested(BoardCover, allow_none=True)


class Transfer(Out):
    """A transfer whose citizen still waits (as in the `ticket.transferred` event)."""

    ticket = fields.Nested(BoardTicket, required=True)
    from_ = fields.Nested(TransferFrom, data_key="from", attribute="from", required=True)
    to = fields.Nested(TransferTo, required=True)
    reason = fields.String(metadata={"description": STAFF_ONLY + " (the clerk's free text)"})
    message = fields.Nested(Message, required=True)
    waiting = Counts(required=True)


class Snapshot(Out):
    """What the boards show now, consistent with event `seq`."""

    transfers = fields.List(fields.Nested(Transfer), required=True)
    seq = fields.Integer(required=True)
    hall = fields.Nested(SnapshotHall, required=True)
    business_day = fields.String(required=True, metadata=DATE)
    now_calling = fields.List(
        fields.Nested(BoardTicket), required=True, metadata={"description": "newest first"}
    )
    recent_calls = fields.List(fields.Nested(BoardTicket), required=True)
    waiting = Counts(required=True)
    services = fields.List(fields.Nested(SnapshotService), required=True)
    windows = fields.List(fields.Nested(BoardWindow), required=True)
    unserved = fields.List(fields.Nested(Unserved), metadata={"description": STAFF_ONLY})


class FiguresQuery(Query):
    days = Digits(
        load_default=30,
        message=say("days 必须是整数", "days must be an integer"),
        metadata={"description": "1 to 366"},
    )


class PrintersQuery(Query):
    hall = Str(32, metadata={"description": "default: the caller's hall"})
