"""Accountability for late matters (责任追究): who held each overdue case on each day.

A case is overdue on a day ``d`` when ``d`` is after its due date and the case was not yet
completed before ``d`` (a case completed late counts up to and including the day it was
completed). On each such day it was held by its owner after the last step on or before ``d`` —
acceptance, a hand-over (reassigned), supervision — so a late case is traced to whoever held it,
day by day, and the figures per clerk, window and service add those days up.

A/B posts (AB岗): on a day the holder was away — on registered leave, or not signed in at any
window — and the B post of their window was signed in, the B post covered (顶岗) and holds the
day; when nobody covered, the holder stays responsible.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta


@dataclass(frozen=True)
class Step:
    """One step of a case's history: its local day and the owner after it."""

    day: date
    owner: int | None


@dataclass(frozen=True)
class CaseHistory:
    case: str  #: the human case number
    service: str
    window: int | None  #: the window number that accepted it
    due: date | None  #: None: no limit, clock stopped or calendar missing — never overdue on a guess
    completed: date | None  #: the day it was completed, if it was
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Presence:
    """Who was on post on which days (the attendance log), who was on leave, and each A post's
    B post."""

    signed_in: frozenset[tuple[int, date]] = frozenset()  #: (user, day) signed in at any window
    on_leave: frozenset[tuple[int, date]] = frozenset()  #: (user, day) on registered leave
    b_post: Mapping[int, int] = field(default_factory=dict)  #: A post's user → B post's user

    def away(self, user: int, day: date) -> bool:
        return (user, day) in self.on_leave or (user, day) not in self.signed_in

    def responsible(self, holder: int | None, day: date) -> tuple[int | None, bool]:
        """Who answers for `day`: (the holder, False), or (their B post, True) when the holder was
        away and the B post was signed in that day."""
        if holder is None or not self.away(holder, day):
            return holder, False
        b = self.b_post.get(holder)
        if b is not None and (b, day) in self.signed_in and (b, day) not in self.on_leave:
            return b, True
        return holder, False


NOBODY_AWAY = Presence()


def holder_on(history: CaseHistory, day: date) -> int | None:
    """The owner of the case on `day`: after the last step on or before it."""
    owner = None
    for step in history.steps:
        if step.day <= day:
            owner = step.owner
    return owner


def overdue_days(history: CaseHistory, start: date, end: date) -> list[tuple[date, int | None]]:
    """Every day in [start, end] the case was overdue, with who held it (its owner that day)."""
    if history.due is None:
        return []
    first = max(start, history.due + timedelta(days=1))
    last = end if history.completed is None else min(end, history.completed)
    out = []
    day = first
    while day <= last:
        out.append((day, holder_on(history, day)))
        day += timedelta(days=1)
    return out


@dataclass
class Tally:
    cases: int = 0
    days: int = 0


@dataclass(frozen=True)
class HeldDay:
    day: date
    owner: int | None  #: the case's owner that day
    clerk: int | None  #: who answers for the day: the owner, or the B post who covered
    covering: bool  #: the B post covered for an absent owner


def held_days(
    history: CaseHistory, start: date, end: date, presence: Presence = NOBODY_AWAY
) -> list[HeldDay]:
    """Every overdue day in [start, end] with its owner and who answers for it."""
    out = []
    for day, owner in overdue_days(history, start, end):
        clerk, covering = presence.responsible(owner, day)
        out.append(HeldDay(day, owner, clerk, covering))
    return out


def overdue_report(
    histories: Iterable[CaseHistory], start: date, end: date, presence: Presence = NOBODY_AWAY
) -> dict[str, object]:
    """The overdue cases of a range, each with who answers for each late day, and the days per
    clerk, window and service (a case counts once for each clerk, window and service it was late
    under)."""
    cases = []
    by_clerk: dict[int | None, Tally] = {}
    by_window: dict[int | None, Tally] = {}
    by_service: dict[str, Tally] = {}
    for h in histories:
        days = held_days(h, start, end, presence)
        if not days:
            continue
        cases.append({"case": h.case, "service": h.service, "window": h.window, "due": h.due, "days": days})
        for key, table in ((h.window, by_window), (h.service, by_service)):
            tally = table.setdefault(key, Tally())  # type: ignore[arg-type]
            tally.cases += 1
            tally.days += len(days)
        holders: dict[int | None, int] = {}
        for held in days:
            holders[held.clerk] = holders.get(held.clerk, 0) + 1
        for owner, n in holders.items():
            tally = by_clerk.setdefault(owner, Tally())
            tally.cases += 1
            tally.days += n
    return {"cases": cases, "by_clerk": by_clerk, "by_window": by_window, "by_service": by_service}
