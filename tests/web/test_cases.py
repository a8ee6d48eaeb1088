"""Outcomes at the window and cases (办件) over HTTP and Socket.IO (issue 10, deliverables 2, 3, 5).

Written as a tester would try it: a clerk completes tickets with every outcome, the hall's clock
is moved (FakeClock) over the 2026 National Day holidays until a case turns yellow and red, and
a second hall's manager, a clerk who is not the owner and an anonymous socket try what they
must not."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from server.extensions import socketio
from server.storage.models import Case, CaseStep, Event, Ticket
from tests.helpers import bearer, gen_hall, gen_token


def local(y: int, m: int, d: int, hour: int = 9) -> datetime:
    """A moment of the hall's local day (Asia/Shanghai is UTC+8)."""
    return datetime(y, m, d, hour - 8, 30, tzinfo=UTC)


@pytest.fixture
def desk(client, ctx):
    """Who works: a kiosk, the manager, clerk02 at window 2 (户籍 A: promised 3, legal 20),
    clerk04 at window 4 (不动产 B: promised 5), clerk06 at window 6 (社保 C: 即办件, promised 0)."""
    heads = {
        "kiosk": bearer(gen_token(ctx, "kiosk")),
        "manager": bearer(gen_token(ctx, "manager", "manager")),
        "c2": bearer(gen_token(ctx, "clerk", "clerk02")),
        "c4": bearer(gen_token(ctx, "clerk", "clerk04")),
        "c6": bearer(gen_token(ctx, "clerk", "clerk06")),
    }
    for who, window in (("c2", 2), ("c4", 4), ("c6", 6)):
        assert client.post(f"/api/v1/windows/{window}/sign-in", headers=heads[who]).status_code == 200
    return heads


def serving(client, desk, service: str, clerk: str, window: int) -> str:
    """A ticket of `service` called and started at `window`: its id."""
    t = client.post("/api/v1/tickets", json={"service": service}, headers=desk["kiosk"]).get_json()
    called = client.post(f"/api/v1/windows/{window}/call-next", headers=desk[clerk]).get_json()
    assert called["id"] == t["id"]
    assert client.post(f"/api/v1/tickets/{t['id']}/start", headers=desk[clerk]).status_code == 200
    return t["id"]


def accept(client, desk, service="A", clerk="c2", window=2, **extra) -> dict:
    tid = serving(client, desk, service, clerk, window)
    r = client.post(
        f"/api/v1/tickets/{tid}/complete", json={"outcome": "accepted", **extra}, headers=desk[clerk]
    )
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def counts(ctx) -> tuple[int, int, int]:
    with ctx.db.read() as s:
        return (s.query(Case).count(), s.query(CaseStep).count(), s.query(Event).count())


# ---------------------------------------------------------------- outcome at the window


def test_complete_without_a_body_is_done_as_before(client, desk, ctx):
    tid = serving(client, desk, "A", "c2", 2)
    r = client.post(f"/api/v1/tickets/{tid}/complete", headers=desk["c2"])
    assert r.status_code == 200
    body = r.get_json()
    assert body["status"] == "done" and body["outcome"] == "done" and "case" not in body
    with ctx.db.read() as s:
        assert s.query(Ticket).filter_by(public_id=tid).one().outcome == "done"
        assert s.query(Case).count() == 0


def test_a_one_time_notice_during_the_visit_makes_notice_the_default(client, desk, ctx):
    tid = serving(client, desk, "A", "c2", 2)
    note = client.post(f"/api/v1/tickets/{tid}/notice", json={"missing": ["m1"]}, headers=desk["c2"])
    assert note.status_code == 201
    r = client.post(f"/api/v1/tickets/{tid}/complete", json={}, headers=desk["c2"])
    assert r.status_code == 200 and r.get_json()["outcome"] == "notice"


