"""Nothing private reaches an anonymous listener or a public screen (issue 9, finding 1).

Written as the tester tried it: a raw Socket.IO client with no token (or a board's token)
subscribes to the demo hall from seq 0 while staff work, and everything it ever receives —
pushed events, the replay, the snapshot — is searched for what must stay private: leave reasons
and handover notes, transfer reasons, free-text pause reasons, login names, and the ticket ids
that open the phone pages.
"""

from __future__ import annotations

import json

import pytest

from server.extensions import socketio
from server.services import staff as staff_service
from server.services import tickets as ts
from server.services import transfers as tr
from server.services import windows as ws
from server.storage.models import User
from tests.helpers import bearer, gen_hall, gen_token, principal

LEAVE_REASON = "病假（住院）"
HANDOVER = "柜子密码 4711"
TRANSFER_REASON = "身份证 110101199003071234 需补材料"
PRIVATE_PAUSE = "去银行办私事"
PUBLIC_PAUSE = "业务培训"


def connect(app, token=None):
    return socketio.test_client(app, auth={"token": token} if token else None)


def logins(ctx) -> list[str]:
    with ctx.db.read() as s:
        return [u.username for u in s.query(User).all()]


def busy_hall(ctx) -> dict[str, object]:
    """A morning's work: leave, a pause, tickets called, started and transferred."""
    kiosk = principal(ctx, "kiosk")
    manager = principal(ctx, "manager", "manager")
    clerk2, clerk7, clerk5 = (principal(ctx, "clerk", u) for u in ("clerk02", "clerk07", "clerk05"))
    staff_service.register_leave(ctx, manager, "2026-12-01", "2026-12-02", LEAVE_REASON, HANDOVER, "clerk09")
    ws.sign_in(ctx, clerk2, 2)
    ws.sign_in(ctx, clerk7, 7)
    ws.sign_in(ctx, clerk5, 5)
    ws.pause(ctx, clerk5, 5, PRIVATE_PAUSE)
    first = ts.issue_ticket(ctx, kiosk, "A")
    second = ts.issue_ticket(ctx, kiosk, "A")
    called = ts.call_next(ctx, clerk2, 2)
    ts.act_on_ticket(ctx, clerk2, called["id"], "start")
    tr.transfer(ctx, clerk2, called["id"], TRANSFER_REASON, "F")
    return {"ids": [first["id"], second["id"]], "refs": [first["ref"], second["ref"]]}


def assert_nothing_private(payloads, ctx, ids) -> None:
    text = json.dumps(payloads, ensure_ascii=False)
    for secret in (LEAVE_REASON, HANDOVER, TRANSFER_REASON, PRIVATE_PAUSE, *ids):
        assert secret not in text, f"{secret!r} reached a public listener"
    for login in logins(ctx):
        assert f'"{login}"' not in text, f"login name {login!r} reached a public listener"
    assert '"username"' not in text and '"on_post"' not in text


@pytest.mark.parametrize("who", ["anonymous", "board", "kiosk"])
def test_public_listeners_receive_nothing_private_live_replayed_or_in_the_snapshot(app, ctx, who):
    token = None if who == "anonymous" else gen_token(ctx, who)
    c = connect(app, token)
    first = c.emit("subscribe", {"hall": "demo", "since": 0}, callback=True)
    work = busy_hall(ctx)
    pushed = [r["args"][0] for r in c.get_received()]
    assert {p["type"] for p in pushed} >= {"leave.registered", "ticket.issued", "ticket.transferred"}
    replay = c.emit("subscribe", {"hall": "demo", "since": 0}, callback=True)
    snapshot = c.emit("subscribe", {"hall": "demo", "since": None}, callback=True)
    assert len(replay["events"]) == len(pushed) and snapshot["snapshot"]["windows"]
    assert_nothing_private([first, pushed, replay, snapshot], ctx, work["ids"])
    # what a board needs is still there: the ticket by ref, its number, where to go
    issued = [p for p in pushed if p["type"] == "ticket.issued"]
    assert [p["data"]["ticket"]["ref"] for p in issued] == work["refs"]
    moved = next(p for p in pushed if p["type"] == "ticket.transferred")
    assert moved["data"]["to"]["service"] == "F" and moved["data"]["message"]["zh"]
    window5 = next(w for w in snapshot["snapshot"]["windows"] if w["number"] == 5)
    assert window5["status"] == "paused" and window5["pause_reason"] is None
    assert window5["clerk"] == {"name": "陈静", "badge": window5["clerk"]["badge"]}  # 挂牌上岗


