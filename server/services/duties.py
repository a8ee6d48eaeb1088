"""Background duties across server processes: hold, renew and list the duty leases.

Each server process calls `hold` every few seconds (server/duties.py) for every duty it can run;
the answer says which ones it holds now. The rule of who may take a lease is the domain's
(domain/leases.py); here it is applied in one transaction, with the rows locked (PostgreSQL) or
under SQLite's single writer, so two processes never both take the same duty.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..domain import leases as rules
from ..storage.models import DutyLease
from .core.context import Context


@dataclass(frozen=True)
class Held:
    """A duty this process holds after a `hold` round; `previous` is who held it before, when
    the lease changed hands in this round (None on a renewal or a first take)."""

    duty: str
    taken: bool
    previous: str | None


def hold(ctx: Context, duties: Sequence[str], me: str, pid: int, ttl_s: float) -> list[Held]:
    """Take or renew every lease of `duties` that `me` may hold; returns the ones it holds."""
    now = ctx.clock()
    out: list[Held] = []
    try:
        with ctx.db.transaction() as s:
            rows = {
                r.duty: r
                for r in s.scalars(
                    select(DutyLease).where(DutyLease.duty.in_(list(duties))).with_for_update()
                )
            }
            for duty in duties:
                row = rows.get(duty)
                if row is None:
                    s.add(
                        DutyLease(
                            duty=duty, holder=me, pid=pid, since=now, expires_at=rules.expiry(now, ttl_s)
                        )
                    )
                    out.append(Held(duty, taken=True, previous=None))
                    continue
                if not rules.may_take(row.holder, row.expires_at, me, now):
                    continue
                renewal = row.holder == me and row.pid == pid
                previous = None if row.holder == me else row.holder
                if not renewal:
                    row.since = now
                row.holder, row.pid, row.expires_at = me, pid, rules.expiry(now, ttl_s)
                out.append(Held(duty, taken=not renewal, previous=previous))
    except IntegrityError:  # another process made the same new lease row first: it holds it
        return []
    return out


def release(ctx: Context, duties: Sequence[str], me: str, pid: int) -> None:
    """Give up leases (a clean shutdown): another process takes them at its next round."""
    with ctx.db.transaction() as s:
        s.execute(
            delete(DutyLease).where(
                DutyLease.duty.in_(list(duties)), DutyLease.holder == me, DutyLease.pid == pid
            )
        )


def leases(ctx: Context) -> list[dict[str, Any]]:
    """Every duty lease: who holds it, since when, until when (`hallq duties`, tests)."""
    now = ctx.clock()
    with ctx.db.read() as s:
        return [
            {
                "duty": r.duty,
                "holder": r.holder,
                "pid": r.pid,
                "since": r.since.isoformat(),
                "expires_at": r.expires_at.isoformat(),
                "lapsed": r.expires_at <= now,
            }
            for r in s.scalars(select(DutyLease).order_by(DutyLease.duty))
        ]
