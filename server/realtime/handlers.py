"""Socket.IO events of the default namespace (docs/api.md, "Socket.IO")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, request
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, join_room

from ..domain.errors import RuleViolation
from ..extensions import socketio
from ..i18n import is_english
from ..services import halls as hall_service
from ..services.accounts import principal_for_token
from ..services.core.context import Context
from ..services.core.principal import ANONYMOUS, Principal
from . import rooms

#: principal of each connected socket of this process
_principals: dict[str, Principal] = {}
#: called with the sid of every socket that disconnects
on_disconnect_hooks: list[Callable[[str], None]] = []


def _ctx() -> Context:
    return current_app.extensions["hallq"]  # type: ignore[no-any-return]


def _error(code: str, zh: str, en: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": en if is_english() else zh}}


@socketio.on("connect")
def on_connect(auth: Any = None) -> None:
    """Connect with `auth={"token": ...}`, a console session cookie, or anonymously (read-only)."""
    token = auth.get("token") if isinstance(auth, dict) else None
    if token:
        principal = principal_for_token(_ctx(), str(token))
        if principal is None:
            raise ConnectionRefusedError("unknown or revoked token")
    elif current_user.is_authenticated:
        principal = current_user.account.principal()
    else:
        principal = ANONYMOUS
    _principals[request.sid] = principal  # type: ignore[attr-defined]


@socketio.on("disconnect")
def on_disconnect(*_reason: Any) -> None:
    sid = request.sid  # type: ignore[attr-defined]
    _principals.pop(sid, None)
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
        return _error("bad_request", "subscribe 需要 hall 字段", "subscribe needs a hall")
    since = data.get("since")
    if since is not None and (not isinstance(since, int) or isinstance(since, bool) or since < 0):
        return _error(
            "invalid_field", "since 必须是非负整数或 null", "since must be a non-negative integer or null"
        )
    principal = _principals.get(request.sid, ANONYMOUS)  # type: ignore[attr-defined]
    if principal.is_anonymous and not current_app.config["PUBLIC_BOARDS"] and not data.get("ticket"):
        return _error("unauthenticated", "需要设备令牌", "a device token is required")
    join_room(rooms.hall(data["hall"]))
    try:
        return hall_service.resync(_ctx(), principal, data["hall"], since)
    except RuleViolation as err:
        from flask_socketio import leave_room

        leave_room(rooms.hall(data["hall"]))
        return _error(err.code, err.message_zh, err.message_en)
