"""HTTP API: the contract of docs/api.md, roles, and clear errors that change nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from server.storage.models import Event, Ticket
from tests.helpers import bearer, gen_hall, gen_token


@pytest.fixture
def kiosk(ctx):
    return bearer(gen_token(ctx, "kiosk"))


@pytest.fixture
def board(ctx):
    return bearer(gen_token(ctx, "board"))


@pytest.fixture
def clerk2(ctx, client):
    h = bearer(gen_token(ctx, "clerk", "clerk02"))
    assert client.post("/api/v1/windows/2/sign-in", headers=h).status_code == 200
    return h


def issue(client, headers, service="A", **extra):
    return client.post("/api/v1/tickets", json={"service": service, **extra}, headers=headers)


def event_count(ctx):
    with ctx.db.read() as s:
        return s.scalar(select(func.count(Event.id)))


def test_issue_returns_the_contract_fields(client, kiosk):
    r = issue(client, kiosk)
    assert r.status_code == 201
    t = r.get_json()
    assert {"id", "number", "service", "status", "position", "estimated_wait_s", "url"} <= set(t)
    assert (t["number"], t["service"], t["status"], t["position"]) == ("A001", "A", "waiting", 0)
    assert t["url"].endswith(f"/t/{t['id']}")
    assert client.get(f"/api/v1/tickets/{t['id']}").get_json()["number"] == "A001"


def test_call_next_then_lifecycle_over_http(client, kiosk, clerk2):
    t = issue(client, kiosk).get_json()
    called = client.post("/api/v1/windows/2/call-next", headers=clerk2)
    assert called.status_code == 200 and called.get_json()["id"] == t["id"]
    assert called.get_json()["window"]["number"] == 2
    for action, status in (("recall", "called"), ("start", "serving"), ("complete", "done")):
        r = client.post(f"/api/v1/tickets/{t['id']}/{action}", headers=clerk2)
        assert r.status_code == 200 and r.get_json()["status"] == status
    assert client.post("/api/v1/windows/2/call-next", headers=clerk2).status_code == 204


def test_kiosk_token_cannot_call_a_number(client, kiosk, clerk2, ctx):
    issue(client, kiosk)
    before = event_count(ctx)
    r = client.post("/api/v1/windows/2/call-next", headers=kiosk)
    assert r.status_code == 403
    assert r.get_json()["error"]["code"] == "forbidden" and r.get_json()["error"]["message"]
    assert event_count(ctx) == before


def test_board_token_cannot_issue_a_number(client, board, ctx):
    r = issue(client, board)
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "forbidden"
    with ctx.db.read() as s:
        assert s.scalar(select(func.count(Ticket.id))) == 0


def test_clerk_cannot_call_for_a_window_they_are_not_signed_in_at(client, kiosk, clerk2, ctx):
    issue(client, kiosk)
    before = event_count(ctx)
    r = client.post("/api/v1/windows/3/call-next", headers=clerk2)
    assert r.status_code == 403
    assert r.get_json()["error"]["code"] == "window_not_signed_in"
    assert event_count(ctx) == before


def test_clerk_cannot_act_on_another_windows_ticket(client, ctx, kiosk, clerk2):
    t = issue(client, kiosk).get_json()
    client.post("/api/v1/windows/2/call-next", headers=clerk2)
    other = bearer(gen_token(ctx, "clerk", "clerk03"))
    client.post("/api/v1/windows/3/sign-in", headers=other)
    r = client.post(f"/api/v1/tickets/{t['id']}/complete", headers=other)
    assert r.status_code == 403


def test_unknown_token_is_401(client):
    r = issue(client, bearer("hq_nonsense"))
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "unauthenticated"


def test_no_credentials_cannot_issue(client):
    assert issue(client, {}).status_code == 401


def test_token_of_another_hall_is_refused(client, ctx):

    gen_hall(ctx, name="另一个大厅")
    foreign = bearer(gen_token(ctx, "kiosk", hall="other"))
    r = issue(client, foreign, hall="demo")
    assert r.status_code == 403


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "service"),
        ({"service": 5}, "service"),
        ({"service": "A", "priority": "yes"}, "priority"),
        ({"service": "A", "phone": "12ab"}, "phone"),
        ({"service": "A", "colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(client, kiosk, ctx, body, field):
    r = client.post("/api/v1/tickets", json=body, headers=kiosk)
    assert r.status_code == 400
    assert r.get_json()["error"]["field"] == field
    assert event_count(ctx) == 0


def test_malformed_json_is_a_400(client, kiosk):
    r = client.post(
        "/api/v1/tickets", data="{not json", headers={**kiosk, "Content-Type": "application/json"}
    )
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "bad_request"


def test_unknown_service_ticket_window_are_404(client, kiosk, clerk2):
    assert issue(client, kiosk, service="ZZ").status_code == 404
    assert client.get("/api/v1/tickets/nope").status_code == 404
    assert client.post("/api/v1/windows/999/call-next", headers=clerk2).status_code == 404
    assert client.post("/api/v1/tickets/nope/explode", headers=clerk2).status_code == 404


def test_recall_limit_is_a_clear_409(client, kiosk, clerk2):
    t = issue(client, kiosk).get_json()
    client.post("/api/v1/windows/2/call-next", headers=clerk2)
    for _ in range(3):
        assert client.post(f"/api/v1/tickets/{t['id']}/recall", headers=clerk2).status_code == 200
    r = client.post(f"/api/v1/tickets/{t['id']}/recall", headers=clerk2)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "recall_limit"


def test_error_message_follows_the_language(client, board):
    zh = issue(client, board).get_json()["error"]["message"]
    en = client.post("/api/v1/tickets?lang=en", json={"service": "A"}, headers=board).get_json()["error"][
        "message"
    ]
    assert "无权" in zh and "may not" in en


def test_pause_and_resume_show_on_the_window(client, clerk2):
    assert client.post("/api/v1/windows/2/pause", json={}, headers=clerk2).status_code == 400
    r = client.post("/api/v1/windows/2/pause", json={"reason": "系统维护"}, headers=clerk2)
    assert r.get_json()["status"] == "paused" and r.get_json()["pause_reason"] == "系统维护"
    assert client.post("/api/v1/windows/2/call-next", headers=clerk2).status_code == 409
    assert client.post("/api/v1/windows/2/resume", headers=clerk2).get_json()["status"] == "open"
    assert client.post("/api/v1/windows/2/sign-out", headers=clerk2).get_json()["status"] == "closed"


def test_snapshot_lists_calls_waiting_and_windows(client, kiosk, clerk2, board):
    issue(client, kiosk)
    issue(client, kiosk, service="B")
    client.post("/api/v1/windows/2/call-next", headers=clerk2)
    snap = client.get("/api/v1/halls/demo/snapshot", headers=board).get_json()
    assert snap["seq"] >= 4
    assert snap["now_calling"][0]["number"] == "A001" and snap["now_calling"][0]["window"]["number"] == 2
    assert snap["waiting"]["B"] == 1 and snap["waiting"]["A"] == 0
    w2 = next(w for w in snap["windows"] if w["id"] == 2)
    assert w2["status"] == "open" and w2["clerk"]["name"] == "王芳" and w2["services"] == ["A"]
    assert w2["current"]["number"] == "A001"


def test_window_detail_lists_waiting_in_call_order(client, kiosk, clerk2):
    issue(client, kiosk)
    green = issue(client, kiosk, priority=True).get_json()
    w = client.get("/api/v1/windows/2", headers=clerk2).get_json()
    assert [t["id"] for t in w["waiting"]][0] == green["id"]


def test_openapi_and_healthz(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.") and "/tickets" in doc["paths"]
    health = {"status": "ok", "database": "ok", "writes": "ok", "disk": "ok"}
    assert client.get("/healthz").get_json() == health


def test_the_event_log_keeps_ids_never_the_host_a_request_came_from(ctx, client, kiosk, clerk2):
    """URLs are the web layer's job: answers carry absolute URLs, the stored history does not."""
    host = "hall-7.example.test"
    made = client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk, base_url=f"http://{host}")
    assert made.get_json()["url"] == f"http://{host}/t/{made.get_json()['id']}"
    called = client.post("/api/v1/windows/2/call-next", headers=clerk2, base_url=f"http://{host}")
    assert called.status_code == 200
    with ctx.db.read() as s:
        stored = [repr(e.data) for e in s.scalars(select(Event))]
    assert stored and not [d for d in stored if host in d or "'url'" in d]


