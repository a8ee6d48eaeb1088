"""Staff and re-routing over HTTP: roles, confirmation, CSV export."""

from __future__ import annotations

from tests.helpers import bearer, gen_token


def test_clerk_cannot_change_posts_or_services_over_http(client, ctx):
    clerk = bearer(gen_token(ctx, "clerk", "clerk02"))
    r = client.put("/api/v1/windows/2/posts", json={"a": "clerk02", "b": "clerk04"}, headers=clerk)
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "forbidden"
    r = client.put("/api/v1/windows/3/services", json={"services": ["A"]}, headers=clerk)
    assert r.status_code == 403


def test_manager_sets_posts_and_services(client, ctx):
    manager = bearer(gen_token(ctx, "manager", "manager"))
    r = client.put("/api/v1/windows/4/posts", json={"a": "clerk04", "b": "clerk06"}, headers=manager)
    assert r.status_code == 200 and r.get_json()["b"]["username"] == "clerk06"
    assert client.get("/api/v1/windows/4/posts", headers=manager).get_json()["a"]["username"] == "clerk04"
    r = client.put("/api/v1/windows/5/services", json={"services": ["B", "H"]}, headers=manager)
    assert r.status_code == 200 and r.get_json()["services"] == ["B", "H"]
    bad = client.put("/api/v1/windows/5/services", json={"services": ["B", "ZZ"]}, headers=manager)
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "services[1]"


def test_move_tickets_needs_confirmation(client, ctx):
    kiosk = bearer(gen_token(ctx, "kiosk"))
    manager = bearer(gen_token(ctx, "manager", "manager"))
    client.post("/api/v1/tickets", json={"service": "E"}, headers=kiosk)
    body = {"from": {"service": "E"}, "to": {"service": "D"}}
    r = client.post("/api/v1/halls/demo/move-tickets", json=body, headers=manager)
    assert r.get_json() == {"moved": 0, "confirm_required": True, "count": 1, "numbers": ["E001"]}
    r = client.post("/api/v1/halls/demo/move-tickets", json={**body, "confirm": True}, headers=manager)
    assert r.get_json()["moved"] == 1
    assert (
        client.post(
            "/api/v1/halls/demo/move-tickets", json={"from": "E", "to": {}}, headers=manager
        ).status_code
        == 400
    )


def test_audit_log_filters_and_exports_csv(client, ctx):
    clerk = bearer(gen_token(ctx, "clerk", "clerk04"))
    manager = bearer(gen_token(ctx, "manager", "manager"))
    client.post("/api/v1/windows/4/sign-in", headers=clerk)
    rows = client.get("/api/v1/halls/demo/audit?user=clerk04", headers=manager).get_json()["events"]
    assert rows and all(r["actor"]["username"] == "clerk04" for r in rows)
    csv = client.get("/api/v1/halls/demo/audit?window=4&format=csv", headers=manager)
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert "刘洋" in csv.get_data(as_text=True)
    assert client.get("/api/v1/halls/demo/audit", headers=clerk).status_code == 403
    assert client.get("/api/v1/halls/demo/audit?day=yesterday", headers=manager).status_code == 400


def test_leave_over_http(client, ctx, clock):
    clerk = bearer(gen_token(ctx, "clerk", "clerk03"))
    day = clock.now.date().isoformat()
    body = {"start": day, "end": day, "reason": "病假", "handover_note": "H类材料在柜子"}
    r = client.post("/api/v1/leaves", json=body, headers=clerk)
    assert r.status_code == 201 and r.get_json()["short_notice"] is True
    b = bearer(gen_token(ctx, "clerk", "clerk02"))
    assert client.get("/api/v1/me/handovers", headers=b).get_json()["handovers"][0]["reason"] == "病假"
    bad = client.post("/api/v1/leaves", json={**body, "start": "tomorrow"}, headers=clerk)
    assert bad.status_code == 400
