"""API of staff on duty and the manager's re-routing: posts, leave, alarms, services, audit."""

from __future__ import annotations

from typing import Any

from flask import stream_with_context

from ..auth import current_principal
from ..services import audit, rerouting, staff
from .blueprint import bp, ctx
from .downloads import offers_tables, table_download
from .schemas.halls import Window, WindowPosts
from .schemas.staff import (
    Alarms,
    AttendanceLog,
    AuditLog,
    AuditQuery,
    CloseIn,
    DayQuery,
    Handovers,
    Leave,
    LeaveIn,
    Leaves,
    Moved,
    MoveIn,
    PostsIn,
    ServicesIn,
)
from .windows import WINDOW

POSTS, WINDOW_VIEW = WindowPosts(), Window()


@bp.get(f"{WINDOW}/posts")
@bp.response(200, POSTS)
def get_posts(window_id: int) -> Any:
    """The window's A and B clerks (staff, boards)"""
    return staff.get_posts(ctx(), current_principal(), window_id)


@bp.put(f"{WINDOW}/posts")
@bp.arguments(PostsIn(), example={"a": "clerk04", "b": "clerk06"})
@bp.response(200, POSTS)
def put_posts(body: dict[str, Any], window_id: int) -> Any:
    """Set the window's A and B clerks (managers, admins)"""
    return staff.set_posts(ctx(), current_principal(), window_id, body.get("a"), body.get("b"))


@bp.put(f"{WINDOW}/services")
@bp.arguments(ServicesIn())
@bp.response(200, WINDOW_VIEW)
def put_services(body: dict[str, Any], window_id: int) -> Any:
    """The services the window serves, in call order; call-next follows at once (managers, admins)"""
    return rerouting.set_window_services(ctx(), current_principal(), window_id, body["services"])


@bp.post(f"{WINDOW}/close")
@bp.arguments(CloseIn(), required=False)
@bp.response(200, WINDOW_VIEW)
def close_window(body: dict[str, Any], window_id: int) -> Any:
    """Close the window and sign its clerk out (managers, admins)"""
    return rerouting.close_window(ctx(), current_principal(), window_id, body.get("reason"))


@bp.post("/halls/<code>/move-tickets")
@bp.arguments(MoveIn(), example={"from": {"service": "E"}, "to": {"service": "D"}, "confirm": False})
@bp.response(200, Moved())
def move_tickets(body: dict[str, Any], code: str) -> Any:
    """Move every waiting ticket of a service or window elsewhere, keeping numbers (managers, admins)"""
    return rerouting.move_waiting(
        ctx(),
        current_principal(),
        code,
        body["from"],
        body["to"],
        body.get("confirm", False),
        body.get("reason"),
    )


@bp.post("/leaves")
@bp.arguments(
    LeaveIn(), example={"start": "2026-12-01", "end": "2026-12-02", "reason": "病假", "handover_note": "…"}
)
@bp.response(201, Leave())
def register_leave(body: dict[str, Any]) -> Any:
    """Register leave with the handover note for the B clerk (clerks for themselves, managers)"""
    return staff.register_leave(
        ctx(),
        current_principal(),
        body["start"],
        body["end"],
        body["reason"],
        body["handover_note"],
        body.get("user"),
    )


@bp.get("/halls/<code>/leaves")
@bp.response(200, Leaves())
def leaves(code: str) -> Any:
    """Current and coming leave (managers, admins)"""
    return {"leaves": staff.list_leave(ctx(), current_principal(), code)}


@bp.get("/me/handovers")
@bp.response(200, Handovers())
def handovers() -> Any:
    """Leave and handover notes of the A clerks the calling clerk is B post for"""
    return {"handovers": staff.handovers(ctx(), current_principal())}


@bp.get("/halls/<code>/attendance")
@bp.arguments(DayQuery(), location="query")
@bp.response(200, AttendanceLog())
def attendance(query: dict[str, Any], code: str) -> Any:
    """Sign-in, sign-out, pause (with reason), resume (managers, admins)"""
    return {"attendance": staff.attendance_log(ctx(), current_principal(), code, query.get("day"))}


@bp.get("/halls/<code>/alarms")
@bp.response(200, Alarms())
def alarms(code: str) -> Any:
    """Windows alarming now: neither A nor B present while citizens wait (staff)"""
    return {"alarms": staff.active_alarms(ctx(), current_principal(), code)}


@bp.get("/halls/<code>/audit")
@bp.arguments(AuditQuery(), location="query")
@bp.response(200, AuditLog())
@offers_tables
def audit_log(query: dict[str, Any], code: str) -> Any:
    """Every recorded event with who, what (in words, zh and en), when, where; filters; pages by
    cursor (next_before); CSV and XLSX of the whole filtered range (managers, admins)"""
    filters = {
        "user": query.get("user") or None,
        "window": query.get("window"),
        "ticket": query.get("ticket") or None,
        "day": query.get("day") or None,
    }
    if query.get("format") in ("csv", "xlsx"):
        rows = audit.audit_rows(ctx(), current_principal(), code, **filters)
        name = f"audit-{code}" + (f"-{filters['day']}" if filters["day"] else "")
        return table_download(
            query["format"],
            name,
            lambda: stream_with_context(audit.audit_csv_lines(rows)),
            lambda: audit.audit_xlsx(rows),
        )
    return audit.audit_page(
        ctx(), current_principal(), code, limit=query["limit"], before=query.get("before"), **filters
    )
