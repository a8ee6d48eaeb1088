"""Issue 14's acceptance matrix: every page of the hall, in Chromium, at the resolutions halls
really have, with the demo hall busy (waiting numbers in every service, 10+ calls, three
transfers, a paused window, a call banner on the hall board).

For each page and each of its resolutions:

* no horizontal overflow (the document is no wider than the viewport);
* the kiosk's screens fit without vertical scroll;
* on the hall board, every waiting count and the last 10 calls lie inside the viewport and
  are not clipped by a box of theirs;
* axe-core (tests/vendor/axe-core, from npm; injected into the page by this test, never loaded by the
  pages themselves; run at the page's main size, the first of its list) reports no violation
  of impact "serious" or "critical" — colour contrast
  (4.5:1, large text 3:1), labels, `lang`, names of buttons and links, ARIA misuse…

One server, one browser, one context per role (kiosk, boards, pad, phone, clerk, manager,
admin, anonymous); a page is opened once and its viewport changed. Each page is its own test id,
so a failure names the page; its message lists every resolution, rule and selector found.
The screenshots of a sensible set of pages land in docs/screenshots/ at each page's main
(first) resolution.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from .conftest import LiveHall, start_server, stop_server
from .test_browser_live_hall import SHOTS, WAIT_MS, launched_browser

pytestmark = pytest.mark.e2e

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
#: axe impacts that fail a page (the acceptance: "no serious or critical violation")
FAILING_IMPACTS = ("serious", "critical")

Size = tuple[int, int]
KIOSK: tuple[Size, ...] = ((1080, 1920), (1920, 1080))
TV: tuple[Size, ...] = ((1920, 1080), (1366, 768), (3840, 2160))
WINDOW_BOARD: tuple[Size, ...] = ((1280, 800), (800, 480))
CLERK_PC: tuple[Size, ...] = ((1366, 768),)
PHONE: tuple[Size, ...] = ((375, 812), (414, 896))
#: pages that show a code (ticket number, notice, booking, case, complaint): 320 px too
PHONE_CODES: tuple[Size, ...] = ((375, 812), (414, 896), (320, 640))
DESK: tuple[Size, ...] = ((1366, 768), (1920, 1080))
DESK_AND_PHONE: tuple[Size, ...] = ((1366, 768), (1920, 1080), (375, 812))
ALL_DAY = {d: [["00:00", "23:59"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


@dataclass(frozen=True)
class Screen:
    """One page of the hall: who opens it, where, at which resolutions, and when it is ready."""

    id: str
    role: str
    path: str  # formatted with the busy hall's facts (Busy.facts)
    sizes: tuple[Size, ...]
    ready: str | None = None  # a selector attached once the page shows its data
    live: bool = False  # a Socket.IO page: wait until it is subscribed
    shot: str | None = None  # docs/screenshots/<shot> at sizes[0]
    no_vertical_scroll: bool = False
    hall_board: bool = False  # waiting counts and last 10 calls in view, a call banner showing
    before: str | None = None  # a step on the page before checking (see STEPS)


SCREENS: tuple[Screen, ...] = (
    # ── anyone ────────────────────────────────────────────────────────────────────────
    Screen("index", "anon", "/", DESK_AND_PHONE),
    Screen("login", "anon", "/login", DESK_AND_PHONE, ready="form.login-card", shot="login.png"),
    # ── kiosk ─────────────────────────────────────────────────────────────────────────
    Screen(
        "kiosk-home",
        "kiosk",
        "/kiosk/{hall}?token={kiosk}",
        KIOSK,
        "#category-tiles .tile",
        True,
        "kiosk.png",
        no_vertical_scroll=True,
    ),
    Screen(
        "kiosk-services",
        "kiosk",
        "/kiosk/{hall}?token={kiosk}",
        KIOSK,
        "#category-tiles .tile",
        True,
        no_vertical_scroll=True,
        before="kiosk_services",
    ),
    Screen(
        "kiosk-ticket",
        "kiosk",
        "/kiosk/{hall}?token={kiosk}",
        KIOSK,
        "#category-tiles .tile",
        True,
        "kiosk-ticket.png",
        no_vertical_scroll=True,
        before="kiosk_ticket",
    ),
    Screen("kiosk-guide", "kiosk", "/kiosk/{hall}/guide?token={kiosk}", KIOSK, "[data-ready='1']"),
    # ── boards and the rating pad ─────────────────────────────────────────────────────
    Screen(
        "hall-board",
        "board",
        "/board/{hall}?token={board}",
        TV,
        "#waiting li",
        True,
        "hall-board.png",
        hall_board=True,
    ),
    Screen(
        "window-board",
        "board",
        "/board/{hall}/window/{window6}?token={board}",
        WINDOW_BOARD,
        None,
        True,
        "window-board.png",
    ),
    Screen(
        "window-board-paused",
        "board",
        "/board/{hall}/window/{window11}?token={board}",
        WINDOW_BOARD,
        None,
        True,
    ),
    Screen(
        "window-board-closed",
        "board",
        "/board/{hall}/window/{window12}?token={board}",
        WINDOW_BOARD,
        None,
        True,
    ),
    Screen(
        "pad", "pad", "/board/{hall}/window/{window6}/pad?token={pad}", WINDOW_BOARD, None, True, "pad.png"
    ),
    # ── the citizen's phone ───────────────────────────────────────────────────────────
    Screen("ticket-phone", "phone", "/t/{ticket}", PHONE_CODES, "#t-number", True, "phone.png"),
    Screen("notice-phone", "phone", "/n/{notice}", PHONE_CODES, shot="notice-phone.png"),
    Screen("notice-print", "phone", "/n/{notice}/print", ((1366, 768),), "#btn-print"),
    Screen("case-phone", "phone", "/c/{case}", PHONE_CODES, shot="case-phone.png"),
    Screen("case-receipt", "phone", "/c/{case}/receipt", (*PHONE, (1366, 768))),
    Screen("complaint-new", "phone", "/complaints/new?hall={hall}", PHONE, "form"),
    Screen("complaint-status", "phone", "/complaints/{complaint}", PHONE_CODES),
    Screen("booking-new", "phone", "/b/{hall}", PHONE, "#bk-service option[value='A']", shot="booking.png"),
    Screen("booking-status", "phone", "/b/{hall}/{booking}", PHONE_CODES, "#booking-code"),
    # ── clerk ─────────────────────────────────────────────────────────────────────────
    Screen(
        "clerk-console",
        "clerk",
        "/clerk/",
        CLERK_PC,
        "#window-grid [data-window-id]",
        True,
        "clerk-console.png",
        before="clerk_call",
    ),
    Screen("clerk-appraisal", "clerk", "/clerk/appraisal", CLERK_PC),
    # ── manager ───────────────────────────────────────────────────────────────────────
    Screen("manage-console", "manager", "/manage/", DESK, None, True, "manage.png"),
    Screen("manage-hall", "manager", "/manage/hall", DESK, None, True, "manage-hall.png"),
    Screen("manage-audit", "manager", "/manage/audit", DESK, "#audit-body tr"),
    Screen("manage-overdue", "manager", "/manage/overdue", DESK, "#ov-clerks tr"),
    Screen("manage-evaluation", "manager", "/manage/evaluation", DESK),
    Screen("manage-evaluation-report", "manager", "/manage/evaluation/report", DESK),
    Screen("manage-cases", "manager", "/manage/cases", DESK),
    Screen("manage-complaints", "manager", "/manage/complaints", DESK),
    Screen("manage-bookings", "manager", "/manage/bookings", DESK),
    Screen("manage-staff", "manager", "/manage/staff", DESK, "#posts-body tr"),
    Screen("manage-appraisal", "manager", "/manage/appraisal", DESK),
    Screen("manage-simulation", "manager", "/manage/simulation", DESK),
    Screen("manage-guides", "manager", "/manage/guides/", DESK),
    Screen("manage-guide-edit", "manager", "/manage/guides/{guide}", DESK, "[data-ready='1']"),
    # ── administrator ─────────────────────────────────────────────────────────────────
    Screen("admin-hall", "admin", "/admin/", DESK, "#hours-body tr", shot="admin.png"),
    Screen("admin-halls", "admin", "/admin/halls", DESK, "#halls-body tr"),
    Screen("admin-services", "admin", "/admin/services", DESK, "#services-body tr"),
    Screen("admin-windows", "admin", "/admin/windows", DESK, "#windows-body tr"),
    Screen("admin-people", "admin", "/admin/people", DESK, "#people-body tr"),
    Screen("admin-devices", "admin", "/admin/devices", DESK, "#devices-body tr"),
    Screen("admin-calendar", "admin", "/admin/calendar", DESK),
    Screen("admin-appraisal", "admin", "/admin/appraisal", DESK),
)

#: a page's own pages of the app that the matrix leaves out, and why (not pages a person reads)
NOT_PAGES = {
    "/healthz, /healthz/realtime": "health checks (JSON)",
    "/c/<code>/qr.svg, /t/<id>/qr.svg, /n/<token>/qr.svg, /b/<hall>/<token>/qr.svg, "
    "/complaints/<code>/qr.svg": "QR images",
    "/voice/<digest>.wav": "audio",
    "/photos/<key>": "clerk photos",
}


# ── the busy hall ──────────────────────────────────────────────────────────────────────


@dataclass
class Busy:
    hall: LiveHall
    facts: dict[str, str] = field(default_factory=dict)
    #: tickets at a window (called or serving) the hall board's banner test may recall
    called: list[tuple[str, str]] = field(default_factory=list)  # (ticket id, clerk token)


def _ok(r: Any, *codes: int) -> Any:
    assert r.status_code in (codes or (200,)), f"{r.request.method} {r.request.url}: {r.status_code} {r.text}"
    return r.json()


def make_busy(hall: LiveHall) -> Busy:
    """Waiting numbers in every service, 10+ calls, three transfers, a paused window, a window
    closed, a one-time notice, a case, a complaint and a booking: the morning the pages show."""
    busy = Busy(hall)
    snapshot = _ok(hall.api("GET", f"/halls/{hall.hall}/snapshot", hall.board_token))
    ids = {w["number"]: w["id"] for w in snapshot["windows"]}
    services = [s["code"] for s in snapshot["services"]]
    # window 1 is the clerk console's (it logs in); window 12 stays closed
    made = _tokens(
        hall,
        [("manager", "manager", None), ("pad", None, ids[6])]
        + [("clerk", f"clerk{n:02d}", None) for n in range(2, 12)],
    )
    manager, pad = made[0], made[1]
    clerks = dict(zip(range(2, 12), made[2:], strict=True))
    _ok(hall.api("PATCH", f"/halls/{hall.hall}", manager, json={"opening_hours": ALL_DAY}))
    for _round in range(4):
        for code in services:
            _ok(hall.api("POST", "/tickets", hall.kiosk_token, json={"service": code}), 201)
    for n, token in clerks.items():
        _ok(hall.api("POST", f"/windows/{ids[n]}/sign-in", token))

    def call(n: int) -> dict[str, Any]:
        t: dict[str, Any] = _ok(hall.api("POST", f"/windows/{ids[n]}/call-next", clerks[n]))
        return t

    def finish(n: int, t: dict[str, Any], **body: Any) -> dict[str, Any]:
        _ok(hall.api("POST", f"/tickets/{t['id']}/start", clerks[n]))
        done: dict[str, Any] = _ok(hall.api("POST", f"/tickets/{t['id']}/complete", clerks[n], json=body))
        return done

    # a first round of calls; some finished (a one-time notice, a case), then called again
    first = {n: call(n) for n in clerks}
    notice = _ok(
        hall.api(
            "POST", f"/tickets/{first[6]['id']}/notice", clerks[6], json={"missing": [{"name": "单位证明"}]}
        ),
        201,
    )
    finish(6, first[6])
    accepted = finish(8, first[8], outcome="accepted", materials=["居民身份证"])
    finish(2, first[2])
    finish(4, first[4])
    finish(11, first[11])
    # window 11 pauses (its board says so; the hall board's strip too)
    _ok(hall.api("POST", f"/windows/{ids[11]}/pause", clerks[11], json={"reason": "系统维护"}))
    for n in (2, 4, 6, 8):
        t = call(n)
        if n in (4, 8):
            _ok(hall.api("POST", f"/tickets/{t['id']}/start", clerks[n]))
        else:
            busy.called.append((t["id"], clerks[n]))
    # three transfers (转办) the boards keep showing: every window of the target is busy or paused
    for n, target in ((9, "E"), (7, "A"), (5, "H")):
        body = {"service": target, "reason": "转办演示"}
        _ok(hall.api("POST", f"/tickets/{first[n]['id']}/transfer", clerks[n], json=body))
        busy.called.append((call(n)["id"], clerks[n]))
    for n in (3, 10):
        busy.called.append((first[n]["id"], clerks[n]))

    # a citizen's ticket page, a complaint, a booking
    ticket = _ok(hall.api("POST", "/tickets", hall.kiosk_token, json={"service": "A"}), 201)
    complaint = _ok(
        hall.api("POST", "/complaints", json={"hall": hall.hall, "category": "shirking", "text": "窗口推诿"}),
        201,
    )
    busy.facts = {
        "hall": hall.hall,
        "kiosk": hall.kiosk_token,
        "board": hall.board_token,
        "guide": "A",
        "window6": str(ids[6]),
        "window11": str(ids[11]),
        "window12": str(ids[12]),
        "ticket": _last(ticket["url"]),
        "notice": _last(notice["url"]),
        "case": accepted["case"]["code"],
        "complaint": complaint["code"],
        "booking": _booking(hall, manager),
        "pad": pad,
    }
    return busy


def _last(url: str) -> str:
    """The last part of a page's address (/t/<id>, /n/<token>)."""
    return url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[1]


