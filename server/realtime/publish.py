"""The one function through which every event reaches Socket.IO clients (after commit)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flask_socketio import SocketIO

from ..services.context import Envelope
from . import rooms


def make_publisher(socketio: SocketIO) -> Callable[[Sequence[Envelope]], None]:
    def publish(events: Sequence[Envelope]) -> None:
        for event in events:
            socketio.emit(event["type"], event, to=rooms.hall(event["hall"]))

    return publish
