"""The boards and the manager console fit the screens halls really have, with the hall busy.

A busy demo hall (citizens waiting for every service, a dozen calls, three transfers, a paused
window) and a call banner on screen; one Chromium, one page per screen, the viewport changed:

* the hall board at 1366×768, 1920×1080 and 3840×2160: every waiting count, the last 10 calls
  and the transfers inside the viewport and not clipped, no horizontal overflow while a banner
  shows, the status of a call in words as well as colour;
* the window board at 800×480 and 1280×800: the window's name, the clerk's name and badge each
  on one line (no Chinese word broken);
* the manager's live console at 1366×768: every window card above the fold, text ≥ 14 px,
  action buttons ≥ 44 px.

Writes docs/screenshots/hall-board-transfer.png (hall-board.png, window-board.png and
manage-hall.png come from test_page_matrix.py); the same Chromium and skip rules as
test_browser_live_hall.py.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from . import test_browser_live_hall as browser_tests
from .test_browser_live_hall import WAIT_MS, PageErrors, live, shoot
from .test_browser_ratings import pad_token

pytestmark = pytest.mark.e2e

browser = browser_tests.browser

TV_SIZES = [(1366, 768), (1920, 1080), (3840, 2160)]
WINDOW_BOARD_SIZES = [(800, 480), (1280, 800)]


def busy_hall(hall: Any) -> dict[str, Any]:
    """Citizens wait for every service; 14 calls; three transfers waiting; window 9 paused;
    nobody at windows 2 and 3 (A and B posts of each other: the console's alarm).

    Returns the clerks' tokens and `call(window)` for the test's own calls (banners)."""
    for service, n in (("A", 5), ("H", 3), ("B", 4), ("C", 7), ("F", 3), ("D", 3), ("E", 4), ("G", 5)):
        for _ in range(n):
            r = hall.api("POST", "/tickets", hall.kiosk_token, json={"service": service})
            assert r.status_code == 201, r.text
    tokens = {}
    for number in (1, 4, 5, 6, 7, 8, 9, 10, 11, 12):
        tokens[number] = hall.clerk_token(f"clerk{number:02d}")
        assert hall.api("POST", f"/windows/{number}/sign-in", tokens[number]).status_code == 200

    def call(number: int) -> dict[str, Any]:
        r = hall.api("POST", f"/windows/{number}/call-next", tokens[number])
        assert r.status_code == 200, r.text
        return dict(r.json())

    def start(number: int, ticket: dict[str, Any]) -> None:
        assert hall.api("POST", f"/tickets/{ticket['id']}/start", tokens[number]).status_code == 200

    calls = 0
    # a first round, finished: the recent list fills with done tickets
    for number in (1, 4, 6, 10, 11):
        t = call(number)
        start(number, t)
        r = hall.api("POST", f"/tickets/{t['id']}/complete", tokens[number])
        assert r.status_code == 200, r.text
        calls += 1
    # now: some called, some being served
    for number, serving in ((1, True), (4, True), (5, False), (6, False), (7, True), (8, False)):
        t = call(number)
        calls += 1
        if serving:
            start(number, t)
    # three citizens at the wrong window: transferred, still waiting for their new service (B
    # and F: their windows are busy, nobody calls them before the test is done)
    for number, to in ((10, "F"), (12, "B"), (11, "B")):
        t = call(number)
        calls += 1
        body = {"service": to, "reason": "应办理其他事项"}
        r = hall.api("POST", f"/tickets/{t['id']}/transfer", tokens[number], json=body)
        assert r.status_code == 200, r.text
    assert calls >= 10
    r = hall.api("POST", "/windows/9/pause", tokens[9], json={"reason": "临时离岗，请稍候"})
    assert r.status_code == 200, r.text
    return {"tokens": tokens, "call": call}


FIT_JS = """() => {
  const vw = window.innerWidth, vh = window.innerHeight;
  const inside = (el) => { const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.left >= -0.5 && r.top >= -0.5
      && r.right <= vw + 0.5 && r.bottom <= vh + 0.5; };
  const clipped = (el) => el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1;
  const out = [];
  const check = (sel, what) => document.querySelectorAll(sel).forEach((el, i) => {
    const box = JSON.stringify(el.getBoundingClientRect());
    if (!inside(el)) out.push(what + " " + i + " outside the viewport: " + box);
    if (getComputedStyle(el).visibility === "hidden") out.push(what + " " + i + " hidden");
  });
  check("#waiting li", "waiting count");
  check("#waiting li .w-count", "waiting number");
  check("#recent-calls li", "recent call");
  check("#transfers li", "transfer");
  check("#now-calling li", "call");
  check("#call-banner", "banner");
  for (const id of ["waiting", "recent-calls", "transfers", "now-calling", "satisfaction"]) {
    const el = document.getElementById(id);
    if (el.offsetParent !== null && clipped(el)) {
      out.push(id + " clipped at density " + el.dataset.fit + ": " + el.scrollWidth + "×" + el.scrollHeight
        + " in " + el.clientWidth + "×" + el.clientHeight);
    }
  }
  document.querySelectorAll(".hb-panel").forEach((el) => {
    if (el.offsetParent !== null && clipped(el)) {
      out.push(el.className + " clipped: " + el.scrollHeight + " > " + el.clientHeight);
    }
  });
  const doc = document.documentElement;
  if (doc.scrollWidth > vw) out.push("page " + doc.scrollWidth + " wide in " + vw);
  if (doc.scrollHeight > vh) out.push("page " + doc.scrollHeight + " tall in " + vh);
  return out;
}"""

ONE_LINE_JS = """(sel) => {
  const el = document.querySelector(sel);
  if (!el || !el.textContent.trim()) return "empty: " + sel;
  const range = document.createRange();
  range.selectNodeContents(el);
  // one line: every piece of text shares a horizontal band (mixed sizes sit on one baseline)
  const rects = Array.from(range.getClientRects()).filter((r) => r.width > 0);
  const lines = Math.max(...rects.map((r) => r.top)) < Math.min(...rects.map((r) => r.bottom)) ? 1 : 2;
  const r = el.getBoundingClientRect();
  const clipped = el.scrollWidth > el.clientWidth + 1;
  const inside = r.left >= 0 && r.right <= window.innerWidth + 0.5 && r.bottom <= window.innerHeight + 0.5;
  if (lines === 1 && !clipped && inside) return "";
  return sel + ": " + lines + " lines, clipped " + clipped + ", box " + JSON.stringify(r);
}"""


#: the live console at 1366×768: every card above the fold, no text under 14 px, buttons ≥ 44 px
CONSOLE_JS = """() => {
  const out = [];
  const vh = window.innerHeight;
  document.querySelectorAll('#window-map .win-card').forEach((c) => {
    const r = c.getBoundingClientRect();
    if (r.bottom > vh || r.right > window.innerWidth) {
      out.push('card ' + c.dataset.windowNumber + ' below the fold: ' + r.bottom);
    }
  });
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || !el) continue;
    if (el.closest('dialog:not([open]), [hidden], script') || !el.getClientRects().length) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < 14) out.push('text ' + size + 'px: ' + walker.currentNode.textContent.trim().slice(0, 20));
  }
  const targets = '#window-map .wc-actions button, #window-map summary, #queue-body button, '
    + '#alarm-list button, .console-bar .btn';
  document.querySelectorAll(targets).forEach((b) => {
    if (!b.getClientRects().length) return;   // the other layout's buttons (display: none)
    const r = b.getBoundingClientRect();
    if (r.height < 44 || r.width < 44) {
      out.push('button ' + b.textContent + ' ' + r.width + '×' + r.height);
    }
  });
  if (document.documentElement.scrollWidth > window.innerWidth) out.push('page too wide');
  return out;
}"""


def settled(board: Any) -> None:
    """The banner shows, has slid in, and the lists are fitted to the screen."""
    board.wait_for_function(
        """() => { const b = document.getElementById('call-banner');
          return !b.hidden && !b.getAnimations().some((a) => a.animationName === 'bannerIn')
            && !document.querySelector('#hall-board[data-fitting]'); }"""
    )


def test_boards_and_console_fit_every_screen(live_hall: Any, browser: Any) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    hall = live_hall
    errors = PageErrors()
    busy = busy_hall(hall)
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")

    # ── the hall board on three TVs, a banner on screen each time ─────────────────────
    board = errors.watch(ctx.new_page(), "hall board")
    board.goto(f"{hall.url}/board/{hall.hall}?token={hall.board_token}")
    live(board)
    expect(board.locator("#recent-calls li")).to_have_count(10)
    expect(board.locator("#transfers li")).to_have_count(3)
    expect(board.locator("#waiting li")).to_have_count(8)
    strip9 = board.locator("#window-strip li[data-window-number='9']")
    expect(strip9).to_have_attribute("data-status", "paused")
    # status in words, not colour alone: each row of 正在呼叫 says 请前往 or 办理中
    rows = board.locator("#now-calling .call-row")
    for i in range(rows.count()):
        expect(rows.nth(i).locator(".call-tag")).to_be_visible()
        expect(rows.nth(i).locator(".call-tag")).to_have_text(re.compile("^(请前往|办理中|重呼)$"))
    expect(board.locator("#now-calling .call-row.serving .call-tag").first).to_have_text("办理中")
    expect(strip9).to_contain_text("已暂停")

    banner = board.locator("#call-banner")
    for i, (w, h) in enumerate(TV_SIZES):
        board.set_viewport_size({"width": w, "height": h})
        if i == 1:  # a transfer: the orange banner
            t = busy["call"](11)
            body = {"service": "A", "reason": "应办理其他事项"}
            r = hall.api("POST", f"/tickets/{t['id']}/transfer", busy["tokens"][11], json=body)
            assert r.status_code == 200, r.text
            expect(banner).to_have_class(re.compile(r"\btransfer\b"))
        else:
            t = busy["call"](10 if i == 0 else 12)
            expect(banner).to_contain_text(t["number"])
        settled(board)
        problems = board.evaluate(FIT_JS)
        assert problems == [], f"hall board at {w}×{h}: {problems}"
        if (w, h) == (1920, 1080):
            shoot(board, "hall-board-transfer.png")
    board.set_viewport_size({"width": 1920, "height": 1080})
    t = busy["call"](11)
    expect(banner).to_contain_text(t["number"])
    expect(banner).not_to_have_class(re.compile(r"\btransfer\b"))
    settled(board)
    assert board.evaluate(FIT_JS) == []
    # 公开监督 switched on: the satisfaction panel joins them, and still everything fits
    admin = hall.token("admin", "admin")
    r = hall.api("PATCH", f"/halls/{hall.hall}", admin, json={"show_satisfaction": True})
    assert r.status_code == 200, r.text
    board.wait_for_selector("#satisfaction-panel:not([hidden])")
    expect(board.locator("#satisfaction li")).to_have_count(12)
    for w, h in TV_SIZES:
        board.set_viewport_size({"width": w, "height": h})
        board.evaluate("document.getElementById('call-banner').hidden = true")  # the recall shows it again
        assert hall.api("POST", f"/tickets/{t['id']}/recall", busy["tokens"][11]).status_code == 200
        settled(board)
        problems = board.evaluate(FIT_JS)
        assert problems == [], f"hall board with satisfaction at {w}×{h}: {problems}"
    board.close()

    # ── window boards: words kept whole ─────────────────────────────────────────────
    wb = errors.watch(ctx.new_page(), "window board")
    for w, h in WINDOW_BOARD_SIZES:
        wb.set_viewport_size({"width": w, "height": h})
        for number in (4, 12):
            wb.goto(f"{hall.url}/board/{hall.hall}/window/{number}?token={hall.board_token}")
            live(wb)
            expect(wb.locator("#clerk-name")).not_to_have_text("—")
            for sel in (".wb-number", "#clerk-name", "#clerk-badge", "#win-status", "#win-waiting"):
                assert wb.evaluate(ONE_LINE_JS, sel) == "", f"window board {number} at {w}×{h}"
            assert wb.evaluate("() => document.documentElement.scrollWidth <= innerWidth")
    # the rating pad beside the window: its window name, clerk name and badge stay whole too
    pad = pad_token(hall, 4)
    for w, h in WINDOW_BOARD_SIZES:
        wb.set_viewport_size({"width": w, "height": h})
        wb.goto(f"{hall.url}/board/{hall.hall}/window/4/pad?token={pad}")
        expect(wb.locator("#pad-clerk-name")).not_to_have_text("—")
        for sel in (".pad-window", "#pad-clerk-name", "#pad-clerk-badge"):
            assert wb.evaluate(ONE_LINE_JS, sel) == "", f"pad at {w}×{h}"
    wb.close()

    # ── the manager's live console on a 1366×768 PC ────────────────────────────────
    page = errors.watch(ctx.new_page(), "manager")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{hall.url}/login?next=/manage/hall")
    page.fill("input[name='username']", "manager")
    page.fill("input[name='password']", hall.password)
    page.click("form.login-card button[type='submit']")
    page.wait_for_url(re.compile(r"/manage/hall$"))
    live(page)
    cards = page.locator("#window-map .win-card")
    expect(cards).to_have_count(12)
    expect(page.locator("#hall-console")).to_have_attribute("data-density", "compact")
    # nobody at window 3 (A 张伟, B 王芳) while 出入境 waits: the alarm banner takes its room too
    # (the server checks every 15 s: server/alarm_watch.py)
    expect(page.locator("#alarm-list li[data-window-id='3']")).to_be_visible(timeout=40_000)
    report = page.evaluate(CONSOLE_JS)
    assert report == [], report
    # a compact card's actions are behind its ⋯ button: big enough to tap, and they work
    card3 = page.locator(".win-card[data-window-number='3']")
    card3.locator(".wc-menu summary").click()
    items = card3.locator(".wc-menu-list button")
    expect(items).to_have_count(3)  # closed already: no 关闭
    for i in range(3):
        box = items.nth(i).bounding_box()
        assert box and box["height"] >= 44 and box["width"] >= 44, box
    items.filter(has_text="AB岗").click()
    expect(page.locator("#posts-dialog")).to_be_visible()
    expect(page.locator("#posts-title")).to_contain_text("3号窗口")
    page.locator("#posts-dialog button[value='cancel']").click()
    expect(page.locator("#posts-dialog")).to_be_hidden()
    # the roomy layout is one click away, and remembered
    console = page.locator("#hall-console")
    page.locator("#density-toggle").click()
    expect(console).to_have_attribute("data-density", "roomy")
    expect(page.locator("#density-toggle")).to_have_attribute("aria-pressed", "false")
    page.reload()
    expect(console).to_have_attribute("data-density", "roomy")
    expect(card3.locator(".wc-actions > button[data-act='posts']")).to_be_visible()
    page.locator("#density-toggle").click()
    expect(console).to_have_attribute("data-density", "compact")

    ctx.close()
    assert errors.errors == []
