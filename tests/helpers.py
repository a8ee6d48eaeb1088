"""Test helpers (`gen_*`) shared by the integration, web and end-to-end tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from server.services.accounts import create_token
from server.services.core.context import Context
from server.services.core.principal import Principal


@dataclass
class FakeClock:
    """A controllable hall clock: tests move time instead of sleeping."""

    now: datetime = datetime(2026, 11, 27, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now = self.now + timedelta(**delta)
        return self.now


def gen_hall(
    ctx: Context,
    code: str = "other",
    name: str = "别处",
    people: tuple[tuple[str, str, str], ...] = (),
    services: tuple[str, ...] = (),
) -> None:
    """A second hall (the attacker's, or a neighbour's): `people` as (username, role, name), each
    with the password "hallq-demo"; `services` as codes (also the prefix)."""
    from server.services.core.credentials import create_user
    from server.storage.models import Hall, Service

    with ctx.db.transaction() as s:
        hall = Hall(
            code=code, name=name, timezone="Asia/Shanghai", rollover_hour=0, seq=0, created_at=ctx.clock()
        )
        s.add(hall)
        s.flush()
        for i, svc in enumerate(services):
            s.add(Service(hall_id=hall.id, code=svc, prefix=svc, name=f"{name}{svc}", category="", sort=i))
        for username, role, person in people:
            create_user(s, username, "hallq-demo", role, person, hall)


def gen_token(ctx: Context, role: str, user: str | None = None, hall: str = "demo") -> str:
    return create_token(ctx, role, hall, user)


def principal(ctx: Context, role: str, user: str | None = None, hall: str = "demo") -> Principal:
    from server.services.accounts import principal_for_token

    p = principal_for_token(ctx, gen_token(ctx, role, user, hall))
    assert p is not None
    return p


def bearer(token: str) -> dict[str, Any]:
    return {"Authorization": f"Bearer {token}"}