def test_refusal_needs_a_listed_reason_and_the_explanation(client, desk, ctx):
    tid = serving(client, desk, "A", "c2", 2)
    url = f"/api/v1/tickets/{tid}/complete"
    before = counts(ctx)
    r = client.post(url, json={"outcome": "refused"}, headers=desk["c2"])
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "reason_code"
    r = client.post(url, json={"outcome": "refused", "reason_code": "材料不全"}, headers=desk["c2"])
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "reason"
    assert "说明理由" in r.get_json()["error"]["message"]
    r = client.post(
        url, json={"outcome": "refused", "reason_code": "心情不好", "reason": "x"}, headers=desk["c2"]
    )
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "reason_code"
    r = client.post(
        url, json={"outcome": "refused", "reason": "x"}, headers=desk["c2"] | {"Accept-Language": "en"}
    )
    assert r.status_code == 400
    assert counts(ctx) == before, "a refused request changes nothing"
    assert client.get(f"/api/v1/tickets/{tid}").get_json()["status"] == "serving"
    r = client.post(
        url,
        json={"outcome": "refused", "reason_code": "不属于本部门职权", "reason": "属于税务"},
        headers=desk["c2"],
    )
    assert r.status_code == 200
    assert r.get_json()["outcome"] == "refused"
    assert r.get_json()["outcome_reason"] == "不属于本部门职权：属于税务"


def test_an_unknown_outcome_is_a_clear_error_and_nothing_changes(client, desk, ctx):
    tid = serving(client, desk, "A", "c2", 2)
    before = counts(ctx)
    r = client.post(f"/api/v1/tickets/{tid}/complete", json={"outcome": "maybe"}, headers=desk["c2"])
    assert r.status_code == 400
    err = r.get_json()["error"]
    assert err["code"] == "invalid_field" and err["field"] == "outcome"
    assert "办理结果" in err["message"] and "accepted" in err["message"] and "refused" in err["message"]
    assert counts(ctx) == before
    assert client.get(f"/api/v1/tickets/{tid}").get_json()["status"] == "serving"


def test_accepting_an_on_the_spot_matter_needs_a_reason(client, desk, ctx):
    tid = serving(client, desk, "C", "c6", 6)
    url = f"/api/v1/tickets/{tid}/complete"
    before = counts(ctx)
    r = client.post(url, json={"outcome": "accepted"}, headers=desk["c6"])
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "reason"
    assert counts(ctx) == before
    r = client.post(url, json={"outcome": "accepted", "reason": "系统故障，次日办结"}, headers=desk["c6"])
    assert r.status_code == 200
    case = r.get_json()["case"]
    assert case["limit_days"] == 0 and case["reason"] == "系统故障，次日办结"


def test_accepted_opens_a_case_due_over_the_national_day_holidays(client, desk, ctx, clock):
    clock.now = local(2026, 9, 30)
    body = accept(client, desk, materials=["居民身份证", "户口簿"])
    assert body["status"] == "done" and body["outcome"] == "accepted"
    case = body["case"]
    assert case["due"] == "2026-10-10"  # 3 working days: 8, 9 and the 调休 Saturday 10 October
    assert case["status"] == "accepted" and case["calendar_missing"] is None
    assert case["number"] == "20260930-A-0001" and len(case["code"]) >= 16
    assert case["owner"]["username"] == "clerk02" and case["limit_days"] == 3
    assert case["materials"] == [{"name": "居民身份证"}, {"name": "户口簿"}]
    second = accept(client, desk)["case"]
    assert second["number"] == "20260930-A-0002" and second["code"] != case["code"]
    got = client.get(f"/api/v1/cases/{case['code']}", headers=desk["c2"]).get_json()
    assert [s["kind"] for s in got["steps"]] == ["accepted"]
    assert got["ticket"] == body["number"]


def test_a_case_beyond_the_calendar_is_accepted_with_calendar_missing(client, desk, clock):
    clock.now = local(2026, 12, 30)
    case = accept(client, desk)["case"]  # 3 working days reach 2027, which no source covers yet
    assert case["due"] is None and case["calendar_missing"] == 2027


# ---------------------------------------------------------------- warnings


