"""The hall's plan (services/core/estimates.py) is built once for the requests that find it
stale together: a busy hall's play-forward costs O(waiting²), and building it once per waiting
request made a 10,000-ticket hall fall behind (docs/performance.md, "Open loop")."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from sqlalchemy import select

from server.services import tickets as ts
from server.services.core import estimates
from server.storage.models import Hall
from tests.helpers import principal

ASKERS = 8


@pytest.fixture
def slow_builds(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Count the plan builds, each made slow enough that every asker comes while it runs."""
    builds: list[float] = []
    real = estimates.build_plan

    def counted(ctx: Any, s: Any, hall: Hall) -> estimates.Plan:
        builds.append(time.monotonic())
        time.sleep(0.3)
        return real(ctx, s, hall)

    monkeypatch.setattr(estimates, "build_plan", counted)
    return builds


def _ask_at_once(ctx: Any, stale_ok: bool) -> list[estimates.Plan]:
    plans: list[estimates.Plan] = []
    errors: list[BaseException] = []
    start = threading.Barrier(ASKERS)

    def ask() -> None:
        try:
            with ctx.db.read() as s:
                hall = s.scalar(select(Hall).where(Hall.code == "demo"))
                start.wait()
                plans.append(estimates.hall_plan_cached(ctx, s, hall, stale_ok=stale_ok))
        except BaseException as err:  # noqa: BLE001 - raised below, in the test's thread
            errors.append(err)

    threads = [threading.Thread(target=ask) for _ in range(ASKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    assert len(plans) == ASKERS
    return plans


def test_a_stale_plan_is_rebuilt_once_for_every_issue_that_finds_it_stale(ctx, clock, slow_builds):
    ts.issue_ticket(ctx, principal(ctx, "kiosk"), "A")  # builds the first plan
    assert len(slow_builds) == 1
    clock.advance(seconds=estimates.STALE_S + 1)
    plans = _ask_at_once(ctx, stale_ok=True)
    assert len(slow_builds) == 2, "one rebuild, not one per asker"
    # the asks that came while it was being built kept the last plan: each has one of the two
    assert {p.built_at for p in plans} <= {
        clock.now.timestamp(),
        clock.now.timestamp() - estimates.STALE_S - 1,
    }


def test_the_phone_pages_asking_after_an_event_share_the_build(ctx, clock, slow_builds):
    kiosk = principal(ctx, "kiosk")
    ts.issue_ticket(ctx, kiosk, "A")
    ts.issue_ticket(ctx, kiosk, "A")  # the hall's seq moved: the plan is out of date
    before = len(slow_builds)
    plans = _ask_at_once(ctx, stale_ok=False)
    # who asks while it is built waits for it, and takes it: it was built at the seq they saw
    assert len(slow_builds) - before == 1
    assert all(p.counts["A"] == 2 for p in plans)
