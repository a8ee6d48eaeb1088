"""Routing truth in a real browser (issue 14 item 1): window 12's A post is away and its B post
(clerk01, window 1) pauses — window 12's board stops sending citizens to window 1, live; the
kiosk warns before issuing a number for 综合咨询 that no window serves, and the ticket with
people ahead never shows a wait of 0."""

from __future__ import annotations

import re
from typing import Any

import pytest

from . import test_browser_live_hall as browser_tests
from .test_browser_live_hall import WAIT_MS, PageErrors, live, shoot

pytestmark = pytest.mark.e2e

browser = browser_tests.browser


def test_a_board_never_points_to_a_paused_window_and_the_kiosk_warns(live_hall: Any, browser: Any) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    hall = live_hall
    errors = PageErrors()
    b_post = hall.clerk_token("clerk01")  # B post of window 12 (A: clerk12, not signed in)
    assert hall.api("POST", "/windows/1/sign-in", b_post).status_code == 200

    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    board = errors.watch(ctx.new_page(), "window board 12")
    board.goto(f"{hall.url}/board/{hall.hall}/window/12?token={hall.board_token}")
    live(board)
    expect(board.locator("#paused-reason")).to_have_text("请到 1 号窗口办理")

    # B pauses: the board of window 12 says no window serves it now, without a reload
    r = hall.api("POST", "/windows/1/pause", b_post, json={"reason": "临时离岗，请稍候"})
    assert r.status_code == 200, r.text
    expect(board.locator("#window-board")).to_have_attribute("data-redirect", "none")
    expect(board.locator("#paused-reason")).to_have_text("目前没有窗口办理，请稍候")
    shoot(board, "window-board-none-serving.png")

    # two citizens already wait for 综合咨询 (G), which no window serves now
    for _ in range(2):
        assert hall.api("POST", "/tickets", hall.kiosk_token, json={"service": "G"}).status_code == 201

    kiosk_ctx = browser.new_context(viewport={"width": 1080, "height": 1920}, locale="zh-CN")
    kiosk = errors.watch(kiosk_ctx.new_page(), "kiosk")
    kiosk.goto(f"{hall.url}/kiosk/{hall.hall}?token={hall.kiosk_token}")
    expect(kiosk.locator("#category-tiles .tile").first).to_be_visible()
    live(kiosk)
    kiosk.locator("#category-tiles .tile[data-category='综合']").click()
    tile = kiosk.locator("#service-tiles .tile[data-service='G']")
    expect(tile.locator("[data-role='eta']")).to_have_text("暂无窗口办理")
    tile.click()
    dialog = kiosk.locator("#overlay-unserved")
    expect(dialog).to_be_visible()
    expect(kiosk.locator("#unserved-title")).to_have_text("“综合咨询”目前没有窗口办理")
    shoot(kiosk, "kiosk-unserved-warning.png")
    kiosk.locator("#btn-unserved-back").click()  # nothing issued
    expect(dialog).to_be_hidden()
    expect(kiosk.locator("#screen-ticket")).to_be_hidden()
    tile.click()
    kiosk.locator("#btn-unserved-take").click()  # the hall lets citizens queue for later
    expect(kiosk.locator("#screen-ticket")).to_be_visible()
    expect(kiosk.locator("#ticket-number")).to_have_text("G003")
    expect(kiosk.locator("#ticket-ahead")).to_have_text("2")
    expect(kiosk.locator("#ticket-wait")).to_have_text(re.compile(r"^[1-9]\d*$"))  # never 0 with people ahead
    assert not errors.errors, errors.errors
