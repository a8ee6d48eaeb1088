"""Ending access ends it (issue 9, finding 6), tried in process as an attacker would: a session
cookie copied before a logout or a password change replayed afterwards, a GET of /logout, and
sockets whose token was revoked or whose person's sessions ended. The same against real server
processes (two on Redis) and a cross-site page in Chromium: tests/e2e/test_sessions_end.py."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select, update

from server import create_app
from server.extensions import socketio
from server.storage.models import ApiToken
from tests.helpers import bearer, gen_token


@pytest.fixture
def app(sqlite_url: str, clock: Any) -> Any:
    """CSRF on, as in production."""
    application = create_app(
        {"DATABASE_URL": sqlite_url, "SECRET_KEY": "s", "CLOCK": clock, "ASYNC_MODE": "threading"}
    )
    yield application
    application.extensions["hallq"].db.dispose()


def csrf_of(client: Any, path: str = "/login") -> str:
    m = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert m
    return m.group(1)


def logged_in(app: Any, username: str = "clerk02") -> Any:
    c = app.test_client()
    r = c.post("/login", data={"username": username, "password": "hallq-demo", "csrf_token": csrf_of(c)})
    assert r.status_code == 302
    assert c.get("/clerk/").status_code == 200
    return c


def replay(app: Any, cookie: str) -> Any:
    """A fresh browser holding a copy of someone's session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief


def is_logged_in(c: Any) -> bool:
    r = c.get("/clerk/")
    assert r.status_code in (200, 302, 401)
    return r.status_code == 200


def test_a_copied_cookie_does_not_outlive_logout(app):
    victim = logged_in(app)
    copied = victim.get_cookie("session").value
    assert is_logged_in(replay(app, copied)), "the copy works while the session lives"
    r = victim.post("/logout", data={"csrf_token": csrf_of(victim)})
    assert r.status_code == 302 and not is_logged_in(victim)
    assert not is_logged_in(replay(app, copied))
    assert replay(app, copied).get("/api/v1/me").get_json().get("role") != "clerk"


def test_a_copied_cookie_does_not_outlive_a_password_change(app):
    victim = logged_in(app)
    copied = victim.get_cookie("session").value
    manager = bearer(gen_token(app.extensions["hallq"], "manager", "manager"))
    r = app.test_client().patch("/api/v1/users/clerk02", json={"password": "a-new-password"}, headers=manager)
    assert r.status_code == 200
    assert not is_logged_in(replay(app, copied))
    assert not is_logged_in(victim)
    assert is_logged_in(logged_in_with(app, "clerk02", "a-new-password")), "the new password works"


def logged_in_with(app: Any, username: str, password: str) -> Any:
    c = app.test_client()
    c.post("/login", data={"username": username, "password": password, "csrf_token": csrf_of(c)})
    return c


def test_a_manager_ends_a_clerks_sessions_but_not_an_admins(app):
    victim = logged_in(app)
    manager = bearer(gen_token(app.extensions["hallq"], "manager", "manager"))
    api = app.test_client()
    assert api.post("/api/v1/users/clerk02/end-sessions", headers=manager).status_code == 200
    assert not is_logged_in(victim)
    admin = logged_in(app, "admin")
    assert api.post("/api/v1/users/admin/end-sessions", headers=manager).status_code == 403
    assert is_logged_in(admin)


def test_logout_by_get_is_refused_and_changes_nothing(app):
    victim = logged_in(app)
    r = victim.get("/logout")
    assert r.status_code == 405 and "POST" in r.headers["Allow"]
    assert is_logged_in(victim)
    assert victim.post("/logout").status_code == 400, "a POST without the CSRF token is refused"
    assert is_logged_in(victim)


def test_the_consoles_log_out_with_a_post_form(app):
    victim = logged_in(app, "manager")
    for path in ("/clerk/", "/manage/"):
        html = victim.get(path).get_data(as_text=True)
        assert 'href="/logout"' not in html
        assert re.search(r'<form class="logout" method="post" action="/logout">', html), path


# ------------------------------------------------------------- sockets


def sweep(app: Any) -> list[str]:
    """One round of the per-process credential check (`hallq serve` runs it every second)."""
    from server.realtime import revocation

    return revocation.sweep(app.extensions["hallq"])


def socket(app: Any, **kwargs: Any) -> Any:
    c = socketio.test_client(app, **kwargs)
    assert c.is_connected()
    ack = c.emit("subscribe", {"hall": "demo", "since": None}, callback=True)
    assert "snapshot" in ack, ack
    return c


def test_a_revoked_tokens_socket_is_disconnected_and_cannot_come_back(app):
    ctx = app.extensions["hallq"]
    token = gen_token(ctx, "board")
    board = socket(app, auth={"token": token})
    bystander = socket(app, auth={"token": gen_token(ctx, "board")})
    manager = bearer(gen_token(ctx, "manager", "manager"))
    with ctx.db.read() as s:
        token_id = s.scalar(
            select(ApiToken.id).where(ApiToken.role == "board").order_by(ApiToken.id).limit(1)
        )
    assert app.test_client().post(f"/api/v1/devices/{token_id}/revoke", headers=manager).status_code == 200
    assert sweep(app) != []
    assert not board.is_connected()
    assert bystander.is_connected(), "other sockets stay"
    assert not socketio.test_client(app, auth={"token": token}).is_connected()


def test_a_token_revoked_by_another_process_is_refused_here_after_one_check(app):
    """Another process revoked it: this one's cache and sockets learn it from the database."""
    ctx = app.extensions["hallq"]
    token = gen_token(ctx, "kiosk")
    kiosk = socket(app, auth={"token": token})
    http = app.test_client()
    assert http.post("/api/v1/tickets", json={"service": "A"}, headers=bearer(token)).status_code == 201
    with ctx.db.transaction() as s:  # as the other process does: this process's cache stays
        s.execute(update(ApiToken).where(ApiToken.role == "kiosk").values(revoked_at=ctx.clock()))
    sweep(app)
    assert not kiosk.is_connected()
    r = http.post("/api/v1/tickets", json={"service": "A"}, headers=bearer(token))
    assert r.status_code == 401


def test_a_console_socket_ends_with_its_session(app):
    victim = logged_in(app)
    console = socket(app, flask_test_client=victim)
    other = socket(app, flask_test_client=logged_in(app, "clerk03"))
    manager = bearer(gen_token(app.extensions["hallq"], "manager", "manager"))
    r = app.test_client().patch("/api/v1/users/clerk02", json={"password": "a-new-password"}, headers=manager)
    assert r.status_code == 200
    sweep(app)
    assert not console.is_connected()
    assert other.is_connected()


def test_a_console_socket_ends_at_logout(app):
    victim = logged_in(app)
    console = socket(app, flask_test_client=victim)
    victim.post("/logout", data={"csrf_token": csrf_of(victim)})
    sweep(app)
    assert not console.is_connected()