def test_a_controllable_clock_turns_a_case_yellow_then_red(client, desk, clock):
    clock.now = local(2026, 9, 30)
    code = accept(client, desk)["case"]["code"]

    def level() -> str:
        listed = client.get("/api/v1/cases?status=open", headers=desk["manager"]).get_json()["cases"]
        return next(c["urgency"] for c in listed if c["code"] == code)

    assert level() == "green"
    clock.now = local(2026, 10, 8)  # 2 working days left (9 and 10 October); 户籍's warn_days is 1
    assert level() == "green"
    clock.now = local(2026, 10, 9)  # 1 working day left (the 调休 Saturday 10 October)
    assert level() == "yellow"
    assert [
        c["code"] for c in client.get("/api/v1/cases?urgency=yellow", headers=desk["c2"]).get_json()["cases"]
    ] == [code]
    clock.now = local(2026, 10, 10)
    assert level() == "yellow"  # due today: not late yet
    clock.now = local(2026, 10, 11)
    assert level() == "red"
    assert client.get("/api/v1/cases?urgency=green", headers=desk["c2"]).get_json()["cases"] == []


def test_the_list_is_sorted_by_urgency_then_due_and_filters(client, desk, clock):
    clock.now = local(2026, 9, 21)
    late = accept(client, desk)["case"]  # A: 3 days → due 24 September
    clock.now = local(2026, 9, 30)
    soon = accept(client, desk, service="B", clerk="c4", window=4)["case"]  # B: 5 days
    fresh = accept(client, desk)["case"]  # A: due 10 October
    listed = client.get("/api/v1/cases", headers=desk["manager"]).get_json()["cases"]
    assert [c["code"] for c in listed] == [late["code"], fresh["code"], soon["code"]]
    assert listed[0]["urgency"] == "red"
    mine = client.get("/api/v1/cases?owner=me", headers=desk["c4"]).get_json()["cases"]
    assert [c["code"] for c in mine] == [soon["code"]]
    by_owner = client.get("/api/v1/cases?owner=clerk02", headers=desk["c4"]).get_json()["cases"]
    assert {c["code"] for c in by_owner} == {late["code"], fresh["code"]}
    due = client.get("/api/v1/cases?due_before=2026-09-30", headers=desk["c2"]).get_json()["cases"]
    assert [c["code"] for c in due] == [late["code"]]
    r = client.get("/api/v1/cases?status=lost", headers=desk["c2"])
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "status"
    r = client.get("/api/v1/cases?owner=nobody", headers=desk["c2"])
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "owner"
    assert client.get("/api/v1/cases", headers=desk["kiosk"]).status_code == 403
    assert client.get("/api/v1/cases").status_code == 401


# ---------------------------------------------------------------- the case's life


def test_suspension_and_resumption_move_the_due_date(client, desk, clock):
    clock.now = local(2026, 9, 7)  # Monday
    case = accept(client, desk, service="B", clerk="c4", window=4)["case"]
    assert case["limit_days"] == 5 and case["due"] == "2026-09-14"
    url = f"/api/v1/cases/{case['code']}"
    clock.now = local(2026, 9, 9)
    r = client.post(
        f"{url}/suspend", json={"kind": "补正", "reason": "等待补交房产证复印件"}, headers=desk["c4"]
    )
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "suspended" and r.get_json()["due"] is None
    clock.now = local(2026, 9, 11)
    r = client.post(f"{url}/resume", headers=desk["c4"])
    assert r.status_code == 200
    assert r.get_json()["status"] == "accepted" and r.get_json()["due"] == "2026-09-16"
    steps = r.get_json()["steps"]
    assert [(s["kind"], s["day"]) for s in steps] == [
        ("accepted", "2026-09-07"),
        ("suspended", "2026-09-09"),
        ("resumed", "2026-09-11"),
    ]
    assert steps[1]["reason"] == "等待补交房产证复印件" and steps[1]["data"] == {"kind": "补正"}


