"""Socket.IO events of the default namespace (docs/api.md, "Socket.IO")."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_login import current_user
from flask_socketio import join_room, leave_room
from flask_socketio import rooms as socket_rooms
from socketio.exceptions import ConnectionRefusedError

from ..domain.disclosure import audience_of
from ..domain.errors import RuleViolation
from ..extensions import socketio
from ..services import halls as hall_service
from ..services.accounts import principal_for_token
from ..services.core.errors import StorageUnavailable
from ..services.core.principal import ANONYMOUS
from ..web.security import storage_message
from . import rooms
from .session import ctx, error, on_disconnect_hooks, principals


@socketio.on_error_default
def on_handler_error(err: BaseException) -> dict[str, Any]:
    """Any socket event whose handler fails answers an error ack instead of nothing: a full or
    read-only database says so (nothing was done), anything else is logged and answered
    `internal`.

    A failed `connect` refuses the connection with the same error as its data (the client
    sees a connect_error and retries): Flask-SocketIO would otherwise take the ack dict for
    a yes and accept the socket without knowing who it is — a device whose token could not
    be checked while the database was away would become anonymous."""
    connecting = (getattr(request, "event", None) or {}).get("message") == "connect"
    if isinstance(err, StorageUnavailable):
        current_app.logger.error("storage unavailable (%s) in a socket event: %s", err.reason, err.detail)
        answer = error("storage_unavailable", *storage_message(err.reason))
    else:
        current_app.logger.exception("socket event handler failed", exc_info=err)
        answer = error("internal", "服务器内部错误，请稍后重试", "internal server error, please try again")
    if connecting:
        raise ConnectionRefusedError(answer["error"]["message"], answer["error"])
    return answer


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

    Joins the hall's room of the caller's audience (domain.disclosure: anonymous listeners get
    the public shapes, devices theirs, staff theirs), then acks `{"seq", "events": [...]}`
    (everything after `since`) or `{"seq", "snapshot": {...}}`, shaped the same way; `{"error":
    {...}}` when refused — a window of another hall, a ticket the caller does not hold. Joining
    before reading means an event committed meanwhile arrives twice at worst (clients drop seq
    they have), never zero.
    """
    if not isinstance(data, dict) or not isinstance(data.get("hall"), str) or len(data["hall"]) > 32:
        return error("bad_request", "subscribe 需要 hall 字段", "subscribe needs a hall")
    since = data.get("since")
    if since is not None and (not isinstance(since, int) or isinstance(since, bool) or since < 0):
        return error(
            "invalid_field", "since 必须是非负整数或 null", "since must be a non-negative integer or null"
        )
    window = data.get("window")
    if window is not None and (
        not isinstance(window, int) or isinstance(window, bool) or not 0 < window < 2**63
    ):
        return error("invalid_field", "window 必须是窗口编号", "window must be a window id")
    ticket = data.get("ticket")
    if ticket is not None and (not isinstance(ticket, str) or not 0 < len(ticket) <= 24):
        return error("invalid_field", "ticket 必须是号码的编号", "ticket must be a ticket id")
    principal = principals.get(request.sid, ANONYMOUS)  # type: ignore[attr-defined]
    if principal.is_anonymous and not current_app.config["PUBLIC_BOARDS"] and not ticket:
        return error("unauthenticated", "需要设备令牌", "a device token is required")
    room = rooms.hall(data["hall"], audience_of(principal.role))
    for joined in socket_rooms():
        if rooms.is_hall_room(joined) and joined != room:
            leave_room(joined)  # one subscription at a time: the last one asked for
    join_room(room)
    try:
        return hall_service.resync(ctx(), principal, data["hall"], since, window, ticket)
    except RuleViolation as err:
        leave_room(room)
        return error(err.code, err.message_zh, err.message_en)
    except Exception:  # the database away: not subscribed (on_handler_error answers the ack)
        leave_room(room)
        raise
