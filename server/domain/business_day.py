"""Business day: the hall's local date, numbering restarts with it."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo


def business_day(now_utc: datetime, timezone: str, rollover_hour: int = 0) -> date:
    """The business day a moment belongs to, in the hall's timezone.

    A hall that stays open past midnight can move the rollover (e.g. 3 o'clock), so that the
    late evening still counts to the day it started.
    """
    if now_utc.tzinfo is None:
        raise ValueError("now_utc must be timezone-aware")
    if not 0 <= rollover_hour < 24:
        raise ValueError("rollover_hour must be within 0..23")
    local = now_utc.astimezone(ZoneInfo(timezone))
    return (local - timedelta(hours=rollover_hour)).date()
