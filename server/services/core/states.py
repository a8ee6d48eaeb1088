"""Rows ↔ domain states: the domain decides on plain values, these carry them to and from rows."""

from __future__ import annotations

from typing import Any

from ...domain.ticket import Status, TicketState
from ...domain.window import WindowState, WindowStatus
from ...storage.models import Ticket, Window


def ticket_state(t: Ticket) -> TicketState:
    return TicketState(
        status=Status(t.status),
        window_id=t.window_id,
        recalls=t.recalls,
        reactivations=t.reactivations,
        called_at=t.called_at,
        started_at=t.started_at,
        finished_at=t.finished_at,
    )


def state_columns(new: TicketState) -> dict[str, Any]:
    """The ticket columns a domain state sets (for a conditional UPDATE)."""
    return {
        "status": new.status.value,
        "window_id": new.window_id,
        "recalls": new.recalls,
        "reactivations": new.reactivations,
        "called_at": new.called_at,
        "started_at": new.started_at,
        "finished_at": new.finished_at,
    }


def apply_ticket_state(t: Ticket, new: TicketState) -> None:
    """Write a state the domain decided back to the row (in the caller's transaction)."""
    for column, value in state_columns(new).items():
        setattr(t, column, value)


def window_state(w: Window) -> WindowState:
    return WindowState(WindowStatus(w.status), w.clerk_id, w.pause_reason)


def apply_window_state(w: Window, new: WindowState) -> None:
    w.status = new.status.value
    w.clerk_id = new.clerk_id
    w.pause_reason = new.pause_reason
