"""Socket.IO events of the default namespace (docs/api.md, "Socket.IO")."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_login import current_user
from flask_socketio import join_room
from socketio.exceptions import ConnectionRefusedError

from ..domain.errors import RuleViolation
from ..extensions import socketio
from ..services import halls as hall_service
from ..services.accounts import principal_for_token
from ..services.core.principal import ANONYMOUS
from . import rooms
from .session import ctx, error, on_disconnect_hooks, principals


@socketio.on("connect")
def on_connect(auth: Any = None) -> None:
    """Connect with `auth={"token": ...}`, a console session cookie, or anonymously (read-only)."""
    token = auth.get("token") if isinstance(auth, dict) else None
    if token:
        principal = principal_for_token(ctx(), str(token))
        if principal is None:
            raise ConnectionRefusedError("unknown or revoked token")
    elif current_user.is_authenticated:
        principal = current_user.account.principal()
    else:
        principal = ANONYMOUS
    principals[request.sid] = principal  # type: ignore[attr-defined]


@socketio.on("disconnect")
def on_disconnect(*_reason: Any) -> None:
    sid = request.sid  # type: ignore[attr-defined]
    principals.pop(sid, None)
    for hook in on_disconnect_hooks:
        hook(sid)


@socketio.on("subscribe")
def on_subscribe(data: Any) -> dict[str, Any]:
    """Payload `{"hall": CODE, "window": ID?, "ticket": ID?, "since": LAST_SEQ_OR_NULL}`.

    Joins the hall's room, then acks `{"seq", "events": [...]}` (everything after `since`) or
    `{"seq", "snapshot": {...}}`; `{"error": {...}}` when refused. Joining before reading means
    an event committed meanwhile arrives twice at worst (clients drop seq they have), never zero.
    """
    if not isinstance(data, dict) or not isinstance(data.get("hall"), str):
        return error("bad_request", "subscribe 需要 hall 字段", "subscribe needs a hall")
    since = data.get("since")
    if since is not None and (not isinstance(since, int) or isinstance(since, bool) or since < 0):
        return error(
            "invalid_field", "since 必须是非负整数或 null", "since must be a non-negative integer or null"
        )
    principal = principals.get(request.sid, ANONYMOUS)  # type: ignore[attr-defined]
    if principal.is_anonymous and not current_app.config["PUBLIC_BOARDS"] and not data.get("ticket"):
        return error("unauthenticated", "需要设备令牌", "a device token is required")
    join_room(rooms.hall(data["hall"]))
    try:
        return hall_service.resync(ctx(), principal, data["hall"], since)
    except RuleViolation as err:
        from flask_socketio import leave_room

        leave_room(rooms.hall(data["hall"]))
        return error(err.code, err.message_zh, err.message_en)
