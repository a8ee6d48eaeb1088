"""The server's print worker: drives network printers and watches their status.

Runs as a background task of `hallq serve`, in the one process that holds the print duty
(server/duties.py); a process taking the duty over marks the jobs left in flight for a reprint.
Each queued job of a server-driven printer is claimed atomically (so several server processes
never send the same job), rendered, sent with short timeouts, and finished as printed or failed.
Printers are polled every few seconds, so a fault shows on the manager console within 5 s
even when nothing prints.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from .services import print_jobs
from .services.core.context import Context

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger(__name__)

SEND_TIMEOUT_S = 3.0
STATUS_TIMEOUT_S = 1.5
STATUS_EVERY_S = 3.0
POLL_EVERY_S = 0.3


def send_one(ctx: Context, job_id: str) -> None:
    """Claim, send and finish one job; a fault is recorded on the job and its printer."""
    from .printing.spec import parse_spec
    from .printing.transport import PrinterError, send

    job = print_jobs.claim(ctx, job_id)
    if job is None:
        return
    try:
        send(parse_spec(job.spec), job.data, timeout=SEND_TIMEOUT_S)
    except PrinterError as err:
        print_jobs.finish(ctx, job.job_id, ok=False, error_kind=err.kind, error=err.message_en)
    except Exception as err:  # a broken printer must not stop the worker
        log.exception("printing job %s failed", job.job_id)
        print_jobs.finish(ctx, job.job_id, ok=False, error_kind="error", error=str(err))
    else:
        print_jobs.finish(ctx, job.job_id, ok=True)


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


def run_once(ctx: Context) -> int:
    """Send every queued job once; returns how many were handled."""
    jobs = print_jobs.queued_server_jobs(ctx)
    for job_id in jobs:
        send_one(ctx, job_id)
    return len(jobs)


def run_forever(
    ctx: Context,
    sleep: Callable[[float], None],
    stop: Callable[[], bool] = lambda: False,
    held: Callable[[], bool] = lambda: True,
) -> None:
    """Print and poll while this process holds the print duty (server/duties.py)."""
    last_status = 0.0
    while not stop():
        if not held():
            sleep(POLL_EVERY_S)
            continue
        try:
            run_once(ctx)
            if time.monotonic() - last_status >= STATUS_EVERY_S:
                poll_status(ctx)
                last_status = time.monotonic()
        except Exception:  # keep printing after a database hiccup
            log.exception("print worker round failed")
        sleep(POLL_EVERY_S)


def start(app: Flask, held: Callable[[], bool] = lambda: True) -> None:
    """Start the worker as a Socket.IO background task (green thread or thread, per async mode)."""
    from .extensions import socketio

    ctx: Context = app.extensions["hallq"]
    # the Flask-SocketIO stubs type sleep's seconds as int; every async mode's sleep takes a float
    sleep = cast(Callable[[float], None], socketio.sleep)
    socketio.start_background_task(run_forever, ctx, sleep, lambda: False, held)