def _booking(hall: LiveHall, manager: str) -> str:
    """A booking's page token: today made a workday in the hall's calendar, A bookable."""
    from zoneinfo import ZoneInfo

    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    workdays = [{"day": today.isoformat(), "name": "调休"}] if today.weekday() >= 5 else []
    other = date(today.year, 1, 1) if today != date(today.year, 1, 1) else date(today.year, 1, 2)
    holidays = [{"day": other.isoformat(), "name": "假日"}]
    _ok(
        hall.api(
            "PUT",
            f"/calendar/{today.year}",
            manager,
            json={"hall": hall.hall, "holidays": holidays, "workdays": workdays},
        )
    )
    rules = {"slot_minutes": 10, "capacity": 4, "days_ahead": 3}
    _ok(hall.api("PATCH", f"/halls/{hall.hall}/bookings/settings", manager, json={"services": {"A": rules}}))
    for ahead in range(4):
        day = today + timedelta(days=ahead)
        slots = _ok(hall.api("GET", f"/halls/{hall.hall}/bookings/slots?service=A&day={day.isoformat()}"))
        free = [
            s
            for s in slots["slots"]
            if s["free"] > 0 and datetime.fromisoformat(s["starts_at"]) > datetime.now(UTC)
        ]
        if free:
            made = _ok(
                hall.api(
                    "POST",
                    f"/halls/{hall.hall}/bookings",
                    json={"service": "A", "starts_at": free[0]["starts_at"], "phone": "13800138000"},
                ),
                201,
            )
            return str(made["token"])
    raise AssertionError(f"no free booking slot for A in 4 days: {slots}")


