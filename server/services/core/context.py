"""What every service needs: the database, a clock, the publisher, a few secrets."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ...storage.db import Database

Envelope = dict[str, Any]


def system_clock() -> datetime:
    return datetime.now(UTC)


def _drop(_events: Sequence[Envelope]) -> None:
    return None


def _no_agent(_printer_id: int, _job: dict[str, Any]) -> None:
    return None


@dataclass
class Context:
    db: Database
    clock: Callable[[], datetime] = system_clock
    #: called with the committed events of a transaction, after commit
    publish: Callable[[Sequence[Envelope]], None] = _drop
    #: pushes a rendered job to the kiosk agent of a printer, after commit
    send_print_job: Callable[[int, dict[str, Any]], None] = _no_agent
    #: key for hashing citizens' phone numbers (never stored in clear)
    citizen_key_secret: bytes = b"hallq"
    #: absolute base for ticket URLs when the server is behind a proxy; else taken per request
    base_url: str | None = None
    cache: dict[str, Any] = field(default_factory=dict)
