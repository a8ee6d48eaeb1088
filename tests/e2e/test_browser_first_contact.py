"""First contact in a real browser: a misdirected citizen is transferred without queueing again,
the first clerk follows the matter to the end, and a one-time notice brings the citizen back on
the fast lane (首办责任制, 一次告知制).

A real `hallq serve` process (the `live_hall` fixture) and Debian's Chromium through Playwright,
as in test_browser_live_hall.py; the screenshots go to docs/screenshots/.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from . import test_browser_live_hall as browser_tests
from .test_browser_live_hall import WAIT_MS, PageErrors, live, shoot, take_anyway

pytestmark = pytest.mark.e2e

#: the same Chromium (and the same skip / HALLQ_TEST_REQUIRE_BROWSER rules) as the live-hall test
browser = browser_tests.browser

#: used when the demo hall has no guide for 社保医保 (C) yet
GUIDE_C = {
    "materials": [
        {"id": "m1", "name": "居民身份证", "form": "original_and_copy", "copies": 1, "required": True},
        {"id": "m2", "name": "社会保障卡", "form": "original", "copies": 1, "required": True},
        {"id": "m3", "name": "户口簿复印件", "form": "copy", "copies": 1, "required": False},
    ],
    "steps": ["取号", "窗口受理", "办结"],
    "fees": "免费",
}
NOTICE_CODE = re.compile(r"^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$")


def log_in(
    browser: Any, errors: PageErrors, hall: Any, username: str, path: str = "/clerk/"
) -> tuple[Any, Any]:
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = errors.watch(ctx.new_page(), username)
    page.goto(f"{hall.url}{path}")
    page.fill("input[name='username']", username)
    page.fill("input[name='password']", hall.password)
    page.click("form.login-card button[type='submit']")
    page.wait_for_url(re.compile(re.escape(path) + "$"))
    live(page)
    return ctx, page


def guide_materials(hall: Any) -> list[dict[str, Any]]:
    """The materials of service C's guide; a guide is set (as a manager) when the demo has none."""
    r = hall.api("GET", f"/halls/{hall.hall}/services/C/guide")
    if r.status_code == 200:
        body = r.json()
        materials = (body.get("guide") or body).get("materials") or []
        if materials:
            return list(materials)
    r = hall.api(
        "PUT", f"/halls/{hall.hall}/services/C/guide", hall.token("manager", "manager"), json=GUIDE_C
    )
    assert r.status_code == 200, r.text
    body = r.json()
    return list((body.get("guide") or body)["materials"])


