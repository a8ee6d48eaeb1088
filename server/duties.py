"""Background duties run once across server processes (docs/deployment.md).

Every `hallq serve` process runs a `DutyRunner`: every few seconds it takes or renews the lease of
each duty it may run (services/duties.py; the rule in domain/leases.py). The duty's own loop
(alarm_watch, print_worker) asks `holds(duty)` before each round and skips it otherwise. When the
holder dies its lease lapses and another process takes the duty within one lease (10 s by
default, HALLQ_DUTY_LEASE_S). One process alone just holds every duty.

A process that takes a duty first settles what the previous holder may have left half done: for
the print worker, jobs still in flight are marked for a manager's reprint, never resent.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, cast

from .domain import leases as rules
from .services import duties as service
from .services.core.context import Context

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger(__name__)


def instance_name(port: int, node: str | None = None) -> str:
    """A server process's name in the leases: `node:port` (node: HALLQ_NODE or the host name).
    A worker restarted on the same port is the same instance and takes its leases back at once."""
    return f"{node or socket.gethostname()}:{port}"


class DutyRunner:
    """Holds this process's duty leases; `holds(duty)` says whether to run a duty now."""

    def __init__(
        self,
        ctx: Context,
        me: str,
        duties: Sequence[str] = rules.DUTIES,
        ttl_s: float = rules.DEFAULT_TTL_S,
        on_take: dict[str, Callable[[], Any]] | None = None,
        pid: int | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ctx, self.me, self.duties, self.ttl_s = ctx, me, tuple(duties), ttl_s
        self.pid = os.getpid() if pid is None else pid
        self.on_take = dict(on_take or {})
        self._monotonic = monotonic
        self._until: dict[str, float] = {}

    def holds(self, duty: str) -> bool:
        return self._until.get(duty, 0.0) > self._monotonic()

    def held(self) -> list[str]:
        return [d for d in self.duties if self.holds(d)]

    def round(self) -> None:
        """Take or renew the leases once; run a duty's take-over step when it is new here."""
        started = self._monotonic()
        try:
            held = service.hold(self.ctx, self.duties, self.me, self.pid, self.ttl_s)
        except Exception:  # the database is away: what we hold lapses by itself
            log.exception("could not renew the duty leases")
            return
        names = {h.duty for h in held}
        for h in held:
            fresh = not self.holds(h.duty)
            if fresh:
                log.info(
                    "duty %s: taken by %s (pid %d)%s",
                    h.duty,
                    self.me,
                    self.pid,
                    f" from {h.previous}" if h.previous else "",
                )
                step = self.on_take.get(h.duty)
                try:
                    if step is not None:
                        step()
                except Exception:  # try again at the next round, before running the duty
                    log.exception("taking over duty %s failed", h.duty)
                    continue
            self._until[h.duty] = started + rules.held_for(self.ttl_s)
        for duty in list(self._until):
            if duty not in names:
                del self._until[duty]
                log.warning("duty %s: lost by %s (another process holds it now)", duty, self.me)

    def run_forever(self, sleep: Callable[[float], None]) -> None:
        while True:
            self.round()
            sleep(rules.renew_every(self.ttl_s))

    def release(self) -> None:
        """Give the leases up at a clean stop (the next holder need not wait for them to lapse)."""
        held = self.held()
        self._until.clear()
        if held:
            service.release(self.ctx, held, self.me, self.pid)


def start(app: Flask, port: int, take_print: Callable[[], Any] | None = None) -> DutyRunner:
    """Start this process's lease keeper as a Socket.IO background task. `take_print` is the
    print duty's take-over step (default: settle the jobs left in flight; `hallq serve` passes
    the print worker's, which first writes the outcomes it still holds)."""
    from .extensions import socketio
    from .services import print_jobs

    ctx: Context = app.extensions["hallq"]
    runner = DutyRunner(
        ctx,
        instance_name(port, app.config.get("NODE")),
        ttl_s=float(app.config.get("DUTY_LEASE_S") or rules.DEFAULT_TTL_S),
        on_take={rules.PRINT: take_print or (lambda: print_jobs.settle_interrupted(ctx))},
    )
    # the Flask-SocketIO stubs type sleep's seconds as int; every async mode's sleep takes a float
    sleep = cast(Callable[[float], None], socketio.sleep)
    socketio.start_background_task(runner.run_forever, sleep)
    return runner
