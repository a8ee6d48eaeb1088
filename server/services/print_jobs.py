"""Print jobs: one row per slip, made after the ticket commits; queued → sent → printed | failed.

A printer fault never loses a ticket: the ticket exists before its job does, the kiosk
shows it on screen, the fault is recorded on the printer and the job, and the slip can be
reprinted (by the kiosk once, by a manager any time). Jobs are never retried on their own:
a slip that may have come out is not printed twice; staff decide with a reprint.
"""

from __future__ import annotations

import base64
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from .. import event_names as names
from ..domain.errors import RuleViolation
from ..storage.models import ApiToken, Hall, Printer, PrintJob, Ticket, Window
from .core.context import Context, Envelope
from .core.credentials import hash_token
from .core.errors import bad_field, not_found
from .core.events import record
from .core.principal import Forbidden, Principal, require_hall, require_role
from .core.print_queue import KIOSK_REPRINTS, agent_push, job_view, render_slip
from .core.rows import rows_changed

log = logging.getLogger(__name__)

#: printer states shown on the manager console; "ok" and "unknown" are not faults
FAULTS = ("paper_out", "cover_open", "offline", "timeout", "refused", "error")
MODES = ("text", "raster")
WIDTHS = (58, 80)


@dataclass(frozen=True)
class JobToSend:
    job_id: str
    printer_id: int
    spec: str
    mode: str
    width_mm: int
    data: bytes


def driver_for(spec: str) -> str:
    """Network printers are driven by the server; local ones (USB, serial, file) by a kiosk agent."""
    return "server" if spec.startswith(("tcp://", "dummy://")) else "agent"


def printer_view(p: Printer) -> dict[str, Any]:
    return {
        "id": p.id,
        "name": p.name,
        "spec": p.spec,
        "width_mm": p.width_mm,
        "mode": p.mode,
        "driver": p.driver,
        "status": p.status,
        "fault": p.status in FAULTS,
        "status_detail": p.status_detail,
        "status_at": p.status_at.isoformat() if p.status_at else None,
    }


# ---------------------------------------------------------------- configuration


def add_printer(
    ctx: Context,
    hall_code: str,
    name: str,
    spec: str,
    width_mm: int = 80,
    mode: str = "text",
    kiosk_token: str | None = None,
    window_number: int | None = None,
) -> dict[str, Any]:
    """Register a printer (CLI / admin); with `kiosk_token` it prints that kiosk's tickets, with
    `window_number` that window's slips (one-time notices)."""
    from ..printing.spec import parse_spec

    try:
        canonical = str(parse_spec(spec))
    except ValueError as err:
        raise bad_field("spec", f"打印机地址无效：{err}", f"invalid printer spec: {err}") from err
    if mode not in MODES:
        raise bad_field("mode", "打印模式必须是 text 或 raster", "mode must be text or raster")
    if width_mm not in WIDTHS:
        raise bad_field("width", "纸宽必须是 58 或 80", "width must be 58 or 80")
    with ctx.db.transaction() as s:
        hall = s.scalar(select(Hall).where(Hall.code == hall_code))
        if hall is None:
            raise not_found("大厅", "hall")
        token_id = None
        if kiosk_token:
            tok = s.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(kiosk_token)))
            if tok is None or tok.role != "kiosk" or tok.hall_id != hall.id:
                raise bad_field("kiosk_token", "不是该大厅的取号机令牌", "not a kiosk token of this hall")
            token_id = tok.id
        window_id = None
        if window_number is not None:
            w = s.scalar(select(Window).where(Window.hall_id == hall.id, Window.number == window_number))
            if w is None:
                raise bad_field("window", "该大厅没有这个窗口", "no such window in this hall")
            window_id = w.id
        ctx.cache.pop(f"kiosk-printer:{token_id}", None)
        p = Printer(
            hall_id=hall.id,
            name=name,
            spec=canonical,
            width_mm=width_mm,
            mode=mode,
            driver=driver_for(canonical),
            kiosk_token_id=token_id,
            window_id=window_id,
            status="unknown",
        )
        s.add(p)
        s.flush()
        return printer_view(p)


