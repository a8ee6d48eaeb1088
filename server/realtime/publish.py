"""The one function through which every event reaches Socket.IO clients (after commit)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from flask_socketio import SocketIO

from .. import event_names as names
from ..domain.disclosure import shape_envelope
from ..services.core.context import Envelope
from . import rooms

log = logging.getLogger("hallq.realtime")


def make_publisher(socketio: SocketIO) -> Callable[[Sequence[Envelope]], None]:
    """Each event goes to the hall's room of every audience, shaped for it by
    domain.disclosure; audiences that receive the same shape get it in one emit."""

    def publish(events: Sequence[Envelope]) -> None:
        for event in events:
            by_shape: list[tuple[Envelope, list[str]]] = []
            for audience, room in rooms.hall_rooms(event["hall"]).items():
                shaped = shape_envelope(event, audience)
                for payload, to in by_shape:
                    if payload == shaped:
                        to.append(room)
                        break
                else:
                    by_shape.append((shaped, [room]))
            for payload, to in by_shape:
                try:
                    socketio.emit(event["type"], payload, to=to)  # type: ignore[arg-type]  # a list of rooms is fine
                except Exception:  # committed already: the request answers; boards resync by seq
                    log.exception("realtime: could not push %s (seq %s)", event["type"], event.get("seq"))

    return publish


def make_job_sender(socketio: SocketIO) -> Callable[[int, dict[str, Any]], None]:
    """Pushes a rendered print job to the kiosk agent that drives the printer."""

    def send(printer_id: int, job: dict[str, Any]) -> None:
        socketio.emit(names.AGENT_JOB, job, to=rooms.printer(printer_id))

    return send
