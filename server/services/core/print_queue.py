"""Queuing slips on printers after the ticket or notice committed (the print side effect).

A job is made in its own transaction after the ticket's: a printing problem never undoes the
ticket. Kiosk agents get their job pushed at once; network printers are driven by the worker.
"""

from __future__ import annotations

import base64
import secrets
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...domain.guide import commitment_lines, guide_from_stored
from ...storage.models import Hall, Printer, PrintJob, Service, Ticket
from .context import Context
from .principal import Principal

KIOSK_REPRINTS = 1


def job_view(j: PrintJob, ticket: Ticket | None = None) -> dict[str, Any]:
    return {
        "id": j.public_id,
        "printer": j.printer_id,
        "ticket": ticket.public_id if ticket else None,
        "number": ticket.number if ticket else j.slip.get("number"),
        "status": j.status,
        "attempts": j.attempts,
        "error_kind": j.error_kind,
        "error": j.error,
        "reprint": j.reprint_of_id is not None,
        "created_at": j.created_at.isoformat(),
    }


def render_slip(slip: dict[str, Any], mode: str, width_mm: int) -> bytes:
    """ESC/POS bytes of a stored slip (a ticket, or a one-time notice)."""
    from ...printing.render import render
    from ...printing.slip import (
        NoticeSlipData,
        ReceiptSlipData,
        TicketSlipData,
        notice_slip,
        receipt_slip,
        ticket_slip,
    )

    if slip.get("kind") == "receipt":
        receipt = ReceiptSlipData(
            hall_name=slip["hall_name"],
            service_name=slip["service_name"],
            case_number=slip["case_number"],
            accepted_at=datetime.fromisoformat(slip["accepted_at"]),
            materials=list(slip.get("materials") or []),
            due=slip.get("due"),
            due_note=slip.get("due_note"),
            limit_days=slip.get("limit_days"),
            owner=slip.get("owner"),
            case_url=slip["case_url"],
        )
        return render(receipt_slip(receipt), mode, width_mm)

    if slip.get("kind") == "notice":
        notice = NoticeSlipData(
            hall_name=slip["hall_name"],
            service_name=slip["service_name"],
            code=slip["code"],
            number=slip["number"],
            items=list(slip["items"]),
            note=slip.get("note"),
            window=slip.get("window"),
            clerk=slip.get("clerk"),
            issued_at=datetime.fromisoformat(slip["issued_at"]),
            notice_url=slip["notice_url"],
        )
        return render(notice_slip(notice), mode, width_mm)

    data = TicketSlipData(
        hall_name=slip["hall_name"],
        service_name=slip["service_name"],
        number=slip["number"],
        people_ahead=slip.get("people_ahead"),
        estimated_wait_s=slip.get("estimated_wait_s"),
        issued_at=datetime.fromisoformat(slip["issued_at"]),
        status_url=slip["status_url"],
        priority=bool(slip.get("priority")),
        footer=slip.get("footer"),
        commitment=tuple(str(line) for line in slip.get("commitment") or ()),
    )
    return render(ticket_slip(data), mode, width_mm)


def kiosk_printer(s: Session, token_id: int | None) -> Printer | None:
    if token_id is None:
        return None
    return s.scalar(
        select(Printer).where(Printer.kiosk_token_id == token_id).order_by(Printer.id.desc()).limit(1)
    )


_PRINTER_TTL_S = 10.0


def has_printer(ctx: Context, token_id: int | None) -> bool:
    """Whether a kiosk token has a printer, cached briefly (a printer added shows within 10 s)."""
    if token_id is None:
        return False
    key = f"kiosk-printer:{token_id}"
    now = ctx.clock().timestamp()
    hit = ctx.cache.get(key)
    if hit is not None and now - hit[0] < _PRINTER_TTL_S:
        return bool(hit[1])
    with ctx.db.read() as s:
        found = kiosk_printer(s, token_id) is not None
    ctx.cache[key] = (now, found)
    return found


def ticket_slip_data(
    ctx: Context, hall: Hall, ticket: dict[str, Any], now: datetime, service: Service | None = None
) -> dict[str, Any]:
    """What a ticket slip prints, stored with its job (a reprint prints the same); the service
    commitment is read from the service's guide."""
    return {
        "commitment": commitment_lines(guide_from_stored(service.guide)) if service is not None else [],
        "hall_name": hall.name,
        "service_name": ticket["service_name"],
        "number": ticket["number"],
        "people_ahead": ticket.get("position"),
        "estimated_wait_s": ticket.get("estimated_wait_s"),
        "issued_at": now.astimezone(ZoneInfo(hall.timezone)).isoformat(),
        "status_url": ctx.links.ticket(ticket["id"]),
        "priority": ticket.get("priority", False),
    }


