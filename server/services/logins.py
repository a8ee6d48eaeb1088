"""Failed logins per account, kept on the user's row (users.failed_logins, users.locked_until) so
the lock holds across server processes; a lock that starts leaves an entry in the hall's audit log.

The rule (how many free tries, how long each lock) is domain.throttle's `Backoff`; the caller
checks `login_wait` before it checks a password, and reports the outcome.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from .. import event_names as names
from ..domain.throttle import Backoff, Strikes, after_failure, current, locks, wait_s
from ..storage.models import Hall, User
from .core.context import Context
from .core.events import record

log = logging.getLogger("hallq.logins")


def _epoch(at: datetime | None) -> float | None:
    return at.timestamp() if at is not None else None


def login_wait(ctx: Context, policy: Backoff, username: str) -> int:
    """Seconds before `username` may try again (0: now). Unknown names: 0 (the caller keeps
    those in memory, so an answer never tells whether a name exists)."""
    now = ctx.clock().timestamp()
    with ctx.db.read() as s:
        row = s.execute(
            select(User.failed_logins, User.locked_until).where(User.username == username)
        ).first()
    if row is None:
        return 0
    return wait_s(current(policy, Strikes(row[0] or 0, _epoch(row[1])), now), now)


def login_failed(ctx: Context, policy: Backoff, username: str) -> int | None:
    """Count a failed login of `username`: the seconds it now waits (0: still free tries), or None
    when there is no such account. A lock that starts is written to the hall's audit log."""
    now_dt = ctx.clock()
    now = now_dt.timestamp()
    with ctx.db.transaction() as s:
        # NO KEY UPDATE: events of this user's other work only point at the row (core/rows.py)
        u = s.scalar(select(User).where(User.username == username).with_for_update(key_share=True))
        if u is None:
            return None
        strikes = after_failure(policy, Strikes(u.failed_logins or 0, _epoch(u.locked_until)), now)
        assert strikes.until is not None
        u.failed_logins = strikes.failures
        u.locked_until = datetime.fromtimestamp(strikes.until, UTC)
        wait = wait_s(strikes, now)
        if locks(policy, strikes.failures):
            data = {
                "user": {"username": u.username, "name": u.name, "badge": u.badge},
                "failures": strikes.failures,
                "locked_s": wait,
                "until": (now_dt + timedelta(seconds=wait)).isoformat(),
            }
            hall = s.get(Hall, u.hall_id) if u.hall_id is not None else None
            if hall is not None:
                # in the log only: the manager's audit page reads it; it is not pushed to boards
                record(s, hall, names.LOGIN_LOCKED, data, now_dt)
            log.warning(
                "login locked: %s after %d failed tries, for %d s", u.username, strikes.failures, wait
            )
    return wait


def login_succeeded(ctx: Context, username: str) -> None:
    """A good login: the account's failures are forgotten."""
    with ctx.db.transaction() as s:
        u = s.scalar(select(User).where(User.username == username))
        if u is not None and (u.failed_logins or u.locked_until is not None):
            u.failed_logins = 0
            u.locked_until = None
