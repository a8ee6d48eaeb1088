"""The clerk console from the keyboard alone (issue 14 item 4): once the console has loaded,
only page.keyboard — a citizen called, served and completed, the next called; a 过号 taken back
with its shortcut; shortcuts ignored while typing; the action bar never moves.

The keystrokes counted here are the "after" figures of docs/performance.md (bench/clerk_actions.py
measures before and after the same way)."""

from __future__ import annotations

from typing import Any

import pytest

from . import test_browser_live_hall as browser_tests
from .test_browser_first_contact import log_in
from .test_browser_live_hall import WAIT_MS, PageErrors

pytestmark = pytest.mark.e2e

browser = browser_tests.browser

#: the action bar's buttons: each must keep its place whatever the state
BAR = (
    "btn-call",
    "btn-start",
    "btn-complete-next",
    "btn-recall",
    "btn-complete",
    "btn-outcome",
    "btn-transfer",
    "btn-notice",
    "btn-no-show",
)


class Keys:
    """page.keyboard, counted."""

    def __init__(self, page: Any) -> None:
        self.page, self.count = page, 0

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.count += 1

    def focused(self) -> str:
        return str(self.page.evaluate("document.activeElement && document.activeElement.id"))

    def tab_to(self, selector: str, limit: int = 80) -> None:
        for _ in range(limit):
            if self.page.evaluate(
                "s => !!document.activeElement && document.activeElement.matches(s)", selector
            ):
                return
            self.press("Tab")
        raise AssertionError(f"{selector} not reached with {limit} Tabs")


def bar_boxes(page: Any) -> dict[str, tuple[float, float, float, float]]:
    boxes = page.evaluate(
        """ids => Object.fromEntries(ids.map(id => {
            const r = document.getElementById(id).getBoundingClientRect();
            return [id, [r.x, r.y + window.scrollY, r.width, r.height]];
        }))""",
        list(BAR),
    )
    return {k: tuple(v) for k, v in boxes.items()}


def test_a_clerk_calls_serves_completes_and_calls_the_next_without_the_mouse(
    live_hall: Any, browser: Any
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    hall = live_hall
    errors = PageErrors()
    tickets = [hall.api("POST", "/tickets", hall.kiosk_token, json={"service": "F"}).json() for _ in range(3)]
    numbers = [t["number"] for t in tickets]

    ctx, clerk = log_in(browser, errors, hall, "clerk08")
    keys = Keys(clerk)
    # ── sign in at window 8: Tab to its tile, Enter ────────────────────────────────────────
    keys.tab_to("#window-grid [data-window-id='8']")
    keys.press("Enter")
    expect(clerk.locator("#workspace")).to_be_visible()
    expect(clerk.locator("#btn-call")).to_be_focused()  # the next likely action
    idle = bar_boxes(clerk)

    # ── the first citizen: Enter (叫号), Enter (开始办理), Enter (办结并叫号) ───────────────────
    before = keys.count
    keys.press("Enter")
    expect(clerk.locator("#cur-number")).to_have_text(numbers[0])
    expect(clerk.locator("#btn-start")).to_be_focused()
    expect(clerk.locator("#btn-start kbd.key-hint")).to_have_text("F3")
    assert bar_boxes(clerk) == idle  # nothing moved
    keys.press("Enter")
    expect(clerk.locator("#cur-status")).to_have_text("办理中")
    expect(clerk.locator("#btn-complete-next")).to_be_focused()
    assert bar_boxes(clerk) == idle
    keys.press("Enter")
    expect(clerk.locator("#cur-number")).to_have_text(numbers[1])  # completed, the next called
    expect(clerk.locator("#btn-start")).to_be_focused()
    assert keys.count - before == 3  # the first of the day also needs 叫号; then 2 per citizen
    done = hall.api("GET", f"/tickets/{tickets[0]['id']}").json()
    assert done["status"] == "done"

    # ── shortcuts are ignored while typing: F6 (过号) in the pause reason types nothing away ────
    keys.tab_to("#pause-reason")
    keys.press("F6")
    clerk.keyboard.type("F")
    expect(clerk.locator("#cur-status")).to_have_text("正在呼叫")
    expect(clerk.locator("#pause-reason")).to_have_value("F")
    keys.press("Control+a")
    keys.press("Backspace")
    keys.press("Shift+Tab")  # back on the action bar: shortcuts work again

    # ── 过号 by its shortcut, and taken back within seconds (F8 / the toast's 撤销) ─────────────
    keys.press("F6")
    toast = clerk.locator("#undo-toast")
    expect(toast).to_contain_text(f"{numbers[1]} 已过号")
    expect(clerk.locator("#cur-number")).to_have_text("—")
    expect(clerk.locator("#btn-call")).to_be_focused()
    keys.press("F8")
    expect(clerk.locator("#cur-number")).to_have_text(numbers[1])
    expect(clerk.locator("#cur-status")).to_have_text("正在呼叫")
    expect(clerk.locator("#messages")).to_contain_text(f"已撤销过号：{numbers[1]}")
    expect(toast).to_have_count(0)
    assert hall.api("GET", f"/tickets/{tickets[1]['id']}").json()["status"] == "called"

    # ── the second citizen by shortcuts: F3 开始办理, F5 办结并叫号 (F5 does not reload) ─────────
    keys.press("F3")
    expect(clerk.locator("#cur-status")).to_have_text("办理中")
    keys.press("F5")
    expect(clerk.locator("#cur-number")).to_have_text(numbers[2])
    expect(clerk.locator("#messages")).to_contain_text(f"{numbers[1]} 已办结，已呼叫 {numbers[2]}")
    assert bar_boxes(clerk) == idle

    # ── 快捷键: rebind 叫号 to F9 in the settings dialog; kept on this PC ─────────────────────
    keys.tab_to("#btn-keys")
    keys.press("Enter")
    expect(clerk.locator("#keys-dialog")).to_be_visible()
    expect(clerk.locator("#key-call")).to_be_focused()
    keys.press("F9")
    expect(clerk.locator("#key-call")).to_have_value("F9")
    keys.press("Enter")  # save
    expect(clerk.locator("#keys-dialog")).to_be_hidden()
    expect(clerk.locator("#btn-call kbd.key-hint")).to_have_text("F9")
    expect(clerk.locator("#btn-call")).to_have_attribute("aria-keyshortcuts", "F9")
    assert '"call":"F9"' in clerk.evaluate("localStorage.getItem('hallq.clerk.keys')")
    assert not errors.errors, errors.errors
    ctx.close()