def _tokens(hall: LiveHall, wanted: list[tuple[str, str | None, int | None]]) -> list[str]:
    """Tokens (role, user, pad's window id) made by one app on the served database, as
    `hallq token create` makes them: one app for all of them, not one per token."""
    from server import create_app
    from server.services.accounts import create_token

    app = create_app({"DATABASE_URL": hall.database_url, "SECRET_KEY": "e2e", "ASYNC_MODE": "threading"})
    try:
        ctx = app.extensions["hallq"]
        return [create_token(ctx, role, hall.hall, user, window_id=window) for role, user, window in wanted]
    finally:
        app.extensions["hallq"].db.dispose()


@pytest.fixture(scope="module")
def busy_hall(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Busy]:
    work = tmp_path_factory.mktemp("matrix")
    db = work / "live.db"
    shutil.copy(sqlite_template, db)
    hall = start_server(f"sqlite:///{db}", work)
    try:
        yield make_busy(hall)
    finally:
        stop_server(hall)


@pytest.fixture(scope="module")
def matrix_browser() -> Iterator[Any]:
    with launched_browser() as b:
        yield b


LOGINS = {"clerk": "clerk01", "manager": "manager", "admin": "admin"}


@pytest.fixture(scope="module")
def role_pages(matrix_browser: Any, busy_hall: Busy) -> Iterator[Callable[[str], Any]]:
    """One context and one page per role, logged in where the role has an account."""
    contexts: dict[str, Any] = {}
    pages: dict[str, Any] = {}

    def page_for(role: str) -> Any:
        if role not in pages:
            # the test injects axe as a script tag: the pages' strict CSP would refuse it
            options: dict[str, Any] = {"locale": "zh-CN", "bypass_csp": True, "reduced_motion": "reduce"}
            if role == "phone":
                options.update(is_mobile=True, has_touch=True, device_scale_factor=2)
            ctx = matrix_browser.new_context(viewport={"width": 1366, "height": 768}, **options)
            page = ctx.new_page()
            page.set_default_timeout(WAIT_MS)
            if role in LOGINS:
                hall = busy_hall.hall
                page.goto(f"{hall.url}/login")
                page.fill("input[name='username']", LOGINS[role])
                page.fill("input[name='password']", hall.password)
                page.click("form.login-card button[type='submit']")
                page.wait_for_url(lambda url: "/login" not in url)
            contexts[role], pages[role] = ctx, page
        return pages[role]

    yield page_for
    for ctx in contexts.values():
        ctx.close()