def test_resuming_a_case_that_is_not_suspended_is_refused_and_changes_nothing(client, desk, ctx):
    code = accept(client, desk)["case"]["code"]
    before = counts(ctx)
    r = client.post(f"/api/v1/cases/{code}/resume", headers=desk["c2"])
    assert r.status_code == 409
    err = r.get_json()["error"]
    assert err["code"] == "invalid_transition" and err["field"] == "status"
    r = client.post(f"/api/v1/cases/{code}/suspend", json={"kind": "休假", "reason": "x"}, headers=desk["c2"])
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "kind"
    r = client.post(f"/api/v1/cases/{code}/deliver", json={"method": "window"}, headers=desk["c2"])
    assert r.status_code == 409 and r.get_json()["error"]["field"] == "status"
    assert counts(ctx) == before
    assert client.get(f"/api/v1/cases/{code}", headers=desk["c2"]).get_json()["status"] == "accepted"


def test_complete_deliver_reassign_and_the_chain(client, desk, ctx):
    code = accept(client, desk)["case"]["code"]
    url = f"/api/v1/cases/{code}"
    r = client.post(f"{url}/reassign", json={"to": "clerk02", "reason": "x"}, headers=desk["c2"])
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "to"
    r = client.post(f"{url}/reassign", json={"to": "ghost", "reason": "x"}, headers=desk["c2"])
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "to"
    r = client.post(f"{url}/reassign", json={"to": "clerk04"}, headers=desk["c2"])
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "reason"
    r = client.post(f"{url}/reassign", json={"to": "clerk04", "reason": "调岗"}, headers=desk["c2"])
    assert r.status_code == 200 and r.get_json()["owner"]["username"] == "clerk04"
    # the former owner acts no more; the new one does
    assert client.post(f"{url}/complete", headers=desk["c2"]).status_code == 403
    assert client.post(f"{url}/complete", headers=desk["c4"]).get_json()["status"] == "completed"
    r = client.post(f"{url}/deliver", json={"method": "post"}, headers=desk["c4"])
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "note"  # tracking text
    r = client.post(f"{url}/deliver", json={"method": "pigeon"}, headers=desk["c4"])
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "method"
    r = client.post(f"{url}/deliver", json={"method": "post", "note": "EMS 1234567890"}, headers=desk["c4"])
    assert r.status_code == 200
    done = r.get_json()
    assert done["status"] == "delivered" and done["delivery_note"] == "EMS 1234567890"
    assert [s["kind"] for s in done["steps"]] == ["accepted", "reassigned", "completed", "delivered"]
    assert done["steps"][1]["owner"]["username"] == "clerk04" and done["steps"][1]["reason"] == "调岗"
    open_cases = client.get("/api/v1/cases?status=open&owner=me", headers=desk["c4"]).get_json()["cases"]
    assert open_cases == []
    with ctx.db.read() as s:
        types = [e.type for e in s.query(Event).order_by(Event.seq)]
    assert types[-4:] == ["case.accepted", "case.reassigned", "case.completed", "case.delivered"]
    audit = client.get("/api/v1/halls/demo/audit", headers=desk["manager"]).get_json()["events"]
    handed = next(e for e in audit if e["type"] == "case.reassigned")
    assert done["number"] in handed["summary"] and "调岗" in handed["summary"]


def test_supervision_by_a_manager_and_the_owners_answer(client, desk, clock):
    clock.now = local(2026, 9, 30)
    code = accept(client, desk)["case"]["code"]
    url = f"/api/v1/cases/{code}"
    body = {"note": "请说明进展", "reply_by": "2026-10-09"}
    assert client.post(f"{url}/supervise", json=body, headers=desk["c2"]).status_code == 403
    r = client.post(f"{url}/supervise", json={"note": "x", "reply_by": "2026-09-01"}, headers=desk["manager"])
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "reply_by"
    r = client.post(f"{url}/answer", json={"answer": "没有督办"}, headers=desk["c2"])
    assert r.status_code == 409 and r.get_json()["error"]["field"] == "status"
    r = client.post(f"{url}/supervise", json=body, headers=desk["manager"])
    assert r.status_code == 200
    assert (
        r.get_json()["supervision"]["note"] == "请说明进展" and r.get_json()["supervision"]["answer"] is None
    )
    # only the owner answers (not another clerk, not the manager)
    assert client.post(f"{url}/answer", json={"answer": "x"}, headers=desk["c4"]).status_code == 403
    assert client.post(f"{url}/answer", json={"answer": "x"}, headers=desk["manager"]).status_code == 403
    r = client.post(f"{url}/answer", json={"answer": "已联系申请人，明日办结"}, headers=desk["c2"])
    assert r.status_code == 200
    sup = r.get_json()["supervision"]
    assert sup["answer"] == "已联系申请人，明日办结" and sup["reply_by"] == "2026-10-09"
    assert [s["kind"] for s in r.get_json()["steps"]] == ["accepted", "supervised", "answered"]


