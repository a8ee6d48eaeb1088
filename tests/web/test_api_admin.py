"""Administration over HTTP: who may create halls, people, windows and device tokens."""

from __future__ import annotations

from tests.helpers import bearer, gen_token


def test_only_an_admin_creates_halls(client, ctx):
    manager = bearer(gen_token(ctx, "manager", "manager"))
    assert (
        client.post("/api/v1/halls", json={"code": "east", "name": "东区"}, headers=manager).status_code
        == 403
    )
    admin = bearer(gen_token(ctx, "admin", hall=None))
    r = client.post(
        "/api/v1/halls", json={"code": "east", "name": "东区大厅", "timezone": "Asia/Shanghai"}, headers=admin
    )
    assert r.status_code == 201 and r.get_json()["code"] == "east"
    bad = client.post(
        "/api/v1/halls", json={"code": "west", "name": "x", "timezone": "Mars/Base"}, headers=admin
    )
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "timezone"


def test_manager_sets_opening_hours_with_validation(client, ctx):
    manager = bearer(gen_token(ctx, "manager", "manager"))
    ok = client.patch(
        "/api/v1/halls/demo", json={"opening_hours": {"mon": [["08:30", "17:30"]]}}, headers=manager
    )
    assert ok.status_code == 200 and ok.get_json()["opening_hours"]["mon"] == [["08:30", "17:30"]]
    bad = client.patch(
        "/api/v1/halls/demo", json={"opening_hours": {"mon": [["17:30", "08:30"]]}}, headers=manager
    )
    assert bad.status_code == 400


def test_manager_adds_a_clerk_but_not_a_manager(client, ctx):
    manager = bearer(gen_token(ctx, "manager", "manager"))
    body = {"username": "clerk13", "password": "secret-pass", "name": "新同事", "badge": "0113"}
    r = client.post("/api/v1/halls/demo/users", json=body, headers=manager)
    assert r.status_code == 201 and r.get_json()["role"] == "clerk"
    r = client.post(
        "/api/v1/halls/demo/users", json={**body, "username": "boss", "role": "manager"}, headers=manager
    )
    assert r.status_code == 403
    clerk = bearer(gen_token(ctx, "clerk", "clerk02"))
    assert (
        client.post("/api/v1/halls/demo/users", json={**body, "username": "x9"}, headers=clerk).status_code
        == 403
    )
    assert (
        client.post(
            "/api/v1/halls/demo/users", json={**body, "username": "clerk13"}, headers=manager
        ).status_code
        == 400
    )


def test_device_tokens_are_issued_once_and_revoked(client, ctx):
    manager = bearer(gen_token(ctx, "manager", "manager"))
    made = client.post(
        "/api/v1/halls/demo/devices", json={"role": "kiosk", "label": "东门取号机"}, headers=manager
    )
    assert made.status_code == 201
    token = made.get_json()["token"]
    kiosk = bearer(token)
    assert client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk).status_code == 201
    device = next(
        d
        for d in client.get("/api/v1/halls/demo/devices", headers=manager).get_json()["devices"]
        if d["label"] == "东门取号机"
    )
    assert "token" not in device, "the clear token is never listed"
    assert (
        client.post(f"/api/v1/devices/{device['id']}/revoke", headers=manager).get_json()["revoked"] is True
    )
    assert client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk).status_code == 401


def test_service_prefix_must_be_unique_and_valid(client, ctx):
    manager = bearer(gen_token(ctx, "manager", "manager"))
    r = client.put(
        "/api/v1/halls/demo/services/J",
        json={"prefix": "J", "name": "医保报销", "category": "人社医保"},
        headers=manager,
    )
    assert r.status_code == 200 and r.get_json()["prefix"] == "J"
    clash = client.put("/api/v1/halls/demo/services/K", json={"prefix": "A", "name": "x"}, headers=manager)
    assert clash.status_code == 400 and clash.get_json()["error"]["field"] == "prefix"
    assert (
        client.put(
            "/api/v1/halls/demo/services/L", json={"prefix": "l1", "name": "x"}, headers=manager
        ).status_code
        == 400
    )
