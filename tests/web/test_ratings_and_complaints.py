"""Ratings (好差评) and follow-ups (差评, 投诉) over HTTP (issue 11, deliverables 1 and 2).

Written as a tester would try it: a clerk completes tickets, the window's pad and the citizen's
phone rate them, a bad rating opens a follow-up, managers and a supervisor (纪检监察) handle
them — and the pad of another window, a manager who served the ticket himself, an admin looking
for a 廉政 complaint try what they must not."""

from __future__ import annotations

import pytest

from server.services.accounts import create_token
from server.services.core.credentials import create_user
from server.storage.models import AppraisalRecord, Complaint, Event, Hall, Rating
from tests.helpers import bearer, gen_token


@pytest.fixture
def desk(client, ctx):
    """A kiosk, the manager, an admin, a supervisor, clerk02 at window 2 and the pads of windows
    2 and 4."""
    with ctx.db.transaction() as s:
        hall = s.query(Hall).filter_by(code="demo").one()
        create_user(s, "jiwei", "hallq-demo", "supervisor", "纪委", hall)
    heads = {
        "kiosk": bearer(gen_token(ctx, "kiosk")),
        "manager": bearer(gen_token(ctx, "manager", "manager")),
        "admin": bearer(create_token(ctx, "admin", None, "admin")),
        "supervisor": bearer(gen_token(ctx, "supervisor", "jiwei")),
        "c2": bearer(gen_token(ctx, "clerk", "clerk02")),
        "pad2": bearer(create_token(ctx, "pad", "demo", window_id=2)),
        "pad4": bearer(create_token(ctx, "pad", "demo", window_id=4)),
    }
    assert client.post("/api/v1/windows/2/sign-in", headers=heads["c2"]).status_code == 200
    return heads


def completed(client, desk, clerk: str = "c2", window: int = 2, finish: bool = True) -> dict:
    t = client.post("/api/v1/tickets", json={"service": "A"}, headers=desk["kiosk"]).get_json()
    called = client.post(f"/api/v1/windows/{window}/call-next", headers=desk[clerk]).get_json()
    assert called["id"] == t["id"]
    if finish:
        assert client.post(f"/api/v1/tickets/{t['id']}/start", headers=desk[clerk]).status_code == 200
        assert client.post(f"/api/v1/tickets/{t['id']}/complete", headers=desk[clerk]).status_code == 200
    return t


def counts(ctx) -> tuple[int, int, int, int]:
    with ctx.db.read() as s:
        return (
            s.query(Rating).count(),
            s.query(Complaint).count(),
            s.query(Event).count(),
            s.query(AppraisalRecord).count(),
        )


def rate(client, tid, body, headers=None):
    return client.post(f"/api/v1/tickets/{tid}/rating", json=body, headers=headers or {})


# ---------------------------------------------------------------- ratings


def test_the_pad_of_the_window_rates_a_completed_ticket_once(client, desk, ctx):
    t = completed(client, desk)
    r = rate(client, t["id"], {"level": 5}, desk["pad2"])
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["source"] == "pad" and r.get_json()["level"] == 5
    with ctx.db.read() as s:
        row = s.query(Rating).one()
        assert row.window_id == 2 and row.clerk_id is not None and row.day.isoformat() == "2026-11-27"
    again = rate(client, t["id"], {"level": 4}, desk["pad2"])
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_rated"
    assert rate(client, t["id"], {"level": 4}).status_code == 409  # nor the phone afterwards


def test_the_pad_names_the_ticket_by_the_ref_of_its_done_event(client, desk, ctx):
    t = completed(client, desk)
    r = rate(client, t["ref"], {"level": 4}, desk["pad2"])
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["number"] == t["number"]


def test_a_pad_cannot_rate_another_windows_ticket(client, desk, ctx):
    t = completed(client, desk)
    before = counts(ctx)
    r = rate(client, t["id"], {"level": 1, "reasons": ["attitude"]}, desk["pad4"])
    assert r.status_code == 403
    assert rate(client, t["ref"], {"level": 1, "reasons": ["attitude"]}, desk["pad4"]).status_code == 404
    assert counts(ctx) == before


def test_a_ticket_not_completed_cannot_be_rated(client, desk, ctx):
    t = completed(client, desk, finish=False)
    before = counts(ctx)
    r = rate(client, t["id"], {"level": 5}, desk["pad2"])
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "not_completed"
    assert rate(client, t["id"], {"level": 5}).status_code == 409
    assert counts(ctx) == before


def test_the_holder_rates_within_24_hours_only(client, desk, ctx, clock):
    t = completed(client, desk)
    offer = client.get(f"/api/v1/tickets/{t['id']}/rating").get_json()
    assert offer["may_rate"] and not offer["rated"]
    clock.advance(hours=24, seconds=1)
    r = rate(client, t["id"], {"level": 5})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "rating_closed"
    assert not client.get(f"/api/v1/tickets/{t['id']}/rating").get_json()["may_rate"]