def agent_hello(
    ctx: Context, actor: Principal, spec: str, width_mm: int, mode: str, name: str | None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A kiosk agent announces its local printer: the kiosk's printer row (made or updated) and
    every job of it not yet acknowledged, to (re)send. The agent's journal keeps a job that did
    print before the agent died from printing again."""
    require_role(actor, ("kiosk",))
    from ..printing.spec import parse_spec

    try:
        canonical = str(parse_spec(spec))
    except ValueError as err:
        raise bad_field("printer", f"打印机地址无效：{err}", f"invalid printer spec: {err}") from err
    if mode not in MODES or width_mm not in WIDTHS:
        raise bad_field("mode", "模式 text/raster，纸宽 58/80", "mode text|raster, width 58|80")
    now = ctx.clock()
    events: list[Envelope] = []
    if actor.hall_id is None or actor.token_id is None:
        raise _not_yours()
    with ctx.db.transaction() as s:
        p = s.scalar(
            select(Printer).where(Printer.kiosk_token_id == actor.token_id, Printer.driver == "agent")
        )
        if p is not None and p.hall_id != actor.hall_id:
            raise _not_yours()
        if p is None:
            p = Printer(
                hall_id=actor.hall_id, kiosk_token_id=actor.token_id, driver="agent", status="unknown"
            )
            s.add(p)
        p.name = name or p.name or f"kiosk printer {actor.token_id}"
        p.spec, p.width_mm, p.mode = canonical, width_mm, mode
        s.flush()
        events += _set_status(s, p, "ok", "agent connected", now)
        pending = _claim_all(s, p, now)
        view = printer_view(p)
    ctx.cache.pop(f"kiosk-printer:{actor.token_id}", None)  # this kiosk prints from now on
    ctx.publish(events)
    return view, pending


def _claim_all(s: Session, p: Printer, now: datetime) -> list[dict[str, Any]]:
    jobs = s.scalars(
        select(PrintJob)
        .where(PrintJob.printer_id == p.id, PrintJob.status.in_(["queued", "sent"]))
        .order_by(PrintJob.id)
    ).all()
    out = []
    for j in jobs:
        j.status, j.attempts, j.sent_at = "sent", j.attempts + 1, now
        out.append(
            {"id": j.public_id, "data": base64.b64encode(render_slip(j.slip, p.mode, p.width_mm)).decode()}
        )
    return out


# ---------------------------------------------------------------- jobs


def reprint(ctx: Context, actor: Principal, ticket_public_id: str) -> dict[str, Any]:
    """Print a ticket's slip again: the kiosk once, a manager or admin any time."""
    require_role(actor, ("kiosk", "manager", "admin"))
    now = ctx.clock()
    with ctx.db.transaction() as s:
        t = s.scalar(select(Ticket).where(Ticket.public_id == ticket_public_id))
        if t is None:
            raise not_found("票号", "ticket")
        require_hall(actor, t.hall_id)
        last = s.scalar(
            select(PrintJob)
            .where(PrintJob.ticket_id == t.id, PrintJob.kind == "ticket")
            .order_by(PrintJob.id.desc())
            .limit(1)
        )
        if last is None:
            raise RuleViolation("no_print_job", "该号码没有打印记录", "this ticket was never printed")
        if actor.role == "kiosk":
            done = s.scalar(
                select(func.count(PrintJob.id)).where(
                    PrintJob.ticket_id == t.id,
                    PrintJob.reprint_of_id.is_not(None),
                    PrintJob.requested_by_role == "kiosk",
                )
            )
            if (done or 0) >= KIOSK_REPRINTS:
                raise RuleViolation(
                    "reprint_limit",
                    "取号机只能补打一次，请联系工作人员",
                    "a kiosk reprints once; ask the staff",
                )
        printer = last.printer
        if actor.role == "kiosk" and printer.kiosk_token_id != actor.token_id:
            # the slip would come out of another kiosk's printer, far from whoever asked
            raise Forbidden(
                "forbidden",
                "该号码不是本取号机打印的，请联系工作人员补打",
                "this kiosk did not print that ticket; ask the staff to reprint it",
            )
        if last.status in ("queued", "sent"):
            raise RuleViolation(
                "print_pending", "上一张仍在打印中", "the previous slip is still being printed"
            )
        job = PrintJob(
            public_id=secrets.token_urlsafe(9),
            hall_id=t.hall_id,
            printer_id=printer.id,
            ticket_id=t.id,
            kind=last.kind,
            slip={**last.slip, "footer": "补打 · reprint"},
            status="queued",
            attempts=0,
            reprint_of_id=last.id,
            requested_by_role=actor.role,
            created_at=now,
        )
        s.add(job)
        s.flush()
        hall = s.get(Hall, t.hall_id)
        assert hall is not None
        event = record(s, hall, names.PRINT_UPDATED, {"job": job_view(job, t)}, now, actor, ticket_id=t.id)
        view = job_view(job, t)
        push = agent_push(s, printer, job, now)
    ctx.publish([event])
    if push is not None:
        ctx.send_print_job(printer.id, push)
    return view


def queued_server_jobs(ctx: Context) -> list[str]:
    with ctx.db.read() as s:
        return list(
            s.scalars(
                select(PrintJob.public_id)
                .join(Printer, Printer.id == PrintJob.printer_id)
                .where(PrintJob.status == "queued", Printer.driver == "server")
                .order_by(PrintJob.id)
            )
        )


def claim(ctx: Context, job_id: str) -> JobToSend | None:
    """Take a queued job for sending; None when another process (or an earlier run) took it."""
    now = ctx.clock()
    with ctx.db.transaction() as s:
        taken = rows_changed(
            s.execute(
                update(PrintJob)
                .where(PrintJob.public_id == job_id, PrintJob.status == "queued")
                .values(status="sent", attempts=PrintJob.attempts + 1, sent_at=now)
                .execution_options(synchronize_session=False)
            )
        )
        if taken != 1:
            return None
        j = s.scalar(select(PrintJob).where(PrintJob.public_id == job_id))
        assert j is not None
        p = j.printer
        return JobToSend(
            j.public_id, p.id, p.spec, p.mode, p.width_mm, render_slip(j.slip, p.mode, p.width_mm)
        )


#: what a job left in flight by a server process that stopped is marked: the manager console
#: lists it as "可能已打印" with a one-click reprint (as a kiosk agent's interrupted job)
INTERRUPTED_KIND = "uncertain"
INTERRUPTED_MESSAGE = "the server process sending this job stopped: it may have printed"


def settle_interrupted(ctx: Context) -> list[str]:
    """Mark the jobs of network printers still `sent` as failed, kind `uncertain`.

    Called by a process when it takes the print duty: only the duty's holder sends to network
    printers, so a job still `sent` then was in flight in a process that stopped (killed, or its
    lease lapsed). A printer cannot be asked whether it printed, so the job is never sent again
    by itself: a manager checks with the citizen and reprints (docs/printers.md)."""
    now = ctx.clock()
    events: list[Envelope] = []
    settled: list[str] = []
    with ctx.db.transaction() as s:
        jobs = s.scalars(
            select(PrintJob)
            .join(Printer, Printer.id == PrintJob.printer_id)
            .where(PrintJob.status == "sent", Printer.driver == "server")
            .order_by(PrintJob.id)
            .with_for_update(of=PrintJob)
        ).all()
        for j in jobs:
            j.status, j.error_kind, j.error, j.finished_at = (
                "failed",
                INTERRUPTED_KIND,
                INTERRUPTED_MESSAGE,
                now,
            )
            t = s.get(Ticket, j.ticket_id) if j.ticket_id else None
            hall = s.get(Hall, j.hall_id)
            assert hall is not None
            events.append(
                record(s, hall, names.PRINT_UPDATED, {"job": job_view(j, t)}, now, ticket_id=j.ticket_id)
            )
            settled.append(j.public_id)
    ctx.publish(events)
    if settled:
        log.warning("%d print job(s) left in flight by a stopped process: marked for a reprint", len(settled))
    return settled


def _not_yours() -> Forbidden:
    return Forbidden("forbidden", "这不是本取号机的打印机或打印任务", "not this kiosk's printer or print job")


def _check_agent_printer(actor: Principal, p: Printer | None) -> Printer:
    """The printer an agent acts on must be its own kiosk's, in its own hall."""
    require_role(actor, ("kiosk",))
    if (
        p is None
        or actor.token_id is None
        or p.kiosk_token_id != actor.token_id
        or p.hall_id != actor.hall_id
        or p.driver != "agent"
    ):
        raise _not_yours()
    return p


def agent_result(
    ctx: Context,
    actor: Principal,
    printer_id: int,
    job_id: str,
    ok: bool,
    error_kind: str | None = None,
    error: str | None = None,
) -> dict[str, Any] | None:
    """A kiosk agent reports a job of the printer it announced in its hello: a job of another
    printer (another kiosk's, another hall's) is refused and changes nothing."""
    return finish(ctx, job_id, ok, error_kind, error, agent=(actor, printer_id))


def agent_status(ctx: Context, actor: Principal, printer_id: int, status: str, detail: str | None) -> None:
    """A kiosk agent's reading of its own printer."""
    now = ctx.clock()
    with ctx.db.transaction() as s:
        p = _check_agent_printer(actor, s.get(Printer, printer_id))
        events = _set_status(s, p, status, detail, now)
    ctx.publish(events)


def finish(
    ctx: Context,
    job_id: str,
    ok: bool,
    error_kind: str | None = None,
    error: str | None = None,
    agent: tuple[Principal, int] | None = None,
) -> dict[str, Any] | None:
    """Record a job's outcome (idempotent: a repeated or late result changes nothing). With
    `agent` (the kiosk's principal and the printer of its hello) the job must be that printer's."""
    now = ctx.clock()
    events: list[Envelope] = []
    with ctx.db.transaction() as s:
        j = s.scalar(select(PrintJob).where(PrintJob.public_id == job_id).with_for_update())
        if j is None:
            raise not_found("打印任务", "print job")
        if agent is not None:
            actor, printer_id = agent
            p = _check_agent_printer(actor, s.get(Printer, printer_id))
            if j.printer_id != p.id or j.hall_id != p.hall_id:
                raise _not_yours()
        if j.status in ("printed", "failed"):
            return job_view(j, s.get(Ticket, j.ticket_id) if j.ticket_id else None)
        j.status = "printed" if ok else "failed"
        j.error_kind = None if ok else (error_kind or "error")
        j.error = None if ok else (error or "")[:300]
        j.finished_at = now
        t = s.get(Ticket, j.ticket_id) if j.ticket_id else None
        hall = s.get(Hall, j.hall_id)
        assert hall is not None
        events.append(
            record(s, hall, names.PRINT_UPDATED, {"job": job_view(j, t)}, now, ticket_id=j.ticket_id)
        )
        p = j.printer
        if ok:
            events += _set_status(s, p, "ok", None, now)
        elif error_kind in FAULTS:
            events += _set_status(s, p, error_kind, error, now)
        view = job_view(j, t)
    ctx.publish(events)
    return view


def _set_status(s: Session, p: Printer, status: str, detail: str | None, now: datetime) -> list[Envelope]:
    changed = p.status != status or p.status_detail != detail
    p.status, p.status_detail, p.status_at = status, detail, now
    if not changed:
        return []
    hall = s.get(Hall, p.hall_id)
    assert hall is not None
    return [record(s, hall, names.PRINTER_STATUS, {"printer": printer_view(p)}, now)]


def set_printer_status(ctx: Context, printer_id: int, status: str, detail: str | None) -> None:
    """A status reading (server poll or agent report); an event only when it changed."""
    now = ctx.clock()
    with ctx.db.transaction() as s:
        p = s.get(Printer, printer_id)
        if p is None:
            return
        events = _set_status(s, p, status, detail, now)
    ctx.publish(events)


def server_printers(ctx: Context) -> list[tuple[int, str]]:
    with ctx.db.read() as s:
        return [(p.id, p.spec) for p in s.scalars(select(Printer).where(Printer.driver == "server"))]


def list_printers(ctx: Context, actor: Principal, hall_code: str | None = None) -> list[dict[str, Any]]:
    """Printers of the actor's hall with their status and job counts (manager console, kiosks)."""
    require_role(actor, ("manager", "admin", "kiosk"))
    with ctx.db.read() as s:
        q = select(Printer).join(Hall, Hall.id == Printer.hall_id)
        code = hall_code or actor.hall_code
        if code:
            q = q.where(Hall.code == code)
        if actor.role == "kiosk":  # a kiosk sees its own printer, not the other kiosks'
            q = q.where(Printer.kiosk_token_id == actor.token_id)
        out = []
        for p in s.scalars(q.order_by(Printer.id)):
            require_hall(actor, p.hall_id)
            counts: dict[str, int] = {
                status: int(n)
                for status, n in s.execute(
                    select(PrintJob.status, func.count(PrintJob.id))
                    .where(PrintJob.printer_id == p.id)
                    .group_by(PrintJob.status)
                ).all()
            }
            out.append(
                {
                    **printer_view(p),
                    "jobs": {k: int(counts.get(k, 0)) for k in ("queued", "sent", "printed", "failed")},
                }
            )
        return out


def recent_failed_jobs(ctx: Context, actor: Principal, limit: int = 50) -> list[dict[str, Any]]:
    """Slips that did not print, newest first, for the manager to reprint."""
    require_role(actor, ("manager", "admin"))
    with ctx.db.read() as s:
        q = (
            select(PrintJob, Ticket)
            .join(Ticket, Ticket.id == PrintJob.ticket_id)
            .where(PrintJob.status == "failed")
        )
        if actor.hall_id is not None:
            q = q.where(PrintJob.hall_id == actor.hall_id)
        rows = s.execute(q.order_by(PrintJob.id.desc()).limit(limit)).all()
        return [job_view(j, t) for j, t in rows]


def agent_gone(ctx: Context, printer_id: int) -> None:
    set_printer_status(ctx, printer_id, "offline", "kiosk agent disconnected")
