"""Realtime: Flask-SocketIO set up with the configured async mode and message queue."""

from __future__ import annotations

from flask import Flask

from ..extensions import socketio
from .publish import make_job_sender, make_publisher


def init_realtime(app: Flask) -> None:
    from . import agent_handlers, handlers  # noqa: F401  (register the socket event handlers)

    kwargs = {}
    if app.config.get("MESSAGE_QUEUE"):
        kwargs["message_queue"] = app.config["MESSAGE_QUEUE"]
    socketio.init_app(
        app,
        async_mode=app.config["ASYNC_MODE"],
        cors_allowed_origins=app.config.get("CORS_ORIGINS", []),
        ping_interval=10,
        ping_timeout=10,
        **kwargs,
    )
    app.extensions["hallq"].publish = make_publisher(socketio)
    app.extensions["hallq"].send_print_job = make_job_sender(socketio)
