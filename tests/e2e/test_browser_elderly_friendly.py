"""适老化 in a real browser: the kiosk on a portrait and a landscape screen, and the phone page.

The kiosk: every step (home, a category's services, the ticket, the notice and booking keypads)
fits 1080×1920 and 1920×1080 without scrolling, in standard and large text; every control is at
least 15 mm (57 px at kiosk DPI); focus moves to each new step's heading; nothing returns to the
start without a warning first, any touch gives the whole time again, the ticket screen stays at
least 60 s and has "再看一会儿". The page's timers run on Playwright's clock (page.clock), so a
minute of idling takes no real minute.

The phone ticket page at 320/375/414 px: no horizontal overflow, text ≥ 18 px, one h1 naming the
hall. One browser, one kiosk page and one phone page for the whole test.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from . import test_browser_live_hall as browser_tests
from .test_browser_live_hall import WAIT_MS, PageErrors, live, shoot, take_anyway

pytestmark = pytest.mark.e2e

browser = browser_tests.browser

#: 15 mm at a kiosk's ~96 DPI
MIN_TARGET_PX = 57

#: what the page reports about its own fit: document scroll size, controls too small, the focus
MEASURE = """(min) => {
  const de = document.documentElement;
  const small = [];
  document.querySelectorAll('button, a[href], input, select, [role="button"]').forEach(function (e) {
    const r = e.getBoundingClientRect();
    if (!r.width || !r.height || getComputedStyle(e).visibility === 'hidden') return;
    if (r.width < min || r.height < min) {
      small.push((e.id || e.className || e.tagName) + ' ' + Math.round(r.width) + 'x' + Math.round(r.height));
    }
  });
  return {scrollHeight: de.scrollHeight, scrollWidth: de.scrollWidth, innerHeight: innerHeight,
          innerWidth: innerWidth, small: small, focus: document.activeElement && document.activeElement.id};
}"""

#: text a phone shows below 18 px (the MIIT 适老化 guidance), and the headings
PHONE = """() => {
  const de = document.documentElement;
  const small = [];
  document.querySelectorAll('body *').forEach(function (e) {
    if (!e.getClientRects().length) return;
    const size = parseFloat(getComputedStyle(e).fontSize);
    for (const n of e.childNodes) {
      if (n.nodeType === 3 && n.textContent.trim() && size < 18) {
        small.push(e.tagName + '.' + e.className + ' ' + size + 'px');
        break;
      }
    }
  });
  return {scrollWidth: de.scrollWidth, innerWidth: innerWidth,
          body: parseFloat(getComputedStyle(document.body).fontSize), small: small,
          h1: Array.from(document.querySelectorAll('h1')).map(function (h) { return h.innerText; }),
          h2: document.querySelectorAll('h2').length};
}"""

QR_LOADED = (
    "() => { const i = document.getElementById('ticket-qr'); return i.complete && i.naturalWidth > 0; }"
)


def pause(page: Any) -> None:
    """Stops the page's clock (its timers then run only in clock.run_for)."""
    # (a number here is seconds since the epoch, as datetime.timestamp() gives)
    page.clock.pause_at(page.evaluate("Date.now()") / 1000 + 1)


def tap(page: Any, selector: str) -> None:
    """A plain touch at the element's centre (no actionability wait: it needs animation frames,
    which a stopped clock does not give)."""
    box = page.locator(selector).bounding_box()
    assert box, f"{selector} is not on screen"
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def fits(page: Any, where: str, focus: str | None = None) -> None:
    m = page.evaluate(MEASURE, MIN_TARGET_PX)
    assert m["scrollHeight"] <= m["innerHeight"], (
        f"{where}: {m['scrollHeight']} px tall in {m['innerHeight']}"
    )
    assert m["scrollWidth"] <= m["innerWidth"], f"{where}: {m['scrollWidth']} px wide in {m['innerWidth']}"
    assert not m["small"], f"{where}: controls under {MIN_TARGET_PX} px: {m['small']}"
    if focus:
        assert m["focus"] == focus, f"{where}: the focus is on {m['focus']!r}, not on {focus!r}"