def enqueue_ticket(ctx: Context, actor: Principal, ticket: dict[str, Any]) -> dict[str, Any] | None:
    """Queue the slip of a just-committed ticket on the issuing kiosk's printer (None: no printer).

    Runs in its own transaction after the ticket's: a failure here never undoes the ticket.
    """
    if not has_printer(ctx, actor.token_id):
        return None  # most issuers (scripts, managers, kiosks without printers): no write at all
    now = ctx.clock()
    with ctx.db.transaction() as s:
        printer = kiosk_printer(s, actor.token_id)
        if printer is None:
            return None
        t = s.scalar(select(Ticket).where(Ticket.public_id == ticket["id"]))
        hall = s.get(Hall, printer.hall_id)
        assert t is not None and hall is not None
        job = PrintJob(
            public_id=secrets.token_urlsafe(9),
            hall_id=hall.id,
            printer_id=printer.id,
            ticket_id=t.id,
            kind="ticket",
            slip=ticket_slip_data(ctx, hall, ticket, now, t.service),
            status="queued",
            attempts=0,
            requested_by_role=actor.role,
            created_at=now,
        )
        s.add(job)
        s.flush()
        view = job_view(job, t)
        push = agent_push(s, printer, job, now)
    if push is not None:
        ctx.send_print_job(printer.id, push)
    return view


def agent_push(s: Session, printer: Printer, job: PrintJob, now: datetime) -> dict[str, Any] | None:
    """For an agent's printer: mark the job sent and return what to push to the agent."""
    if printer.driver != "agent":
        return None
    job.status, job.attempts, job.sent_at = "sent", job.attempts + 1, now
    return {
        "id": job.public_id,
        "data": base64.b64encode(render_slip(job.slip, printer.mode, printer.width_mm)).decode(),
    }


def enqueue_notice(
    ctx: Context, window_id: int | None, ticket_id: int, slip: dict[str, Any], role: str
) -> dict[str, Any] | None:
    """Queue a notice slip on the window's printer (None when the window has none)."""
    return enqueue_at_window(ctx, window_id, ticket_id, slip, role, "notice")


def enqueue_at_window(
    ctx: Context, window_id: int | None, ticket_id: int, slip: dict[str, Any], role: str, kind: str
) -> dict[str, Any] | None:
    """Queue a slip printed at a window (a notice, an acceptance receipt) on the window's printer
    (None when the window has none)."""
    if window_id is None:
        return None
    now = ctx.clock()
    with ctx.db.transaction() as s:
        printer = s.scalar(
            select(Printer).where(Printer.window_id == window_id).order_by(Printer.id.desc()).limit(1)
        )
        if printer is None:
            return None
        job = PrintJob(
            public_id=secrets.token_urlsafe(9),
            hall_id=printer.hall_id,
            printer_id=printer.id,
            ticket_id=ticket_id,
            kind=kind,
            slip=slip,
            status="queued",
            attempts=0,
            requested_by_role=role,
            created_at=now,
        )
        s.add(job)
        s.flush()
        view = job_view(job)
        push = agent_push(s, printer, job, now)
    if push is not None:
        ctx.send_print_job(printer.id, push)
    return view


def ticket_print_state(s: Session, ticket_id: int) -> dict[str, Any] | None:
    """The ticket's latest print job, as the kiosk shows it."""
    j = s.scalar(
        select(PrintJob)
        .where(PrintJob.ticket_id == ticket_id, PrintJob.kind == "ticket")
        .order_by(PrintJob.id.desc())
        .limit(1)
    )
    if j is None:
        return None
    # the job names its ticket and the ticket's number, as on issue (not null: the job row keeps
    # only the ticket's internal id)
    ticket = s.get(Ticket, ticket_id)
    reprints = s.scalar(
        select(func.count(PrintJob.id)).where(
            PrintJob.ticket_id == ticket_id,
            PrintJob.reprint_of_id.is_not(None),
            PrintJob.requested_by_role == "kiosk",
        )
    )
    return {**job_view(j, ticket), "kiosk_reprints_left": max(0, KIOSK_REPRINTS - int(reprints or 0))}
