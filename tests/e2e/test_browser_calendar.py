"""The working-day calendar and the hall's commitments in a real browser against `hallq serve`:
an admin pastes a year's schedule and sees it; a manager writes the hall's commitments and the
window board shows them."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from .test_browser_live_hall import WAIT_MS, PageErrors, browser
from .test_browser_manager_console import log_in

pytestmark = pytest.mark.e2e

__all__ = ["browser"]


def first_saturday(year: int) -> date:
    d = date(year, 1, 1)
    while d.weekday() != 5:
        d += timedelta(days=1)
    return d


def test_an_admin_pastes_a_years_schedule_and_sees_where_it_comes_from(live_hall: Any, browser: Any) -> None:
    year = date.today().year + 5  # a year nobody covers, whatever the day the test runs
    errors = PageErrors()
    ctx, page = log_in(browser, errors, live_hall, "admin", f"/admin/calendar?year={year}")
    page.wait_for_url(f"**/admin/calendar?year={year}")
    page.wait_for_selector("#cal-status:has-text('没有工作日历')")
    # a make-up workday on a weekday is refused with the API's message, and nothing is imported
    bad = {"holidays": [{"day": f"{year}-01-01", "name": "元旦"}], "workdays": [{"day": f"{year}-01-05"}]}
    page.fill("#cal-json", json.dumps(bad))
    if date(year, 1, 5).weekday() < 5:
        page.click("#cal-import")
        page.wait_for_selector("#messages .alert.error", timeout=WAIT_MS)
        assert "调休上班日只能是周六、周日" in page.inner_text("#messages")
    saturday = first_saturday(year).isoformat()
    good = {
        "holidays": [{"day": f"{year}-01-01", "name": "元旦"}],
        "workdays": [{"day": saturday, "name": "调休"}],
    }
    page.fill("#cal-json", json.dumps(good, ensure_ascii=False))
    page.fill("#cal-doc", "国办发明电（测试）")
    page.click("#cal-import")
    page.wait_for_selector(f"#cal-days:has-text('{saturday}')")
    assert "本大厅导入" in page.inner_text("#cal-source")
    assert "国办发明电（测试）" in page.inner_text("#cal-status")
    r = live_hall.api("GET", f"/calendar/{year}?hall=demo", live_hall.token("manager", "manager"))
    assert r.json()["source"] == "hall" and r.json()["workdays"] == [{"day": saturday, "name": "调休"}]
    ctx.close()
    assert not errors.errors, errors.errors


def test_the_hall_commitments_written_on_the_settings_page_show_on_the_window_board(
    live_hall: Any, browser: Any
) -> None:
    errors = PageErrors()
    ctx, page = log_in(browser, errors, live_hall, "manager", "/admin/")
    page.wait_for_url("**/admin/")
    page.wait_for_selector("#hs-code:has-text('demo')")
    page.fill("#hs-commitments", "首问负责 · 一次告知 · 限时办结")
    page.click("#hs-save")
    page.wait_for_selector("#messages .alert.ok")
    board = errors.watch(ctx.new_page(), "window board")
    board.goto(f"{live_hall.url}/board/demo/window/1")
    board.wait_for_selector("#hall-commitments:has-text('限时办结')")
    assert board.is_visible("#win-promise")
    assert board.locator("#win-promise .promise-services li").count() > 0  # from the guides
    # a guide's fees change: the board's promise line follows without a reload
    manager = live_hall.token("manager", "manager")
    current = live_hall.api("GET", "/halls/demo/services/G/guide").json()["guide"]
    current["fees"] = "工本费 5 元（测试）"
    r = live_hall.api("PUT", "/halls/demo/services/G/guide", manager, json=current)
    assert r.status_code == 200, r.text
    board.wait_for_selector("#win-promise li[data-service='G']:has-text('工本费 5 元（测试）')")
    ctx.close()
    assert not errors.errors, errors.errors