def test_transfer_follow_up_and_notice_round_trip(live_hall: Any, browser: Any) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    hall = live_hall
    errors = PageErrors()
    clerk08 = hall.clerk_token("clerk08")
    assert hall.api("POST", "/windows/8/sign-in", clerk08).status_code == 200  # 公积金 (F) is open at 8

    # ── a citizen takes a 社保 (C) number at the kiosk; a 公积金 (F) citizen comes after ──────
    kiosk_ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    kiosk = errors.watch(kiosk_ctx.new_page(), "kiosk")
    kiosk.goto(f"{hall.url}/kiosk/{hall.hall}?token={hall.kiosk_token}")
    expect(kiosk.locator("#category-tiles .tile").first).to_be_visible()
    live(kiosk)
    kiosk.locator("#category-tiles .tile[data-category='人社医保']").click()
    kiosk.locator("#service-tiles .tile[data-service='C']").click()
    take_anyway(kiosk)  # nobody at 社保 yet
    expect(kiosk.locator("#ticket-number")).to_have_text("C001")
    expect(kiosk.locator("#ticket-fastlane")).to_be_hidden()
    sb_id = kiosk.locator("#screen-ticket").get_attribute("data-ticket-id")
    kiosk.locator("#btn-done").click()
    later = hall.api("POST", "/tickets", hall.kiosk_token, json={"service": "F"}).json()
    assert later["number"] == "F001"

    # the hall board and the citizen's phone are open before anything happens
    board_ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    board = errors.watch(board_ctx.new_page(), "hall board")
    board.goto(f"{hall.url}/board/{hall.hall}?token={hall.board_token}")
    live(board)
    expect(board.locator("#transfers-panel")).to_be_hidden()
    phone_ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN")
    phone = errors.watch(phone_ctx.new_page(), "phone")
    phone.goto(f"{hall.url}/t/{sb_id}")
    live(phone)
    expect(phone.locator("#transfer-banner")).to_be_hidden()

    # ── clerk06 (window 6, 社保) calls, starts, and finds the citizen needs 公积金: transfer ───
    clerk_ctx, clerk = log_in(browser, errors, hall, "clerk06")
    clerk.locator("#window-grid [data-window-id='6']").click()
    expect(clerk.locator("#workspace")).to_be_visible()
    expect(clerk.locator("#btn-transfer")).to_be_disabled()
    expect(clerk.locator("#follow-empty")).to_be_visible()
    clerk.locator("#btn-call").click()
    expect(clerk.locator("#cur-number")).to_have_text("C001")
    expect(clerk.locator("#btn-transfer")).to_be_enabled()
    clerk.locator("#btn-start").click()
    expect(clerk.locator("#cur-status")).to_have_text("办理中")
    expect(clerk.locator("#cur-owner")).to_contain_text("杨帆")  # the first clerk owns the matter
    expect(clerk.locator("#cur-owner")).to_contain_text("本人")

    clerk.locator("#btn-transfer").click()
    dialog = clerk.locator("#transfer-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#transfer-number")).to_have_text("C001")
    expect(dialog.locator(".fc-choice[data-service='C']")).to_be_disabled()  # its own service
    f_choice = dialog.locator(".fc-choice[data-service='F']")
    expect(f_choice).to_contain_text("8")  # open at window 8
    expect(dialog.locator(".fc-choice[data-service='E']")).to_contain_text("暂无开放窗口")
    dialog.locator("#transfer-submit").click()
    expect(dialog.locator("#transfer-error")).to_have_text("请选择转办的事项或窗口")
    # a window that is not open is refused by the server, and the dialog says what to do
    dialog.locator("#tab-window").click()
    expect(dialog.locator("#transfer-windows .fc-choice[data-window-id='8']")).to_contain_text("服务中")
    dialog.locator("#transfer-windows .fc-choice[data-window-id='7']").click()
    dialog.locator("#transfer-reason").fill("走错窗口")
    dialog.locator("#transfer-submit").click()
    expect(dialog.locator("#transfer-error")).to_contain_text("该窗口当前未开放")
    expect(dialog).to_be_visible()
    dialog.locator("#transfer-reason").fill("")
    dialog.locator("#tab-service").click()
    f_choice.click()
    expect(f_choice).to_have_class(re.compile(r"\bselected\b"))
    dialog.locator("#transfer-submit").click()
    expect(dialog.locator("#transfer-error")).to_have_text("请填写转办原因")
    dialog.locator("#reason-chips .chip-btn", has_text="应办理其他事项").click()
    expect(dialog.locator("#transfer-reason")).to_have_value("应办理其他事项")
    shoot(clerk, "clerk-transfer.png")
    dialog.locator("#transfer-submit").click()
    expect(dialog).to_be_hidden()
    expect(clerk.locator("#messages")).to_contain_text("已转办：C001 请到 8 号窗口")
    expect(clerk.locator("#cur-number")).to_have_text("—")

    # the hall board says where to go; the phone keeps the place and says so too
    expect(board.locator("#call-banner")).to_have_text("C001 请到 8 号窗口")
    item = board.locator("#transfers .transfer-item[data-ticket-number='C001']")
    expect(item).to_contain_text("C001 请到 8 号窗口")
    expect(item).to_contain_text("已转至 公积金")
    expect(item).to_have_attribute("data-windows", "8")
    expect(board.locator("#waiting li[data-service='F'] .w-count b")).to_have_text("2")
    # hall-board-transfer.png comes from test_browser_boards_fit.py (three transfers at once)
    expect(phone.locator("#transfer-banner")).to_be_visible()
    expect(phone.locator("#transfer-title")).to_have_text("已转至 公积金，请留意叫号")
    expect(phone.locator("#transfer-message")).to_have_text("C001 请到 8 号窗口")
    expect(phone.locator("#t-number")).to_have_text("C001")
    expect(phone.locator("#t-ahead")).to_have_text("0")  # ahead of F001, who came later

    # clerk06 follows the matter on
    row = clerk.locator("#follow-body tr[data-ticket-number='C001']")
    expect(row).to_contain_text("公积金")
    expect(row).to_contain_text("排队等候")
    expect(clerk.locator("#follow-empty")).to_be_hidden()

    # ── clerk08 (window 8, 公积金) calls next: C001 before F001, though F001 was taken later ───
    called = hall.api("POST", "/windows/8/call-next", clerk08)
    assert called.status_code == 200, called.text
    assert called.json()["number"] == "C001" and called.json()["id"] == sb_id
    assert called.json()["owner"]["username"] == "clerk06"
    expect(row).to_contain_text("在 8 号窗口")
    expect(row).to_have_attribute("data-status", "called")
    expect(board.locator("#transfers .transfer-item")).to_have_count(0)  # called: no longer lost
    shoot(clerk, "clerk-follow-ups.png")
    assert hall.api("POST", f"/tickets/{sb_id}/start", clerk08).status_code == 200
    assert hall.api("POST", f"/tickets/{sb_id}/complete", clerk08).status_code == 200
    expect(clerk.locator("#follow-notes")).to_contain_text("您首办的 C001 已在 8 号窗口办结")
    expect(clerk.locator("#follow-body tr")).to_have_count(0)
    expect(clerk.locator("#follow-empty")).to_be_visible()
    assert hall.api("POST", "/windows/8/call-next", clerk08).json()["number"] == "F001"

    # ── one-time notice from the console ────────────────────────────────────────────────────
    materials = guide_materials(hall)
    ticked = materials[0]
    assert hall.api("POST", "/tickets", hall.kiosk_token, json={"service": "C"}).json()["number"] == "C002"
    clerk.locator("#btn-call").click()
    expect(clerk.locator("#cur-number")).to_have_text("C002")
    expect(clerk.locator("#notice-back")).to_be_hidden()
    clerk.locator("#btn-notice").click()
    nd = clerk.locator("#notice-dialog")
    expect(nd).to_be_visible()
    box = nd.locator(f".material[data-material='{ticked['id']}']")
    expect(box).to_contain_text(ticked["name"])
    expect(nd.locator(".material")).to_have_count(len(materials))
    box.locator("input").check()
    nd.locator("#free-item").fill("单位开具的在职证明")
    nd.locator("#free-add").click()
    expect(nd.locator("#free-list li")).to_have_count(1)
    nd.locator("#notice-note").fill("复印件请加盖单位公章")
    nd.locator("#notice-submit").click()
    expect(nd.locator("#notice-done")).to_be_visible()
    code = nd.locator("#notice-code").inner_text().strip()
    assert NOTICE_CODE.match(code), code
    expect(nd.locator("#notice-print")).to_have_attribute("data-state", "none")  # window 6 has no printer
    print_href = nd.locator("#notice-print-link").get_attribute("href")
    # the pages open with the notice's page token, never with the guessable short code
    assert print_href and re.search(r"/n/[A-Za-z0-9_-]{16}/print$", print_href), print_href
    phone_url = print_href[: -len("/print")]
    assert nd.locator("#notice-print-link").get_attribute("target") == "_blank"
    nd.locator("#notice-done [data-close]").click()
    expect(nd).to_be_hidden()

    # the printable A4 page and the phone page of the notice
    a4_ctx = browser.new_context(viewport={"width": 900, "height": 1200}, locale="zh-CN")
    a4 = errors.watch(a4_ctx.new_page(), "notice A4")
    a4.goto(print_href)
    expect(a4.locator("h1")).to_have_text("一次性告知单")
    items = a4.locator("#notice-items tbody tr")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text(ticked["name"])
    expect(items.nth(1)).to_contain_text("单位开具的在职证明")
    expect(a4.locator("#notice-a4")).to_contain_text("社保医保")
    expect(a4.locator("#notice-a4")).to_contain_text("C002")
    expect(a4.locator("#notice-a4")).to_contain_text("6号窗口")
    expect(a4.locator("#notice-a4")).to_contain_text("杨帆")
    expect(a4.locator("#notice-a4")).to_contain_text("复印件请加盖单位公章")
    expect(a4.locator("#notice-a4")).to_contain_text("依据《一次告知制》")
    expect(a4.locator(".a4-code")).to_have_text(code)
    a4.wait_for_function(
        "() => { const i = document.querySelector('.a4-qr'); return i.complete && i.naturalWidth > 0; }"
    )
    a4.emulate_media(media="print")
    shoot(a4, "notice-a4.png")
    a4.emulate_media(media="screen")
    a4.goto(phone_url)
    expect(a4.locator("#notice-code")).to_have_text(code)
    expect(a4.locator("#notice-items li")).to_have_count(2)
    expect(a4.locator("#notice-page")).to_contain_text("再次来办时在取号机输入编号，优先叫号")

    clerk.locator("#btn-start").click()
    expect(clerk.locator("#cur-status")).to_have_text("办理中")
    clerk.locator("#btn-complete").click()
    expect(clerk.locator("#cur-number")).to_have_text("—")

    # ── the manager console watches transfers, notices and repeat trips ───────────────────────
    manage_ctx, manage = log_in(browser, errors, hall, "manager", "/manage/")
    bar = manage.locator("#transfer-bars .bar-row[data-from='C'][data-to='F']")
    expect(bar).to_have_attribute("data-count", "1")
    expect(bar).to_contain_text("社保医保 C → 公积金 F")
    expect(manage.locator("#notice-bars .bar-row[data-service='C']")).to_have_attribute("data-count", "1")
    expect(manage.locator("#trips-empty")).to_be_visible()

    # ── back with the notice: keypad at the kiosk → a priority ticket, the fast-lane mark ─────
    kiosk.locator("#btn-notice-entry").click()
    expect(kiosk.locator("#screen-notice")).to_be_visible()
    submit = kiosk.locator("#notice-submit")
    expect(submit).to_be_disabled()
    wrong = "222222" if code != "222222" else "333333"
    for ch in wrong:
        kiosk.locator(f"#notice-keypad .key[data-key='{ch}']").click()
    expect(kiosk.locator("#notice-code")).to_have_attribute("data-code", wrong)
    submit.click()
    expect(kiosk.locator("#notice-error")).to_contain_text("没有找到这张告知单")
    expect(kiosk.locator("#screen-notice")).to_be_visible()
    kiosk.locator("#notice-clear").click()
    for ch in code:
        kiosk.locator(f"#notice-keypad .key[data-key='{ch}']").click()
    expect(submit).to_be_enabled()
    submit.click()
    expect(kiosk.locator("#screen-ticket")).to_be_visible()
    expect(kiosk.locator("#ticket-number")).to_have_text("C003")
    expect(kiosk.locator("#ticket-service")).to_have_text("社保医保")
    expect(kiosk.locator("#ticket-fastlane")).to_have_text("绿色通道（一次告知单返回）")
    kiosk.locator("#btn-done").click()

    # a USB scanner types the notice's QR (its page URL) on the start screen while C003 waits:
    # one return at a time — no second priority number of the same citizen (issue 15, item 1)
    expect(kiosk.locator("#screen-categories")).to_be_visible()
    kiosk.keyboard.type(phone_url)
    kiosk.keyboard.press("Enter")
    expect(kiosk.locator("#screen-notice")).to_be_visible()
    expect(kiosk.locator("#notice-error")).to_contain_text("已取号 C003")
    expect(kiosk.locator("#screen-ticket")).to_be_hidden()
    kiosk.locator("#btn-notice-back").click()

    # ── the next clerk sees the notice the citizen came back with ─────────────────────────────
    clerk.locator("#btn-call").click()
    expect(clerk.locator("#cur-number")).to_have_text("C003")
    panel = clerk.locator("#notice-back")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text(f"该群众持一次告知单 {code} 返回")
    expect(panel).to_contain_text(ticked["name"])
    expect(panel).to_contain_text("单位开具的在职证明")
    expect(panel).to_contain_text("复印件请加盖单位公章")

    # asking now for an item the notice did not list needs a reason for exactly that item
    other = next((m for m in materials if m["id"] != ticked["id"]), None)
    if other is not None:
        clerk.locator("#btn-notice").click()
        expect(nd.locator(".material").first).to_be_visible()
        expect(nd.locator(f".material[data-material='{ticked['id']}']")).to_contain_text("上次已告知")
        nd.locator(f".material[data-material='{ticked['id']}'] input").check()
        nd.locator(f".material[data-material='{other['id']}'] input").check()
        nd.locator("#notice-submit").click()
        reasons = nd.locator("#notice-reasons")
        expect(reasons).to_be_visible()
        expect(reasons).to_contain_text(other["name"])
        expect(reasons.locator("input")).to_have_count(1)
        reasons.locator("input").fill("政策调整后新增")
        nd.locator("#notice-submit").click()
        expect(nd.locator("#notice-done")).to_be_visible()
        assert nd.locator("#notice-code").inner_text().strip() != code
        nd.locator("#notice-done [data-close]").click()

    for c in (kiosk_ctx, board_ctx, phone_ctx, clerk_ctx, a4_ctx, manage_ctx):
        c.close()
    assert errors.errors == []


