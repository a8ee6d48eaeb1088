"""Cases in a real browser (限时办结制, 督办): the clerk completes a ticket as accepted from the
console's outcome dialog, the case appears on the clerk's list with its due date and its yellow
mark, the manager's cases page lists it live and puts it under supervision, the owner answers on
the console, then completes and delivers it and it leaves the list.

A real `hallq serve` process (the `live_hall` fixture) and Debian's Chromium through Playwright.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.fakeprinter import FakePrinter

from . import test_browser_live_hall as browser_tests
from .test_browser_first_contact import log_in
from .test_browser_live_hall import WAIT_MS, PageErrors, live, shoot

pytestmark = pytest.mark.e2e

browser = browser_tests.browser


def test_accept_supervise_answer_complete_and_deliver(live_hall: Any, browser: Any) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    hall = live_hall
    errors = PageErrors()

    # window 8 has a slip printer: the acceptance receipt (受理回执) comes out there
    printer = FakePrinter(mode="accept").start()
    hall.add_window_printer(printer.spec, 8)

    # ── clerk08 (window 8, 公积金 F: promised 1 working day, so the case is yellow at once) ────
    clerk_ctx, clerk = log_in(browser, errors, hall, "clerk08")
    clerk.locator("#window-grid [data-window-id='8']").click()
    expect(clerk.locator("#workspace")).to_be_visible()
    expect(clerk.locator("#cases-empty")).to_be_visible()
    number = hall.api("POST", "/tickets", hall.kiosk_token, json={"service": "F"}).json()["number"]
    clerk.locator("#btn-call").click()
    expect(clerk.locator("#cur-number")).to_have_text(number)
    expect(clerk.locator("#btn-outcome")).to_be_disabled()
    clerk.locator("#btn-start").click()
    expect(clerk.locator("#btn-outcome")).to_be_enabled()

    # the manager watches the hall's yellow and red cases
    manager_ctx, manager = log_in(browser, errors, hall, "manager", "/manage/cases")
    expect(manager.locator("#cases-empty")).to_be_visible()

    # ── the outcome dialog: a refusal without its explanation is refused, then 受理 ──────────
    clerk.locator("#btn-outcome").click()
    dialog = clerk.locator("#outcome-dialog")
    expect(dialog).to_be_visible()
    dialog.locator("input[name=outcome][value=refused]").check()
    expect(dialog.locator("#outcome-refuse")).to_be_visible()
    dialog.locator("#outcome-submit").click()
    expect(dialog.locator("#outcome-error")).to_contain_text("说明理由")
    expect(clerk.locator("#cur-number")).to_have_text(number)  # nothing changed
    dialog.locator("input[name=outcome][value=accepted]").check()
    expect(dialog.locator("#outcome-accept")).to_be_visible()
    dialog.locator("#outcome-materials").fill("居民身份证\n住房公积金提取申请表")
    dialog.locator("#outcome-submit").click()
    expect(dialog).to_be_hidden()
    expect(clerk.locator("#messages")).to_contain_text("已受理，办件编号")
    expect(clerk.locator("#cur-number")).to_have_text("—")

    row = clerk.locator("#cases-body tr.case-row")
    expect(row).to_have_count(1)
    case_number = row.get_attribute("data-case-number")
    code = row.get_attribute("data-case-code")
    assert case_number and case_number.endswith("-F-0001")
    case = hall.api("GET", f"/cases/{code}", hall.token("manager", "manager")).json()
    assert case["materials"] == [{"name": "居民身份证"}, {"name": "住房公积金提取申请表"}]
    if case["due"]:  # a hall day whose next working day is in a covered year
        expect(row.locator(".case-due")).to_have_text(case["due"])
        expect(row).to_have_attribute("data-urgency", "yellow")
        expect(row.locator(".urgency.yellow")).to_have_text("临期")
    # the receipt printed at the window: case number and promised date in GB18030, QR to /c/<code>
    assert printer.wait_for_jobs(1, timeout=15.0), "the receipt reached the window's printer"
    slip = printer.received
    text = slip.decode("gb18030", errors="replace")
    assert "受理回执" in text and case_number in text
    assert f"承诺办结日期：{case['due']}" in text if case["due"] else "承诺办结日期：待定" in text
    assert f"/c/{code}".encode() in slip

    # ── live on the manager's page; 督办 with a note and a reply-by date ─────────────────────
    mrow = manager.locator(f"#cases-body tr[data-case-code='{code}']")
    if case["urgency"] == "green":
        manager.locator("#f-scope").select_option("open")
    expect(mrow).to_contain_text(case_number)
    mrow.locator("[data-case-action=supervise]").click()
    sdlg = manager.locator("#supervise-dialog")
    expect(sdlg).to_be_visible()
    sdlg.locator("#supervise-note").fill("请今日内说明进展")
    sdlg.locator("#supervise-ok").click()
    expect(sdlg).to_be_hidden()
    expect(mrow.locator(".sup")).to_contain_text("督办中")
    shoot(manager, "manage-cases.png")

    # ── the owner is told at once and answers on the console ────────────────────────────────
    expect(clerk.locator("#messages")).to_contain_text(f"办件 {case_number} 被督办")
    answer = row.locator("[data-case-action=answer]")
    expect(answer).to_be_visible()
    clerk.locator("#my-cases").scroll_into_view_if_needed()
    shoot(clerk, "clerk-cases.png")
    answer.click()
    cdlg = clerk.locator("#case-dialog")
    expect(cdlg.locator("#case-supervision")).to_contain_text("请今日内说明进展")
    cdlg.locator("#case-submit").click()
    expect(cdlg.locator("#case-error")).to_be_visible()  # an empty answer is refused
    cdlg.locator("#case-answer").fill("材料已齐，今日办结")
    cdlg.locator("#case-submit").click()
    expect(cdlg).to_be_hidden()
    expect(row.locator("[data-case-action=answer]")).to_have_count(0)
    expect(mrow.locator(".sup")).to_contain_text("已答复：材料已齐，今日办结")

    # ── 请示: the owner asks the manager; the answer comes back; the citizen is told (反馈) ──
    row.locator("[data-case-action=escalate]").click()
    edlg = clerk.locator("#esc-dialog")
    expect(edlg).to_be_visible()
    edlg.locator("#esc-submit").click()
    expect(edlg.locator("#esc-error")).to_be_visible()  # an empty question is refused
    edlg.locator("#esc-text").fill("申请人要求邮寄送达，是否可以？")
    edlg.locator("#esc-submit").click()
    expect(edlg).to_be_hidden()
    mine = clerk.locator("#esc-body tr.esc-row")
    expect(mine).to_have_attribute("data-status", "asked")
    erow = manager.locator("#esc-body tr.esc-row")
    expect(erow).to_contain_text("申请人要求邮寄送达")
    expect(erow).to_contain_text(case_number)
    erow.locator("[data-esc-action=answer]").click()
    mdlg = manager.locator("#esc-dialog")
    mdlg.locator("#esc-answer").fill("可以，邮寄费用由申请人承担")
    mdlg.locator("#esc-ok").click()
    expect(manager.locator("#esc-body tr")).to_have_count(0)
    expect(clerk.locator("#messages")).to_contain_text("可以，邮寄费用由申请人承担")
    expect(mine).to_have_attribute("data-status", "answered")
    mine.locator("[data-esc-action=feedback]").click()
    expect(edlg.locator("#esc-answer-line")).to_contain_text("可以，邮寄费用由申请人承担")
    edlg.locator("#esc-text").fill("已电话告知申请人：可以邮寄，运费自付")
    edlg.locator("#esc-submit").click()
    expect(edlg).to_be_hidden()
    expect(clerk.locator("#esc-body tr")).to_have_count(0)

    # ── completed, then delivered by post (the tracking text is required) ───────────────────
    row.locator("[data-case-action=complete]").click()
    expect(row).to_have_attribute("data-status", "completed")
    row.locator("[data-case-action=deliver]").click()
    cdlg.locator("#case-method").select_option("post")
    cdlg.locator("#case-submit").click()
    expect(cdlg.locator("#case-error")).to_be_visible()
    cdlg.locator("#case-note").fill("EMS 1180000000000")
    cdlg.locator("#case-submit").click()
    expect(cdlg).to_be_hidden()
    expect(clerk.locator("#cases-body tr")).to_have_count(0)
    expect(clerk.locator("#cases-empty")).to_be_visible()
    expect(mrow).to_have_count(0)
    delivered = hall.api("GET", f"/cases/{code}", hall.token("manager", "manager")).json()
    assert delivered["status"] == "delivered" and delivered["delivery_note"] == "EMS 1180000000000"
    assert [s["kind"] for s in delivered["steps"]] == [
        "accepted",
        "supervised",
        "answered",
        "completed",
        "delivered",
    ]
    # ── the citizen's phone page (the receipt's QR) shows it delivered; they confirm it ──────
    phone_ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    phone = errors.watch(phone_ctx.new_page(), "case phone page")
    phone.goto(f"{hall.url}/c/{code}")
    expect(phone.locator("#case-status")).to_have_text("已送达")
    # the page keeps itself current: a change made elsewhere shows without a reload
    phone.evaluate("document.getElementById('case-status').textContent = 'stale'")
    phone.evaluate("window.hallq.refreshCase()")
    expect(phone.locator("#case-status")).to_have_text("已送达")
    expect(phone.locator("#case-delivery")).to_contain_text("EMS 1180000000000")
    expect(phone.locator("#case-owner")).to_contain_text("黄丽")
    expect(phone.locator("#case-replies")).to_contain_text("已电话告知申请人：可以邮寄，运费自付")
    expect(phone.locator("#case-page")).not_to_contain_text("邮寄费用由申请人承担")  # staff's words
    phone.locator("#btn-confirm").click()
    expect(phone.locator("#case-confirmed")).to_be_visible()
    live(clerk)
    printer.stop()
    assert errors.errors == []
    for c in (clerk_ctx, manager_ctx, phone_ctx):
        c.close()
