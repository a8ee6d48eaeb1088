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


def gen_token(ctx: Context, role: str, user: str | None = None, hall: str = "demo") -> str:
    return create_token(ctx, role, hall, user)


def principal(ctx: Context, role: str, user: str | None = None, hall: str = "demo") -> Principal:
    from server.services.accounts import principal_for_token

    p = principal_for_token(ctx, gen_token(ctx, role, user, hall))
    assert p is not None
    return p


def bearer(token: str) -> dict[str, Any]:
    return {"Authorization": f"Bearer {token}"}