# ── 办结并叫号 and 撤销过号 (the clerk console's one-keystroke paths) ──
def events_of(ctx, type_):
    with ctx.db.read() as s:
        return s.scalars(select(Event).where(Event.type == type_).order_by(Event.seq)).all()


def test_complete_and_call_next_completes_and_calls_in_one_step(client, ctx, kiosk, clerk2):
    first, second = issue(client, kiosk).get_json(), issue(client, kiosk).get_json()
    client.post("/api/v1/windows/2/call-next", headers=clerk2)
    client.post(f"/api/v1/tickets/{first['id']}/start", headers=clerk2)
    r = client.post(f"/api/v1/tickets/{first['id']}/complete-and-call-next", headers=clerk2)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (body["completed"]["id"], body["completed"]["status"], body["completed"]["outcome"]) == (
        first["id"],
        "done",
        "done",
    )
    assert (body["called"]["id"], body["called"]["status"]) == (second["id"], "called")
    done, called = events_of(ctx, "ticket.done"), events_of(ctx, "ticket.called")
    assert done[-1].seq < called[-1].seq  # the completion first, then the call
    # nobody else waits: completed, nobody called
    client.post(f"/api/v1/tickets/{second['id']}/start", headers=clerk2)
    r = client.post(f"/api/v1/tickets/{second['id']}/complete-and-call-next", headers=clerk2)
    assert r.status_code == 200 and r.get_json()["called"] is None
    assert r.get_json()["completed"]["status"] == "done"


