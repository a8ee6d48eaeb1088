"""Issue 9, finding 9 — headers and health, tried as an attacker and as a full disk would.

* every answer (pages, API, static files, errors, Socket.IO's own) carries a strict CSP,
  X-Frame-Options, nosniff and Referrer-Policy, and no page needs inline script or style;
* the session cookie is HttpOnly and SameSite=Lax, and Secure behind TLS;
* a Socket.IO handshake from a foreign Origin is refused, the page's own origin and the
  configured ones are not;
* the SQLite database, its -wal and -shm, and the secret file are 0600;
* /healthz reports a database that cannot write, and a full or read-only database answers a
  write with 503 `storage_unavailable`, never 500, and leaves nothing half-done.
"""

from __future__ import annotations

import os
import re
import stat
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select, text

from server import create_app
from server.config import ConfigError, load
from server.storage.db import Database
from server.storage.migrate import upgrade
from server.storage.models import Event, Ticket
from tests.helpers import bearer, gen_token
from tests.web.test_case_page import add_case

PASSWORD = "hallq-demo"


# ── headers ──────────────────────────────────────────────────────────────────────────


def csp_of(response: Any) -> dict[str, str]:
    header = response.headers.get("Content-Security-Policy", "")
    return {d.split()[0]: " ".join(d.split()[1:]) for d in header.split(";") if d.strip()}


def assert_protected(response: Any, what: str) -> None:
    csp = csp_of(response)
    assert csp, f"{what}: no Content-Security-Policy"
    assert csp.get("default-src") == "'self'", what
    assert csp.get("script-src") == "'self'", what
    assert csp.get("style-src") == "'self'", what
    assert csp.get("object-src") == "'none'", what
    assert csp.get("frame-ancestors") == "'none'", what
    assert csp.get("base-uri") == "'self'", what
    assert csp.get("form-action") == "'self'", what
    assert "unsafe" not in response.headers["Content-Security-Policy"], what
    assert response.headers.get("X-Frame-Options") == "DENY", what
    assert response.headers.get("X-Content-Type-Options") == "nosniff", what
    assert response.headers.get("Referrer-Policy") == "no-referrer", what


