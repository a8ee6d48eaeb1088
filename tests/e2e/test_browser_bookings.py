"""Appointments (预约) in a real browser against `hallq serve`: a citizen books on the phone page,
checks in at the kiosk by the booking code, and is called in the slot ahead of later walk-ins; a
late check-in becomes a walk-in; bad codes and double check-ins are told at the kiosk.

The server runs on the wall clock, so the test makes the day bookable whatever the day it runs
(opening hours around the clock, the hall's own calendar marking today a workday) and lets time
pass the only way a live server allows: it moves the booked slot in the database (the slot
"begins"; a booking made earlier for a slot long over) instead of sleeping.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from .test_browser_live_hall import WAIT_MS, PageErrors, browser

pytestmark = pytest.mark.e2e

__all__ = ["browser"]

ALL_DAY = {d: [["00:00", "23:59"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def _app(hall: Any) -> Any:
    from server import create_app

    return create_app({"DATABASE_URL": hall.database_url, "SECRET_KEY": "e2e", "ASYNC_MODE": "threading"})


def _bookable_today(hall: Any) -> None:
    manager = hall.token("manager", "manager")
    r = hall.api("PATCH", "/halls/demo", manager, json={"opening_hours": ALL_DAY})
    assert r.status_code == 200, r.text
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    other = date(today.year, 1, 1) if today != date(today.year, 1, 1) else date(today.year, 1, 2)
    schedule = {
        "hall": "demo",
        "holidays": [{"day": other.isoformat(), "name": "假日"}],
        "workdays": [{"day": today.isoformat(), "name": "调休"}] if today.weekday() >= 5 else [],
    }
    r = hall.api("PUT", f"/calendar/{today.year}", manager, json=schedule)
    assert r.status_code == 200, r.text
    rules = {"slot_minutes": 10, "capacity": 2, "days_ahead": 3}
    r = hall.api(
        "PATCH", "/halls/demo/bookings/settings", manager, json={"services": {"A": rules}, "grace_minutes": 5}
    )
    assert r.status_code == 200, r.text


def _move_slot(hall: Any, code: str, starts_at: datetime, minutes: int = 10) -> None:
    """Time passes: the booking's slot now starts at `starts_at`."""
    from sqlalchemy import update

    from server.storage.models import Booking

    app = _app(hall)
    try:
        with app.extensions["hallq"].db.transaction() as s:
            s.execute(
                update(Booking)
                .where(Booking.code == code)
                .values(starts_at=starts_at, ends_at=starts_at + timedelta(minutes=minutes))
            )
    finally:
        app.extensions["hallq"].db.dispose()


def _check_in(kiosk: Any, code: str) -> None:
    kiosk.click("#btn-booking-entry")
    kiosk.wait_for_selector("#screen-booking:not([hidden])")
    for ch in code:
        kiosk.click(f"#booking-keypad .key[data-key='{ch}']")
    kiosk.click("#booking-submit")


def _book_on_phone(ctx: Any, errors: PageErrors, hall: Any, phone: str) -> tuple[str, str]:
    page = errors.watch(ctx.new_page(), "phone")
    page.goto(f"{hall.url}/b/demo")
    page.wait_for_selector("#bk-service option[value='A']", state="attached")
    page.select_option("#bk-service", "A")
    page.wait_for_selector("#bk-slots .bk-slot:not([disabled])")
    page.click("#bk-slots .bk-slot:not([disabled]) >> nth=0")
    page.fill("#bk-phone", phone)
    page.click("#bk-submit")
    page.wait_for_url("**/b/demo/*")
    page.wait_for_selector("#booking-code")
    assert page.locator(".bk-qr img").count() == 1
    code = page.inner_text("#booking-code").strip()
    token = page.url.rsplit("/", 1)[1].split("?")[0]
    page.close()
    return code, token


