"""Tickets: take a number, read it, act on it at the window (one route per action), reprint its
slip, transfer it, and the one-time notices made for it."""

from __future__ import annotations

from typing import Any

from ..auth import current_principal
from ..services import notices, print_jobs, transfers
from ..services import tickets as ticket_service
from ..web.throttle import notice_code_lookup
from .blueprint import PUBLIC, bp, ctx
from .schemas.cases import CompleteIn
from .schemas.common import Empty
from .schemas.print_jobs import PrintJob
from .schemas.tickets import CompletedAndCalled, IssueIn, Notice, NoticeIn, Ticket, Tickets, TransferIn

EMPTY, TICKET, NOTICE = Empty(), Ticket(), Notice()


@bp.post("/tickets")
@bp.arguments(IssueIn(), example={"service": "A", "priority": False, "phone": "13800138000", "hall": "demo"})
@bp.response(201, TICKET, description="the new ticket, its position and estimated wait, its slip")
def issue(body: dict[str, Any]) -> Any:
    """Take a number (kiosk, manager, admin), or check in with a booking code; unknown notice and
    booking codes are throttled (429 rate_limited)"""
    with notice_code_lookup(body.get("notice")), notice_code_lookup(body.get("booking"), "booking"):
        return ticket_service.issue_ticket(
            ctx(),
            current_principal(),
            service_code=body.get("service"),
            notice_code=body.get("notice"),
            booking_code=body.get("booking"),
            hall_code=body.get("hall"),
            priority=body.get("priority", False),
            phone=body.get("phone"),
        )


@bp.get("/tickets/<ticket_id>")
@bp.response(200, TICKET, description="the ticket with its slip's state and its transfers")
@bp.doc(**PUBLIC)
def ticket(ticket_id: str) -> Any:
    """A ticket (anyone who has its id)"""
    return ticket_service.get_ticket(ctx(), ticket_id)


def _act(ticket_id: str, action: str) -> Any:
    return ticket_service.act_on_ticket(ctx(), current_principal(), ticket_id, action)


@bp.post("/tickets/<ticket_id>/recall")
@bp.arguments(EMPTY, required=False)
@bp.response(200, TICKET)
def recall(_: dict[str, Any], ticket_id: str) -> Any:
    """Call the number again (the clerk at its window; 409 recall_limit after 3 recalls)"""
    return _act(ticket_id, "recall")


@bp.post("/tickets/<ticket_id>/start")
@bp.arguments(EMPTY, required=False)
@bp.response(200, TICKET)
def start(_: dict[str, Any], ticket_id: str) -> Any:
    """The citizen is at the window: serving (the clerk at its window)"""
    return _act(ticket_id, "start")


@bp.post("/tickets/<ticket_id>/no-show")
@bp.arguments(EMPTY, required=False)
@bp.response(200, TICKET)
def no_show(_: dict[str, Any], ticket_id: str) -> Any:
    """The citizen did not come (the clerk at its window)"""
    return _act(ticket_id, "no-show")


@bp.post("/tickets/<ticket_id>/complete")
@bp.arguments(CompleteIn(), required=False, example={"outcome": "accepted", "materials": ["身份证"]})
@bp.response(200, TICKET, description="the ticket with its outcome; `case` when it was accepted")
def complete(body: dict[str, Any], ticket_id: str) -> Any:
    """Service finished: done, accepted (opens a case), refused or notice (the clerk at its window)"""
    return ticket_service.act_on_ticket(
        ctx(),
        current_principal(),
        ticket_id,
        "complete",
        outcome=body.get("outcome"),
        reason=body.get("reason"),
        reason_code=body.get("reason_code"),
        materials=body.get("materials"),
    )


@bp.post("/tickets/<ticket_id>/complete-and-call-next")
@bp.arguments(CompleteIn(), required=False, example={})
@bp.response(
    200, CompletedAndCalled(), description="the completed ticket and the next one called (null: nobody waits)"
)
def complete_and_call_next(body: dict[str, Any], ticket_id: str) -> Any:
    """办结并叫号: complete the ticket being served and call the next at the same window, in one
    step (the clerk at its window; a refused call, e.g. a paused window, changes nothing)"""
    return ticket_service.complete_and_call_next(
        ctx(),
        current_principal(),
        ticket_id,
        outcome=body.get("outcome"),
        reason=body.get("reason"),
        reason_code=body.get("reason_code"),
        materials=body.get("materials"),
    )


@bp.post("/tickets/<ticket_id>/undo-no-show")
@bp.arguments(EMPTY, required=False)
@bp.response(200, TICKET, description="the ticket, called again at the window")
def undo_no_show(_: dict[str, Any], ticket_id: str) -> Any:
    """撤销过号: the clerk who marked the no-show takes it back within 10 s (409 undo_expired,
    undo_not_yours, window_busy otherwise)"""
    return ticket_service.undo_no_show(ctx(), current_principal(), ticket_id)


@bp.post("/tickets/<ticket_id>/cancel")
@bp.arguments(EMPTY, required=False)
@bp.response(200, TICKET)
def cancel(_: dict[str, Any], ticket_id: str) -> Any:
    """Give up a waiting number (kiosk, clerk, manager, admin)"""
    return _act(ticket_id, "cancel")


@bp.post("/tickets/<ticket_id>/reactivate")
@bp.arguments(EMPTY, required=False)
@bp.response(200, TICKET)
def reactivate(_: dict[str, Any], ticket_id: str) -> Any:
    """A late no-show comes back: waiting again (once, within 30 min)"""
    return _act(ticket_id, "reactivate")


@bp.post("/tickets/<ticket_id>/reprint")
@bp.arguments(EMPTY, required=False)
@bp.response(201, PrintJob(), description="the new print job")
def reprint(_: dict[str, Any], ticket_id: str) -> Any:
    """Print the slip again (a kiosk once per ticket, managers and admins any time)"""
    return print_jobs.reprint(ctx(), current_principal(), ticket_id)


@bp.post("/tickets/<ticket_id>/transfer")
@bp.arguments(TransferIn(), example={"service": "F", "reason": "公积金业务"})
@bp.response(200, TICKET, description="the ticket, waiting in the target queue, with where to go")
def transfer(body: dict[str, Any], ticket_id: str) -> Any:
    """Send the citizen to a service or a window, keeping their place (the clerk at its window, managers)"""
    return transfers.transfer(
        ctx(),
        current_principal(),
        ticket_id,
        body["reason"],
        service_code=body.get("service"),
        window_id=body.get("window"),
        override=body.get("override", False),
    )


@bp.post("/tickets/<ticket_id>/notice")
@bp.arguments(NoticeIn(), example={"missing": ["m1", {"name": "单位出具的证明"}], "note": "请一次带齐"})
@bp.response(201, NOTICE, description="the notice, queued on the window's printer")
def notice(body: dict[str, Any], ticket_id: str) -> Any:
    """Tell every missing item at once: a one-time notice (the clerk at its window)"""
    return notices.create_notice(
        ctx(), current_principal(), ticket_id, body.get("missing", []), body.get("note"), body.get("reasons")
    )


@bp.get("/notices/<token>")
@bp.response(200, NOTICE, description="the notice with its service guide")
@bp.doc(**PUBLIC)
def get_notice(token: str) -> Any:
    """A one-time notice (anyone who has its page token, from its QR; not the short code)"""
    return notices.get_notice(ctx(), token)


@bp.get("/me/follow-ups")
@bp.response(200, Tickets())
def follow_ups() -> Any:
    """Every matter the calling clerk owns (首办责任人) that is not done"""
    return {"tickets": transfers.follow_ups(ctx(), current_principal())}
