"""Issue 9, findings 2, 4 and 5, as an attacker tries them in process: raw Socket.IO frames past
their budget, notice codes guessed in a loop, passwords guessed in a loop, and X-Forwarded-For
headers made up to look like many clients. (The flood against a real server process is
tests/e2e/test_flood.py.)"""

from __future__ import annotations

import re
from typing import Any

import pytest

from server import create_app
from server.extensions import socketio
from tests.helpers import bearer, gen_token

# ------------------------------------------------------------------ sockets (finding 2)


def flood(c: Any, n: int, event: str = "subscribe", payload: Any = None) -> list[Any]:
    """Send `n` frames (as long as the server keeps the socket); the acks that came back."""
    acks = []
    for i in range(n):
        if not c.is_connected():
            break
        body = {"hall": "demo", "since": None} if payload is None else payload
        acks.append(c.emit(event if event != "junk" else f"junk.{i}", body, callback=True))
    return [a for a in acks if a]


def test_every_socket_event_is_behind_the_limits(app: Any) -> None:
    from server.realtime.limits import limited_events

    guarded = limited_events(socketio.server)
    assert {"connect", "subscribe", "agent.hello", "print.result", "agent.status", "*"} <= set(guarded)
    assert {e for e, ok in guarded.items() if not ok} == {"disconnect"}


def test_a_socket_past_its_subscribe_budget_is_cut_and_its_frames_dropped(app: Any) -> None:
    # the limiter's clock stands still: the budget refills one subscribe a second, so on a slow
    # machine ten snapshots taking over a second would earn an eleventh
    app.extensions["hallq.socket_limiter"].clock = lambda: 1000.0
    c = socketio.test_client(app)
    served = flood(c, 30)
    assert len(served) == 10 and all("snapshot" in a for a in served)  # LIMIT_SOCKET_SUBSCRIBES 10/10s
    assert not c.is_connected()
    # another socket is served as usual
    other = socketio.test_client(app)
    assert "snapshot" in other.emit("subscribe", {"hall": "demo", "since": None}, callback=True)


def test_made_up_event_names_count_too(app: Any) -> None:
    c = socketio.test_client(app)
    assert flood(c, 100, "junk", {"x": 1}) == []
    assert not c.is_connected()  # LIMIT_SOCKET_EVENTS 40/2s


def test_socket_limits_are_configurable_and_can_be_switched_off(sqlite_url: str, clock: Any) -> None:
    app = create_app(
        {
            "DATABASE_URL": sqlite_url,
            "SECRET_KEY": "s",
            "CLOCK": clock,
            "ASYNC_MODE": "threading",
            "LIMIT_SOCKET_SUBSCRIBES": "3/1h",
        }
    )
    c = socketio.test_client(app)
    assert len(flood(c, 5, payload={"hall": "demo", "since": 0})) == 3 and not c.is_connected()
    off = create_app(
        {"DATABASE_URL": sqlite_url, "SECRET_KEY": "s", "ASYNC_MODE": "threading", "RATE_LIMITS": False}
    )
    c = socketio.test_client(off)
    assert len(flood(c, 15, payload={"hall": "demo", "since": 0})) == 15
    app.extensions["hallq"].db.dispose()
    off.extensions["hallq"].db.dispose()


def test_bad_limit_settings_stop_the_start_with_a_clear_message(sqlite_url: str) -> None:
    from server.config import ConfigError

    base = {"DATABASE_URL": sqlite_url, "SECRET_KEY": "s", "ASYNC_MODE": "threading"}
    with pytest.raises(ConfigError, match="HALLQ_LIMIT_SOCKET_EVENTS"):
        create_app({**base, "LIMIT_SOCKET_EVENTS": "lots"})
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        create_app({**base, "TRUSTED_PROXIES": "nginx.local"})


# ------------------------------------------------------------------ notice codes (finding 4)


