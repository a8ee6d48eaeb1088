"""Loading rows for a use case: 404 when missing, the actor's hall checked, locked when asked.

Locks are `FOR NO KEY UPDATE` (key_share=True) on PostgreSQL, never `FOR UPDATE`: they keep two
writers of one ticket or window apart just the same, but do not block a transaction that only
inserts a row pointing at it (an event, a print job: a foreign key check takes `FOR KEY SHARE`).
A `FOR UPDATE` did, and with the hall's seq bumped on both sides that was a deadlock (a clerk
starting a ticket while the print worker recorded its slip printed: tests/e2e/test_fault_postgres.py,
tests/integration/test_row_locks.py). SQLite has no row locks and ignores both.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Result, Select, select
from sqlalchemy.orm import Session

from ...domain.business_day import business_day
from ...domain.notice import normalise_code
from ...storage.models import Hall, Notice, Ticket, Window
from .errors import not_found
from .principal import Principal, require_hall


def load_window(s: Session, window_id: int, actor: Principal | None = None, lock: bool = False) -> Window:
    """The window (locked until commit when `lock`); 404 when missing, 403 for another hall's actor."""
    w = s.get(Window, window_id, with_for_update={"key_share": True} if lock else None)
    if w is None:
        raise not_found("窗口", "window")
    if actor is not None:
        require_hall(actor, w.hall_id)
    return w


def load_ticket(s: Session, public_id: str, actor: Principal | None = None, lock: bool = False) -> Ticket:
    """A ticket by its public id (locked until commit when `lock`); 404 when missing, 403 for
    another hall's actor."""
    q: Select[tuple[Ticket]] = select(Ticket).where(Ticket.public_id == public_id)
    if lock:  # read again under the lock: a row this session read before may have changed
        q = q.with_for_update(key_share=True).execution_options(populate_existing=True)
    t = s.scalar(q)
    if t is None:
        raise not_found("票号", "ticket")
    if actor is not None:
        require_hall(actor, t.hall_id)
    return t


def load_notice(s: Session, code: str) -> Notice:
    """A one-time notice by its code (as typed: case and separators do not matter); 404 when missing."""
    n = s.scalar(select(Notice).where(Notice.code == normalise_code(code)))
    if n is None:
        raise not_found("一次告知单", "notice")
    return n


def load_notice_page(s: Session, token: str) -> Notice:
    """A one-time notice by its page token (the unguessable key of /n/<token>); 404 when missing."""
    n = s.scalar(select(Notice).where(Notice.token == token)) if token else None
    if n is None:
        raise not_found("一次告知单", "notice")
    return n


def load_hall(session: Session, code: str) -> Hall:
    hall = session.scalar(select(Hall).where(Hall.code == code))
    if hall is None:
        raise not_found("大厅", "hall")
    return hall


def hall_day(hall: Hall, now: datetime) -> date:
    return business_day(now, hall.timezone, hall.rollover_hour)


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE changed (a conditional update that lost its race changed none)."""
    return cast(CursorResult[Any], result).rowcount
