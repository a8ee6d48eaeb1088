"""The manager's live console in a real browser: the hall map with an unstaffed-window alarm,
moving a service from window 3 to window 5 (confirmed) while the hall board follows, call-next
at window 5 then serving it; moving waiting citizens in bulk; the audit log and its CSV; a device
token issued once and revoked; and a clerk kept out (AB岗制度).

A real `hallq serve` process (the `live_hall` fixture) and Debian's Chromium through Playwright,
as in test_browser_live_hall.py; the screenshots go to docs/screenshots/.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from . import test_browser_live_hall as browser_tests
from .test_browser_live_hall import WAIT_MS, PageErrors, live, shoot

pytestmark = pytest.mark.e2e

#: the same Chromium (and the same skip / HALLQ_TEST_REQUIRE_BROWSER rules) as the live-hall test
browser = browser_tests.browser

#: the server checks for unstaffed windows every 15 s (server/alarm_watch.py)
ALARM_WAIT_MS = 40_000


def log_in(browser: Any, errors: PageErrors, hall: Any, username: str, path: str, **ctx_args: Any) -> Any:
    ctx = browser.new_context(**{"viewport": {"width": 1440, "height": 900}, "locale": "zh-CN", **ctx_args})
    page = errors.watch(ctx.new_page(), username)
    page.goto(f"{hall.url}/login?next={path}")
    page.fill("input[name='username']", username)
    page.fill("input[name='password']", hall.password)
    page.click("form.login-card button[type='submit']")
    return ctx, page


def a_morning(hall: Any) -> None:
    """Citizens wait; some windows are staffed. Nobody is at window 2 or 3 (A: 王芳, 张伟)."""
    for service in ("H", "H", "H", "A", "A", "C", "C", "C", "E", "E", "G", "F"):
        r = hall.api("POST", "/tickets", hall.kiosk_token, json={"service": service})
        assert r.status_code == 201, r.text
    for username, window, call in (
        ("clerk01", 1, True),
        ("clerk04", 4, False),
        ("clerk05", 5, False),
        ("clerk06", 6, True),
        ("clerk07", 7, True),
        ("clerk10", 10, True),
    ):
        token = hall.clerk_token(username)
        assert hall.api("POST", f"/windows/{window}/sign-in", token).status_code == 200
        if call:
            assert hall.api("POST", f"/windows/{window}/call-next", token).status_code == 200


def test_manager_moves_a_service_and_the_boards_follow(live_hall: Any, browser: Any) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    hall = live_hall
    errors = PageErrors()
    a_morning(hall)

    # ── the hall board, open before the move: it must follow without a reload ──────────
    board_ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    board = errors.watch(board_ctx.new_page(), "hall board")
    board.goto(f"{hall.url}/board/{hall.hall}?token={hall.board_token}")
    live(board)
    strip = board.locator("#window-strip")
    expect(strip.locator("li")).to_have_count(12)
    expect(strip.locator("li[data-window-number='3']")).to_have_attribute("data-services", "A,H")
    expect(strip.locator("li[data-window-number='5']")).to_have_attribute("data-services", "B")

    # ── the manager's live console ────────────────────────────────────────────────────
    manager_ctx, page = log_in(
        browser, errors, hall, "manager", "/manage/hall", viewport={"width": 1920, "height": 1080}
    )
    page.wait_for_url(re.compile(r"/manage/hall$"))
    live(page)
    cards = page.locator("#window-map .win-card")
    expect(cards).to_have_count(12)
    expect(page.locator("#hall-name")).to_contain_text("演示大厅")
    card3 = page.locator(".win-card[data-window-number='3']")
    card5 = page.locator(".win-card[data-window-number='5']")
    expect(card3).to_have_attribute("data-services", "A,H")
    expect(card3.locator("[data-role='posts']")).to_contain_text("张伟")  # A post of window 3
    expect(page.locator(".win-card[data-window-number='6'] [data-role='current']")).to_contain_text("C001")
    expect(page.locator(".win-card[data-window-number='5'] [data-role='clerk']")).to_contain_text("陈静")
    h_row = page.locator("#queue-body tr[data-service='H']")
    expect(h_row.locator("[data-role='waiting']")).to_have_text("3")
    expect(h_row.locator("[data-role='longest']")).to_have_text(re.compile(r"^\d+ 分钟$"))
    # neither A nor B of windows 2 and 3 is here while citizens wait for A and H: the alarm
    expect(page.locator("#alarm-list li[data-window-id='3']")).to_be_visible(timeout=ALARM_WAIT_MS)
    expect(page.locator("#alarm-banner")).to_contain_text("3号窗口无人在岗")
    expect(card3).to_have_attribute("data-alarm", "yes")

    # ── move 出入境 (H) from window 3 to window 5, confirmed ──────────────────────────────
    page.select_option("#ms-service", "H")
    page.select_option("#ms-from", "3")
    page.select_option("#ms-to", "5")
    expect(page.locator("#ms-preview")).to_have_text("3号窗口：A、H → A；5号窗口：B → B、H")
    page.click("#ms-submit")
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("将「出入境」从 3 号窗口移到 5 号窗口？")
    expect(dialog).to_contain_text("目前有 3 位群众在等候「出入境」")
    page.click("#confirm-ok")
    expect(dialog).to_be_hidden()
    expect(page.locator("#messages")).to_contain_text("已将「出入境」从 3 号窗口移到 5 号窗口")
    expect(card5).to_have_attribute("data-services", "B,H")
    expect(card3).to_have_attribute("data-services", "A")
    expect(h_row.locator("[data-role='windows']")).to_have_text("5")

    # the hall board follows at once: window 5 lists H, window 3 no longer
    expect(strip.locator("li[data-window-number='5']")).to_have_attribute("data-services", "B,H")
    expect(strip.locator("li[data-window-number='5']")).to_contain_text("H")
    expect(strip.locator("li[data-window-number='3']")).to_have_attribute("data-services", "A")
    expect(strip.locator("li[data-window-number='3']")).not_to_contain_text("H")
    # toasts float over the page: none is an error, and they are cleared for the picture
    expect(page.locator("#messages .alert.error", has_text="出入境")).to_have_count(0)
    page.locator("#messages").evaluate("box => box.replaceChildren()")
    # manage-hall.png comes from test_page_matrix.py (the compact layout at 1366×768)

    # call-next follows too: window 5 gets an H ticket, window 3 (once staffed) does not
    r = hall.api("POST", "/windows/5/call-next", hall.clerk_token("clerk05"))
    assert r.status_code == 200 and r.json()["service"] == "H" and r.json()["number"] == "H001", r.text
    expect(card5.locator("[data-role='current']")).to_contain_text("H001")
    clerk03 = hall.clerk_token("clerk03")
    assert hall.api("POST", "/windows/3/sign-in", clerk03).status_code == 200
    r = hall.api("POST", "/windows/3/call-next", clerk03)
    assert r.status_code == 200 and r.json()["service"] == "A", r.text
    expect(card3.locator("[data-role='clerk']")).to_contain_text("张伟")
    expect(h_row.locator("[data-role='waiting']")).to_have_text("2")

    # ── move the waiting 税务 (E) citizens to window 10: a preview, then confirmed ───────
    page.select_option("#mt-from-kind", "service")
    page.select_option("#mt-from", "E")
    page.select_option("#mt-to-kind", "window")
    page.select_option("#mt-to", "10")
    page.fill("#mt-reason", "11 号窗口今日不开放")
    page.click("#mt-submit")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("将移动 1 位群众（E002）")
    page.click("#confirm-ok")
    expect(page.locator("#messages")).to_contain_text("已移动 1 位群众")
    waiting_at_10 = hall.api("GET", "/windows/10", hall.clerk_token("clerk10")).json()["waiting"]
    assert [t["number"] for t in waiting_at_10] == ["E002"]
    assert waiting_at_10[0]["directed_window"]["number"] == 10

    # ── the audit log: who moved what, when; the CSV says the same ──────────────────────
    audit = errors.watch(manager_ctx.new_page(), "audit")
    audit.set_viewport_size({"width": 1440, "height": 900})
    audit.goto(f"{hall.url}/manage/audit")
    expect(audit.locator("#audit-body tr").first).to_be_visible()
    audit.select_option("#f-user", "manager")
    moved = audit.locator("#audit-body tr[data-type='window.updated']")
    expect(moved.first).to_contain_text("王主任")
    expect(audit.locator("#audit-body")).to_contain_text("办理事项 A、H → A")
    expect(audit.locator("#audit-body")).to_contain_text("办理事项 B → B、H")
    expect(audit.locator("#audit-body tr[data-type='queue.moved']")).to_contain_text("E002")
    href = audit.locator("#export-csv").get_attribute("href")
    assert href and "format=csv" in href and "user=manager" in href
    csv = audit.request.get(hall.url + href)
    assert csv.status == 200 and "办理事项 A、H → A" in csv.text()
    audit.select_option("#f-user", "")
    expect(audit.locator("#audit-body tr[data-type='ticket.called']").first).to_be_visible()
    shoot(audit, "manage-audit.png")

    # ── a device token: shown once with the URL to paste, then revoked ─────────────────
    devices = errors.watch(manager_ctx.new_page(), "devices")
    devices.set_viewport_size({"width": 1440, "height": 900})
    devices.goto(f"{hall.url}/admin/devices")
    expect(devices.locator("#devices-body tr").first).to_be_visible()
    devices.select_option("#dv-role", "kiosk")
    devices.fill("#dv-label", "一楼大厅取号机 2")
    devices.click("#dv-issue")
    expect(devices.locator("#token-result")).to_be_visible()
    token = devices.locator("#tr-token").inner_text().strip()
    expect(devices.locator("#tr-url")).to_have_text(f"{hall.url}/kiosk/{hall.hall}?token={token}")
    row = devices.locator("#devices-body tr", has_text="一楼大厅取号机 2")
    expect(row).to_contain_text("有效")
    assert hall.api("GET", f"/halls/{hall.hall}/snapshot", token).status_code == 200
    devices.locator("#messages").evaluate("box => box.replaceChildren()")
    devices.evaluate("window.scrollTo(0, 0)")
    shoot(devices, "admin-devices.png")
    row.locator("button", has_text="吊销").click()
    expect(devices.locator("#confirm-title")).to_have_text("吊销设备令牌")
    expect(devices.locator("#confirm-dialog")).to_contain_text("一楼大厅取号机 2")
    devices.click("#confirm-ok")
    expect(row).to_contain_text("已吊销")
    assert hall.api("GET", f"/halls/{hall.hall}/snapshot", token).status_code == 401

    # ── a clerk may not open the manager's pages ────────────────────────────────────────
    clerk_ctx, clerk = log_in(browser, errors, hall, "clerk02", "/clerk/")
    clerk.wait_for_url(re.compile(r"/clerk/$"))
    for path in ("/manage/hall", "/manage/audit", "/admin/devices"):
        assert clerk.goto(f"{hall.url}{path}").status == 403, path
    with requests.Session() as s:  # and without a login, the page sends you to log in
        r = s.get(f"{hall.url}/manage/hall", allow_redirects=False, timeout=10)
        assert r.status_code == 302 and "/login" in r.headers["Location"]

    for ctx in (board_ctx, manager_ctx, clerk_ctx):
        ctx.close()
    assert errors.errors == []
