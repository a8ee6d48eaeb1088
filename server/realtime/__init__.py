"""Realtime: Flask-SocketIO set up with the configured async mode and message queue."""

from __future__ import annotations

from typing import Any

from flask import Flask

from ..extensions import socketio
from ..services.core.context import Context
from ..web.input_limits import DEFAULT_MAX_SOCKET_FRAME, SafeJSON
from ..web.security import origin_check
from . import limits
from .publish import make_job_sender, make_publisher
from .queue import RealtimeHealth, ResilientRedisManager, channel_for


def init_realtime(app: Flask) -> None:
    from . import agent_handlers, handlers  # noqa: F401  (register the socket event handlers)

    kwargs: dict[str, Any] = {}  # message_queue only when set: Flask-SocketIO passes it on as given
    manager: ResilientRedisManager | None = None
    queue = app.config.get("MESSAGE_QUEUE")
    if queue and str(queue).startswith(("redis://", "rediss://", "unix://")):
        # ours survives Redis going away (realtime/queue.py); others as Flask-SocketIO makes them
        channel = channel_for(str(queue), app.config.get("REALTIME_CHANNEL"))
        manager = ResilientRedisManager(str(queue), RealtimeHealth(), channel=channel)
        kwargs["client_manager"] = manager
    elif queue:
        kwargs["message_queue"] = queue
    socketio.init_app(
        app,
        async_mode=app.config["ASYNC_MODE"],
        cors_allowed_origins=origin_check(app.config),  # browsers: own, BASE_URL's, ALLOWED_ORIGINS
        ping_interval=10,
        ping_timeout=10,
        json=SafeJSON,
        max_http_buffer_size=DEFAULT_MAX_SOCKET_FRAME,  # web/input_limits.py
        **kwargs,
    )
    limits.install(getattr(socketio, "server"), app)  # noqa: B009  (untyped in the stubs)
    ctx: Context = app.extensions["hallq"]
    ctx.publish = make_publisher(socketio)
    ctx.send_print_job = make_job_sender(socketio)
    if manager is not None:
        ctx.realtime_state = manager.state


def tag_sessions(tag: str) -> None:
    """Start every Engine.IO session id of this process with `tag.` (`hallq serve`: the port,
    after HALLQ_NODE), so a proxy can send a long-polling client's later requests, which carry
    `?sid=`, to the process that holds its session while spreading new ones round-robin
    (docs/nginx/hallq.conf.template). Session ids stay as unguessable as before."""
    eio = getattr(socketio, "server").eio  # noqa: B009  (untyped in the stubs)
    make = eio.generate_id
    prefix = "".join(c for c in tag if c.isascii() and (c.isalnum() or c in "-_")) + "."

    def generate_id() -> str:
        return prefix + str(make())

    eio.generate_id = generate_id