def test_complete_and_call_next_keeps_the_start_rule_and_changes_nothing_when_refused(
    client, ctx, kiosk, clerk2
):
    first, second = issue(client, kiosk).get_json(), issue(client, kiosk).get_json()
    client.post("/api/v1/windows/2/call-next", headers=clerk2)
    before = event_count(ctx)
    r = client.post(f"/api/v1/tickets/{first['id']}/complete-and-call-next", headers=clerk2)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "invalid_transition"  # not started
    client.post(f"/api/v1/tickets/{first['id']}/start", headers=clerk2)
    client.post("/api/v1/windows/2/pause", json={"reason": "休息"}, headers=clerk2)
    before = event_count(ctx)
    r = client.post(f"/api/v1/tickets/{first['id']}/complete-and-call-next", headers=clerk2)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "window_not_open"
    assert event_count(ctx) == before  # the completion was rolled back with the refused call
    assert client.get(f"/api/v1/tickets/{first['id']}").get_json()["status"] == "serving"
    assert client.get(f"/api/v1/tickets/{second['id']}").get_json()["status"] == "waiting"
    other = bearer(gen_token(ctx, "clerk", "clerk03"))
    client.post("/api/v1/windows/3/sign-in", headers=other)
    assert (
        client.post(f"/api/v1/tickets/{first['id']}/complete-and-call-next", headers=other).status_code == 403
    )


def test_a_no_show_is_taken_back_by_its_clerk_within_the_window(client, ctx, clock, kiosk, clerk2):
    t = issue(client, kiosk).get_json()
    client.post("/api/v1/windows/2/call-next", headers=clerk2)
    assert client.post(f"/api/v1/tickets/{t['id']}/no-show", headers=clerk2).get_json()["status"] == "no_show"
    clock.advance(seconds=4)
    r = client.post(f"/api/v1/tickets/{t['id']}/undo-no-show", headers=clerk2)
    assert r.status_code == 200 and r.get_json()["status"] == "called"
    assert r.get_json()["window"]["number"] == 2
    undone = events_of(ctx, "ticket.no_show_undone")
    assert len(undone) == 1 and undone[0].actor_user_id is not None  # audited, with who
    w = client.get("/api/v1/windows/2", headers=clerk2).get_json()
    assert w["current"]["id"] == t["id"]
    # the citizen is served as usual afterwards
    assert client.post(f"/api/v1/tickets/{t['id']}/start", headers=clerk2).status_code == 200


def test_a_no_show_cannot_be_taken_back_late_or_by_another_clerk_or_after_the_next_call(
    client, ctx, clock, kiosk, clerk2
):
    a, b = issue(client, kiosk).get_json(), issue(client, kiosk).get_json()
    client.post("/api/v1/windows/2/call-next", headers=clerk2)
    client.post(f"/api/v1/tickets/{a['id']}/no-show", headers=clerk2)
    other = bearer(gen_token(ctx, "clerk", "clerk03"))
    client.post("/api/v1/windows/3/sign-in", headers=other)
    before = event_count(ctx)
    r = client.post(f"/api/v1/tickets/{a['id']}/undo-no-show", headers=other)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "undo_not_yours"
    client.post("/api/v1/windows/2/call-next", headers=clerk2)  # b is at the counter now
    r = client.post(f"/api/v1/tickets/{a['id']}/undo-no-show", headers=clerk2)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "window_busy"
    client.post(f"/api/v1/tickets/{b['id']}/no-show", headers=clerk2)
    clock.advance(seconds=11)
    r = client.post(f"/api/v1/tickets/{b['id']}/undo-no-show", headers=clerk2)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "undo_expired"
    assert "恢复排队" in r.get_json()["error"]["message"]
    assert client.get(f"/api/v1/tickets/{b['id']}").get_json()["status"] == "no_show"
    assert len(events_of(ctx, "ticket.no_show_undone")) == 0
    assert event_count(ctx) == before + 2  # the call and the no-show, nothing from the refusals