@pytest.fixture
def notice(client: Any, ctx: Any) -> dict[str, Any]:
    """A one-time notice made at window 6 for a C ticket; its answer has the code and the token."""
    kiosk = bearer(gen_token(ctx, "kiosk"))
    c6 = bearer(gen_token(ctx, "clerk", "clerk06"))
    assert client.post("/api/v1/windows/6/sign-in", headers=c6).status_code == 200
    t = client.post("/api/v1/tickets", json={"service": "C"}, headers=kiosk).get_json()
    client.post("/api/v1/windows/6/call-next", headers=c6)
    client.post(f"/api/v1/tickets/{t['id']}/start", headers=c6)
    body = {"missing": [{"name": "单位出具的证明"}], "note": "柜子密码 4711"}
    r = client.post(f"/api/v1/tickets/{t['id']}/notice", json=body, headers=c6)
    assert r.status_code == 201, r.get_json()
    return {**r.get_json(), "kiosk": kiosk}


def test_notice_codes_cannot_be_enumerated_at_the_kiosk_api(client: Any, notice: dict[str, Any]) -> None:
    guesses = [f"{n:06d}".translate(str.maketrans("01", "AB")) for n in range(200000, 200030)]
    answers = []
    for code in guesses:
        r = client.post("/api/v1/tickets", json={"notice": code}, headers=notice["kiosk"])
        answers.append(r.status_code)
        if r.status_code == 429:
            err = r.get_json()["error"]
            assert err["code"] == "rate_limited" and err["field"] == "notice"
            assert re.fullmatch(r"尝试次数过多，请 \d+ 秒后再试", err["message"])
            assert int(r.headers["Retry-After"]) >= 1
    # LIMIT_CODE_ADDRESS 10/10s/5m: ten free misses; the eleventh is answered and starts the lock
    assert answers[:11] == [400] * 11  # an unknown code is the `notice` field's fault
    assert set(answers[11:]) == {429}
    # even the right code waits now (the lock is on the guesser, not on the guess)
    r = client.post("/api/v1/tickets", json={"notice": notice["code"]}, headers=notice["kiosk"])
    assert r.status_code == 429


def test_a_kiosk_token_is_throttled_whatever_address_it_claims(client: Any, notice: dict[str, Any]) -> None:
    for i in range(12):
        client.post(
            "/api/v1/tickets",
            json={"notice": "ZZZZZZ"},
            headers={**notice["kiosk"], "X-Forwarded-For": f"10.0.{i}.1"},
            environ_base={"REMOTE_ADDR": f"192.0.2.{i}"},  # even truly from many addresses
        )
    r = client.post(
        "/api/v1/tickets",
        json={"notice": "ZZZZZZ"},
        headers=notice["kiosk"],
        environ_base={"REMOTE_ADDR": "192.0.2.200"},
    )
    assert r.status_code == 429  # LIMIT_CODE_TOKEN: the kiosk token's own budget


def test_printed_codes_still_work_at_the_kiosk(client: Any, notice: dict[str, Any]) -> None:
    for code in (notice["code"].lower(), notice["token"]):  # typed, or the QR scanned
        r = client.post("/api/v1/tickets", json={"notice": code}, headers=notice["kiosk"])
        assert r.status_code == 201 and r.get_json()["priority"] is True
        # one return at a time: the citizen cancels it before trying the other way in
        cancel = client.post(f"/api/v1/tickets/{r.get_json()['id']}/cancel", headers=notice["kiosk"])
        assert cancel.status_code == 200, cancel.get_data(as_text=True)


def test_the_short_code_opens_no_page_and_the_token_does(client: Any, notice: dict[str, Any]) -> None:
    code, token = notice["code"], notice["token"]
    assert len(token) >= 16 and notice["url"].endswith(f"/n/{token}")  # ≥ 96 bits, on the QR
    by_code = client.get(f"/n/{code}").get_data(as_text=True)
    assert "单位出具的证明" not in by_code and "4711" not in by_code
    assert "取号机" in by_code  # an old QR: type the code at a kiosk
    # a code that does not exist gets the very same page: nothing to learn from the answer
    unknown = client.get("/n/ZZZZZZ").get_data(as_text=True)
    assert unknown.replace("ZZZZZZ", code) == by_code
    for path in (f"/n/{code}/print", f"/n/{code}/qr.svg", f"/api/v1/notices/{code}"):
        assert client.get(path).status_code == 404, path
    page = client.get(f"/n/{token}").get_data(as_text=True)
    assert "单位出具的证明" in page and "4711" in page
    assert client.get(f"/api/v1/notices/{token}").get_json()["missing"][0]["name"] == "单位出具的证明"
    assert client.get(f"/n/{token}/print").status_code == 200
    assert client.get(f"/n/{token}/qr.svg").status_code == 200