# ── checks run in the page ─────────────────────────────────────────────────────────────

SETTLE = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))"

#: finite animations (fade-ins, a new call's flash) fast-forwarded to their end, as Playwright's
#: screenshots do, so that axe measures the colours the page settles on (without waiting seconds)
FINISH_ANIMATIONS = """() => { for (const a of document.getAnimations())
  if (a.playState === 'running' && a.effect.getComputedTiming().iterations !== Infinity) a.finish(); }"""

OVERFLOW = """() => {
  const de = document.documentElement, vw = de.clientWidth, vh = de.clientHeight;
  const width = Math.max(de.scrollWidth, document.body.scrollWidth);
  const height = Math.max(de.scrollHeight, document.body.scrollHeight);
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
    (e.classList.length ? '.' + [...e.classList].join('.') : '');
  const wide = [], tall = [];
  for (const e of document.body.querySelectorAll('*')) {
    const r = e.getBoundingClientRect();
    if (!r.width || !r.height) continue;
    // a box past the right edge, or text spilling out of its box (a long code or address)
    const spill = e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible'
      ? r.left + e.scrollWidth : 0;
    if ((r.right > vw + 1 || spill > vw + 1) && wide.length < 5)
      wide.push(name(e) + ' right=' + Math.round(Math.max(r.right, spill)));
    const bottom = r.bottom + window.scrollY;
    if (bottom > vh + 1 && tall.length < 5) tall.push(name(e) + ' bottom=' + Math.round(bottom));
  }
  return {vw, vh, width, height, wide, tall};
}"""

