"""Transfers, notices, follow-ups and figures over HTTP: roles, bad input, and the printed notice."""

from __future__ import annotations

import pytest

from server import print_worker
from server.services import print_jobs
from tests.fakeprinter import FakePrinter
from tests.helpers import bearer, gen_token


@pytest.fixture
def desk(client, ctx):
    """clerk06 signed in at window 6 (社保医保) serving a C ticket; clerk08 at window 8 (公积金)."""
    kiosk = bearer(gen_token(ctx, "kiosk"))
    c6, c8 = bearer(gen_token(ctx, "clerk", "clerk06")), bearer(gen_token(ctx, "clerk", "clerk08"))
    assert client.post("/api/v1/windows/6/sign-in", headers=c6).status_code == 200
    assert client.post("/api/v1/windows/8/sign-in", headers=c8).status_code == 200
    t = client.post("/api/v1/tickets", json={"service": "C"}, headers=kiosk).get_json()
    assert client.post("/api/v1/windows/6/call-next", headers=c6).get_json()["id"] == t["id"]
    assert client.post(f"/api/v1/tickets/{t['id']}/start", headers=c6).status_code == 200
    return {
        "kiosk": kiosk,
        "c6": c6,
        "c8": c8,
        "ticket": t,
        "manager": bearer(gen_token(ctx, "manager", "manager")),
    }


def test_transfer_over_http_and_its_errors(client, desk):
    tid = desk["ticket"]["id"]
    url = f"/api/v1/tickets/{tid}/transfer"
    assert client.post(url, json={"service": "F"}, headers=desk["c6"]).status_code == 400  # no reason
    r = client.post(url, json={"service": "F", "window": 8, "reason": "x"}, headers=desk["c6"])
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "service"
    assert client.post(url, json={"window": "8", "reason": "x"}, headers=desk["c6"]).status_code == 400
    assert client.post(url, json={"service": "F", "reason": "x"}, headers=desk["c8"]).status_code == 403
    assert client.post(url, json={"service": "F", "reason": "x"}, headers=desk["kiosk"]).status_code == 403
    r = client.post(url, json={"service": "F", "reason": "x", "override": True}, headers=desk["c6"])
    assert r.status_code == 403, "a clerk cannot override"
    r = client.post(url, json={"service": "E", "reason": "转税务"}, headers=desk["c6"])
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "no_open_window"
    r = client.post(url, json={"window": 8, "reason": "公积金业务"}, headers=desk["c6"])
    assert r.status_code == 200 and r.get_json()["message"]["zh"] == "C001 请到 8 号窗口"
    assert client.get(f"/api/v1/tickets/{tid}").get_json()["transfers"][0]["reason"] == "公积金业务"


def test_follow_ups_and_figures_roles(client, desk):
    tid = desk["ticket"]["id"]
    client.post(
        f"/api/v1/tickets/{tid}/transfer", json={"service": "F", "reason": "走错"}, headers=desk["c6"]
    )
    assert [
        t["id"] for t in client.get("/api/v1/me/follow-ups", headers=desk["c6"]).get_json()["tickets"]
    ] == [tid]
    assert client.get("/api/v1/me/follow-ups", headers=desk["kiosk"]).status_code == 403
    figures = client.get("/api/v1/halls/demo/figures", headers=desk["manager"]).get_json()
    assert figures["transfers"] == [{"from": "C", "to": "F", "count": 1}]
    assert client.get("/api/v1/halls/demo/figures", headers=desk["c6"]).status_code == 403
    assert client.get("/api/v1/halls/demo/figures?days=0", headers=desk["manager"]).status_code == 400
    assert client.get("/api/v1/halls/demo/repeat-trips", headers=desk["c8"]).status_code == 403


def test_notice_is_printed_on_the_window_printer_with_every_missing_item_in_gb18030(client, ctx, desk):
    with FakePrinter(mode="accept") as fake:
        print_jobs.add_printer(ctx, "demo", "6号窗口打印机", fake.spec, 80, "text", window_number=6)
        tid = desk["ticket"]["id"]
        body = {"missing": ["m2", {"name": "单位出具的证明"}], "note": "请一次带齐"}
        r = client.post(f"/api/v1/tickets/{tid}/notice", json=body, headers=desk["c6"])
        assert r.status_code == 201, r.get_json()
        notice = r.get_json()
        assert notice["print"]["status"] == "queued"
        print_worker.run_once(ctx)
        assert fake.wait_for_jobs(1)
        printed = fake.received
        names = [m["name"] for m in notice["missing"]]
        for name in names:
            assert name.encode("gb18030") in printed, name
        assert notice["code"].encode() in printed
        assert b"\x1c\x26" in printed, "Chinese mode before the GB18030 text"
    # the code gives a priority ticket for the same service, and the next clerk sees the notice
    back = client.post("/api/v1/tickets", json={"notice": notice["code"]}, headers=desk["kiosk"]).get_json()
    assert back["priority"] is True and back["service"] == "C"
    assert client.get(f"/api/v1/notices/{notice['token']}").get_json()["missing"][0]["name"] == names[0]
    client.post(f"/api/v1/tickets/{tid}/complete", headers=desk["c6"])
    called = client.post("/api/v1/windows/6/call-next", headers=desk["c6"]).get_json()
    assert called["id"] == back["id"] and called["notice"]["code"] == notice["code"]


def test_notice_endpoint_refuses_wrong_roles_and_bad_input(client, desk):
    url = f"/api/v1/tickets/{desk['ticket']['id']}/notice"
    assert client.post(url, json={"missing": ["m1"]}, headers=desk["kiosk"]).status_code == 403
    assert client.post(url, json={"missing": ["m1"]}, headers=desk["c8"]).status_code == 403
    r = client.post(url, json={"missing": "m1"}, headers=desk["c6"])
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "missing"
    r = client.post(url, json={"missing": ["nope"]}, headers=desk["c6"])
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "missing[0]"
    assert client.post(url, json={"missing": [], "colour": 1}, headers=desk["c6"]).status_code == 400
    r = client.post("/api/v1/tickets", json={"notice": "ZZZZZZ"}, headers=desk["kiosk"])
    # an unknown code is the `notice` field's fault, not a conflict
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "notice_not_found"
    assert r.get_json()["error"]["field"] == "notice"
    assert client.get("/api/v1/notices/ZZZZZZ").status_code == 404
