"""The evaluation dashboard in a real browser: today's served tickets and their ratings → the
charts render (ECharts canvases, no page or console error, nothing refused by the CSP), a
drill-down from the hall to a service, a window and a clerk, the clerk's printable monthly
report with its charts, and the hall board's satisfaction panel once the administrator switches
it on.

A real `hallq serve` process (the `live_hall` fixture) and Debian's Chromium through Playwright.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from server import create_app
from server.domain.business_day import business_day
from server.storage.models import Rating, Ticket

from . import test_browser_live_hall as browser_tests
from .test_browser_live_hall import SHOTS, PageErrors, shoot
from .test_browser_manager_console import log_in

pytestmark = pytest.mark.e2e

browser = browser_tests.browser


def served_and_rated(hall: Any) -> None:
    """Six 社保 citizens served at window 6 by clerk06, two 公积金 at window 8 by clerk08; every
    served ticket rated (written as rows, as the rating pad would)."""
    for service in ("C",) * 6 + ("F",) * 2:
        assert hall.api("POST", "/tickets", hall.kiosk_token, json={"service": service}).status_code == 201
    for username, window, n in (("clerk06", 6, 6), ("clerk08", 8, 2)):
        token = hall.clerk_token(username)
        assert hall.api("POST", f"/windows/{window}/sign-in", token).status_code == 200
        for _ in range(n):
            t = hall.api("POST", f"/windows/{window}/call-next", token).json()
            assert hall.api("POST", f"/tickets/{t['id']}/start", token).status_code == 200
            assert hall.api("POST", f"/tickets/{t['id']}/complete", token).status_code == 200
    app = create_app({"DATABASE_URL": hall.database_url, "SECRET_KEY": "e2e", "ASYNC_MODE": "threading"})
    ctx = app.extensions["hallq"]
    try:
        with ctx.db.transaction() as s:
            for i, t in enumerate(
                s.scalars(select(Ticket).where(Ticket.status == "done").order_by(Ticket.id))
            ):
                assert t.finished_at is not None
                s.add(
                    Rating(
                        hall_id=t.hall_id,
                        ticket_id=t.id,
                        window_id=t.window_id,
                        service_id=t.service_id,
                        clerk_id=t.served_by_id,
                        level=(5, 4, 2)[i % 3],
                        source="pad",
                        at=t.finished_at,
                        day=business_day(t.finished_at, "Asia/Shanghai", 0),
                    )
                )
    finally:
        ctx.db.dispose()


def console_errors(page: Any, name: str, into: list[str]) -> None:
    page.on("console", lambda msg: into.append(f"{name}: {msg.text}") if msg.type == "error" else None)


def test_the_dashboard_draws_its_charts_and_drills_down_to_a_clerk(browser, live_hall):
    served_and_rated(live_hall)
    errors, logged = PageErrors(), []
    ctx, page = log_in(browser, errors, live_hall, "manager", "/manage/evaluation")
    console_errors(page, "dashboard", logged)
    page.wait_for_url("**/manage/evaluation")
    page.wait_for_selector("#evaluation[data-loaded='1']", state="attached")
    page.wait_for_selector("#chart-breakdown canvas")
    assert page.locator("#chart-ratings canvas").count() >= 1
    assert page.locator("#chart-waits canvas").count() >= 1
    assert page.locator("#ev-kpis .kpi").count() >= 10
    shoot(page, "manage-evaluation.png")
    # hall → service C → window 6 → clerk06
    page.click("#ev-rows tr[data-key='C'] button[data-drill]")
    page.wait_for_selector("#evaluation[data-scope='C//'][data-loaded='1']", state="attached")
    page.click("#ev-rows tr[data-key='6'] button[data-drill]")
    page.wait_for_selector("#evaluation[data-scope='C/6/'][data-loaded='1']", state="attached")
    assert page.locator("#ev-rows tr[data-key='clerk06']").count() == 1
    assert page.locator("#ev-rows tr[data-key='clerk08']").count() == 0
    page.click("#ev-rows tr[data-key='clerk06'] button[data-drill]")
    page.wait_for_selector("#evaluation[data-scope='C/6/clerk06'][data-loaded='1']", state="attached")
    assert "clerk06" in page.inner_text("#ev-crumbs")
    assert "clerk=clerk06" in page.url
    page.wait_for_selector("#chart-breakdown canvas")
    # back up to the whole hall through the breadcrumbs
    page.click("#ev-crumbs button:first-of-type")
    page.wait_for_selector("#evaluation[data-scope='//'][data-loaded='1']", state="attached")

    # the clerk's monthly report (A4, printable) with its charts
    report = ctx.new_page()
    errors.watch(report, "report")
    console_errors(report, "report", logged)
    report.goto(f"{live_hall.url}/manage/evaluation/report?clerk=clerk06")
    report.wait_for_selector("#ev-report[data-loaded='1']", state="attached")
    report.wait_for_selector("#rep-chart-ratings canvas")
    assert "个人服务评估月报" in report.inner_text("#rep-title")
    report.emulate_media(media="print")
    assert report.locator(".manage-nav").is_hidden()
    report.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    report.screenshot(path=str(SHOTS / "evaluation-report.png"), full_page=True, animations="disabled")
    # the hall's monthly report: by window, and every clerk
    report.emulate_media(media="screen")
    report.goto(f"{live_hall.url}/manage/evaluation/report")
    report.wait_for_selector("#ev-report[data-loaded='1']", state="attached")
    report.wait_for_selector("#rep-chart-breakdown canvas")
    assert "服务评估月报" in report.inner_text("#rep-title")
    assert report.locator("#rep-rows tr[data-key='6']").count() == 1
    assert report.locator("#rep-clerks tr[data-key='clerk06']").count() == 1
    ctx.close()
    assert errors.errors == [] and logged == []


def test_the_hall_board_shows_satisfaction_per_window_when_switched_on(browser, live_hall):
    served_and_rated(live_hall)
    errors, logged = PageErrors(), []
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    board = errors.watch(ctx.new_page(), "board")
    console_errors(board, "board", logged)
    board.goto(f"{live_hall.url}/board/demo?token={live_hall.board_token}")
    board.wait_for_selector("#hall-board[data-satisfaction='off']", state="attached")
    assert board.locator("#satisfaction-panel").is_hidden()
    admin = live_hall.token("admin", "admin")
    assert live_hall.api("PATCH", "/halls/demo", admin, json={"show_satisfaction": True}).status_code == 200
    # the switch is a hall.updated event: the board reloads its figure at once
    board.wait_for_selector("#hall-board[data-satisfaction='on']", state="attached")
    board.wait_for_selector("#satisfaction-panel:not([hidden])")
    rate6 = board.inner_text("#satisfaction li[data-window-number='6'] .sat-rate")
    assert rate6 == "66.7%", "6 ratings at window 6: 5, 4, 2, 5, 4, 2"
    few8 = board.inner_text("#satisfaction li[data-window-number='8'] .sat-rate")
    assert few8 == "评价不足", "2 ratings are too few to show a rate"
    shoot(board, "hall-board-satisfaction.png")
    ctx.close()
    assert errors.errors == [] and logged == []
