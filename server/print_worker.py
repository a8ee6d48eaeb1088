"""The server's print worker: drives network printers and watches their status.

Runs as a background task of `hallq serve`, in the one process that holds the print duty
(server/duties.py); a process taking the duty over marks the jobs left in flight for a reprint.
Each queued job of a server-driven printer is claimed atomically (so several server processes
never send the same job), rendered, sent with short timeouts, and finished as printed or failed.
Printers are polled every few seconds, so a fault shows on the manager console within 5 s
even when nothing prints.

The database may go away in the middle of a job (PostgreSQL restarted): a slip the printer took
is remembered and its outcome written as soon as the database is back (`Backlog`), so it is
not left `sent` for ever; and since a claim's commit may have been lost with its answer, the
first round after such a failure settles what is still `sent` as a server taking the duty
over does (marked for a reprint: it was never sent, or nobody knows).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from .services import print_jobs
from .services.core.context import Context
from .services.core.errors import StorageUnavailable

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger(__name__)

SEND_TIMEOUT_S = 3.0
STATUS_TIMEOUT_S = 1.5
STATUS_EVERY_S = 3.0
POLL_EVERY_S = 0.3


@dataclass(frozen=True)
class Outcome:
    """What became of a job the worker sent: `finish`'s arguments."""

    job_id: str
    ok: bool
    error_kind: str | None = None
    error: str | None = None


@dataclass
class Backlog:
    """What the worker knows and could not write (the database away, a transaction that failed).

    One per process: the duty runner's take-over step (`take_over`) writes it too, so that a
    process taking its own print duty back after an outage records its printed slips as
    printed before settling the rest as uncertain."""

    #: outcomes of sent jobs, oldest first
    outcomes: list[Outcome] = field(default_factory=list)
    #: the database failed since the last settling: a claim may have committed unanswered
    unsettled: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def write_outcomes(self, ctx: Context) -> None:
        """Write the remembered outcomes; raises, keeping what is left, while the database is away."""
        with self._lock:
            while self.outcomes:
                o = self.outcomes[0]
                print_jobs.finish(ctx, o.job_id, ok=o.ok, error_kind=o.error_kind, error=o.error)
                self.outcomes.pop(0)

    def catch_up(self, ctx: Context) -> None:
        """The outcomes, then, after a storage failure, the jobs still `sent` (never sent, or
        nobody knows) settled for a reprint."""
        self.write_outcomes(ctx)
        if self.unsettled:
            # nothing of this process is in flight between rounds, and only the print duty's
            # holder sends to network printers: whatever is still `sent` is no one's
            print_jobs.settle_interrupted(ctx)
            self.unsettled = False

    def take_over(self, ctx: Context) -> None:
        """The print duty's take-over step (server/duties.py): our own outcomes, then settle."""
        self.write_outcomes(ctx)
        print_jobs.settle_interrupted(ctx)
        self.unsettled = False


def send_one(ctx: Context, job_id: str, backlog: Backlog | None = None) -> None:
    """Claim, send and finish one job; a fault is recorded on the job and its printer. With a
    `backlog`, an outcome the database could not take is kept there for `Backlog.catch_up`."""
    from .printing.spec import parse_spec
    from .printing.transport import PrinterError, send

    job = print_jobs.claim(ctx, job_id)
    if job is None:
        return
    try:
        send(parse_spec(job.spec), job.data, timeout=SEND_TIMEOUT_S)
    except PrinterError as err:
        outcome = Outcome(job.job_id, False, err.kind, err.message_en)
    except Exception as err:  # a broken printer must not stop the worker
        log.exception("printing job %s failed", job.job_id)
        outcome = Outcome(job.job_id, False, "error", str(err))
    else:
        outcome = Outcome(job.job_id, True)
    try:
        print_jobs.finish(
            ctx, outcome.job_id, ok=outcome.ok, error_kind=outcome.error_kind, error=outcome.error
        )
    except Exception:  # the database away, a deadlock: the slip is out, its outcome is kept
        if backlog is not None:
            backlog.outcomes.append(outcome)
        raise


def poll_status(ctx: Context) -> None:
    """Read every network printer's status and record changes."""
    from .printing.spec import parse_spec
    from .printing.transport import query_status

    for printer_id, spec in print_jobs.server_printers(ctx):
        try:
            st = query_status(parse_spec(spec), timeout=STATUS_TIMEOUT_S)
        except Exception as err:
            log.exception("status of printer %s", printer_id)
            print_jobs.set_printer_status(ctx, printer_id, "error", str(err)[:300])
            continue
        print_jobs.set_printer_status(
            ctx, printer_id, "ok" if st.ok else (st.kind or "error"), st.detail or None
        )


def run_once(ctx: Context, backlog: Backlog | None = None) -> int:
    """Send every queued job once; returns how many were handled."""
    jobs = print_jobs.queued_server_jobs(ctx)
    for job_id in jobs:
        send_one(ctx, job_id, backlog)
    return len(jobs)


def run_forever(
    ctx: Context,
    sleep: Callable[[float], None],
    stop: Callable[[], bool] = lambda: False,
    held: Callable[[], bool] = lambda: True,
    backlog: Backlog | None = None,
) -> None:
    """Print and poll while this process holds the print duty (server/duties.py)."""
    last_status = 0.0
    backlog = backlog or Backlog()
    while not stop():
        if not held():
            sleep(POLL_EVERY_S)
            continue
        try:
            backlog.catch_up(ctx)
            run_once(ctx, backlog)
            if time.monotonic() - last_status >= STATUS_EVERY_S:
                poll_status(ctx)
                last_status = time.monotonic()
        except StorageUnavailable as err:  # the database is away: catch up when it is back
            backlog.unsettled = True
            log.error(
                "print worker: database unavailable (%s), %d outcome(s) to write", err, len(backlog.outcomes)
            )
        except Exception:  # keep printing after any other hiccup
            log.exception("print worker round failed")
        sleep(POLL_EVERY_S)


def start(app: Flask, held: Callable[[], bool] = lambda: True, backlog: Backlog | None = None) -> None:
    """Start the worker as a Socket.IO background task (green thread or thread, per async mode)."""
    from .extensions import socketio

    ctx: Context = app.extensions["hallq"]
    # the Flask-SocketIO stubs type sleep's seconds as int; every async mode's sleep takes a float
    sleep = cast(Callable[[float], None], socketio.sleep)
    socketio.start_background_task(run_forever, ctx, sleep, lambda: False, held, backlog)