def test_a_pad_left_alone_stores_nothing_and_the_phone_can_still_rate(client, desk, ctx, clock):
    t = completed(client, desk)
    before = counts(ctx)
    clock.advance(minutes=5)  # the pad asked, nobody answered, it went back to idle
    assert counts(ctx) == before
    assert client.get(f"/api/v1/tickets/{t['id']}/rating").get_json() == {
        "rated": False,
        "level": None,
        "may_rate": True,
        "until": client.get(f"/api/v1/tickets/{t['id']}/rating").get_json()["until"],
    }
    r = rate(client, t["id"], {"level": 3})
    assert r.status_code == 201 and r.get_json()["source"] == "phone"


def test_staff_do_not_rate(client, desk):
    t = completed(client, desk)
    assert rate(client, t["id"], {"level": 5}, desk["c2"]).status_code == 403
    assert rate(client, t["id"], {"level": 5}, desk["manager"]).status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"level": 0}, "level"),
        ({"level": "5"}, "level"),
        ({"level": 2}, "reasons"),
        ({"level": 2, "reasons": ["bribe"]}, "reasons"),
        ({"level": 5, "reasons": ["attitude"]}, "reasons"),
        ({"level": 5, "stars": 5}, "stars"),
        ({"reasons": []}, "level"),
    ],
)
def test_bad_input_is_a_clear_400_and_nothing_changes(client, desk, ctx, body, field):
    t = completed(client, desk)
    before = counts(ctx)
    r = rate(client, t["id"], body, desk["pad2"])
    assert r.status_code == 400, r.get_json()
    assert r.get_json()["error"]["field"] == field
    assert counts(ctx) == before


# ---------------------------------------------------------------- follow-ups


def bad_rating(client, desk, reasons=("attitude",)) -> dict:
    t = completed(client, desk)
    r = rate(client, t["id"], {"level": 2, "reasons": list(reasons)}, desk["pad2"])
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_a_bad_rating_opens_a_follow_up_with_its_deadline(client, desk, ctx):
    made = bad_rating(client, desk, ("long_wait",))
    listing = client.get("/api/v1/halls/demo/complaints", headers=desk["manager"]).get_json()
    [c] = listing["complaints"]
    assert c["number"] == made["follow_up"]
    assert c["source"] == "rating" and c["category"] == "overdue" and c["status"] == "open"
    assert c["clerk"]["username"] == "clerk02" and c["window"]["number"] == 2 and c["service"] == "A"
    assert c["filed_day"] == "2026-11-27" and c["due_day"] == "2026-12-18" and c["urgency"] == "green"


def test_the_follow_up_turns_yellow_then_red(client, desk, ctx, clock):
    bad_rating(client, desk)
    clock.advance(days=14)  # 2026-12-11: 5 working days left
    [c] = client.get("/api/v1/halls/demo/complaints", headers=desk["manager"]).get_json()["complaints"]
    assert c["urgency"] == "yellow"
    clock.advance(days=8)  # 2026-12-19: the day after the due date
    [c] = client.get("/api/v1/halls/demo/complaints?urgency=red", headers=desk["manager"]).get_json()[
        "complaints"
    ]
    assert c["urgency"] == "red"


