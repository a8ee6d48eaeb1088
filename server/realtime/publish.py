"""The one function through which every event reaches Socket.IO clients (after commit)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flask_socketio import SocketIO

from .. import event_names as names
from ..services.core.context import Envelope
from . import rooms


def make_publisher(socketio: SocketIO) -> Callable[[Sequence[Envelope]], None]:
    def publish(events: Sequence[Envelope]) -> None:
        for event in events:
            socketio.emit(event["type"], event, to=rooms.hall(event["hall"]))

    return publish


def make_job_sender(socketio: SocketIO) -> Callable[[int, dict[str, Any]], None]:
    """Pushes a rendered print job to the kiosk agent that drives the printer."""

    def send(printer_id: int, job: dict[str, Any]) -> None:
        socketio.emit(names.AGENT_JOB, job, to=rooms.printer(printer_id))

    return send
