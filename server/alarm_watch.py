"""Background check for unstaffed windows with waiting citizens (AB岗: neither A nor B present)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from .services import staff
from .services.core.context import Context

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger(__name__)

#: the alarm must show within a minute; checking every 15 s leaves room for a slow round
CHECK_EVERY_S = 15.0


def run_forever(
    ctx: Context, sleep: Callable[[float], None], held: Callable[[], bool] = lambda: True
) -> None:
    """Check every CHECK_EVERY_S while this process holds the alarms duty (server/duties.py)."""
    while True:
        try:
            if held():
                staff.check_alarms(ctx)
        except Exception:  # keep watching after a database hiccup
            log.exception("alarm check failed")
        sleep(CHECK_EVERY_S)


def start(app: Flask, held: Callable[[], bool] = lambda: True) -> None:
    from .extensions import socketio

    ctx: Context = app.extensions["hallq"]
    # the Flask-SocketIO stubs type sleep's seconds as int; every async mode's sleep takes a float
    sleep = cast(Callable[[float], None], socketio.sleep)
    socketio.start_background_task(run_forever, ctx, sleep, held)
