"""Background duties run once across server processes: whoever holds a duty's lease runs it.

A lease names its holder (a server process: `node:port`) and runs until `expires_at`; the holder
renews it well before then. A process that dies stops renewing, and once the lease has lapsed any
other process may take it. The same `node:port` restarted takes its own lease back at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

#: the background duties of a hall server that must run exactly once across its processes
ALARMS = "alarms"  # the unstaffed-window alarm check (AB岗)
PRINT = "print"  # the network-printer worker: sending queued jobs, polling printer status
DUTIES = (ALARMS, PRINT)

#: seconds a lease lasts unless renewed (HALLQ_DUTY_LEASE_S)
DEFAULT_TTL_S = 10.0


def may_take(holder: str | None, expires_at: datetime | None, me: str, now: datetime) -> bool:
    """A lease may be renewed by its holder and taken by anyone else once it has lapsed."""
    if holder is None or expires_at is None or holder == me:
        return True
    return expires_at <= now


def expiry(now: datetime, ttl_s: float) -> datetime:
    return now + timedelta(seconds=ttl_s)


def renew_every(ttl_s: float) -> float:
    """How often a process tries to hold (or renew) its duties: three times per lease, so one
    failed renewal still leaves time before the lease can lapse."""
    return ttl_s / 3


def held_for(ttl_s: float) -> float:
    """How long after a successful renewal its holder still acts (seconds): it stops one
    renewal period before anyone else may take over, so two holders never overlap even when
    renewals fail or the clocks of two machines differ by less than that."""
    return ttl_s - renew_every(ttl_s)
