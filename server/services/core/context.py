"""What every service needs: the database, a clock, the publisher, a few secrets."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from ...storage.db import Database
from .shared_reads import SharedReads

Envelope = dict[str, Any]


def system_clock() -> datetime:
    return datetime.now(UTC)


def _drop(_events: Sequence[Envelope]) -> None:
    return None


def _no_queue() -> str:
    return "ok"


def _no_agent(_printer_id: int, _job: dict[str, Any]) -> None:
    return None


class Links(Protocol):
    """Absolute URLs of what citizens open from paper (a slip's QR code). The web layer supplies
    them; services only pass them to the printer, never store them."""

    def ticket(self, public_id: str) -> str: ...

    def notice(self, token: str) -> str: ...

    def case(self, code: str) -> str: ...


@dataclass(frozen=True)
class BaseLinks:
    """URLs under a fixed base (the configured public address; paths alone when there is none)."""

    base: str = ""

    def ticket(self, public_id: str) -> str:
        return f"{self.base.rstrip('/')}/t/{public_id}"

    def notice(self, token: str) -> str:
        return f"{self.base.rstrip('/')}/n/{token}"

    def case(self, code: str) -> str:
        return f"{self.base.rstrip('/')}/c/{code}"


@dataclass
class Context:
    db: Database
    clock: Callable[[], datetime] = system_clock
    #: called with the committed events of a transaction, after commit
    publish: Callable[[Sequence[Envelope]], None] = _drop
    #: pushes a rendered job to the kiosk agent of a printer, after commit
    send_print_job: Callable[[int, dict[str, Any]], None] = _no_agent
    #: `ok`, or `degraded` while the message queue between server processes fails (set by the
    #: realtime layer; one process without a queue is always `ok`)
    realtime_state: Callable[[], str] = _no_queue
    #: key for hashing citizens' phone numbers (never stored in clear)
    citizen_key_secret: bytes = b"hallq"
    #: absolute base for citizens' URLs when the server is behind a proxy; else taken per request
    base_url: str | None = None
    #: builds the URLs printed on slips (set by the web layer)
    links: Links = field(default_factory=BaseLinks)
    cache: dict[str, Any] = field(default_factory=dict)
    #: identical reads asked at once are read once, a few at a time (a reconnect storm)
    reads: SharedReads = field(default_factory=SharedReads)
