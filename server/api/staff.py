"""API of staff on duty and the manager's re-routing: posts, leave, alarms, services, audit."""

from __future__ import annotations

from typing import Any

from flask import Response, request

from ..auth import current_principal
from ..services import audit, rerouting, staff
from ..services.core.errors import bad_field
from . import bp, ctx
from .parse import boolean, json_body, only_fields, string


@bp.get("/windows/<int:window_id>/posts")
def get_posts(window_id: int) -> Any:
    return staff.get_posts(ctx(), current_principal(), window_id)


@bp.put("/windows/<int:window_id>/posts")
def put_posts(window_id: int) -> Any:
    p = current_principal()
    data = json_body()
    only_fields(data, {"a", "b"})
    return staff.set_posts(ctx(), p, window_id, string(data, "a", max_len=64), string(data, "b", max_len=64))


@bp.put("/windows/<int:window_id>/services")
def put_services(window_id: int) -> Any:
    p = current_principal()
    data = json_body()
    only_fields(data, {"services"})
    return rerouting.set_window_services(ctx(), p, window_id, data.get("services"))


@bp.post("/windows/<int:window_id>/close")
def close_window(window_id: int) -> Any:
    p = current_principal()
    data = json_body()
    only_fields(data, {"reason"})
    return rerouting.close_window(ctx(), p, window_id, string(data, "reason"))


@bp.post("/halls/<code>/move-tickets")
def move_tickets(code: str) -> Any:
    p = current_principal()
    data = json_body()
    only_fields(data, {"from", "to", "confirm", "reason"})
    return rerouting.move_waiting(
        ctx(), p, code, data.get("from"), data.get("to"), boolean(data, "confirm"), string(data, "reason")
    )


@bp.post("/leaves")
def register_leave() -> Any:
    p = current_principal()
    data = json_body()
    only_fields(data, {"user", "start", "end", "reason", "handover_note"})
    made = staff.register_leave(
        ctx(),
        p,
        string(data, "start", required=True, max_len=10) or "",
        string(data, "end", required=True, max_len=10) or "",
        string(data, "reason", required=True, max_len=300) or "",
        string(data, "handover_note", required=True, max_len=2000) or "",
        string(data, "user", max_len=64),
    )
    return made, 201


@bp.get("/halls/<code>/leaves")
def leaves(code: str) -> Any:
    return {"leaves": staff.list_leave(ctx(), current_principal(), code)}


@bp.get("/me/handovers")
def handovers() -> Any:
    return {"handovers": staff.handovers(ctx(), current_principal())}


@bp.get("/halls/<code>/attendance")
def attendance(code: str) -> Any:
    return {"attendance": staff.attendance_log(ctx(), current_principal(), code, request.args.get("day"))}


@bp.get("/halls/<code>/alarms")
def alarms(code: str) -> Any:
    return {"alarms": staff.active_alarms(ctx(), current_principal(), code)}


@bp.get("/halls/<code>/audit")
def audit_log(code: str) -> Any:
    window = request.args.get("window")
    if window is not None and not window.isdigit():
        raise bad_field("window", "window 必须是窗口编号", "window must be a window id")
    limit = request.args.get("limit", "500")
    if not limit.isdigit():
        raise bad_field("limit", "limit 必须是整数", "limit must be an integer")
    rows = audit.audit_log(
        ctx(),
        current_principal(),
        code,
        user=request.args.get("user") or None,
        window=int(window) if window else None,
        ticket=request.args.get("ticket") or None,
        day=request.args.get("day") or None,
        limit=int(limit),
    )
    if request.args.get("format") == "csv":
        return Response(
            audit.audit_csv(rows),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="audit-{code}.csv"'},
        )
    return {"events": rows}
