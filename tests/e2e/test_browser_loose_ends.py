"""Loose ends a new user found (issue 15) in a real browser: a one-category hall's kiosk keeps
its way back and its notice and guide entries; the manager console prints repeat-trip times in
the hall's timezone whatever the browser's; English mode shows the English names a hall set.

A real `hallq serve` process (the `live_hall` fixture) and Debian's Chromium through Playwright,
as in test_browser_live_hall.py.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from server import create_app

from . import test_browser_live_hall as browser_tests
from .test_browser_live_hall import WAIT_MS, PageErrors, take_anyway
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
    take_anyway(kiosk)
    expect(kiosk.locator("#screen-ticket")).to_be_visible()
    kiosk.locator("#btn-done").click()
    expect(home).to_be_visible()
    expect(kiosk.locator("#btn-guide-entry")).to_be_visible()

    kiosk.locator("#btn-guide-entry").click()
    kiosk.wait_for_url(f"**/kiosk/{hall.hall}/guide**")
    assert not errors.errors, errors.errors
    ctx.close()


#: the demo's categories in English (a hall sets them in 管理 → 事项)
CATEGORY_EN = {
    "公安": "Public security",
    "不动产": "Real estate",
    "人社医保": "Social security",
    "市场监管与税务": "Business & tax",
    "综合": "General",
}
HALL_EN = "Citizen Service Centre (demo)"
CJK = re.compile(r"[\u3400-\u9fff]")


def english_everywhere(hall: Any) -> None:
    """A manager gives the hall, its categories, window 8 and service A's guide their English."""
    manager = hall.token("manager", "manager")
    r = hall.api(
        "PATCH",
        f"/halls/{hall.hall}",
        manager,
        json={
            "name_en": HALL_EN,
            "commitments": "一次告知，限时办结。",
            "commitments_en": "Told once, done on time.",
        },
    )
    assert r.status_code == 200, r.text
    info = hall.api("GET", f"/halls/{hall.hall}", hall.kiosk_token).json()
    for svc in info["services"]:
        r = hall.api(
            "PUT",
            f"/halls/{hall.hall}/services/{svc['code']}",
            manager,
            json={"category_en": CATEGORY_EN[svc["category"]]},
        )
        assert r.status_code == 200, r.text
    r = hall.api(
        "PATCH",
        "/windows/8",
        manager,
        json={"name": "公积金专窗", "name_en": "Housing fund desk"},
    )
    assert r.status_code == 200, r.text
    for code in [svc["code"] for svc in info["services"]]:
        guide = hall.api("GET", f"/halls/{hall.hall}/services/{code}/guide").json()["guide"]
        guide.pop("windows", None)
        for i, m in enumerate(guide["materials"]):
            m["name_en"] = f"Document {i + 1}"
            m["notes_en"] = "as listed" if m.get("notes") else ""
        guide.update(
            steps_en=[f"Step {i + 1}" for i in range(len(guide["steps"]))],
            fees_en="Free" if guide.get("fees") else "",
            legal_basis_en="The regulations" if guide.get("legal_basis") else "",
            keywords_en=["hukou", "residence"] if code == "A" else [],
        )
        r = hall.api("PUT", f"/halls/{hall.hall}/services/{code}/guide", manager, json=guide)
        assert r.status_code == 200, r.text


def no_chinese(page: Any, selector: str) -> None:
    """The configured names on screen here are English (the page's own UI text is translated)."""
    from playwright.sync_api import expect

    for el in page.locator(selector).all():
        expect(el).not_to_have_text(CJK)


def test_english_mode_shows_the_english_names_a_hall_set(live_hall: Any, browser: Any) -> None:
    """?lang=en: hall name, categories, services, window names, commitments, the guide's text and
    chips, "Now at …" and the clerk console use the English a hall set (issue 15 §6)."""
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    hall = live_hall
    english_everywhere(hall)
    clerk = hall.clerk_token("clerk08")
    assert hall.api("POST", "/windows/8/sign-in", clerk).status_code == 200
    errors = PageErrors()
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="en-GB")

    kiosk = errors.watch(ctx.new_page(), "kiosk")
    kiosk.goto(f"{hall.url}/kiosk/{hall.hall}?token={hall.kiosk_token}&lang=en")
    expect(kiosk.locator("#category-tiles .tile[data-category='人社医保'] .tile-name")).to_have_text(
        "Social security"
    )
    expect(kiosk.locator("#hall-name")).to_have_text(HALL_EN)
    no_chinese(kiosk, "#category-tiles .tile-name, #category-tiles .tile-list")
    kiosk.locator("#category-tiles .tile[data-category='人社医保']").click()
    expect(kiosk.locator("#svc-title")).to_have_text("Social security")
    no_chinese(kiosk, "#service-tiles .tile-name, #service-tiles .tile-promise")
    kiosk.locator("#service-tiles .tile[data-service='F']").click()
    expect(kiosk.locator("#ticket-service")).to_have_text("Housing provident fund")
    ticket_id = kiosk.locator("#screen-ticket").get_attribute("data-ticket-id")

    board = errors.watch(ctx.new_page(), "hall board")
    board.goto(f"{hall.url}/board/{hall.hall}?token={hall.board_token}&lang=en")
    expect(board.locator("#hall-name")).to_have_text(HALL_EN)
    expect(board.locator("#waiting li[data-service='F'] .w-name")).to_have_text("Housing provident fund")
    no_chinese(board, "#hall-name, #waiting .w-name")

    window = errors.watch(ctx.new_page(), "window board")
    window.goto(f"{hall.url}/board/{hall.hall}/window/8?token={hall.board_token}&lang=en")
    expect(window.locator("#win-name")).to_have_text("Housing fund desk")
    expect(window.locator("#hall-commitments")).to_have_text("Told once, done on time.")
    expect(window.locator("#win-services .svc-chip")).to_contain_text(["Housing provident fund"])
    no_chinese(window, "#win-name, #win-services .svc-chip, #win-promise li, #hall-commitments")

    guide = errors.watch(ctx.new_page(), "kiosk guide")
    guide.goto(f"{hall.url}/kiosk/{hall.hall}/guide?service=A&lang=en")
    expect(guide.locator("#g-name")).to_have_text("Household registration")
    expect(guide.locator("#g-sub")).to_have_text("Public security")
    expect(guide.locator("#g-materials .m-name").first).to_have_text("Document 1")
    no_chinese(
        guide, "#g-name, #g-sub, #g-materials .m-name, #g-materials .m-notes, #g-steps li, #g-fees, #g-basis"
    )
    expect(guide.locator("#hot")).to_contain_text("hukou")

    # the clerk calls the number: the phone page and the console say where, in English
    called = hall.api("POST", "/windows/8/call-next", clerk)
    assert called.status_code == 200 and called.json()["id"] == ticket_id, called.text
    phone = errors.watch(ctx.new_page(), "phone")
    phone.goto(f"{hall.url}/t/{ticket_id}?lang=en")
    expect(phone.locator("#t-service")).to_have_text("Housing provident fund")
    no_chinese(phone, "#ph-hall, #t-service, #t-promise")

    console_ctx, console = log_in(browser, errors, hall, "clerk08", "/clerk/?lang=en")
    expect(console.locator("#cur-service")).to_have_text("Housing provident fund")
    expect(console.locator("#hall-name")).to_have_text(HALL_EN)
    assert not errors.errors, errors.errors
    console_ctx.close()
    ctx.close()