def test_book_on_the_phone_check_in_at_the_kiosk_and_be_called_in_the_slot(
    live_hall: Any, browser: Any
) -> None:
    hall = live_hall
    _bookable_today(hall)
    errors = PageErrors()
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    code, _ = _book_on_phone(ctx, errors, hall, "13800138000")
    assert len(code) == 8

    # a walk-in already waits when the citizen arrives
    before = hall.api("POST", "/tickets", hall.kiosk_token, json={"service": "A"}).json()

    kiosk = errors.watch(ctx.new_page(), "kiosk")
    kiosk.goto(f"{hall.url}/kiosk/demo?token={hall.kiosk_token}")
    kiosk.wait_for_selector("#category-tiles .tile")  # loaded: the first load goes home
    # a wrong code is told on the keypad screen, and takes no number
    _check_in(kiosk, "ZZZZZZZZ")
    kiosk.wait_for_selector("#booking-error:not([hidden])")
    assert "没有找到这个预约" in kiosk.inner_text("#booking-error")
    kiosk.click("#btn-booking-back")

    _check_in(kiosk, code)
    kiosk.wait_for_selector("#screen-ticket:not([hidden])", timeout=WAIT_MS)
    assert "预约签到成功" in kiosk.inner_text("#ticket-booking")
    booked_number = kiosk.inner_text("#ticket-number").strip()
    kiosk.click("#btn-done")

    # checking in twice is refused, nothing taken
    _check_in(kiosk, code)
    kiosk.wait_for_selector("#booking-error:not([hidden])")
    assert "请勿重复签到" in kiosk.inner_text("#booking-error")
    kiosk.click("#btn-booking-back")

    later = hall.api("POST", "/tickets", hall.kiosk_token, json={"service": "A"}).json()
    # the slot begins
    _move_slot(hall, code, datetime.now(UTC) - timedelta(minutes=1))

    clerk = hall.clerk_token("clerk02")
    assert hall.api("POST", "/windows/2/sign-in", clerk).status_code == 200
    called = []
    for _ in range(3):
        r = hall.api("POST", "/windows/2/call-next", clerk)
        assert r.status_code == 200, r.text
        called.append(r.json()["number"])
        for action in ("start", "complete"):
            assert hall.api("POST", f"/tickets/{r.json()['id']}/{action}", clerk).status_code == 200
    assert called == [booked_number, before["number"], later["number"]]
    ctx.close()
    assert not errors.errors, errors.errors


def test_a_late_check_in_by_a_scanned_qr_becomes_a_walk_in(live_hall: Any, browser: Any) -> None:
    hall = live_hall
    _bookable_today(hall)
    errors = PageErrors()
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    code, token = _book_on_phone(ctx, errors, hall, "13900139000")
    # the slot was over half an hour ago (grace: 5 minutes)
    _move_slot(hall, code, datetime.now(UTC) - timedelta(minutes=40))

    kiosk = errors.watch(ctx.new_page(), "kiosk")
    kiosk.goto(f"{hall.url}/kiosk/demo?token={hall.kiosk_token}")
    kiosk.wait_for_selector("#category-tiles .tile")
    # the kiosk's scanner types the QR's URL (the booking's page) on the start screen, then Enter
    kiosk.keyboard.type(f"{hall.url}/b/demo/{token}")
    kiosk.keyboard.press("Enter")
    kiosk.wait_for_selector("#screen-ticket:not([hidden])", timeout=WAIT_MS)
    assert "已按现场取号排队" in kiosk.inner_text("#ticket-booking")

    manager = hall.token("manager", "manager")
    day = hall.api("GET", "/halls/demo/bookings", manager).json()
    assert day["counts"]["walk_in"] == 1
    (row,) = [b for b in day["bookings"] if b["code"] == code]
    assert (
        row["status"] == "walk_in" and row["ticket"]["number"] == kiosk.inner_text("#ticket-number").strip()
    )
    ctx.close()
    assert not errors.errors, errors.errors


def test_a_citizen_moves_then_cancels_a_booking_on_its_page(live_hall: Any, browser: Any) -> None:
    hall = live_hall
    _bookable_today(hall)
    errors = PageErrors()
    ctx = browser.new_context(viewport={"width": 420, "height": 900}, locale="zh-CN")
    code, token = _book_on_phone(ctx, errors, hall, "13700137000")
    page = errors.watch(ctx.new_page(), "booking page")
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{hall.url}/b/demo/{token}")
    page.wait_for_selector("#bk-slots .bk-slot:not([disabled])")
    first = page.inner_text("#bk-when")
    page.click("#bk-slots .bk-slot:not([disabled]) >> nth=1")
    page.click("#bk-reschedule")
    page.wait_for_url(lambda url: token not in url and "/b/demo/" in url)
    page.wait_for_selector("#booking-code")
    new_code = page.inner_text("#booking-code").strip()
    assert new_code != code and page.inner_text("#bk-when") != first
    assert hall.api("GET", f"/halls/demo/bookings/{token}").json()["status"] == "cancelled"
    page.click("#bk-cancel")
    page.wait_for_selector("#bk-status.bk-cancelled")
    assert page.locator("#bk-change").count() == 0
    ctx.close()
    assert not errors.errors, errors.errors
