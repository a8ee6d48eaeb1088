"""Loose ends a new user found (issue 15) in a real browser: a one-category hall's kiosk keeps
its way back and its notice and guide entries; the manager console prints repeat-trip times in
the hall's timezone whatever the browser's; English mode shows the English names a hall set.

A real `hallq serve` process (the `live_hall` fixture) and Debian's Chromium through Playwright,
as in test_browser_live_hall.py.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from server import create_app

from . import test_browser_live_hall as browser_tests
from .test_browser_live_hall import WAIT_MS, PageErrors
from .test_browser_manager_console import log_in

pytestmark = pytest.mark.e2e

browser = browser_tests.browser


def in_hall_db(hall: Any, work: Any) -> Any:
    """Run work(ctx) against the live hall's database (as a `hallq` command would)."""
    app = create_app({"DATABASE_URL": hall.database_url, "SECRET_KEY": "e2e", "ASYNC_MODE": "threading"})
    try:
        return work(app.extensions["hallq"])
    finally:
        app.extensions["hallq"].db.dispose()


def a_repeat_trip_at(ctx: Any, at: datetime) -> None:
    """A trip.repeated event recorded at `at` (as tickets.py records it on a third visit)."""
    from sqlalchemy import select

    from server import event_names as names
    from server.services.core.events import record
    from server.storage.models import Hall

    with ctx.db.transaction() as s:
        hall = s.scalar(select(Hall).where(Hall.code == "demo"))
        data = {
            "ticket": {"id": "x", "number": "A042"},
            "service": "A",
            "service_name": "户籍办理",
            "visits": 3,
            "history": [],
        }
        record(s, hall, names.TRIP_REPEATED, data, at)


def test_repeat_trip_times_are_the_halls_local_time_not_the_browsers(live_hall: Any, browser: Any) -> None:
    """A trip at 01:30 UTC is 09:30 in Shanghai: a manager whose laptop is set to New York still
    reads 09:30 of that day (issue 15 §7)."""
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    hall = live_hall
    in_hall_db(
        hall, lambda ctx: a_repeat_trip_at(ctx, datetime.now(UTC).replace(hour=1, minute=30, second=0))
    )
    day = datetime.now(UTC).strftime("%m-%d")
    errors = PageErrors()
    ctx, page = log_in(browser, errors, hall, "manager", "/manage/", timezone_id="America/New_York")
    row = page.locator("#trips-body tr").first
    expect(row).to_contain_text("A042")
    expect(row.locator("td").first).to_have_text(f"{day} 09:30")
    assert not errors.errors, errors.errors
    ctx.close()


def one_category(ctx: Any) -> None:
    """Every service of the demo hall in one category (a small hall's kiosk)."""
    from sqlalchemy import update

    from server.storage.models import Service

    with ctx.db.transaction() as s:
        s.execute(update(Service).values(category="综合"))


def test_a_one_category_kiosk_keeps_the_notice_and_guide_entries_and_its_way_back(
    live_hall: Any, browser: Any
) -> None:
    """One category, nothing to choose: the start screen lists the services under "我有一次告知单"
    and "办事指南"; "‹ 返回" from the notice keypad comes back to it (issue 15 §2)."""
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    hall = live_hall
    in_hall_db(hall, one_category)
    errors = PageErrors()
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    kiosk = errors.watch(ctx.new_page(), "kiosk")
    kiosk.goto(f"{hall.url}/kiosk/{hall.hall}?token={hall.kiosk_token}")
    home = kiosk.locator("#screen-categories")
    expect(home.locator(".tile.service[data-service='A']")).to_contain_text("户籍办理")
    expect(kiosk.locator("#cat-title")).to_have_text("请选择办理事项")
    expect(kiosk.locator("#btn-notice-entry")).to_be_visible()
    expect(kiosk.locator("#btn-guide-entry")).to_be_visible()

    kiosk.locator("#btn-notice-entry").click()
    expect(kiosk.locator("#screen-notice")).to_be_visible()
    kiosk.locator("#btn-notice-back").click()
    expect(home).to_be_visible()
    expect(kiosk.locator("#btn-notice-entry")).to_be_visible()

    # a number straight from the start screen, and back to it
    home.locator(".tile.service[data-service='A']").click()
    expect(kiosk.locator("#screen-ticket")).to_be_visible()
    kiosk.locator("#btn-done").click()
    expect(home).to_be_visible()
    expect(kiosk.locator("#btn-guide-entry")).to_be_visible()

    kiosk.locator("#btn-guide-entry").click()
    kiosk.wait_for_url(f"**/kiosk/{hall.hall}/guide**")
    assert not errors.errors, errors.errors
    ctx.close()