def test_another_clerk_of_the_hall_may_read_but_not_act(client, desk, ctx):
    code = accept(client, desk)["case"]["code"]
    assert client.get(f"/api/v1/cases/{code}", headers=desk["c6"]).status_code == 200
    before = counts(ctx)
    r = client.post(f"/api/v1/cases/{code}/complete", headers=desk["c6"])
    assert r.status_code == 403
    assert counts(ctx) == before
    # a manager acts on any case of the hall
    assert client.post(f"/api/v1/cases/{code}/complete", headers=desk["manager"]).status_code == 200


def test_another_halls_staff_cannot_see_or_touch_a_case(client, desk, ctx):
    code = accept(client, desk)["case"]["code"]
    gen_hall(ctx, people=(("boss2", "manager", "别处主任"), ("clerk2b", "clerk", "别处办事员")))
    foreign = bearer(gen_token(ctx, "manager", "boss2", hall="other"))
    foreign_clerk = bearer(gen_token(ctx, "clerk", "clerk2b", hall="other"))
    before = counts(ctx)
    assert client.get(f"/api/v1/cases/{code}", headers=foreign).status_code == 404
    for action, body in (
        ("suspend", {"kind": "补正", "reason": "x"}),
        ("complete", {}),
        ("supervise", {"note": "x", "reply_by": "2030-01-01"}),
        ("reassign", {"to": "clerk2b", "reason": "x"}),
    ):
        r = client.post(f"/api/v1/cases/{code}/{action}", json=body, headers=foreign)
        assert r.status_code == 404, action
        assert r.get_json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/cases", headers=foreign).get_json()["cases"] == []
    assert client.get("/api/v1/cases?hall=demo", headers=foreign_clerk).status_code == 403
    # the demo hall's manager cannot hand a case to the other hall's clerk either
    r = client.post(
        f"/api/v1/cases/{code}/reassign", json={"to": "clerk2b", "reason": "x"}, headers=desk["manager"]
    )
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "to"
    assert counts(ctx) == before
    assert client.get(f"/api/v1/cases/{code}", headers=desk["c2"]).get_json()["status"] == "accepted"


# ---------------------------------------------------------------- who hears case events


def test_case_events_reach_staff_whole_and_anonymous_sockets_empty(app, client, desk, ctx):
    anonymous = socketio.test_client(app)
    board = socketio.test_client(app, auth={"token": gen_token(ctx, "board")})
    clerk = socketio.test_client(app, auth={"token": gen_token(ctx, "clerk", "clerk05")})
    for c in (anonymous, board, clerk):
        c.emit("subscribe", {"hall": "demo", "since": None}, callback=True)
    case = accept(client, desk, materials=["居民身份证"])["case"]
    url = f"/api/v1/cases/{case['code']}"
    client.post(
        f"{url}/suspend", json={"kind": "特别程序", "reason": "专家评审 张三 13800138000"}, headers=desk["c2"]
    )
    client.post(f"{url}/resume", headers=desk["c2"])
    client.post(
        f"{url}/supervise", json={"note": "督办意见", "reply_by": "2030-01-01"}, headers=desk["manager"]
    )

    def case_events(c):
        return [r["args"][0] for r in c.get_received() if r["name"].startswith("case.")]

    for public in (anonymous, board):
        got = case_events(public)
        assert [e["type"] for e in got] == [
            "case.accepted",
            "case.suspended",
            "case.resumed",
            "case.supervised",
        ]
        assert all(e["data"] == {} for e in got)
        text = json.dumps(got, ensure_ascii=False)
        assert case["code"] not in text and "专家评审" not in text and "居民身份证" not in text
    staff = case_events(clerk)
    assert staff[0]["data"]["case"]["code"] == case["code"]
    assert staff[1]["data"]["case"]["status"] == "suspended"
    # the replay after a reconnect holds no more for the public than the live push
    replay = anonymous.emit("subscribe", {"hall": "demo", "since": 0}, callback=True)
    assert all(e["data"] == {} for e in replay["events"] if e["type"].startswith("case."))