class _Inline(HTMLParser):
    """Inline code a strict CSP would refuse: <script> without src (JSON data blocks are not
    run, so they may stay), on…= handlers, style= attributes, <style> blocks, javascript: URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script" and "src" not in a and a.get("type") != "application/json":
            self.found.append(f"inline <script {a}>")
        if tag == "style":
            self.found.append("<style> block")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…> handler")
            if name == "style":
                self.found.append(f"<{tag} style={value!r}>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:…>")


def inline_code(html: str) -> list[str]:
    parser = _Inline()
    parser.feed(html)
    return parser.found


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert m
    return m.group(1)


def logged_in(app: Any, username: str) -> Any:
    c = app.test_client()
    token = _csrf(c.get("/login").get_data(as_text=True))
    r = c.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 302, r.get_data(as_text=True)
    return c


def a_called_ticket_with_a_notice(app: Any, client: Any) -> tuple[dict[str, Any], str]:
    ctx = app.extensions["hallq"]
    kiosk = bearer(gen_token(ctx, "kiosk"))
    clerk = bearer(gen_token(ctx, "clerk", "clerk06"))
    assert client.post("/api/v1/windows/6/sign-in", headers=clerk).status_code == 200
    ticket = client.post("/api/v1/tickets", json={"service": "C"}, headers=kiosk).get_json()
    called = client.post("/api/v1/windows/6/call-next", headers=clerk).get_json()
    made = client.post(
        f"/api/v1/tickets/{called['id']}/notice", json={"missing": [{"name": "单位证明"}]}, headers=clerk
    )
    assert made.status_code == 201, made.get_data(as_text=True)
    return ticket, made.get_json()["url"]


def every_page(app: Any) -> list[tuple[str, Any, str]]:
    """(name, client, path) of every page a hall shows: devices, phones, consoles, login."""
    ctx = app.extensions["hallq"]
    anon = app.test_client()
    ticket, notice_url = a_called_ticket_with_a_notice(app, anon)
    notice = "/" + notice_url.split("://", 1)[1].split("/", 1)[1]
    kiosk, board = gen_token(ctx, "kiosk"), gen_token(ctx, "board")
    case = add_case(ctx, status="delivered")  # a delivered case: its page shows every part
    window_id = anon.get(f"/api/v1/halls/demo/snapshot?token={board}").get_json()
    window_id = window_id["windows"][0]["id"] if "windows" in window_id else 1
    clerk = logged_in(app, "clerk06")
    manager = logged_in(app, "manager")
    admin = logged_in(app, "admin")
    return [
        ("home", anon, "/"),
        ("login", anon, "/login"),
        ("kiosk", anon, f"/kiosk/demo?token={kiosk}"),
        ("kiosk guide", anon, f"/kiosk/demo/guide?token={kiosk}"),
        ("hall board", anon, f"/board/demo?token={board}"),
        ("window board", anon, f"/board/demo/window/{window_id}?token={board}"),
        ("ticket phone page", anon, "/" + ticket["url"].split("://", 1)[1].split("/", 1)[1]),
        ("notice phone page", anon, notice),
        ("notice A4 page", anon, notice + "/print"),
        ("case phone page", anon, f"/c/{case}"),
        ("case receipt", anon, f"/c/{case}/receipt"),
        ("clerk console", clerk, "/clerk/"),
        ("manager console", manager, "/manage/"),
        ("manager hall map", manager, "/manage/hall"),
        ("audit log", manager, "/manage/audit"),
        ("overdue report", manager, "/manage/overdue"),
        ("staff and leave", manager, "/manage/staff"),
        ("guides", manager, "/manage/guides/"),
        ("guide editor", manager, "/manage/guides/A"),
        ("admin hall", admin, "/admin/"),
        ("admin halls", admin, "/admin/halls"),
        ("admin services", admin, "/admin/services"),
        ("admin windows", admin, "/admin/windows"),
        ("admin people", admin, "/admin/people"),
        ("admin devices", admin, "/admin/devices"),
    ]


def test_every_page_is_served_with_a_strict_csp_and_needs_no_inline_code(app):
    for name, client, path in every_page(app):
        r = client.get(path)
        assert r.status_code == 200, (name, path, r.status_code)
        assert r.mimetype == "text/html", name
        assert_protected(r, name)
        assert inline_code(r.get_data(as_text=True)) == [], name


def test_api_static_errors_and_socketio_answers_carry_the_headers_too(app, client, ctx):
    kiosk = bearer(gen_token(ctx, "kiosk"))
    answers = {
        "API JSON": client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk),
        "API error": client.post("/api/v1/tickets", json={"service": "nope"}, headers=kiosk),
        "API 404": client.get("/api/v1/no-such-thing"),
        "page 404": client.get("/no-such-page"),
        "static file": client.get("/static/js/page.js"),
        "QR code": client.get("/t/unknown/qr.svg"),
        "healthz": client.get("/healthz"),
        "Socket.IO handshake": client.get("/socket.io/?EIO=4&transport=polling"),
    }
    for what, r in answers.items():
        assert_protected(r, what)
        r.close()  # the static file's handle


def test_session_cookie_is_httponly_and_samesite_lax_and_not_secure_on_plain_http(app):
    c = app.test_client()
    token = _csrf(c.get("/login").get_data(as_text=True))
    r = c.post("/login", data={"username": "clerk06", "password": PASSWORD, "csrf_token": token})
    cookie = next(h for h in r.headers.getlist("Set-Cookie") if h.startswith("session="))
    attrs = {a.strip().split("=")[0].lower(): a.strip() for a in cookie.split(";")}
    assert "httponly" in attrs
    assert attrs.get("samesite", "").lower() == "samesite=lax"
    assert "secure" not in attrs  # a hall on plain http must still be able to log in


@pytest.mark.parametrize(
    ("settings", "secure"),
    [
        ({"BASE_URL": "https://hall.example.gov.cn"}, True),
        ({"BASE_URL": "http://10.0.0.5:5000"}, False),
        ({"BASE_URL": "https://hall.example.gov.cn", "SECURE_COOKIES": "false"}, False),
        ({"SECURE_COOKIES": "true"}, True),
    ],
)
def test_session_cookie_is_secure_behind_tls(sqlite_url, settings, secure):
    app = create_app({"DATABASE_URL": sqlite_url, "SECRET_KEY": "s", "ASYNC_MODE": "threading", **settings})
    try:
        c = app.test_client()
        base = "https://hall.example.gov.cn" if secure else "http://localhost"
        token = _csrf(c.get("/login", base_url=base).get_data(as_text=True))
        r = c.post(
            "/login",
            base_url=base,
            data={"username": "clerk06", "password": PASSWORD, "csrf_token": token},
        )
        assert r.status_code == 302  # behind TLS too: no Referer is needed for the CSRF check
        cookie = next(h for h in r.headers.getlist("Set-Cookie") if h.startswith("session="))
        flags = [a.strip().lower() for a in cookie.split(";")]
        assert ("secure" in flags) is secure
        assert "httponly" in flags and "samesite=lax" in flags
    finally:
        app.extensions["hallq"].db.dispose()


def test_a_bad_secure_cookies_or_origins_setting_is_refused_at_start(sqlite_url):
    base = {"DATABASE_URL": sqlite_url, "SECRET_KEY": "s", "ASYNC_MODE": "threading"}
    with pytest.raises(ConfigError, match="SECURE_COOKIES"):
        create_app({**base, "SECURE_COOKIES": "sometimes"})
    with pytest.raises(ConfigError, match="ALLOWED_ORIGINS"):
        create_app({**base, "ALLOWED_ORIGINS": "hall.example.gov.cn"})


# ── Socket.IO origins ────────────────────────────────────────────────────────────────


def handshake(client: Any, origin: str | None, host: str = "localhost") -> int:
    headers = {"Origin": origin} if origin else {}
    r = client.get("/socket.io/?EIO=4&transport=polling", headers=headers, base_url=f"http://{host}")
    return int(r.status_code)


def test_socketio_refuses_a_handshake_from_a_foreign_origin(client):
    assert handshake(client, "http://evil.example") == 400
    assert handshake(client, "null") == 400  # a sandboxed frame or a file:// page
    assert handshake(client, "http://localhost.evil.example") == 400
    # the hall's own pages, over http or behind a TLS proxy, and clients without a browser
    assert handshake(client, "http://localhost") == 200
    assert handshake(client, "https://localhost") == 200
    assert handshake(client, "http://10.1.2.3:5000", host="10.1.2.3:5000") == 200
    assert handshake(client, None) == 200


def test_socketio_allows_the_base_url_and_the_configured_origins(sqlite_url):
    app = create_app(
        {
            "DATABASE_URL": sqlite_url,
            "SECRET_KEY": "s",
            "ASYNC_MODE": "threading",
            "BASE_URL": "https://hall.example.gov.cn/",
            "ALLOWED_ORIGINS": "https://screens.example.gov.cn, http://10.0.0.9:8080",
        }
    )
    try:
        c = app.test_client()
        assert handshake(c, "https://hall.example.gov.cn") == 200
        assert handshake(c, "https://screens.example.gov.cn") == 200
        assert handshake(c, "http://10.0.0.9:8080") == 200
        assert handshake(c, "http://10.0.0.9:8081") == 400
        assert handshake(c, "https://evil.example") == 400
    finally:
        app.extensions["hallq"].db.dispose()


# ── files ────────────────────────────────────────────────────────────────────────────


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_its_wal_and_shm_and_the_secret_are_private(tmp_path):
    old = os.umask(0o022)  # the usual umask: files are world-readable unless we say otherwise
    try:
        db = tmp_path / "hall.db"
        url = f"sqlite:///{db}"
        upgrade(url)
        app = create_app(load({"DATABASE_URL": url, "ASYNC_MODE": "threading"}, environ={}))
        try:
            with app.extensions["hallq"].db.transaction() as s:
                s.execute(text("CREATE TABLE a_write (x INTEGER)"))
            for f in (
                db,
                db.with_name("hall.db-wal"),
                db.with_name("hall.db-shm"),
                tmp_path / ".hallq-secret",
            ):
                assert f.exists(), f
                assert mode(f) == 0o600, (f.name, oct(mode(f)))
        finally:
            app.extensions["hallq"].db.dispose()
    finally:
        os.umask(old)


def test_an_old_world_readable_database_and_secret_are_made_private(tmp_path, sqlite_template):
    db = tmp_path / "hallq.db"
    db.write_bytes(sqlite_template.read_bytes())
    secret = tmp_path / ".hallq-secret"
    secret.write_text("old-secret")
    for f in (db, secret):
        f.chmod(0o644)
    settings = load({"DATABASE_URL": f"sqlite:///{db}", "ASYNC_MODE": "threading"}, environ={})
    assert settings["SECRET_KEY"] == "old-secret"
    app = create_app(settings)
    try:
        assert app.test_client().get("/healthz").status_code == 200
        for f in (db, db.with_name("hallq.db-wal"), db.with_name("hallq.db-shm"), secret):
            assert mode(f) == 0o600, (f.name, oct(mode(f)))
    finally:
        app.extensions["hallq"].db.dispose()


# ── health and storage failures ──────────────────────────────────────────────────────


def fill_the_database(ctx: Any) -> None:
    """Every new connection may not grow the file past its size now: a full disk, for SQLite."""
    with ctx.db.read() as s:
        pages = s.execute(text("PRAGMA page_count")).scalar()

    @event.listens_for(ctx.db.engine, "connect")
    def _full(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")

    ctx.db.engine.dispose()
    ctx._full_listener = _full


def free_the_database(ctx: Any) -> None:
    event.remove(ctx.db.engine, "connect", ctx._full_listener)
    ctx.db.engine.dispose()


def counts(ctx: Any) -> tuple[int, int]:
    with ctx.db.read() as s:
        return s.scalar(select(func.count(Ticket.id))) or 0, s.scalar(select(func.count(Event.id))) or 0


def test_healthz_reports_a_database_that_cannot_write(client, ctx):
    ok = client.get("/healthz")
    assert ok.status_code == 200 and ok.get_json()["writes"] == "ok"
    fill_the_database(ctx)
    full = client.get("/healthz")
    assert full.status_code == 503
    body = full.get_json()
    assert body["status"] == "error" and body["writes"] == "full" and body["failed"] == ["writes"]
    assert body["database"] == "ok"  # reads still work: the boards keep showing the hall
    free_the_database(ctx)
    assert client.get("/healthz").status_code == 200
    with ctx.db.read() as s:  # the probe left nothing behind
        assert (
            s.execute(text("SELECT count(*) FROM sqlite_master WHERE name = 'hallq_write_probe'")).scalar()
            == 0
        )


def test_healthz_reports_a_disk_that_is_nearly_full(sqlite_url):
    app = create_app(
        {
            "DATABASE_URL": sqlite_url,
            "SECRET_KEY": "s",
            "ASYNC_MODE": "threading",
            "HEALTH_MIN_FREE_MB": 10**12,
        }
    )
    try:
        r = app.test_client().get("/healthz")
        assert r.status_code == 503 and r.get_json()["disk"] == "low" and r.get_json()["failed"] == ["disk"]
    finally:
        app.extensions["hallq"].db.dispose()


def test_a_full_disk_answers_503_storage_unavailable_and_nothing_is_half_done(client, ctx):
    kiosk = bearer(gen_token(ctx, "kiosk"))
    fill_the_database(ctx)
    before = counts(ctx)
    statuses, numbers = [], []
    for _ in range(300):  # the tester's 300 issues: 299 of them answered 500 on main
        r = client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk)
        statuses.append(r.status_code)
        if r.status_code == 201:
            numbers.append(r.get_json()["number"])
        else:
            assert r.status_code == 503, r.get_data(as_text=True)
            err = r.get_json()["error"]
            assert err["code"] == "storage_unavailable" and err["reason"] == "full"
            assert err["message"]
    assert 503 in statuses and 500 not in statuses
    # every refused issue left nothing: one ticket and its events per 201, no more
    tickets, events = counts(ctx)
    assert tickets - before[0] == len(numbers)
    assert events - before[1] <= 3 * len(numbers)
    free_the_database(ctx)
    r = client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk)
    assert r.status_code == 201
    # the counter was not moved by a refused issue: numbering goes on without a gap
    assert int(r.get_json()["number"][1:]) == len(numbers) + 1


def test_a_read_only_database_answers_503_and_reads_still_work(app, client, ctx, sqlite_url):
    kiosk = bearer(gen_token(ctx, "kiosk"))
    board = bearer(gen_token(ctx, "board"))
    path = sqlite_url[len("sqlite:///") :]
    ctx.db.dispose()
    ctx.db = Database(f"sqlite:///file:{path}?mode=ro&uri=true")
    before = counts(ctx)
    r = client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk)
    assert r.status_code == 503, r.get_data(as_text=True)
    assert r.get_json()["error"]["code"] == "storage_unavailable"
    assert r.get_json()["error"]["reason"] == "read_only"
    assert counts(ctx) == before
    assert client.get("/api/v1/halls/demo/snapshot", headers=board).status_code == 200
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["writes"] == "read_only"


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_read_only_postgresql_database_answers_503(any_db_app):
    """PostgreSQL's case (SQLite's is test_a_read_only_database_answers_503_and_reads_still_work)."""
    ctx = any_db_app.extensions["hallq"]
    assert ctx.db.engine.dialect.name == "postgresql"
    client = any_db_app.test_client()
    kiosk = bearer(gen_token(ctx, "kiosk"))
    with ctx.db.engine.connect() as conn:
        name = conn.execute(text("SELECT current_database()")).scalar()
        conn.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
        conn.commit()
    ctx.db.engine.dispose()  # new connections are read-only, as on a standby (the test's copy is dropped)
    before = counts(ctx)
    r = client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk)
    assert r.status_code == 503 and r.get_json()["error"]["reason"] == "read_only"
    assert counts(ctx) == before
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["writes"] == "read_only"
