"""Ending access ends open sockets: a revoked token, a logout, a password change, a deactivation or
an admin's "end sessions" closes the sockets built on that credential within about a second.

Each server process checks its own sockets (and the token principals it caches for HTTP) against
the shared database once per `SESSION_CHECK_S` (default 1 s), in one query, and disconnects the
stale ones. Several processes need no coordination: each one's sockets are its own, the database
is shared. A disconnected socket that reconnects meets the connect check and is refused.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import cast

from flask import Flask

from ..extensions import socketio
from ..services.accounts import cached_token_ids, forget_tokens, live_credentials, still_valid
from ..services.core.context import Context
from .session import principals

log = logging.getLogger(__name__)

#: seconds between two checks of a process's sockets
CHECK_EVERY_S = 1.0

_started = threading.Lock()
_running = False


def sweep(ctx: Context) -> list[str]:
    """Disconnect this process's sockets whose credential ended; returns their sids."""
    open_sockets = [(sid, p) for sid, p in list(principals.items()) if not p.is_anonymous]
    cached = cached_token_ids(ctx)
    token_ids = {p.token_id for _, p in open_sockets if p.via == "token" and p.token_id is not None}
    user_ids = {p.user_id for _, p in open_sockets if p.via == "session" and p.user_id is not None}
    if not token_ids and not user_ids and not cached:
        return []
    live = live_credentials(ctx, token_ids | cached, user_ids)
    forget_tokens(ctx, live.tokens)  # HTTP calls with a token revoked elsewhere are refused too
    stale = [sid for sid, p in open_sockets if not still_valid(p, live)]
    for sid in stale:
        try:
            socketio.server.disconnect(sid, namespace="/", ignore_queue=True)  # type: ignore[attr-defined]
        except Exception:  # a socket that went meanwhile
            log.debug("could not disconnect %s", sid, exc_info=True)
    if stale:
        log.info("disconnected %d socket(s) whose access ended", len(stale))
    return stale


def run_forever(app: Flask, sleep: Callable[[float], None]) -> None:
    ctx: Context = app.extensions["hallq"]
    every = float(app.config.get("SESSION_CHECK_S", CHECK_EVERY_S))
    while True:
        sleep(every)
        try:
            with app.app_context():
                sweep(ctx)
        except Exception:  # keep checking after a database hiccup
            log.exception("credential check failed")


def start(app: Flask) -> None:
    """Start the check as a Socket.IO background task, once per process."""
    global _running
    with _started:
        if _running:
            return
        _running = True
    # the Flask-SocketIO stubs type sleep's seconds as int; every async mode's sleep takes a float
    sleep = cast(Callable[[float], None], socketio.sleep)
    socketio.start_background_task(run_forever, app, sleep)
