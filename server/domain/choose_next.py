"""Which waiting ticket a window calls next.

A window may serve several services. Order: priority tickets (green lane) first, then
tickets directed to this very window, then appointments (预约) whose slot has begun, then by
the time they were queued; the window's own service order breaks ties. Tickets directed to
another window are not this window's.

Appointments: a ticket checked in with a booking (domain.bookings) carries its slot's start.
From that moment it is called before every walk-in (earliest slot first, then the time it was
queued), but after the green lane and after tickets directed to the window: the green lane is
the law's priority for the elderly and disabled, and a directed ticket is a citizen already
served once and sent on (transfer, a window's own queue). Checked in before its slot, the
ticket waits among the walk-ins by its queued time (called early only when nobody is ahead).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Candidate:
    ticket_id: int
    service_code: str
    queued_at: datetime
    priority: bool = False
    directed_window_id: int | None = None
    #: the start of the booked slot of a ticket checked in with an appointment (None: walk-in)
    slot_start: datetime | None = None


def in_slot(c: Candidate, now: datetime | None) -> bool:
    """An appointment whose slot has begun (without a clock: every appointment counts)."""
    return c.slot_start is not None and (now is None or c.slot_start <= now)


def call_order(
    window_id: int,
    services: Sequence[str],
    waiting: Iterable[Candidate],
    covering: Collection[int] = (),
    now: datetime | None = None,
) -> list[Candidate]:
    """The waiting tickets this window may call, in the order it calls them.

    `covering` are the windows whose queue this window serves as B post (顶岗): tickets
    directed to them count as directed here. `now` decides which appointments' slots have begun.
    """
    rank = {code: i for i, code in enumerate(services)}
    mine = {window_id, *covering}
    eligible = [c for c in waiting if may_call(window_id, services, c, covering)]

    def key(c: Candidate) -> tuple[bool, bool, bool, datetime, datetime, int, int]:
        booked = in_slot(c, now)
        return (
            not c.priority,
            c.directed_window_id not in mine,
            not booked,
            c.slot_start if booked and c.slot_start is not None else c.queued_at,
            c.queued_at,
            rank[c.service_code],
            c.ticket_id,
        )

    return sorted(eligible, key=key)


def choose_next(
    window_id: int,
    services: Sequence[str],
    waiting: Iterable[Candidate],
    covering: Collection[int] = (),
    now: datetime | None = None,
) -> Candidate | None:
    """The ticket the window calls now, or None when nobody waits for it."""
    order = call_order(window_id, services, waiting, covering, now)
    return order[0] if order else None


def may_call(window_id: int, services: Collection[str], c: Candidate, covering: Collection[int] = ()) -> bool:
    """Whether this window may call the ticket at all: one of its services, and not directed to
    another window (tickets directed to a window it covers count as its own)."""
    return c.service_code in services and (
        c.directed_window_id is None or c.directed_window_id == window_id or c.directed_window_id in covering
    )


def waits_at(window_id: int, services: Collection[str], c: Candidate) -> bool:
    """Whether the ticket waits at this window: directed to it, or in one of its services and
    directed nowhere. These are the citizens a manager moves when moving "a window's queue"."""
    if c.directed_window_id is not None:
        return c.directed_window_id == window_id
    return c.service_code in services


def queue_position(ticket: Candidate, waiting: Iterable[Candidate]) -> int:
    """People ahead of a waiting ticket in its service's queue: priority tickets first, then by
    the time they were queued (the ticket id breaks ties). Directed tickets count too: the
    citizen sees one line per service."""

    def key(c: Candidate) -> tuple[bool, datetime, int]:
        return (not c.priority, c.queued_at, c.ticket_id)

    mine = key(ticket)
    return sum(
        1
        for c in waiting
        if c.service_code == ticket.service_code and c.ticket_id != ticket.ticket_id and key(c) < mine
    )
