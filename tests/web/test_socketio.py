"""Socket.IO in process: subscribe, pushed envelopes, resync after missed calls."""

from __future__ import annotations

import pytest

from server.extensions import socketio
from server.services import tickets as ts
from server.services import windows as ws
from tests.helpers import gen_hall, gen_token, principal


@pytest.fixture
def board_token(ctx):
    return gen_token(ctx, "board")


def connect(app, token=None):
    return socketio.test_client(app, auth={"token": token} if token else None)


def test_first_subscribe_gets_a_snapshot(app, board_token):
    c = connect(app, board_token)
    ack = c.emit("subscribe", {"hall": "demo", "since": None}, callback=True)
    assert ack["seq"] == 0 and ack["snapshot"]["hall"]["code"] == "demo"
    assert len(ack["snapshot"]["windows"]) == 12


def test_call_is_pushed_with_the_envelope(app, ctx, board_token):
    c = connect(app, board_token)
    c.emit("subscribe", {"hall": "demo", "since": None}, callback=True)
    kiosk, clerk = principal(ctx, "kiosk"), principal(ctx, "clerk", "clerk02")
    ws.sign_in(ctx, clerk, 2)
    t = ts.issue_ticket(ctx, kiosk, "A")
    ts.call_next(ctx, clerk, 2)
    received = c.get_received()
    names = [r["name"] for r in received]
    # signing in at window 2 also updates window 3, whose B post clerk02 is (its board now points
    # to 2), and window 12 (empty; 2 now serves its service A: its board points there, not nowhere)
    assert names == ["window.updated"] * 3 + ["ticket.issued", "ticket.called"]
    updated = [r["args"][0]["data"]["window"] for r in received[:3]]
    assert [w["number"] for w in updated] == [2, 3, 12]
    ref = {k: updated[0][k] for k in ("id", "number", "name", "name_en")}
    assert updated[2]["redirect"] == {"kind": "other", "window": ref}
    env = received[-1]["args"][0]
    assert set(env) == {"seq", "hall", "type", "at", "data"}
    assert env["type"] == "ticket.called" and env["hall"] == "demo"
    # a board keys tickets by `ref`; the id that opens the phone page never reaches it
    assert env["data"]["ticket"]["ref"] == t["ref"] and env["data"]["ticket"]["window"]["number"] == 2
    assert "id" not in env["data"]["ticket"]
    assert [r["args"][0]["seq"] for r in received] == [1, 2, 3, 4, 5]


def test_board_that_missed_three_calls_gets_all_three_on_resubscribe(app, ctx, board_token):
    c = connect(app, board_token)
    seq = c.emit("subscribe", {"hall": "demo", "since": None}, callback=True)["seq"]
    c.disconnect()
    kiosk, clerk = principal(ctx, "kiosk"), principal(ctx, "clerk", "clerk02")
    ws.sign_in(ctx, clerk, 2)
    numbers = []
    for _ in range(3):
        t = ts.issue_ticket(ctx, kiosk, "A")
        ts.call_next(ctx, clerk, 2)
        ts.act_on_ticket(ctx, clerk, t["id"], "start")
        ts.act_on_ticket(ctx, clerk, t["id"], "complete")
        numbers.append(t["number"])
    c2 = connect(app, board_token)
    ack = c2.emit("subscribe", {"hall": "demo", "since": seq}, callback=True)
    calls = [e["data"]["ticket"]["number"] for e in ack["events"] if e["type"] == "ticket.called"]
    assert calls == numbers
    assert [e["seq"] for e in ack["events"]] == list(range(seq + 1, ack["seq"] + 1))


def test_unknown_token_is_refused_at_connect(app):
    c = connect(app, "hq_bogus")
    assert not c.is_connected()


def test_subscribe_validates_its_payload(app, board_token):
    c = connect(app, board_token)
    assert c.emit("subscribe", {"since": 3}, callback=True)["error"]["code"] == "bad_request"
    assert (
        c.emit("subscribe", {"hall": "demo", "since": "x"}, callback=True)["error"]["code"] == "invalid_field"
    )
    assert c.emit("subscribe", {"hall": "nope", "since": None}, callback=True)["error"]["code"] == "not_found"


def test_board_of_another_hall_cannot_subscribe(app, ctx):
    gen_hall(ctx)
    c = connect(app, gen_token(ctx, "board", hall="other"))
    assert c.emit("subscribe", {"hall": "demo", "since": None}, callback=True)["error"]["code"] == "forbidden"


def test_anonymous_board_is_read_only_and_can_be_turned_off(app, sqlite_url, clock):
    c = connect(app)
    assert "snapshot" in c.emit("subscribe", {"hall": "demo", "since": None}, callback=True)
    from server import create_app

    closed = create_app(
        {
            "DATABASE_URL": sqlite_url,
            "SECRET_KEY": "s",
            "PUBLIC_BOARDS": False,
            "CLOCK": clock,
            "ASYNC_MODE": "threading",
        }
    )
    c2 = socketio.test_client(closed)
    assert (
        c2.emit("subscribe", {"hall": "demo", "since": None}, callback=True)["error"]["code"]
        == "unauthenticated"
    )
    closed.extensions["hallq"].db.dispose()


def test_a_socket_event_on_a_read_only_database_answers_storage_unavailable(app, ctx):
    from server.storage.db import Database

    token = gen_token(ctx, "kiosk")
    path = ctx.db.engine.url.database
    ctx.db.dispose()
    ctx.db = Database(f"sqlite:///file:{path}?mode=ro&uri=true")
    c = connect(app, token)
    ack = c.emit("agent.hello", {"printer": "file:///tmp/hallq-ro-test.bin", "width": 80}, callback=True)
    assert ack["error"]["code"] == "storage_unavailable"
    assert "只读" in ack["error"]["message"]
