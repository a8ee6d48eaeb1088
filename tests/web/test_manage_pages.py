"""The manager's and admin's pages: who may open them, which hall they show, the audit in words."""

from __future__ import annotations

import re

import pytest

from tests.helpers import bearer, gen_token

MANAGER_PAGES = (
    "/manage/hall",
    "/manage/cases",
    "/manage/audit",
    "/manage/staff",
    "/manage/evaluation",
    "/manage/evaluation/report",
    "/manage/simulation",
)
ADMIN_PAGES = (
    "/admin/",
    "/admin/halls",
    "/admin/services",
    "/admin/windows",
    "/admin/people",
    "/admin/devices",
)


def _login(client, username: str) -> None:
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert token
    r = client.post(
        "/login", data={"username": username, "password": "hallq-demo", "csrf_token": token.group(1)}
    )
    assert r.status_code == 302


@pytest.mark.parametrize("path", MANAGER_PAGES + ADMIN_PAGES)
def test_pages_need_a_manager_or_admin(app, path):
    anonymous = app.test_client()
    r = anonymous.get(path)
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    clerk = app.test_client()
    _login(clerk, "clerk02")
    assert clerk.get(path).status_code == 403


@pytest.mark.parametrize("path", MANAGER_PAGES + ADMIN_PAGES)
def test_manager_opens_the_pages_of_their_hall(client, path):
    _login(client, "manager")
    r = client.get(path)
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert 'data-hall="demo"' in html and 'name="csrf-token"' in html
    # the shared navigation, with the page marked
    for link in ("/manage/hall", "/manage/audit", "/manage/staff", "/admin/"):
        assert f'href="{link}"' in html
    assert 'aria-current="page"' in html
    assert 'class="hall-switch"' not in html  # a manager has one hall


def test_admin_picks_the_hall_and_sees_inactive_services(app, client, ctx):
    manager = bearer(gen_token(ctx, "manager", "manager"))
    r = client.put("/api/v1/halls/demo/services/G", json={"active": False}, headers=manager)
    assert r.status_code == 200
    _login(client, "admin")
    r = client.get("/manage/hall?hall=demo")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and 'class="hall-switch"' in html and 'href="/manage/audit?hall=demo"' in html
    html = client.get("/admin/services?hall=demo").get_data(as_text=True)
    data = re.search(r'<script type="application/json" id="services-data">(.*?)</script>', html, re.S)
    assert data
    services = {s["code"]: s for s in __import__("json").loads(data.group(1))}
    assert services["G"]["active"] is False and services["A"]["active"] is True and len(services) == 8


def test_pages_speak_english(client):
    _login(client, "manager")
    html = client.get("/manage/hall?lang=en").get_data(as_text=True)
    assert "Live dispatch" in html and "Audit log" in html
    assert "Device tokens" in client.get("/admin/devices?lang=en").get_data(as_text=True)


def test_audit_summary_says_what_changed_in_words(client, ctx):
    manager = bearer(gen_token(ctx, "manager", "manager"))
    kiosk = bearer(gen_token(ctx, "kiosk"))
    assert (
        client.put("/api/v1/windows/3/services", json={"services": ["A"]}, headers=manager).status_code == 200
    )
    assert client.post("/api/v1/tickets", json={"service": "E"}, headers=kiosk).status_code == 201
    body = {"from": {"service": "E"}, "to": {"window": 9}, "reason": "11 号窗口午休", "confirm": True}
    assert client.post("/api/v1/halls/demo/move-tickets", json=body, headers=manager).status_code == 200
    r = client.put("/api/v1/windows/4/posts", json={"a": "clerk04", "b": "clerk06"}, headers=manager)
    assert r.status_code == 200
    rows = client.get("/api/v1/halls/demo/audit?user=manager", headers=manager).get_json()["events"]
    summaries = {r["type"]: r["summary"] for r in rows}
    assert "办理事项 A、H → A" in summaries["window.updated"]
    assert "事项 E → 9号窗口：1 人 E001" in summaries["queue.moved"]
    assert "11 号窗口午休" in summaries["queue.moved"]
    assert "A岗 刘洋，B岗 杨帆" in summaries["posts.updated"]
    csv = client.get("/api/v1/halls/demo/audit?user=manager&format=csv", headers=manager).get_data(
        as_text=True
    )
    assert "办理事项 A、H → A" in csv
