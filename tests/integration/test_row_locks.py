"""Row locks keep writers of one row apart without blocking rows that merely point at it.

A clerk's action locks its ticket (and window), then bumps the hall's seq; the print worker,
recording a slip printed, bumps the seq first and then inserts an event pointing at the ticket.
With `FOR UPDATE` the event's foreign key check waited for the clerk, the clerk for the seq:
PostgreSQL broke the deadlock with a 500 (tests/e2e/test_fault_postgres.py met it under load).
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from server.services import tickets as ts
from server.services import windows as ws
from server.services.core.rows import load_ticket, load_window
from server.storage.models import Hall, Ticket
from tests.helpers import principal


def test_a_locked_ticket_and_window_do_not_block_an_event_pointing_at_them(ctx: Any) -> None:
    if ctx.db.engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's (SQLite serialises every writer)")
    kiosk, clerk = principal(ctx, "kiosk"), principal(ctx, "clerk", "clerk02")
    ws.sign_in(ctx, clerk, 2)
    t = ts.issue_ticket(ctx, kiosk, "A")
    ts.call_next(ctx, clerk, 2)
    with ctx.db.transaction() as locker:
        ticket = load_ticket(locker, t["id"], clerk, lock=True)
        window = load_window(locker, 2, clerk, lock=True)
        # another transaction, as print_jobs.finish: an event pointing at both rows
        with ctx.db.engine.connect() as other, other.begin():
            other.execute(text("SET LOCAL lock_timeout = '2s'"))
            hall_id = locker.get(Hall, ticket.hall_id).id  # type: ignore[union-attr]
            other.execute(
                text(
                    "INSERT INTO events (hall_id, seq, type, at, window_id, ticket_id, data) "
                    "VALUES (:h, -1, 'test.pointer', now(), :w, :t, '{}')"
                ),
                {"h": hall_id, "w": window.id, "t": ticket.id},
            )  # with FOR UPDATE: "canceling statement due to lock timeout"
            other.rollback()
        # and the locks still keep a second writer of the ticket out
        with ctx.db.engine.connect() as writer, writer.begin():
            writer.execute(text("SET LOCAL lock_timeout = '200ms'"))
            with pytest.raises(Exception, match="lock timeout"):
                writer.execute(
                    text("UPDATE tickets SET recalls = recalls + 1 WHERE id = :t"), {"t": ticket.id}
                )
        assert locker.get(Ticket, ticket.id) is not None
