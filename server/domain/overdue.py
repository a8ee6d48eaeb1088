"""Accountability for late matters (责任追究): who held each overdue case on each day.

A case is overdue on a day ``d`` when ``d`` is after its due date and the case was not yet
completed before ``d`` (a case completed late counts up to and including the day it was
completed). On each such day it was held by its owner after the last step on or before ``d`` —
acceptance, a hand-over (reassigned), supervision — so a late case is traced to whoever held it,
day by day, and the figures per clerk, window and service add those days up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
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


def holder_on(history: CaseHistory, day: date) -> int | None:
    """The owner of the case on `day`: after the last step on or before it."""
    owner = None
    for step in history.steps:
        if step.day <= day:
            owner = step.owner
    return owner


def overdue_days(history: CaseHistory, start: date, end: date) -> list[tuple[date, int | None]]:
    """Every day in [start, end] the case was overdue, with who held it."""
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


def overdue_report(histories: Iterable[CaseHistory], start: date, end: date) -> dict[str, object]:
    """The overdue cases of a range, each with its holders by day, and the days per clerk,
    window and service (a case counts once for each holder, window and service it was late
    under)."""
    cases = []
    by_clerk: dict[int | None, Tally] = {}
    by_window: dict[int | None, Tally] = {}
    by_service: dict[str, Tally] = {}
    for h in histories:
        days = overdue_days(h, start, end)
        if not days:
            continue
        cases.append({"case": h.case, "service": h.service, "window": h.window, "due": h.due, "days": days})
        for key, table in ((h.window, by_window), (h.service, by_service)):
            tally = table.setdefault(key, Tally())  # type: ignore[arg-type]
            tally.cases += 1
            tally.days += len(days)
        holders: dict[int | None, int] = {}
        for _, owner in days:
            holders[owner] = holders.get(owner, 0) + 1
        for owner, n in holders.items():
            tally = by_clerk.setdefault(owner, Tally())
            tally.cases += 1
            tally.days += n
    return {"cases": cases, "by_clerk": by_clerk, "by_window": by_window, "by_service": by_service}