# ------------------------------------------------------------------ logins (finding 5)


def _csrf(client: Any) -> str:
    html = client.get("/login").get_data(as_text=True)
    m = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert m
    return m.group(1)


def _login(client: Any, username: str, password: str, **kw: Any) -> Any:
    data = {"username": username, "password": password, "csrf_token": _csrf(client)}
    return client.post("/login", data=data, **kw)


def test_password_guessing_is_throttled_with_an_audit_entry(client: Any, ctx: Any) -> None:
    codes = [_login(client, "clerk04", f"guess-{i}").status_code for i in range(8)]
    assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}  # LIMIT_LOGIN_USER 5/30s/15m
    r = _login(client, "clerk04", "hallq-demo")  # the right password, during the lock
    assert r.status_code == 429
    assert re.search(r"尝试次数过多，请 \d+ 秒后再试", r.get_data(as_text=True))
    assert client.get("/api/v1/me").status_code == 401  # not logged in
    manager = bearer(gen_token(ctx, "manager", "manager"))
    events = client.get("/api/v1/halls/demo/audit", headers=manager).get_json()["events"]
    locked = [e for e in events if e["type"] == "login.locked"]
    assert locked and re.search(r"刘洋 登录失败 6 次，锁定 \d+ 秒", locked[-1]["summary"])
    # another person's account is not locked by it
    assert _login(client, "clerk05", "hallq-demo").status_code == 302


def test_the_account_lock_holds_in_another_server_process(
    client: Any, ctx: Any, sqlite_url: str, clock: Any
) -> None:
    for i in range(6):
        _login(client, "clerk04", f"guess-{i}")
    other = create_app(
        {"DATABASE_URL": sqlite_url, "SECRET_KEY": "test-secret", "CLOCK": clock, "ASYNC_MODE": "threading"}
    )
    c = other.test_client()
    assert _login(c, "clerk04", "hallq-demo").status_code == 429
    clock.advance(minutes=20)  # the lock ends; a good login forgets the failures
    assert _login(c, "clerk04", "hallq-demo").status_code == 302
    other.extensions["hallq"].db.dispose()


def test_guessing_across_names_is_throttled_per_address(client: Any) -> None:
    codes = [_login(client, f"user{i}", "x").status_code for i in range(22)]
    assert codes[:20] == [401] * 20 and codes[20:] == [429, 429]  # LIMIT_LOGIN_ADDRESS 20/30s/15m
    # names that do not exist lock like real ones: a lock never tells which names exist
    fresh = create_app({"DATABASE_URL": client.application.config["DATABASE_URL"], "SECRET_KEY": "t"})
    c = fresh.test_client()
    ghost = [_login(c, "nobody-here", "x").status_code for _ in range(6)]
    assert ghost == [401] * 5 + [429]
    fresh.extensions["hallq"].db.dispose()


def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(client: Any) -> None:
    codes = [
        _login(
            client,
            f"user{i}",
            "x",
            headers={"X-Forwarded-For": f"203.0.113.{i}"},
            environ_base={"REMOTE_ADDR": "198.51.100.9"},  # a client on the hall's network
        ).status_code
        for i in range(21)
    ]
    assert codes[-1] == 429  # one address (the peer's), whatever the header claims


def test_x_forwarded_for_from_a_trusted_proxy_names_the_client(sqlite_url: str, clock: Any) -> None:
    app = create_app(
        {
            "DATABASE_URL": sqlite_url,
            "SECRET_KEY": "s",
            "CLOCK": clock,
            "ASYNC_MODE": "threading",
            "TRUSTED_PROXIES": "10.0.0.0/8",
        }
    )
    c = app.test_client()
    c.environ_base["REMOTE_ADDR"] = "10.0.0.2"  # the proxy
    for i in range(21):
        _login(c, f"user{i}", "x", headers={"X-Forwarded-For": "203.0.113.7, 10.1.2.3"})
    assert _login(c, "user99", "x", headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 429
    # another client behind the same proxy is not locked out by it
    assert _login(c, "clerk02", "hallq-demo", headers={"X-Forwarded-For": "203.0.113.8"}).status_code == 302
    app.extensions["hallq"].db.dispose()
