"""好差评 in a real browser: the clerk completes a ticket, the window's rating pad (a second page)
asks at once, the citizen taps 不满意 with a reason, the follow-up appears on the manager's
/manage/complaints with its deadline, the manager verifies it as upheld with a 扣分 decision and
the clerk sees the record on the console. And a pad left alone: it goes back to idle having
stored nothing, and the citizen's phone page can still rate the ticket.

A real `hallq serve` process (the `live_hall` fixture) and Debian's Chromium through Playwright.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from . import test_browser_live_hall as browser_tests
from .test_browser_first_contact import log_in
from .test_browser_live_hall import WAIT_MS, PageErrors, live, shoot

pytestmark = pytest.mark.e2e

browser = browser_tests.browser


def pad_token(hall: Any, window_id: int) -> str:
    """A pad token bound to one window (as `hallq token create --role pad --window ID` makes)."""
    from server import create_app
    from server.services.accounts import create_token

    app = create_app({"DATABASE_URL": hall.database_url, "SECRET_KEY": "e2e", "ASYNC_MODE": "threading"})
    try:
        return create_token(app.extensions["hallq"], "pad", hall.hall, window_id=window_id)
    finally:
        app.extensions["hallq"].db.dispose()


def open_pad(browser: Any, errors: PageErrors, hall: Any, window_id: int, timeout_s: int) -> tuple[Any, Any]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = errors.watch(ctx.new_page(), f"pad {window_id}")
    token = pad_token(hall, window_id)
    page.goto(f"{hall.url}/board/{hall.hall}/window/{window_id}/pad?token={token}&timeout={timeout_s}")
    live(page)
    return ctx, page


def serve_one(hall: Any, clerk: Any, service: str = "F") -> dict[str, Any]:
    ticket = hall.api("POST", "/tickets", hall.kiosk_token, json={"service": service}).json()
    clerk.locator("#btn-call").click()
    from playwright.sync_api import expect

    expect(clerk.locator("#cur-number")).to_have_text(ticket["number"])
    clerk.locator("#btn-start").click()
    expect(clerk.locator("#btn-complete")).to_be_enabled()
    return ticket


def test_bad_rating_on_the_pad_is_verified_and_the_clerk_sees_the_record(
    live_hall: Any, browser: Any
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    hall = live_hall
    errors = PageErrors()

    clerk_ctx, clerk = log_in(browser, errors, hall, "clerk08")
    clerk.locator("#window-grid [data-window-id='8']").click()
    expect(clerk.locator("#workspace")).to_be_visible()
    # the clerk's records live on /clerk/appraisal only (one place): none on the console
    expect(clerk.locator("#my-records")).to_have_count(0)

    pad_ctx, pad = open_pad(browser, errors, hall, 8, 600)
    expect(pad.locator("#pad-idle")).to_be_visible()
    expect(pad.locator("#pad-clerk-name")).not_to_have_text("—")

    manager_ctx, manager = log_in(browser, errors, hall, "manager", "/manage/complaints")
    expect(manager.locator("#complaints-empty")).to_be_visible()

    ticket = serve_one(hall, clerk)
    clerk.locator("#btn-complete").click()

    # ── the pad asks at once; 不满意 asks for a reason ──────────────────────────────────────
    expect(pad.locator("#pad-ask")).to_be_visible()
    expect(pad.locator("#pad-ticket")).to_contain_text(ticket["number"])
    shoot(pad, "pad-ask.png")
    pad.locator("#pad-levels [data-level='2']").click()
    expect(pad.locator("#pad-reasons")).to_be_visible()
    pad.locator("#pad-submit").click()
    expect(pad.locator("#pad-error")).to_be_visible()  # a low rating names a reason
    pad.locator("#pad-reason-list [data-reason='attitude']").click()
    pad.locator("#pad-submit").click()
    expect(pad.locator("#pad-thanks")).to_be_visible()
    expect(pad.locator("#pad-idle")).to_be_visible()

    # ── the follow-up appears live on the manager's page with its deadline ───────────────────
    row = manager.locator("#complaints-body tr.complaint-row")
    expect(row).to_have_count(1)
    code = row.get_attribute("data-complaint-code")
    complaint = hall.api("GET", f"/complaints/{code}", hall.token("manager", "manager")).json()
    assert complaint["source"] == "rating" and complaint["clerk"]["username"] == "clerk08"
    if complaint["due_day"]:
        expect(row.locator(".complaint-due")).to_contain_text(complaint["due_day"])
    shoot(manager, "manage-complaints.png")

    # ── verified upheld with a 扣分 decision ────────────────────────────────────────────────
    row.locator("a").click()
    detail = manager.locator("#complaint-detail")
    expect(detail).to_be_visible()
    expect(detail.locator("#cd-text")).to_contain_text("态度差")
    expect(detail.locator("#cd-evidence input")).not_to_have_count(0)
    detail.locator("#cd-evidence input").first.check()
    detail.locator("#vf-verdict").select_option("upheld")
    detail.locator("#vf-note").fill("调取录像，态度生硬属实")
    detail.locator("#vf-action").fill("批评教育，参加窗口服务规范培训")
    detail.locator("#vf-decision").select_option("deduct")
    detail.locator("#vf-points").fill("2")
    detail.locator("#vf-submit").click()
    expect(detail.locator("#answer-form")).to_be_visible()
    expect(row).to_have_attribute("data-status", "verified")

    # ── the clerk sees the record on their appraisal page (linked from the console) ───────────
    clerk.locator("#my-appraisal-link").click()
    clerk.wait_for_url("**/clerk/appraisal")
    record = clerk.locator("#my-records li[data-decision='deduct']")
    expect(record).to_have_count(1)
    expect(record).to_contain_text("扣分")
    expect(record).to_contain_text("2")

    # ── the clerk's appraisal of the month reflects it: a −2 line traced to the record ─────────
    line = clerk.locator("#my-lines tr", has_text="扣分")
    expect(line).to_have_count(1)
    expect(line.locator(".pts-minus")).to_have_text("-2")

    # ── and the evaluation dashboard counts the bad rating and its follow-up ──────────────────
    manager.goto(f"{hall.url}/manage/evaluation")
    kpi = lambda label: manager.locator(  # noqa: E731
        ".kpi", has=manager.locator(".kpi-label", has_text=re.compile(f"^{label}$"))
    )
    expect(kpi("差评").locator(".kpi-value")).to_have_text("1")
    expect(kpi("满意率").locator(".kpi-value")).to_have_text("0.0%")  # the one rated visit: 不满意

    assert errors.errors == []
    for c in (clerk_ctx, pad_ctx, manager_ctx):
        c.close()


def test_a_pad_left_alone_stores_nothing_and_the_phone_can_still_rate(live_hall: Any, browser: Any) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    hall = live_hall
    errors = PageErrors()

    clerk_ctx, clerk = log_in(browser, errors, hall, "clerk08")
    clerk.locator("#window-grid [data-window-id='8']").click()
    expect(clerk.locator("#workspace")).to_be_visible()
    pad_ctx, pad = open_pad(browser, errors, hall, 8, 5)

    ticket = serve_one(hall, clerk)
    clerk.locator("#btn-complete").click()
    expect(pad.locator("#pad-ask")).to_be_visible()
    # nobody answers: after its timeout the pad is idle again and nothing was stored
    expect(pad.locator("#pad-idle")).to_be_visible()
    offer = hall.api("GET", f"/tickets/{ticket['id']}/rating").json()
    assert offer["rated"] is False and offer["may_rate"] is True

    phone_ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    phone = errors.watch(phone_ctx.new_page(), "ticket phone page")
    phone.goto(f"{hall.url}/t/{ticket['id']}")
    expect(phone.locator("#phone-rating")).to_be_visible()
    phone.locator("#pr-levels [data-level='4']").click()
    expect(phone.locator("#phone-rated")).to_be_visible()
    rated = hall.api("GET", f"/tickets/{ticket['id']}/rating").json()
    assert rated["rated"] is True and rated["level"] == 4 and rated["may_rate"] is False

    assert errors.errors == []
    for c in (clerk_ctx, pad_ctx, phone_ctx):
        c.close()