def test_verified_upheld_with_a_deduction_leaves_a_record_against_the_clerk(client, desk, ctx):
    made = bad_rating(client, desk)
    [c] = client.get("/api/v1/halls/demo/complaints", headers=desk["manager"]).get_json()["complaints"]
    view = client.get(f"/api/v1/complaints/{c['code']}", headers=desk["manager"]).get_json()
    events = [e["id"] for e in view["available_evidence"]["events"]]
    assert events, "the ticket's history is shown to the verifier"
    r = client.post(
        f"/api/v1/complaints/{c['code']}/verify",
        json={
            "verdict": "upheld",
            "note": "调取记录属实",
            "corrective_action": "服务规范培训",
            "evidence": {"events": events[:1]},
            "decision": {"decision": "deduct", "points": 2, "note": "态度问题"},
        },
        headers=desk["manager"],
    )
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "verified" and r.get_json()["evidence"]["events"] == events[:1]
    with ctx.db.read() as s:
        rec = s.query(AppraisalRecord).one()
        assert (rec.kind, rec.decision, rec.points) == ("rating", "deduct", 2)
        assert rec.day.isoformat() == "2026-11-27"
    answered = client.post(
        f"/api/v1/complaints/{c['code']}/answer", json={"answer": "已整改，感谢监督"}, headers=desk["manager"]
    )
    assert answered.status_code == 200 and answered.get_json()["answered_day"] == "2026-11-27"
    page = client.get(f"/complaints/{c['code']}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "已整改，感谢监督" in text and made["follow_up"] in text
    assert "服务规范培训" not in text and "调取记录属实" not in text


def test_upheld_without_a_decision_is_a_400_and_nothing_changes(client, desk, ctx):
    bad_rating(client, desk)
    [c] = client.get("/api/v1/halls/demo/complaints", headers=desk["manager"]).get_json()["complaints"]
    before = counts(ctx)
    r = client.post(
        f"/api/v1/complaints/{c['code']}/verify",
        json={"verdict": "upheld", "note": "属实", "corrective_action": "培训"},
        headers=desk["manager"],
    )
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "decision"
    assert counts(ctx) == before


def test_nobody_verifies_a_complaint_naming_themselves(client, desk, ctx):
    """The manager serves on a clerk token of his own: the follow-up names him."""
    me = bearer(gen_token(ctx, "clerk", "manager"))
    assert client.post("/api/v1/windows/3/sign-in", headers=me).status_code == 200
    pad3 = bearer(create_token(ctx, "pad", "demo", window_id=3))
    t = completed(client, {**desk, "me": me}, clerk="me", window=3)
    assert rate(client, t["id"], {"level": 1, "reasons": ["shirking"]}, pad3).status_code == 201
    [c] = client.get("/api/v1/halls/demo/complaints", headers=desk["manager"]).get_json()["complaints"]
    assert c["clerk"]["username"] == "manager"
    before = counts(ctx)
    body = {"verdict": "not_upheld", "note": "不属实"}
    assert (
        client.post(f"/api/v1/complaints/{c['code']}/verify", json=body, headers=desk["manager"]).status_code
        == 403
    )
    assert client.post(f"/api/v1/complaints/{c['code']}/verify", json=body, headers=me).status_code == 403
    assert counts(ctx) == before
    assert (
        client.post(f"/api/v1/complaints/{c['code']}/verify", json=body, headers=desk["admin"]).status_code
        == 200
    )


def test_integrity_complaints_are_invisible_to_everyone_but_the_supervisor(client, desk, ctx):
    r = client.post(
        "/api/v1/halls/demo/complaints",
        json={"source": "letter", "category": "integrity", "text": "来信反映工作人员索要好处费"},
        headers=desk["manager"],
    )
    assert r.status_code == 201
    code = r.get_json()["code"]
    for who in ("manager", "admin"):
        listing = client.get("/api/v1/halls/demo/complaints", headers=desk[who]).get_json()
        assert listing["complaints"] == []
        assert client.get(f"/api/v1/complaints/{code}", headers=desk[who]).status_code == 404
        verify = {"verdict": "not_upheld", "note": "x"}
        assert (
            client.post(f"/api/v1/complaints/{code}/verify", json=verify, headers=desk[who]).status_code
            == 404
        )
    assert client.get(f"/api/v1/complaints/{code}", headers=desk["c2"]).status_code == 403
    [c] = client.get("/api/v1/halls/demo/complaints", headers=desk["supervisor"]).get_json()["complaints"]
    assert c["code"] == code and c["text"].startswith("来信")
    audit = client.get("/api/v1/halls/demo/audit", headers=desk["manager"]).get_json()
    rows = audit if isinstance(audit, list) else audit.get("events", audit.get("rows", []))
    assert not [e for e in rows if "索要" in str(e)]
    with ctx.db.read() as s:
        ev = s.query(Event).filter(Event.type == "complaint.filed").one()
        assert ev.data["restricted"] == "supervisor"


def test_a_citizen_files_and_follows_a_complaint_without_an_account(client, desk, ctx):
    t = completed(client, desk)
    r = client.post(
        "/api/v1/complaints",
        json={
            "hall": "demo",
            "category": "notice",
            "text": "材料没有一次说清",
            "ticket": t["number"],
            "contact": "139",
        },
    )
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert set(body) >= {"code", "url", "number", "status", "due_day"} and "text" not in body
    assert len(body["code"]) >= 16
    staff = client.get(f"/api/v1/complaints/{body['code']}", headers=desk["manager"]).get_json()
    assert (
        staff["source"] == "phone" and staff["clerk"]["username"] == "clerk02" and staff["contact"] == "139"
    )
    page = client.get(f"/complaints/{body['code']}").get_data(as_text=True)
    assert "材料没有一次说清" not in page and "139" not in page
    assert client.get("/complaints/new?hall=demo").status_code == 200


def test_a_citizen_complaint_with_bad_input_is_a_clear_400(client, desk, ctx):
    before = counts(ctx)
    for body, field in (
        ({"hall": "demo", "category": "noise", "text": "x"}, "category"),
        ({"hall": "demo", "category": "fees"}, "text"),
        ({"hall": "demo", "category": "fees", "text": "x", "source": "hotline"}, "source"),
    ):
        r = client.post("/api/v1/complaints", json=body)
        assert r.status_code == 400 and r.get_json()["error"]["field"] == field
    assert counts(ctx) == before


def test_a_pad_token_is_bound_to_a_window_of_its_hall(client, desk, ctx):
    r = client.post("/api/v1/halls/demo/devices", json={"role": "pad", "window": 2}, headers=desk["manager"])
    assert r.status_code == 201 and r.get_json()["window"] == 2
    r = client.post("/api/v1/halls/demo/devices", json={"role": "pad"}, headers=desk["manager"])
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "window"
    r = client.post(
        "/api/v1/halls/demo/devices", json={"role": "kiosk", "window": 2}, headers=desk["manager"]
    )
    assert r.status_code == 400
    r = client.post(
        "/api/v1/halls/demo/devices", json={"role": "pad", "window": 99999}, headers=desk["manager"]
    )
    assert r.status_code == 400


def test_only_an_admin_adds_a_supervisor(client, desk):
    body = {"username": "jiwei2", "password": "hallq-demo", "role": "supervisor", "name": "纪委二"}
    assert client.post("/api/v1/halls/demo/users", json=body, headers=desk["manager"]).status_code == 403
    assert client.post("/api/v1/halls/demo/users", json=body, headers=desk["admin"]).status_code == 201


def test_rating_and_complaint_events_reach_staff_only(client, desk, ctx):
    bad_rating(client, desk)
    with ctx.db.read() as s:
        types = [e.type for e in s.query(Event).order_by(Event.seq)]
    assert "rating.recorded" in types and "complaint.filed" in types
    from server.domain.disclosure import shape_event

    with ctx.db.read() as s:
        for e in s.query(Event).filter(Event.type.in_(("rating.recorded", "complaint.filed"))):
            assert shape_event(e.type, e.data, "public") == {}
            assert shape_event(e.type, e.data, "device") == {}


def test_the_kiosk_leads_to_the_complaint_form_and_back(client, desk):
    kiosk = client.get("/kiosk/demo").get_data(as_text=True)
    assert 'id="btn-complaint-entry"' in kiosk and "/complaints/new" in kiosk
    form = client.get("/complaints/new?hall=demo&from=kiosk").get_data(as_text=True)
    assert 'data-source="kiosk"' in form and 'id="back-to-kiosk"' in form
    r = client.post(
        "/api/v1/complaints", json={"hall": "demo", "category": "fees", "text": "多收费", "source": "kiosk"}
    )
    code = r.get_json()["code"]
    page = client.get(f"/complaints/{code}?from=kiosk").get_data(as_text=True)
    assert f"/complaints/{code}/qr.svg" in page and "多收费" not in page
    assert client.get(f"/complaints/{code}/qr.svg").mimetype == "image/svg+xml"
    assert client.get("/complaints/nosuchcode").status_code == 404


def test_the_phone_page_offers_rating_and_shows_the_complaint_channel(client, desk, ctx):
    assert (
        client.patch(
            "/api/v1/halls/demo",
            json={"complaint_channel": "12345 政务服务便民热线"},
            headers=desk["manager"],
        ).status_code
        == 200
    )
    t = completed(client, desk)
    page = client.get(f"/t/{t['id']}").get_data(as_text=True)
    assert "12345 政务服务便民热线" in page and 'data-may-rate="true"' in page
    assert rate(client, t["id"], {"level": 5}).status_code == 201
    page = client.get(f"/t/{t['id']}").get_data(as_text=True)
    assert 'data-may-rate="false"' in page and 'data-rated="true"' in page


def test_the_pad_page_renders_for_a_window_of_the_hall(client):
    page = client.get("/board/demo/window/2/pad?timeout=30")
    assert page.status_code == 200 and 'data-timeout="30"' in page.get_data(as_text=True)
    assert 'data-timeout="60"' in client.get("/board/demo/window/2/pad?timeout=99999").get_data(as_text=True)
    assert client.get("/board/demo/window/99999/pad").status_code == 404


def test_public_complaints_are_limited_per_address(client, ctx):
    """HALLQ_LIMIT_CODE_ADDRESS (10/10s/5m): every filing counts; past the free ones, 429."""
    body = {"hall": "demo", "category": "attitude", "text": "重复提交"}
    answers = [client.post("/api/v1/complaints", json=body).status_code for _ in range(12)]
    assert answers[:10] == [201] * 10
    assert 429 in answers[10:]
    r = client.post("/api/v1/complaints", json=body)
    assert r.status_code == 429 and r.headers.get("Retry-After")
    with ctx.db.read() as s:
        assert s.query(Complaint).count() <= 11
