"""Printer faults in a real browser: the kiosk keeps the ticket on screen, says why the slip did
not print, reprints once; the manager console shows the fault and the failed slip live.

A real `hallq serve` process (the `live_hall` fixture) drives the fake network printer of
tests/fakeprinter.py with its own print worker; Debian's Chromium drives the pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakeprinter import FakePrinter

from . import test_browser_live_hall as browser_tests
from .test_browser_elderly_friendly import fits
from .test_browser_live_hall import WAIT_MS, PageErrors, decode_qr, live, shoot, take_anyway

pytestmark = pytest.mark.e2e

#: the same Chromium (and the same skip / HALLQ_TEST_REQUIRE_BROWSER rules) as the live-hall test
browser = browser_tests.browser


@pytest.fixture
def printer() -> Iterator[FakePrinter]:
    fake = FakePrinter(mode="paper_out")
    fake.start()
    yield fake
    fake.stop()


def take_number(kiosk: Any, category: str, service: str) -> str:
    kiosk.locator(f"#category-tiles .tile[data-category='{category}']").click()
    kiosk.locator(f"#service-tiles .tile[data-service='{service}']").click()
    take_anyway(kiosk)  # no clerk is signed in in these tests
    number = kiosk.locator("#ticket-number")
    from playwright.sync_api import expect

    expect(number).to_have_text(re.compile(rf"^{service}\d{{3}}$"))
    return number.inner_text()


def countdown_seconds(page: Any) -> int:
    m = re.search(r"\d+", page.locator("#countdown").inner_text())
    assert m, "the ticket screen shows when it returns to the start"
    return int(m.group())


def test_printer_fault_kiosk_keeps_the_ticket_and_reprints_once(
    live_hall: Any, browser: Any, printer: FakePrinter, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    hall = live_hall
    errors = PageErrors()
    printer_row = hall.add_printer(printer.spec, hall.kiosk_token, "text", 80)

    # ── the kiosk: the printer is out of paper; the number is taken all the same ──────────────
    kiosk_ctx = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    kiosk = errors.watch(kiosk_ctx.new_page(), "kiosk")
    kiosk.goto(f"{hall.url}/kiosk/{hall.hall}?token={hall.kiosk_token}")
    expect(kiosk.locator("#category-tiles .tile").first).to_be_visible()
    live(kiosk)
    # a kiosk opened while its printer is already out of paper says so before anyone takes a
    # number: it knows its printer on load (the server reads the fault within 5 s)
    expect(kiosk.locator("#printer-banner")).to_be_visible()
    expect(kiosk.locator("#kiosk")).to_have_attribute("data-printer-fault", "yes")

    number = take_number(kiosk, "公安", "A")
    ticket_id = kiosk.locator("#screen-ticket").get_attribute("data-ticket-id")
    assert ticket_id
    kiosk.wait_for_function(
        "() => { const i = document.getElementById('ticket-qr'); return i.complete && i.naturalWidth > 0; }"
    )
    state = kiosk.locator("#print-state")
    # the server's print worker tries the printer, the job fails, the kiosk hears it
    expect(state).to_have_attribute("data-state", "failed")
    fault = kiosk.locator("#ps-fault")
    expect(fault).to_be_visible()
    expect(fault).to_contain_text("打印机故障：号码已生效")
    expect(fault).to_contain_text("请拍照保存本页二维码，或联系工作人员")
    expect(kiosk.locator("#ps-kind")).to_have_text("缺纸")
    expect(kiosk.locator("#btn-reprint")).to_be_visible()
    expect(kiosk.locator("#btn-done")).to_have_text("已拍照，返回首页")
    # the ticket and its QR stay; the page gives time to photograph it instead of the usual 30 s
    expect(kiosk.locator("#ticket-number")).to_have_text(number)
    expect(kiosk.locator("#ticket-qr")).to_be_visible()
    assert countdown_seconds(kiosk) > 60
    # the fault, the ticket, its QR and the buttons fit the screen, landscape and portrait (适老化)
    fits(kiosk, "printer fault 1920×1080", "ticket-title")
    shoot(kiosk, "kiosk-printer-fault.png")
    kiosk.set_viewport_size({"width": 1080, "height": 1920})
    kiosk.wait_for_function("() => document.documentElement.scrollHeight <= innerHeight")
    fits(kiosk, "printer fault 1080×1920")
    kiosk.set_viewport_size({"width": 1920, "height": 1080})
    kiosk.wait_for_function("() => document.documentElement.scrollHeight <= innerHeight")
    kiosk.locator("#ticket-qr").screenshot(path=str(tmp_path / "qr.png"))
    decoded = decode_qr(tmp_path / "qr.png")
    if decoded is not None:
        assert decoded == f"{hall.url}/t/{ticket_id}"
    # the kiosk learnt its printer from the ticket and heard the fault
    expect(kiosk.locator("#kiosk")).to_have_attribute("data-printer-fault", "yes")

    # the same kiosk after a reboot warns before anyone takes a number
    rebooted = errors.watch(kiosk_ctx.new_page(), "kiosk rebooted")
    rebooted.goto(f"{hall.url}/kiosk/{hall.hall}")
    live(rebooted)
    banner = rebooted.locator("#printer-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("打印机故障，取号后请拍照保存号码")

    # ── the manager console shows the fault and the failed slip ───────────────────────────
    manager_ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    manager = errors.watch(manager_ctx.new_page(), "manager console")
    manager.goto(f"{hall.url}/manage/")
    manager.fill("input[name='username']", "manager")
    manager.fill("input[name='password']", hall.password)
    manager.click("form.login-card button[type='submit']")
    manager.wait_for_url(re.compile(r"/manage/$"))
    live(manager)
    row = manager.locator(f"#printer-body tr[data-printer-id='{printer_row['id']}']")
    expect(row).to_have_attribute("data-fault", "yes")
    expect(row.locator("[data-role='status']")).to_have_text("缺纸")
    expect(row).to_contain_text(f"127.0.0.1:{printer.port}")
    expect(row).to_contain_text("失败 1")
    slip = manager.locator(f"#failed-body tr[data-ticket-id='{ticket_id}']")
    expect(slip).to_contain_text(number)
    expect(slip).to_contain_text("缺纸")
    expect(slip).to_have_attribute("data-state", "failed")
    expect(slip.locator("button.reprint")).to_be_visible()
    expect(manager.locator("#window-links a")).to_have_count(12)
    shoot(manager, "manage-printers.png")

    # ── paper loaded: the kiosk reprints, once ────────────────────────────────────────────
    printer.mode = "accept"
    kiosk.locator("#btn-reprint").click()
    expect(state).to_have_attribute("data-state", "printed")
    expect(kiosk.locator("#ps-text")).to_have_text("请取走号票")
    expect(kiosk.locator("#ps-fault")).to_be_hidden()
    expect(kiosk.locator("#btn-reprint")).to_be_hidden()
    expect(kiosk.locator("#btn-done")).to_have_text("完成，返回首页")
    # the fake printer files a slip when its connection closes, a moment after the server's "printed"
    assert printer.wait_for_jobs(1, timeout=5)
    assert printer.jobs_received == 1, "the reprint printed exactly one slip"
    # once only: the kiosk may not reprint this ticket again
    again = hall.api("POST", f"/tickets/{ticket_id}/reprint", hall.kiosk_token)
    assert again.status_code == 409 and again.json()["error"]["code"] == "reprint_limit"
    assert hall.api("GET", f"/tickets/{ticket_id}").json()["print"]["kiosk_reprints_left"] == 0

    # everyone hears that the printer works again
    expect(banner).to_be_hidden()
    expect(row.locator("[data-role='status']")).to_have_text("正常")
    expect(row).to_have_attribute("data-fault", "no")
    expect(slip).to_have_attribute("data-state", "printed")
    expect(slip).to_contain_text("已补打")
    expect(slip.locator("button.reprint")).to_have_count(0)

    # ── a slip that fails later shows up live; the manager reprints it ────────────────────
    printer.mode = "refuse"
    late = hall.api("POST", "/tickets", hall.kiosk_token, json={"service": "C"})
    assert late.status_code == 201 and late.json()["print"]["status"] == "queued"
    late_row = manager.locator(f"#failed-body tr[data-ticket-id='{late.json()['id']}']")
    expect(late_row).to_have_attribute("data-state", "failed")
    expect(late_row).to_contain_text("拒绝连接")
    expect(row).to_have_attribute("data-fault", "yes")
    printer.mode = "accept"
    late_row.locator("button.reprint").click()
    expect(manager.locator("#messages")).to_contain_text(f"已发送补打：{late.json()['number']}")
    expect(late_row).to_have_attribute("data-state", "printed")
    assert printer.wait_for_jobs(2, timeout=5)
    assert printer.jobs_received == 2

    for ctx in (kiosk_ctx, manager_ctx):
        ctx.close()
    assert errors.errors == []


def test_manage_console_is_for_managers_only(live_hall: Any) -> None:
    """No browser needed: /manage/ asks for a login, and a clerk gets 403."""
    import requests

    hall = live_hall
    r = requests.get(hall.url + "/manage/", timeout=10, allow_redirects=False)
    assert r.status_code == 302 and "/login" in r.headers["Location"]

    for username, status in (("clerk01", 403), ("manager", 200)):
        with requests.Session() as s:
            page = s.get(hall.url + "/login", timeout=10).text
            csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
            assert csrf, "the login form carries a CSRF token"
            s.post(
                hall.url + "/login",
                data={"username": username, "password": hall.password, "csrf_token": csrf.group(1)},
                timeout=10,
            )
            r = s.get(hall.url + "/manage/", timeout=10)
            assert r.status_code == status, username
            if status == 200:
                assert 'id="printers"' in r.text and 'id="failed"' in r.text