# ---------------------------------------------------------------- numbering under concurrency


def test_cases_accepted_at_once_get_distinct_numbers_on_every_database(any_db_app, clock):
    """Four clerks accept at the same moment: numbers 0001-0004, none twice, none lost."""
    from concurrent.futures import ThreadPoolExecutor

    from server.services import tickets as ts
    from server.services import windows as ws
    from tests.helpers import principal

    ctx = any_db_app.extensions["hallq"]
    clock.now = local(2026, 9, 30)
    kiosk = principal(ctx, "kiosk")
    served = []
    for window, service in ((2, "A"), (3, "A"), (4, "B"), (5, "B")):
        clerk = principal(ctx, "clerk", f"clerk{window:02d}")
        ws.sign_in(ctx, clerk, window)
        ts.issue_ticket(ctx, kiosk, service)
        t = ts.call_next(ctx, clerk, window)
        assert t is not None
        ts.act_on_ticket(ctx, clerk, t["id"], "start")
        served.append((clerk, t["id"]))

    def accept_one(item):
        clerk, tid = item
        return ts.act_on_ticket(ctx, clerk, tid, "complete", outcome="accepted")["case"]["number"]

    with ThreadPoolExecutor(4) as pool:
        numbers = list(pool.map(accept_one, served))
    assert sorted(n[-4:] for n in numbers) == ["0001", "0002", "0003", "0004"]
    assert all(n.startswith("20260930-") for n in numbers)


def test_accepting_prints_the_receipt_on_the_windows_printer(client, desk, ctx, clock):
    """受理回执: the window's printer gets the receipt — case number, due date, owner, the QR of
    the citizen's page — in GB18030; the A4 receipt and the citizen's page show the same case."""
    from sqlalchemy import select

    from server.services.core.print_queue import render_slip
    from server.services.print_jobs import add_printer
    from server.storage.models import PrintJob

    add_printer(ctx, "demo", "2号窗口打印机", "dummy://", window_number=2)
    clock.now = local(2026, 9, 30)
    case = accept(client, desk, materials=["居民身份证"])["case"]
    assert case["print"] is not None and case["print"]["status"] in ("queued", "sent", "printed")
    assert case["url"].endswith(f"/c/{case['code']}") and case["receipt_url"].endswith("/receipt")
    with ctx.db.read() as s:
        job = s.scalar(select(PrintJob).where(PrintJob.kind == "receipt"))
        data = render_slip(job.slip, "text", 80)
    text = data.decode("gb18030", errors="replace")
    assert "受理回执" in text and case["number"] in text and "承诺办结日期：2026-10-10" in text
    assert "王芳" in text and "居民身份证" in text
    assert f"/c/{case['code']}".encode() in data  # the QR leads to the citizen's page
    page = client.get(f"/c/{case['code']}").get_data(as_text=True)
    assert case["number"] in page and "2026-10-10" in page
    receipt = client.get(f"/c/{case['code']}/receipt").get_data(as_text=True)
    assert case["number"] in receipt and "居民身份证" in receipt


def test_a_window_without_a_printer_accepts_all_the_same(client, desk, clock):
    clock.now = local(2026, 9, 30)
    case = accept(client, desk)["case"]
    assert case["print"] is None and case["due"] == "2026-10-10"
