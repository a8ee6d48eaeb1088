"""Retention: which of a hall's service days the archive may move out of the hot tables.

A day may be archived once it is closed and older than the hot window: strictly before
`today - archive_after_days` (today is the hall's own business day, so a hall in another time
zone is judged by its own calendar). Today is never archivable, whatever the policy or an
operator's `--before` says, and a day an open record still reads (`held`: the day of a ticket
whose complaint is still being verified or answered) stays hot until that record is closed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

#: the current and the previous month stay hot by default
DEFAULT_ARCHIVE_AFTER_DAYS = 62


@dataclass(frozen=True)
class Policy:
    """How long days stay in the hot tables (HALLQ_ARCHIVE_AFTER_DAYS)."""

    archive_after_days: int = DEFAULT_ARCHIVE_AFTER_DAYS

    def __post_init__(self) -> None:
        if self.archive_after_days < 0:
            raise ValueError("archive_after_days must be 0 or more")


def cutoff(today: date, policy: Policy, before: date | None = None) -> date:
    """The first day that stays hot: every day strictly before it may be archived.

    `before` (an operator's `--before`) can only narrow what the policy allows, and today always
    stays hot: a policy of 0 days archives up to yesterday.
    """
    limit = min(today - timedelta(days=policy.archive_after_days), today)
    return limit if before is None else min(limit, before)


def archivable_days(
    first: date | None, today: date, policy: Policy, held: Iterable[date] = (), before: date | None = None
) -> list[date]:
    """The days from `first` (the oldest day with hot rows; None: nothing hot) the archive may
    move, oldest first, skipping the `held` ones."""
    if first is None:
        return []
    last = cutoff(today, policy, before)
    keep = set(held)
    out: list[date] = []
    day = first
    while day < last:
        if day not in keep:
            out.append(day)
        day += timedelta(days=1)
    return out


def day_bounds(day: date, timezone: str, rollover_hour: int = 0) -> tuple[datetime, datetime]:
    """The moments [start, end) of a hall's business day (as `business_day` assigns them), aware
    and in the hall's zone: a day of a DST change lasts 23 or 25 hours."""
    if not 0 <= rollover_hour < 24:
        raise ValueError("rollover_hour must be within 0..23")
    tz = ZoneInfo(timezone)
    start = datetime.combine(day, time(rollover_hour), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(rollover_hour), tzinfo=tz)
    return start, end
