"""Which waiting ticket a window calls next.

A window may serve several services. Order: priority tickets (green lane) first, then
tickets directed to this very window, then by the time they were queued; the window's own
service order breaks ties. Tickets directed to another window are not this window's.
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


def call_order(
    window_id: int,
    services: Sequence[str],
    waiting: Iterable[Candidate],
    covering: Collection[int] = (),
) -> list[Candidate]:
    """The waiting tickets this window may call, in the order it calls them.

    `covering` are the windows whose queue this window serves as B post (顶岗): tickets
    directed to them count as directed here.
    """
    rank = {code: i for i, code in enumerate(services)}
    mine = {window_id, *covering}
    eligible = [
        c
        for c in waiting
        if c.service_code in rank and (c.directed_window_id is None or c.directed_window_id in mine)
    ]
    return sorted(
        eligible,
        key=lambda c: (
            not c.priority,
            c.directed_window_id not in mine,
            c.queued_at,
            rank[c.service_code],
            c.ticket_id,
        ),
    )


def choose_next(
    window_id: int, services: Sequence[str], waiting: Iterable[Candidate], covering: Collection[int] = ()
) -> Candidate | None:
    """The ticket the window calls now, or None when nobody waits for it."""
    order = call_order(window_id, services, waiting, covering)
    return order[0] if order else None
