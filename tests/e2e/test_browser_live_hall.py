"""The whole hall in a real browser: kiosk → ticket → clerk calls → boards and phone show it.

Drives Debian's Chromium through Playwright against a real `hallq serve` process (the
`live_hall` fixture) and writes the README screenshots to docs/screenshots/.
"""

from __future__ import annotations

import base64
import contextlib
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
#: generous: a loaded CI machine may be slow; nothing here sleeps, every wait ends on a condition
WAIT_MS = 15_000


#: CI sets this: there a missing browser is a failure, not a skip
REQUIRE_BROWSER = os.environ.get("HALLQ_TEST_REQUIRE_BROWSER") == "1"


@contextlib.contextmanager
def launched_browser() -> Iterator[Any]:
    """Debian's Chromium under Playwright (skipped without it, failed when CI requires it)."""
    if not CHROMIUM.exists():
        reason = f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
        if REQUIRE_BROWSER:
            pytest.fail(reason)
        pytest.skip(reason)
    if REQUIRE_BROWSER:
        from playwright import sync_api
    else:
        sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need pip playwright")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def browser() -> Iterator[Any]:
    with launched_browser() as b:
        yield b


class PageErrors:
    """Uncaught exceptions of every page we open: a page that throws fails the test."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def watch(self, page: Any, name: str) -> Any:
        page.on("pageerror", lambda exc: self.errors.append(f"{name}: {exc}"))
        page.set_default_timeout(WAIT_MS)
        return page


def shoot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    # Finished animations are fast-forwarded, so the PNG shows the settled page.
    page.screenshot(path=str(SHOTS / name), animations="disabled")


def take_anyway(kiosk: Any) -> None:
    """Nobody serves the chosen service yet (no clerk signed in): the kiosk says so before
    issuing, and the citizen takes a number to queue for later (domain/routing.py)."""
    from playwright.sync_api import expect

    expect(kiosk.locator("#overlay-unserved")).to_be_visible()
    kiosk.locator("#btn-unserved-take").click()


def live(page: Any) -> None:
    """Wait until the page's socket is subscribed (no "reconnecting" pill in the screenshot)."""
    page.wait_for_selector("body[data-live='ok']", state="attached")