def test_kiosk_fits_waits_and_phone_page_reads(live_hall: Any, browser: Any) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    hall = live_hall
    errors = PageErrors()
    ctx = browser.new_context(viewport={"width": 1080, "height": 1920}, locale="zh-CN")
    kiosk = errors.watch(ctx.new_page(), "kiosk")
    kiosk.clock.install()
    kiosk.goto(f"{hall.url}/kiosk/{hall.hall}?token={hall.kiosk_token}")
    expect(kiosk.locator("#category-tiles .tile").first).to_be_visible()
    live(kiosk)
    screen = kiosk.locator("#kiosk")
    warning = kiosk.locator("#overlay-idle")
    ticket_id = ""

    for width, height in ((1080, 1920), (1920, 1080)):
        kiosk.set_viewport_size({"width": width, "height": height})
        kiosk.goto(f"{hall.url}/kiosk/{hall.hall}")  # the token is remembered
        expect(kiosk.locator("#category-tiles .tile").first).to_be_visible()
        where = f"{width}×{height}"
        expect(screen).to_have_attribute("data-screen", "categories")
        fits(kiosk, f"home {where}", "cat-title")
        if width == 1080:
            shoot(kiosk, "kiosk-portrait.png")

        # the keypads of 一次告知单 and 预约签到
        kiosk.locator("#btn-notice-entry").click()
        fits(kiosk, f"notice keypad {where}", "notice-title")
        kiosk.locator("#btn-notice-back").click()
        kiosk.locator("#btn-booking-entry").click()
        fits(kiosk, f"booking keypad {where}", "booking-title")
        kiosk.locator("#btn-booking-back").click()
        fits(kiosk, f"home again {where}", "cat-title")

        # a category's services
        kiosk.locator("#category-tiles .tile[data-category='公安']").click()
        expect(screen).to_have_attribute("data-screen", "services")
        fits(kiosk, f"services {where}", "svc-title")

        if width == 1080:
            # no time pressure: the warning comes 10 s before the return, a touch starts again.
            # The page's clock stands still between run_for calls: the seconds below are exact.
            pause(kiosk)
            tap(kiosk, "#svc-title")  # a touch: the whole minute from here
            kiosk.clock.run_for(49_000)
            expect(warning).to_be_hidden()
            kiosk.clock.run_for(2_000)
            expect(warning).to_be_visible()
            expect(kiosk.locator("#btn-idle-stay")).to_be_focused()
            fits(kiosk, f"idle warning {where}")
            kiosk.mouse.click(5, 5)  # a touch beside the dialog
            expect(warning).to_be_hidden()
            kiosk.clock.run_for(49_000)
            expect(screen).to_have_attribute("data-screen", "services")
            expect(warning).to_be_hidden()
            kiosk.clock.run_for(2_000)
            expect(warning).to_be_visible()
            kiosk.clock.run_for(10_000)
            expect(screen).to_have_attribute("data-screen", "categories")
            expect(warning).to_be_hidden()
            expect(kiosk.locator("#kiosk-status")).to_have_text("已返回首页")
            kiosk.clock.resume()
            kiosk.locator("#category-tiles .tile[data-category='公安']").click()

        # the ticket: at least a minute, "再看一会儿", a warning before it goes
        kiosk.locator("#service-tiles .tile[data-service='A']").click()
        take_anyway(kiosk)
        expect(screen).to_have_attribute("data-screen", "ticket")
        expect(kiosk.locator("#ticket-number")).to_have_text(re.compile(r"^A\d{3}$"))
        ticket_id = kiosk.locator("#screen-ticket").get_attribute("data-ticket-id") or ""
        kiosk.wait_for_function(QR_LOADED)
        fits(kiosk, f"ticket {where}", "ticket-title")
        assert kiosk.locator("#screen-ticket").get_attribute("aria-live") is None, "no assertive countdown"
        if width == 1080:
            shoot(kiosk, "kiosk-ticket-portrait.png")
            pause(kiosk)
            tap(kiosk, "#btn-more-time")  # "再看一会儿": the whole minute from here
            kiosk.clock.run_for(49_000)
            expect(screen).to_have_attribute("data-screen", "ticket")
            expect(warning).to_be_hidden()
            kiosk.clock.run_for(2_000)
            expect(warning).to_be_visible()
            kiosk.clock.run_for(8_000)
            expect(screen).to_have_attribute("data-screen", "ticket")
            tap(kiosk, "#btn-idle-stay")
            expect(warning).to_be_hidden()
            expect(kiosk.locator("#countdown")).to_contain_text("60")
            kiosk.clock.resume()
        kiosk.locator("#btn-done").click()
        expect(screen).to_have_attribute("data-screen", "categories")
        fits(kiosk, f"home after a ticket {where}", "cat-title")

        # 大字模式: still fits; ends with the citizen's visit
        kiosk.locator("#btn-large").click()
        expect(kiosk.locator("#btn-large")).to_have_attribute("aria-pressed", "true")
        expect(kiosk.locator("html")).to_have_class(re.compile(r"\bkiosk-large\b"))
        fits(kiosk, f"home in large text {where}")
        kiosk.locator("#category-tiles .tile[data-category='公安']").click()
        fits(kiosk, f"services in large text {where}", "svc-title")
        kiosk.locator("#service-tiles .tile[data-service='A']").click()
        take_anyway(kiosk)
        expect(screen).to_have_attribute("data-screen", "ticket")
        fits(kiosk, f"ticket in large text {where}", "ticket-title")
        if width == 1080:
            shoot(kiosk, "kiosk-large-text.png")
        kiosk.locator("#btn-done").click()
        expect(kiosk.locator("#btn-large")).to_have_attribute("aria-pressed", "false")

        # the service guide (办事指南): browsing, and one service's guide
        kiosk.locator("#btn-guide-entry").click()
        expect(kiosk.locator("#browse .g-tile").first).to_be_visible()
        fits(kiosk, f"guide {where}")
        kiosk.locator("#browse .g-tile[data-service='A']").click()
        expect(kiosk.locator("#screen-guide")).to_be_visible()
        fits(kiosk, f"guide of A {where}", "g-name")

    # ── the phone page of the ticket ─────────────────────────────────────────────────────
    assert ticket_id
    hall_name = hall.api("GET", f"/halls/{hall.hall}", hall.kiosk_token).json()["name"]
    phone_ctx = browser.new_context(
        viewport={"width": 320, "height": 800},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    phone = errors.watch(phone_ctx.new_page(), "phone")
    for width in (320, 375, 414):
        phone.set_viewport_size({"width": width, "height": 800})
        phone.goto(f"{hall.url}/t/{ticket_id}")
        live(phone)
        expect(phone.locator("#t-number")).not_to_be_empty()
        m = phone.evaluate(PHONE)
        assert m["scrollWidth"] <= m["innerWidth"], f"phone {width}: {m['scrollWidth']} px wide"
        assert m["body"] >= 18, f"phone {width}: body text {m['body']} px"
        assert not m["small"], f"phone {width}: text under 18 px: {m['small']}"
        assert len(m["h1"]) == 1 and hall_name in m["h1"][0], f"phone {width}: h1 {m['h1']}"
        assert m["h2"] >= 1
        if width == 375:
            shoot(phone, "phone-375.png")

    for c in (ctx, phone_ctx):
        c.close()
    assert not errors.errors, errors.errors