def test_notice_pages_need_a_known_code(live_hall: Any) -> None:
    """No browser needed: the phone and A4 pages of a notice, its QR code, and 404s."""
    hall = live_hall
    clerk = hall.clerk_token("clerk06")
    assert hall.api("POST", "/windows/6/sign-in", clerk).status_code == 200
    assert hall.api("POST", "/tickets", hall.kiosk_token, json={"service": "C"}).status_code == 201
    t = hall.api("POST", "/windows/6/call-next", clerk).json()
    made = hall.api("POST", f"/tickets/{t['id']}/notice", clerk, json={"missing": [{"name": "单位证明"}]})
    assert made.status_code == 201, made.text
    code, token = made.json()["code"], made.json()["token"]
    assert made.json()["url"] == f"{hall.url}/n/{token}"

    phone = requests.get(f"{hall.url}/n/{token}", timeout=10)
    assert phone.status_code == 200 and "单位证明" in phone.text and code in phone.text
    a4 = requests.get(f"{hall.url}/n/{token}/print", timeout=10)
    assert a4.status_code == 200 and "一次性告知单" in a4.text and "C001" in a4.text
    english = requests.get(f"{hall.url}/n/{token}/print?lang=en", timeout=10)
    assert english.status_code == 200 and "One-time notice" in english.text
    qr = requests.get(f"{hall.url}/n/{token}/qr.svg", timeout=10)
    assert qr.status_code == 200 and qr.headers["Content-Type"].startswith("image/svg+xml")
    assert "<svg" in qr.text and "<path" in qr.text
    # the short code (an old QR) shows nothing of the notice: type it at a kiosk
    old_qr = requests.get(f"{hall.url}/n/{code}", timeout=10)
    assert old_qr.status_code == 200 and "单位证明" not in old_qr.text and "取号机" in old_qr.text
    for path in (f"/n/{code}/print", f"/n/{code}/qr.svg", "/n/ZZZZZZ/print", "/n/ZZZZZZ/qr.svg", "/n/nope!"):
        assert requests.get(hall.url + path, timeout=10).status_code == 404, path
