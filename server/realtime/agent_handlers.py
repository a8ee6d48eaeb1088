"""Socket.IO events of kiosk printer agents (`hallq agent`)."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_socketio import join_room

from .. import event_names as names
from ..domain.errors import RuleViolation
from ..extensions import socketio
from ..services import print_jobs
from . import rooms
from .session import ctx, error, on_disconnect_hooks, principals

#: printer of each connected agent socket of this process
_agents: dict[str, int] = {}


@socketio.on(names.AGENT_HELLO)
def on_agent_hello(data: Any) -> dict[str, Any]:
    """Payload `{"printer": SPEC, "width": 58|80, "mode": "text"|"raster", "name": str?}` from a
    kiosk-token agent. Ack `{"printer": {...}, "jobs": [{"id", "data": base64}]}`: every job of
    this printer not yet acknowledged, oldest first; later jobs arrive as `print.job` events."""
    principal = principals.get(request.sid)  # type: ignore[attr-defined]
    if principal is None or principal.role != "kiosk":
        return error(
            "forbidden", "只有取号机令牌可以连接打印代理", "only a kiosk token may run a printer agent"
        )
    if not isinstance(data, dict) or not isinstance(data.get("printer"), str):
        return error("bad_request", "agent.hello 需要 printer 字段", "agent.hello needs a printer spec")
    try:
        printer, jobs = print_jobs.agent_hello(
            ctx(),
            principal,
            data["printer"],
            int(data.get("width", 80)),
            str(data.get("mode", "text")),
            data.get("name") if isinstance(data.get("name"), str) else None,
        )
    except (RuleViolation, ValueError) as err:
        if isinstance(err, RuleViolation):
            return error(err.code, err.message_zh, err.message_en)
        return error("invalid_field", "width 必须是数字", "width must be a number")
    _agents[request.sid] = printer["id"]  # type: ignore[attr-defined]
    join_room(rooms.printer(printer["id"]))
    return {"printer": printer, "jobs": jobs}


@socketio.on(names.AGENT_RESULT)
def on_print_result(data: Any) -> dict[str, Any]:
    """Payload `{"job": ID, "ok": bool, "kind": FAULT?, "message": str?}`; ack `{"ok": true}`.
    Repeating a result is harmless (the job is finished once). Only a job of the printer this
    socket announced in its hello: any other is refused with `forbidden` and changes nothing."""
    sid = request.sid  # type: ignore[attr-defined]
    principal, printer_id = principals.get(sid), _agents.get(sid)
    if principal is None or printer_id is None:
        return error("forbidden", "请先发送 agent.hello", "send agent.hello first")
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("job"), str)
        or not isinstance(data.get("ok"), bool)
    ):
        return error("bad_request", "print.result 需要 job 和 ok", "print.result needs job and ok")
    try:
        print_jobs.agent_result(
            ctx(),
            principal,
            printer_id,
            data["job"],
            data["ok"],
            data.get("kind") if isinstance(data.get("kind"), str) else None,
            data.get("message") if isinstance(data.get("message"), str) else None,
        )
    except RuleViolation as err:
        return error(err.code, err.message_zh, err.message_en)
    return {"ok": True}


@socketio.on(names.AGENT_STATUS)
def on_agent_status(data: Any) -> dict[str, Any]:
    """Payload `{"ok": bool, "kind": FAULT?, "detail": str?}`: the agent's printer reading."""
    sid = request.sid  # type: ignore[attr-defined]
    principal, printer_id = principals.get(sid), _agents.get(sid)
    if principal is None or printer_id is None:
        return error("forbidden", "请先发送 agent.hello", "send agent.hello first")
    if not isinstance(data, dict) or not isinstance(data.get("ok"), bool):
        return error("bad_request", "agent.status 需要 ok", "agent.status needs ok")
    status = "ok" if data["ok"] else str(data.get("kind") or "error")
    if status != "ok" and status not in print_jobs.FAULTS:
        status = "error"
    detail = data.get("detail") if isinstance(data.get("detail"), str) else None
    try:
        print_jobs.agent_status(ctx(), principal, printer_id, status, detail)
    except RuleViolation as err:
        return error(err.code, err.message_zh, err.message_en)
    return {"ok": True}


def _agent_disconnected(sid: str) -> None:
    printer_id = _agents.pop(sid, None)
    if printer_id is not None and printer_id not in _agents.values():
        print_jobs.agent_gone(ctx(), printer_id)


on_disconnect_hooks.append(_agent_disconnected)