#: the hall board's waiting counts and recent calls: in the viewport, not clipped by any box
IN_VIEW = """() => {
  const vw = document.documentElement.clientWidth, vh = document.documentElement.clientHeight;
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
    (e.classList.length ? '.' + [...e.classList].join('.') : '') +
    (e.textContent ? ' "' + e.textContent.trim().replace(/\\s+/g, ' ').slice(0, 24) + '"' : '');
  const problems = [];
  const check = sel => {
    const items = [...document.querySelectorAll(sel)];
    for (const e of items) {
      const r = e.getBoundingClientRect();
      if (!e.checkVisibility() || !r.width || !r.height) {
        problems.push(name(e) + ' is not shown');
        continue;
      }
      if (r.left < -0.5 || r.top < -0.5 || r.right > vw + 0.5 || r.bottom > vh + 0.5)
        problems.push(name(e) + ' outside the viewport ' +
          JSON.stringify([r.left, r.top, r.right, r.bottom].map(Math.round)));
      for (let a = e.parentElement; a && a !== document.documentElement; a = a.parentElement) {
        const s = getComputedStyle(a);
        if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
        const b = a.getBoundingClientRect();
        if (r.top < b.top - 0.5 || r.bottom > b.bottom + 0.5 ||
            r.left < b.left - 0.5 || r.right > b.right + 0.5) {
          problems.push(name(e) + ' clipped by ' + name(a).split(' "')[0]);
          break;
        }
      }
      if (e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1)
        problems.push(name(e) + ' cuts its own text');
    }
    return items.length;
  };
  return {waiting: check('#waiting > li'), recent: check('#recent-calls > li'), problems};
}"""