def test_the_anonymous_http_snapshot_holds_nothing_private(app, ctx, client):
    work = busy_hall(ctx)
    snap = client.get("/api/v1/halls/demo/snapshot").get_json()
    assert_nothing_private(snap, ctx, work["ids"])
    assert snap["now_calling"] == [] or "ref" in snap["now_calling"][0]


def test_staff_get_what_their_work_needs(app, ctx, client):
    manager = connect(app, gen_token(ctx, "manager", "manager"))
    clerk = connect(app, gen_token(ctx, "clerk", "clerk03"))
    for c in (manager, clerk):
        c.emit("subscribe", {"hall": "demo", "since": 0}, callback=True)
    work = busy_hall(ctx)
    seen_by_manager = json.dumps([r["args"][0] for r in manager.get_received()], ensure_ascii=False)
    seen_by_clerk = json.dumps([r["args"][0] for r in clerk.get_received()], ensure_ascii=False)
    for secret in (LEAVE_REASON, HANDOVER, TRANSFER_REASON, PRIVATE_PAUSE, *work["ids"]):
        assert secret in seen_by_manager
    # clerks see who is away, not why nor the handover note (B reads it in their handover list)
    assert LEAVE_REASON not in seen_by_clerk and HANDOVER not in seen_by_clerk
    assert TRANSFER_REASON in seen_by_clerk and work["ids"][0] in seen_by_clerk
    snap = client.get(
        "/api/v1/halls/demo/snapshot", headers=bearer(gen_token(ctx, "manager", "manager"))
    ).get_json()
    assert any(w["clerk"] and w["clerk"].get("username") for w in snap["windows"])


def test_a_public_pause_phrase_is_shown_and_free_text_is_not(app, ctx):
    clerk = principal(ctx, "clerk", "clerk05")
    ws.sign_in(ctx, clerk, 5)
    c = connect(app)
    c.emit("subscribe", {"hall": "demo", "since": None}, callback=True)
    ws.pause(ctx, clerk, 5, PUBLIC_PAUSE)
    ws.resume(ctx, clerk, 5)
    ws.pause(ctx, clerk, 5, PRIVATE_PAUSE)
    reasons = [
        r["args"][0]["data"]["window"]["pause_reason"]
        for r in c.get_received()
        if r["name"] == "window.updated" and r["args"][0]["data"]["window"]["number"] == 5
    ]
    assert reasons == [PUBLIC_PAUSE, None, None]


def test_a_subscription_is_what_it_asked_for(app, ctx):
    gen_hall(ctx)
    ticket = ts.issue_ticket(ctx, principal(ctx, "kiosk"), "A")
    c = connect(app)
    ask = lambda **kw: c.emit("subscribe", {"hall": "demo", "since": None, **kw}, callback=True)  # noqa: E731
    assert "snapshot" in ask(ticket=ticket["id"])
    assert ask(ticket="made-up-ticket-id")["error"]["code"] == "not_found"
    assert ask(window=99_999)["error"]["code"] == "not_found"
    assert ask(window=2**70)["error"]["code"] == "invalid_field"
    assert "snapshot" in ask(window=2)
    # the same socket moving to another hall leaves the first hall's room
    c.emit("subscribe", {"hall": "other", "since": None}, callback=True)
    c.get_received()
    ts.issue_ticket(ctx, principal(ctx, "kiosk"), "A")
    assert c.get_received() == []


def test_a_hall_chooses_its_public_pause_phrases(app, ctx, client):
    manager = bearer(gen_token(ctx, "manager", "manager"))
    phrase = "临时离岗，请到 4 号窗口办理"
    res = client.patch("/api/v1/halls/demo", json={"public_pause_reasons": [phrase, " "]}, headers=manager)
    assert res.status_code == 200 and res.get_json()["public_pause_reasons"] == [phrase]
    clerk = principal(ctx, "clerk", "clerk05")
    ws.sign_in(ctx, clerk, 5)
    ws.pause(ctx, clerk, 5, phrase)
    c = connect(app)
    snap = c.emit("subscribe", {"hall": "demo", "since": None}, callback=True)["snapshot"]
    assert next(w for w in snap["windows"] if w["number"] == 5)["pause_reason"] == phrase
    ws.resume(ctx, clerk, 5)
    ws.pause(ctx, clerk, 5, PUBLIC_PAUSE)  # a default phrase, no longer on this hall's list
    snap = c.emit("subscribe", {"hall": "demo", "since": None}, callback=True)["snapshot"]
    assert next(w for w in snap["windows"] if w["number"] == 5)["pause_reason"] is None
    assert client.get("/clerk/").status_code in (302, 401)  # the console needs a login
