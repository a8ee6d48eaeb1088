"""People log in with a password; browser calls to the API need the CSRF token."""

from __future__ import annotations

import re

import pytest

from server import create_app


@pytest.fixture
def csrf_app(sqlite_url, clock):
    app = create_app(
        {"DATABASE_URL": sqlite_url, "SECRET_KEY": "s", "CLOCK": clock, "ASYNC_MODE": "threading"}
    )
    yield app
    app.extensions["hallq"].db.dispose()


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert m, "login form has a CSRF token"
    return m.group(1)


def login(client, username="clerk02", password="hallq-demo"):
    token = _csrf(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def test_passwords_are_hashed(csrf_app):
    from sqlalchemy import select

    from server.storage.models import User

    with csrf_app.extensions["hallq"].db.read() as s:
        u = s.scalar(select(User).where(User.username == "clerk02"))
    assert "hallq-demo" not in u.password_hash and u.password_hash.startswith(("scrypt:", "pbkdf2:"))


def test_login_form_without_csrf_is_refused(csrf_app):
    c = csrf_app.test_client()
    r = c.post("/login", data={"username": "clerk02", "password": "hallq-demo"})
    assert r.status_code == 400


def test_wrong_password_is_refused(csrf_app):
    c = csrf_app.test_client()
    assert login(c, password="wrong-password").status_code == 401
    assert c.get("/api/v1/me").status_code == 401  # nobody is logged in


def test_logged_in_clerk_uses_the_api_with_the_csrf_header(csrf_app):
    c = csrf_app.test_client()
    assert login(c).status_code == 302
    assert c.get("/api/v1/me").get_json()["user"]["name"] == "王芳"
    assert c.post("/api/v1/windows/2/sign-in").status_code == 400  # no CSRF header: refused
    token = _csrf(c.get("/login").get_data(as_text=True))
    r = c.post("/api/v1/windows/2/sign-in", headers={"X-CSRFToken": token})
    assert r.status_code == 200 and r.get_json()["clerk"]["username"] == "clerk02"
    assert c.get("/api/v1/me").get_json()["window"]["id"] == 2