AXE_RUN = """async () => {
  const r = await axe.run(document, {resultTypes: ['violations']});
  return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map(n => n.target.join(' ') + (n.any.concat(n.all)[0] ?
      ' (' + n.any.concat(n.all)[0].message + ')' : ''))}));
}"""


# ── steps a page needs before it shows what is checked ─────────────────────────────────


def _kiosk_services(page: Any, busy: Busy) -> None:
    page.locator("#category-tiles .tile[data-category='公安']").click()
    page.locator("#service-tiles .tile[data-service='A']").wait_for()


def _kiosk_ticket(page: Any, busy: Busy) -> None:
    _kiosk_services(page, busy)
    page.locator("#service-tiles .tile[data-service='A']").click()
    page.wait_for_function(
        "() => /^A\\d{3}$/.test((document.getElementById('ticket-number') || {}).textContent || '')"
    )


def _clerk_call(page: Any, busy: Busy) -> None:
    """clerk01 signs in at window 1 on the console and calls a citizen."""
    page.locator("#window-grid [data-window-id='1']").click()
    page.locator("#workspace").wait_for()
    page.locator("#btn-call").click()
    page.wait_for_function(
        "() => /^[A-Z]\\d{3}$/.test(document.getElementById('cur-number').textContent.trim())"
    )


STEPS: dict[str, Callable[[Any, Busy], None]] = {
    "kiosk_services": _kiosk_services,
    "kiosk_ticket": _kiosk_ticket,
    "clerk_call": _clerk_call,
}


def _banner(page: Any, busy: Busy) -> None:
    """A recall at a window: the hall board shows its call banner (for a few seconds)."""
    for _ in range(len(busy.called)):
        ticket_id, token = busy.called.pop(0)
        r = busy.hall.api("POST", f"/tickets/{ticket_id}/recall", token)
        if r.status_code == 200:
            busy.called.append((ticket_id, token))
            page.wait_for_selector("#call-banner:not([hidden])", state="visible")
            return
    raise AssertionError("no ticket left to recall for the call banner")


