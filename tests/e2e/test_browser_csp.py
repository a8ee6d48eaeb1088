"""Issue 9, finding 9, in a real browser: every page of the hall works under the strict
Content-Security-Policy without one violation, and a page of another origin can neither frame
the consoles nor open a Socket.IO connection to the hall.

Debian's Chromium through Playwright against a real `hallq serve` process, as in
test_browser_live_hall.py. Violations are caught twice: the `securitypolicyviolation` event
(an init script, which the CSP does not govern) and Chromium's console messages.
"""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from . import test_browser_live_hall as browser_tests
from .conftest import free_port
from .test_browser_live_hall import WAIT_MS, PageErrors, live, take_anyway

pytestmark = pytest.mark.e2e

browser = browser_tests.browser

#: runs before any script of the page: records CSP violations, and stands in for the print
#: dialog (a headless browser has none) so that the A4 page's print button can be checked
INIT = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  const where = " @" + e.sourceFile + ":" + e.lineNumber;
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + where);
});
window.__printed = false;
window.print = function () { window.__printed = true; };
"""


class CspWatch(PageErrors):
    """Uncaught exceptions (PageErrors) plus every CSP violation a page reports."""

    def __init__(self) -> None:
        super().__init__()
        self.pages: list[tuple[str, Any]] = []

    def watch(self, page: Any, name: str) -> Any:
        super().watch(page, name)
        self.pages.append((name, page))

        def console(msg: Any) -> None:
            text = msg.text
            if "Content Security Policy" in text or "Content-Security-Policy" in text:
                self.errors.append(f"{name}: console: {text}")

        def response(r: Any) -> None:
            # every page of the hall is served with the policy (on main there was none at all)
            if r.request.resource_type == "document" and r.status == 200:
                csp = r.headers.get("content-security-policy", "")
                if "script-src 'self'" not in csp or "frame-ancestors 'none'" not in csp:
                    self.errors.append(f"{name}: {r.url} served without the strict CSP")

        page.on("console", console)
        page.on("response", response)
        return page

    def check(self, page: Any, name: str) -> None:
        found = page.evaluate("window.__csp || []")
        self.errors.extend(f"{name}: {v}" for v in found)


def new_context(browser: Any, **kwargs: Any) -> Any:
    ctx = browser.new_context(**{"viewport": {"width": 1440, "height": 900}, "locale": "zh-CN", **kwargs})
    ctx.add_init_script(INIT)
    return ctx


def log_in(ctx: Any, watch: CspWatch, hall: Any, username: str, path: str) -> Any:
    page = watch.watch(ctx.new_page(), f"{username} login")
    page.goto(f"{hall.url}/login?next={path}")
    page.fill("input[name='username']", username)
    page.fill("input[name='password']", hall.password)
    page.click("form.login-card button[type='submit']")
    page.wait_for_url(re.compile(re.escape(path) + r"$"))
    return page


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_every_page_works_under_the_csp_without_a_violation(live_hall: Any, browser: Any) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    hall = live_hall
    watch = CspWatch()

    # a morning: citizens wait for A and C, window 6 called one and wrote a one-time notice
    for service in ("A", "A", "C"):
        assert hall.api("POST", "/tickets", hall.kiosk_token, json={"service": service}).status_code == 201
    clerk6 = hall.clerk_token("clerk06")
    assert hall.api("POST", "/windows/6/sign-in", clerk6).status_code == 200
    called = hall.api("POST", "/windows/6/call-next", clerk6).json()
    missing = {"missing": [{"name": "单位证明"}]}
    made = hall.api("POST", f"/tickets/{called['id']}/notice", clerk6, json=missing)
    assert made.status_code == 201, made.text
    notice = path_of(made.json()["url"])
    snapshot = hall.api("GET", f"/halls/{hall.hall}/snapshot", hall.board_token).json()
    window6 = next(w["id"] for w in snapshot["windows"] if w["number"] == 6)

    # ── devices and phones ─────────────────────────────────────────────────────────────
    device = new_context(browser, viewport={"width": 1920, "height": 1080})
    home = watch.watch(device.new_page(), "home")
    home.goto(f"{hall.url}/")
    expect(home.locator("body")).to_contain_text("演示大厅")

    kiosk = watch.watch(device.new_page(), "kiosk")
    kiosk.goto(f"{hall.url}/kiosk/{hall.hall}?token={hall.kiosk_token}")
    live(kiosk)
    kiosk.locator("#category-tiles .tile[data-category='公安']").click()
    kiosk.locator("#service-tiles .tile[data-service='A']").click()
    take_anyway(kiosk)
    expect(kiosk.locator("#ticket-number")).to_have_text(re.compile(r"^A\d{3}$"))
    kiosk.wait_for_function(
        "() => { const i = document.getElementById('ticket-qr'); return i.complete && i.naturalWidth > 0; }"
    )

    guide = watch.watch(device.new_page(), "kiosk guide")
    guide.goto(f"{hall.url}/kiosk/{hall.hall}/guide?token={hall.kiosk_token}")
    expect(guide.locator("[data-ready='1']")).to_be_attached()

    board = watch.watch(device.new_page(), "hall board")
    board.goto(f"{hall.url}/board/{hall.hall}?token={hall.board_token}")
    live(board)
    expect(board.locator("#now-calling .call-row")).to_have_count(1)

    window_board = watch.watch(device.new_page(), "window board")
    window_board.goto(f"{hall.url}/board/{hall.hall}/window/{window6}?token={hall.board_token}")
    live(window_board)
    expect(window_board.locator("#win-current")).to_have_text(called["number"])

    phone_ctx = new_context(browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    ticket = hall.api("POST", "/tickets", hall.kiosk_token, json={"service": "A"}).json()
    phone = watch.watch(phone_ctx.new_page(), "ticket phone page")
    phone.goto(f"{hall.url}{path_of(ticket['url'])}")
    live(phone)
    expect(phone.locator("#t-number")).to_have_text(ticket["number"])

    notice_phone = watch.watch(phone_ctx.new_page(), "notice phone page")
    notice_phone.goto(f"{hall.url}{notice}")
    expect(notice_phone.locator("body")).to_contain_text("单位证明")

    a4 = watch.watch(phone_ctx.new_page(), "notice A4 page")
    a4.goto(f"{hall.url}{notice}/print")
    expect(a4.locator("body")).to_contain_text("单位证明")
    a4.locator("#btn-print").click()  # its handler moved from an inline <script> to page.js
    a4.wait_for_function("() => window.__printed === true")

    # ── the consoles ───────────────────────────────────────────────────────────────────
    clerk_ctx = new_context(browser)
    clerk = log_in(clerk_ctx, watch, hall, "clerk02", "/clerk/")
    live(clerk)
    clerk.locator("#window-grid [data-window-id='2']").click()
    expect(clerk.locator("#workspace")).to_be_visible()
    clerk.locator("#btn-call").click()
    expect(clerk.locator("#cur-number")).to_have_text(re.compile(r"^A\d{3}$"))

    manager_ctx = new_context(browser)
    manage = log_in(manager_ctx, watch, hall, "manager", "/manage/")
    live(manage)
    bar = manage.locator("#notice-bars .bar").first
    expect(bar).to_be_attached()
    # the bar's width is set through the CSSOM: a style="…" attribute would be refused
    assert manage.evaluate("document.querySelector('#notice-bars .bar').style.width").endswith("%")
    for path, ready in (
        ("/manage/hall", None),
        ("/manage/audit", "#audit-body tr"),
        ("/manage/overdue", "#ov-clerks tr"),
        ("/manage/staff", "#posts-body tr"),
        ("/manage/guides/", None),
        ("/manage/guides/A", "[data-ready='1']"),
    ):
        page = watch.watch(manager_ctx.new_page(), f"manager {path}")
        page.goto(f"{hall.url}{path}")
        if ready:
            expect(page.locator(ready).first).to_be_attached()
        elif path == "/manage/hall":
            live(page)
        else:
            page.wait_for_load_state("load")

    admin_ctx = new_context(browser)
    admin = log_in(admin_ctx, watch, hall, "admin", "/admin/")
    expect(admin.locator("#hours-body tr").first).to_be_attached()
    for path, ready in (
        ("/admin/halls", "#halls-body tr"),
        ("/admin/services", "#services-body tr"),
        ("/admin/windows", "#windows-body tr"),
        ("/admin/people", "#people-body tr"),
        ("/admin/devices", "#devices-body tr"),
    ):
        page = watch.watch(admin_ctx.new_page(), f"admin {path}")
        page.goto(f"{hall.url}{path}")
        expect(page.locator(ready).first).to_be_attached()
    # the admin's hall switch submits on change (its onchange="…" attribute moved to page.js)
    switch = watch.watch(admin_ctx.new_page(), "admin hall switch")
    switch.goto(f"{hall.url}/manage/staff")
    switch.locator("select[name='hall']").dispatch_event("change")
    switch.wait_for_url(re.compile(r"/manage/staff\?hall=" + hall.hall + "$"))

    for name, page in watch.pages:
        if not page.is_closed():
            watch.check(page, name)
    for ctx in (device, phone_ctx, clerk_ctx, manager_ctx, admin_ctx):
        ctx.close()
    assert watch.errors == []


# ── another origin ───────────────────────────────────────────────────────────────────


@pytest.fixture
def other_origin() -> Iterator[tuple[str, dict[str, str]]]:
    """A site of another origin (same host, another port: same-site, so SameSite=Lax cookies
    would still be sent — only the headers and the origin check keep it out). Serves the page
    the test puts in `pages[path]`."""
    pages: dict[str, str] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802  (http.server's name)
            body = pages.get(self.path, "").encode()
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", pages
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("async_mode", ["threading", "gevent"])
def test_another_origin_can_neither_frame_the_consoles_nor_open_a_socket(
    live_hall_factory: Any, browser: Any, other_origin: tuple[str, dict[str, str]], async_mode: str
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    hall = live_hall_factory(async_mode=async_mode)
    evil, pages = other_origin
    socket_url = hall.url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    pages["/frame"] = (
        f'<!doctype html><iframe id="f" src="{hall.url}/manage/" width="800" height="600"></iframe>'
    )
    pages["/socket"] = (
        "<!doctype html><script>"
        "window.result = new Promise(function (resolve) {"
        f"  const ws = new WebSocket({socket_url!r});"
        "  ws.onopen = function () { resolve('open'); ws.close(); };"
        "  ws.onerror = function () { resolve('refused'); };"
        "});"
        "</script>"
    )

    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    # the manager is logged in in this browser: a framed console would be theirs
    manager = ctx.new_page()
    manager.goto(f"{hall.url}/login?next=/manage/")
    manager.fill("input[name='username']", "manager")
    manager.fill("input[name='password']", hall.password)
    manager.click("form.login-card button[type='submit']")
    manager.wait_for_url(re.compile(r"/manage/$"))
    live(manager)

    # the hall's own page may open a socket (the check is not simply "no browsers")
    own = manager.evaluate(
        "u => new Promise(r => { const ws = new WebSocket(u);"
        " ws.onopen = () => { r('open'); ws.close(); }; ws.onerror = () => r('refused'); })",
        socket_url,
    )
    assert own == "open"

    attacker = ctx.new_page()
    with attacker.expect_console_message(
        lambda m: "frame-ancestors" in m.text or "X-Frame-Options" in m.text
    ) as refused:
        attacker.goto(f"{evil}/frame")
    assert hall.url in refused.value.text
    frame = attacker.locator("#f").element_handle().content_frame()
    assert frame is not None
    # the frame holds Chromium's error page, not the console
    assert not frame.url.startswith(hall.url)
    assert frame.locator("#manage").count() == 0

    attacker.goto(f"{evil}/socket")
    assert attacker.evaluate("window.result") == "refused"
    ctx.close()