def decode_qr(png: Path) -> str | None:
    """The text of the QR code in a PNG (zbarimg), or None when zbar-tools is not installed."""
    zbarimg = shutil.which("zbarimg")
    if zbarimg is None:
        return None
    out = subprocess.run([zbarimg, "--raw", "-q", str(png)], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, f"zbarimg could not read the kiosk's QR code: {out.stderr}"
    return out.stdout.strip()


def background_traffic(hall: Any) -> None:
    """A busy morning elsewhere in the hall, so the boards show more than one call."""
    for service in ("B", "C", "C", "D", "E", "F", "G", "B"):
        r = hall.api("POST", "/tickets", hall.kiosk_token, json={"service": service})
        assert r.status_code == 201, r.text
    for username, window, start in (("clerk04", 4, True), ("clerk06", 6, False), ("clerk09", 9, False)):
        token = hall.clerk_token(username)
        r = hall.api("POST", f"/windows/{window}/sign-in", token)
        assert r.status_code == 200, r.text
        r = hall.api("POST", f"/windows/{window}/call-next", token)
        assert r.status_code == 200, r.text
        if start:
            assert hall.api("POST", f"/tickets/{r.json()['id']}/start", token).status_code == 200


def test_ticket_from_kiosk_is_called_on_every_screen(live_hall: Any, browser: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    hall = live_hall
    errors = PageErrors()
    background_traffic(hall)

    # ── kiosk: category → service → ticket on screen ────────────────────────────────
    kiosk_ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    kiosk = errors.watch(kiosk_ctx.new_page(), "kiosk")
    kiosk.goto(f"{hall.url}/kiosk/{hall.hall}?token={hall.kiosk_token}")
    expect(kiosk.locator("#category-tiles .tile").first).to_be_visible()
    live(kiosk)
    expect(kiosk.locator("#cat-title")).to_have_text("请选择业务类别")
    expect(kiosk.locator("#hall-name")).to_contain_text("演示大厅")
    # the token left the address bar but is remembered for a reload without it
    assert "token=" not in kiosk.url
    shoot(kiosk, "kiosk.png")

    kiosk.locator("#category-tiles .tile[data-category='公安']").click()
    service_tile = kiosk.locator("#service-tiles .tile[data-service='A']")
    expect(service_tile).to_contain_text("户籍办理")
    service_tile.click()
    # nobody serves 户籍 yet (windows 2, 3 and 12 are empty): the kiosk says so before issuing,
    # and the demo hall lets citizens queue for later (tests/e2e/test_browser_routing.py)
    expect(kiosk.locator("#overlay-unserved")).to_be_visible()
    kiosk.locator("#btn-unserved-take").click()
    expect(kiosk.locator("#screen-ticket")).to_be_visible()
    number_el = kiosk.locator("#ticket-number")
    expect(number_el).to_have_text(re.compile(r"^A\d{3}$"))
    number = number_el.inner_text()
    ticket_id = kiosk.locator("#screen-ticket").get_attribute("data-ticket-id")
    assert ticket_id
    expect(kiosk.locator("#ticket-service")).to_have_text("户籍办理")
    expect(kiosk.locator("#screen-ticket")).to_contain_text("扫码查看实时排队")
    kiosk.wait_for_function(
        "() => { const i = document.getElementById('ticket-qr'); return i.complete && i.naturalWidth > 0; }"
    )
    shoot(kiosk, "kiosk-ticket.png")
    # the QR code on screen, as a phone camera sees it, leads to this ticket's page
    kiosk.locator("#ticket-qr").screenshot(path=str(tmp_path / "qr.png"))
    decoded = decode_qr(tmp_path / "qr.png")
    if decoded is not None:
        assert decoded == f"{hall.url}/t/{ticket_id}"

    # more citizens queue for A behind ours: the console's waiting list is not empty
    for _ in range(3):
        assert hall.api("POST", "/tickets", hall.kiosk_token, json={"service": "A"}).status_code == 201

    # ── boards and the phone page, open before the call: they must update live ─────
    board_ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    board = errors.watch(board_ctx.new_page(), "hall board")
    board.goto(f"{hall.url}/board/{hall.hall}?token={hall.board_token}")
    live(board)
    expect(board.locator("#calling-title")).to_contain_text("正在呼叫")
    expect(board.locator("#now-calling .call-row")).to_have_count(3)

    window_page = errors.watch(board_ctx.new_page(), "window board")
    window_page.set_viewport_size({"width": 1280, "height": 720})
    window_page.goto(f"{hall.url}/board/{hall.hall}/window/2?token={hall.board_token}")
    live(window_page)
    expect(window_page.locator("#win-paused")).to_be_visible()  # nobody signed in at window 2 yet

    phone_ctx = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    phone = errors.watch(phone_ctx.new_page(), "phone")
    phone.goto(f"{hall.url}/t/{ticket_id}")
    live(phone)
    expect(phone.locator("#t-number")).to_have_text(number)
    expect(phone.locator("#t-status")).to_have_text("等候中")
    expect(phone.locator("#t-ahead")).to_have_text("0")

    # ── the clerk: log in, sign in at window 2 (serves A), call next ─────────────────
    clerk_ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    clerk = errors.watch(clerk_ctx.new_page(), "clerk console")
    clerk.goto(f"{hall.url}/clerk/")
    expect(clerk.locator("form.login-card")).to_contain_text("工作人员登录")
    clerk.fill("input[name='username']", "clerk02")
    clerk.fill("input[name='password']", hall.password)
    clerk.click("form.login-card button[type='submit']")
    clerk.wait_for_url(re.compile(r"/clerk/$"))
    expect(clerk.locator("#picker")).to_be_visible()
    live(clerk)
    clerk.locator("#window-grid [data-window-id='2']").click()
    expect(clerk.locator("#workspace")).to_be_visible()
    expect(clerk.locator("#win-status")).to_have_text("服务中")
    expect(window_page.locator("#clerk-name")).to_have_text("王芳")  # clerk02 in the demo
    expect(window_page.locator("#win-paused")).to_be_hidden()
    # 挂牌上岗: the manager uploads clerk02's photo; the window board shows it at once
    from server.demo import _avatar_png

    photo = base64.b64encode(_avatar_png(0)).decode()
    put = hall.api("PUT", "/users/clerk02/photo", hall.token("manager", "manager"), json={"image": photo})
    assert put.status_code == 200, put.text
    expect(window_page.locator("#clerk-photo img")).to_have_attribute("src", put.json()["photo_url"])
    # the image decodes after its src is set: wait for it rather than read it at once
    window_page.wait_for_function(
        "() => { const img = document.querySelector('#clerk-photo img');"
        " return img && img.complete && img.naturalWidth === 120; }"
    )
    expect(clerk.locator("#waiting-body tr").first).to_have_attribute("data-ticket-number", number)

    clerk.locator("#btn-call").click()
    expect(clerk.locator("#cur-number")).to_have_text(number)
    expect(clerk.locator("#cur-status")).to_have_text("正在呼叫")
    expect(clerk.locator("#messages")).to_contain_text(f"已呼叫 {number}")

    # the hall board shows exactly this number at window 2, newest first
    row = board.locator(f"#now-calling .call-row[data-ticket-number='{number}']")
    expect(row).to_have_attribute("data-window-number", "2")
    expect(row).to_contain_text(number)
    expect(board.locator("#now-calling .call-row").first).to_have_attribute("data-ticket-number", number)
    expect(board.locator("#call-banner")).to_have_text(f"请 {number} 号到 2 号窗口办理")
    expect(board.locator("#recent-calls li").first).to_contain_text(number)
    # the window board
    expect(window_page.locator("#win-current")).to_have_text(number)
    expect(window_page.locator("#win-status")).to_have_text(f"请 {number} 号办理")
    # the phone page
    expect(phone.locator("#called-banner")).to_be_visible()
    expect(phone.locator("#called-title")).to_have_text("请到 2 号窗口办理")

    # hall-board.png and window-board.png come from test_page_matrix.py (a busier hall)
    shoot(phone, "phone.png")

    # the console's own 409: recalls are limited; the server's message is shown as is
    for _ in range(3):
        clerk.locator("#btn-recall").click()
        expect(clerk.locator("#messages .alert").last).to_contain_text("已重呼")
    clerk.locator("#btn-recall").click()
    expect(clerk.locator("#messages .alert.error").last).to_contain_text("当前状态不允许此操作")
    tag = board.locator(f"#now-calling .call-row[data-ticket-number='{number}'] .call-tag")
    expect(tag).to_have_text("重呼")

    # the board loses its connection while the clerk starts serving: it shows that it is
    # offline, and on reconnect it catches up from its last seq (no reload)
    board.evaluate("hallq.connections[0].socket.disconnect()")
    expect(board.locator("#live-indicator")).to_have_text("连接中断，正在重连…")
    clerk.locator("#btn-start").click()
    expect(phone.locator("#called-title")).to_have_text("正在 2 号窗口办理")
    expect(tag).to_have_text("重呼")  # offline: still the old state
    board.evaluate("hallq.connections[0].socket.connect()")
    expect(tag).to_have_text("办理中")
    expect(board.locator("#live-indicator")).to_be_hidden()

    # complete: the phone page follows to the end
    clerk.locator("#btn-complete").click()
    expect(phone.locator("#t-status")).to_have_text("已办结")
    expect(board.locator(f"#now-calling .call-row[data-ticket-number='{number}']")).to_have_count(0)
    expect(window_page.locator("#win-current")).to_have_text("—")

    # a pause with one of the hall's public phrases reaches the window board; resume clears it
    clerk.fill("#pause-reason", "临时离岗，请稍候")
    clerk.locator("#btn-pause").click()
    expect(window_page.locator("#win-paused")).to_be_visible()
    expect(window_page.locator("#paused-reason")).to_have_text("临时离岗，请稍候")
    expect(clerk.locator("#btn-call")).to_be_disabled()
    clerk.locator("#btn-resume").click()
    expect(window_page.locator("#win-paused")).to_be_hidden()
    expect(clerk.locator("#btn-call")).to_be_enabled()

    # ── the English switch ─────────────────────────────────────────────────────────────
    phone.locator(".lang-switch a[data-lang='en']").click()
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    expect(phone.locator("#t-status")).to_have_text("Completed")
    expect(phone.locator(".ticket-card")).to_contain_text("Your number")
    phone.goto(f"{hall.url}/t/{ticket_id}")  # remembered without ?lang
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    phone.locator(".lang-switch a[data-lang='zh_CN']").click()
    expect(phone.locator(".ticket-card")).to_contain_text("您的号码")

    for ctx in (kiosk_ctx, board_ctx, phone_ctx, clerk_ctx):
        ctx.close()
    assert errors.errors == []


def test_pages_404_and_qr_svg(live_hall: Any) -> None:
    """No browser needed: unknown halls, windows and tickets are 404; the QR is an SVG."""
    import requests

    hall = live_hall
    for path in ("/kiosk/nope", "/board/nope", "/board/demo/window/999", "/t/nope", "/t/nope/qr.svg"):
        assert requests.get(hall.url + path, timeout=10).status_code == 404, path
    for path in ("/kiosk/demo", "/board/demo", "/board/demo/window/1", "/", "/login"):
        r = requests.get(hall.url + path, timeout=10)
        assert r.status_code == 200, path
        assert '<html lang="zh-CN">' in r.text and 'name="csrf-token"' in r.text, path
    assert "Window board" in requests.get(hall.url + "/?lang=en", timeout=10).text

    t = hall.api("POST", "/tickets", hall.kiosk_token, json={"service": "A"}).json()
    r = requests.get(f"{hall.url}/t/{t['id']}/qr.svg", timeout=10)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("image/svg+xml")
    assert r.text.lstrip().startswith("<?xml") and "<svg" in r.text and "<path" in r.text
    page = requests.get(f"{hall.url}/t/{t['id']}", timeout=10)
    assert page.status_code == 200 and t["number"] in page.text