# ── the matrix ─────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("screen", SCREENS, ids=[s.id for s in SCREENS])
def test_page_fits_and_passes_axe(screen: Screen, busy_hall: Busy, role_pages: Callable[[str], Any]) -> None:
    busy = busy_hall
    page = role_pages(screen.role)
    w, h = screen.sizes[0]
    page.set_viewport_size({"width": w, "height": h})
    page.goto(busy.hall.url + screen.path.format(**busy.facts))
    if screen.live:
        page.wait_for_selector("body[data-live='ok']", state="attached")
    if screen.ready:
        page.wait_for_selector(screen.ready, state="attached")
    elif not screen.live:
        page.wait_for_load_state("networkidle")  # its tables come from the API after the load
    if screen.before:
        STEPS[screen.before](page, busy)

    problems: list[str] = []
    if screen.hall_board:
        snapshot = busy.hall.api("GET", f"/halls/{busy.hall.hall}/snapshot", busy.hall.board_token).json()
        services = snapshot["services"]  # the board lists every service, a 0 too
        assert len(snapshot["recent_calls"]) >= 10, "the busy hall has made 10+ calls"
    for n, (w, h) in enumerate(screen.sizes):
        at = f"{w}×{h}"
        page.set_viewport_size({"width": w, "height": h})
        if screen.hall_board:
            _banner(page, busy)
        page.evaluate(SETTLE)
        page.evaluate(FINISH_ANIMATIONS)
        fit = page.evaluate(OVERFLOW)
        if fit["width"] > fit["vw"]:
            problems.append(
                f"{at}: horizontal overflow, {fit['width']} px wide in {fit['vw']}: {fit['wide']}"
            )
        if screen.no_vertical_scroll and fit["height"] > fit["vh"]:
            problems.append(f"{at}: vertical scroll, {fit['height']} px tall in {fit['vh']}: {fit['tall']}")
        if screen.hall_board:
            seen = page.evaluate(IN_VIEW)
            problems.extend(f"{at}: {p}" for p in seen["problems"])
            if seen["recent"] < 10:
                problems.append(f"{at}: {seen['recent']} recent calls shown, not the last 10")
            if seen["waiting"] < len(services):
                problems.append(f"{at}: {seen['waiting']} waiting counts shown for {len(services)} services")
        if n == 0 and screen.shot:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / screen.shot), animations="disabled")
        if n > 0:
            continue  # axe once, at the main size: colours and names do not change with the width
        page.add_script_tag(path=str(AXE))
        for v in page.evaluate(AXE_RUN):
            if v["impact"] in FAILING_IMPACTS:
                targets = "; ".join(v["targets"][:6]) + (" …" if len(v["targets"]) > 6 else "")
                problems.append(f"{at}: axe {v['id']} ({v['impact']}: {v['help']}): {targets}")
    # one line per problem, the same axe finding at several sizes once per size
    assert not problems, f"{screen.id} ({screen.path}):\n  " + "\n  ".join(problems)


def test_the_matrix_covers_every_page_route(tmp_path: Path) -> None:
    """A new page (a GET route rendering a template) must join SCREENS, or NOT_PAGES say why not."""
    from server import create_app

    app = create_app(
        {"DATABASE_URL": f"sqlite:///{tmp_path / 'routes.db'}", "SECRET_KEY": "x", "ASYNC_MODE": "threading"}
    )
    covered = {re.sub(r"\?.*$", "", s.path) for s in SCREENS}
    shapes = {re.sub(r"\{[a-z0-9]+\}", "<>", p) for p in covered}
    missing = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.rule.startswith(("/api/", "/static", "/socket.io")):
            continue
        shape = re.sub(r"<[^>]+>", "<>", rule.rule)
        skipped = ("/healthz", "/healthz/realtime", "/photos/<>", "/apidocs", "/logout")
        if shape.endswith((".svg", ".wav")) or shape in skipped:
            continue
        if shape not in shapes:
            missing.append(rule.rule)
    app.extensions["hallq"].db.dispose()
    assert not missing, f"pages without a place in the matrix: {missing}"
