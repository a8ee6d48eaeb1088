"""Escalation (请示, 首办(问)责任制 "what the first clerk cannot solve goes to a leader and back to
the citizen"), over HTTP: a clerk asks a manager about a case or a ticket, the answer comes back
to the clerk, what the citizen was told (反馈) shows on their case page; the wrong people are
refused and bad input changes nothing."""

from __future__ import annotations

import pytest

from server.storage.models import Escalation, Event
from tests.helpers import bearer, gen_hall, gen_token

from .test_cases import accept, desk, serving  # noqa: F401  (fixture)


def counts(ctx) -> tuple[int, int]:
    with ctx.db.read() as s:
        return s.query(Escalation).count(), s.query(Event).count()


@pytest.fixture
def case(client, desk):  # noqa: F811
    return accept(client, desk)["case"]


def test_a_case_question_goes_to_the_manager_and_the_answer_back_to_the_citizen(client, desk, case, ctx):  # noqa: F811
    r = client.post(
        "/api/v1/escalations",
        json={"case": case["code"], "question": "申请人要求加急，能否提前办结？"},
        headers=desk["c2"],
    )
    assert r.status_code == 201, r.get_json()
    e = r.get_json()
    assert e["status"] == "asked" and e["case"]["number"] == case["number"]
    assert e["asked_by"]["username"] == "clerk02" and e["window"]["number"] == 2

    waiting = client.get("/api/v1/escalations?status=open", headers=desk["manager"]).get_json()
    assert [x["id"] for x in waiting["escalations"]] == [e["id"]]

    r = client.post(
        f"/api/v1/escalations/{e['id']}/answer",
        json={"answer": "同意加急，特事特办"},
        headers=desk["manager"],
    )
    assert r.status_code == 200 and r.get_json()["status"] == "answered"
    assert (
        client.get("/api/v1/escalations?status=open", headers=desk["manager"]).get_json()["escalations"] == []
    )

    mine = client.get("/api/v1/escalations?status=answered", headers=desk["c2"]).get_json()["escalations"]
    assert [(x["id"], x["answer"]) for x in mine] == [(e["id"], "同意加急，特事特办")]

    r = client.post(
        f"/api/v1/escalations/{e['id']}/feedback",
        json={"feedback": "已电话告知申请人：可加急，预计周五办结"},
        headers=desk["c2"],
    )
    assert r.status_code == 200 and r.get_json()["status"] == "fed_back"

    page = client.get(f"/c/{case['code']}").get_data(as_text=True)
    assert "已电话告知申请人：可加急，预计周五办结" in page
    # the question and the manager's own words stay with staff
    assert "能否提前办结" not in page and "特事特办" not in page
    with ctx.db.read() as s:
        types = [ev.type for ev in s.query(Event).order_by(Event.id)]
    assert types[-3:] == ["escalation.asked", "escalation.answered", "escalation.fed_back"]


def test_a_ticket_can_be_escalated_while_it_is_served(client, desk, ctx):  # noqa: F811
    tid = serving(client, desk, "A", "c2", 2)
    r = client.post(
        "/api/v1/escalations", json={"ticket": tid, "question": "户口簿遗失怎么办？"}, headers=desk["c2"]
    )
    assert r.status_code == 201
    assert r.get_json()["ticket"]["id"] == tid and r.get_json()["case"] is None


def test_a_clerk_sees_only_their_own_escalations(client, desk, case):  # noqa: F811
    client.post("/api/v1/escalations", json={"case": case["code"], "question": "q"}, headers=desk["c2"])
    assert client.get("/api/v1/escalations?status=all", headers=desk["c4"]).get_json()["escalations"] == []
    assert (
        len(client.get("/api/v1/escalations?status=all", headers=desk["manager"]).get_json()["escalations"])
        == 1
    )


def test_only_a_manager_answers_and_never_their_own_question(client, desk, case, ctx):  # noqa: F811
    e = client.post(
        "/api/v1/escalations", json={"case": case["code"], "question": "q"}, headers=desk["c2"]
    ).get_json()
    r = client.post(f"/api/v1/escalations/{e['id']}/answer", json={"answer": "a"}, headers=desk["c4"])
    assert r.status_code == 403
    own = client.post(
        "/api/v1/escalations",
        json={"case": case["code"], "question": "经理自己的请示"},
        headers=desk["manager"],
    ).get_json()
    r = client.post(f"/api/v1/escalations/{own['id']}/answer", json={"answer": "a"}, headers=desk["manager"])
    assert r.status_code == 403
    first = client.post(
        f"/api/v1/escalations/{e['id']}/answer", json={"answer": "a"}, headers=desk["manager"]
    )
    assert first.status_code == 200
    again = client.post(
        f"/api/v1/escalations/{e['id']}/answer", json={"answer": "b"}, headers=desk["manager"]
    )
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "escalation_answered"


def test_feedback_waits_for_the_answer_and_is_the_askers(client, desk, case):  # noqa: F811
    e = client.post(
        "/api/v1/escalations", json={"case": case["code"], "question": "q"}, headers=desk["c2"]
    ).get_json()
    url = f"/api/v1/escalations/{e['id']}/feedback"
    r = client.post(url, json={"feedback": "f"}, headers=desk["c2"])
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "escalation_unanswered"
    client.post(f"/api/v1/escalations/{e['id']}/answer", json={"answer": "a"}, headers=desk["manager"])
    assert client.post(url, json={"feedback": "f"}, headers=desk["c4"]).status_code == 403
    assert client.post(url, json={"feedback": "f"}, headers=desk["c2"]).status_code == 200
    r = client.post(url, json={"feedback": "g"}, headers=desk["c2"])
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "escalation_fed_back"


@pytest.mark.parametrize(
    "body,field",
    [
        ({"question": "q"}, "ticket"),
        ({"case": "X", "ticket": "Y", "question": "q"}, "ticket"),
        ({"case": "C"}, "question"),
        ({"case": "C", "question": "x" * 1001}, "question"),
        ({"case": "C", "question": "q", "extra": 1}, "extra"),
    ],
)
def test_bad_escalations_are_refused_and_change_nothing(client, desk, ctx, body, field):  # noqa: F811
    before = counts(ctx)
    r = client.post("/api/v1/escalations", json=body, headers=desk["c2"])
    assert r.status_code == 400, r.get_json()
    assert r.get_json()["error"]["field"] == field
    assert counts(ctx) == before


def test_another_halls_case_and_escalations_are_not_found(client, desk, case, ctx):  # noqa: F811
    gen_hall(ctx, people=(("othermgr", "manager", "别处经理"), ("otherclerk", "clerk", "别处")))
    other_clerk = bearer(gen_token(ctx, "clerk", "otherclerk", "other"))
    other_mgr = bearer(gen_token(ctx, "manager", "othermgr", "other"))
    before = counts(ctx)
    r = client.post("/api/v1/escalations", json={"case": case["code"], "question": "q"}, headers=other_clerk)
    assert r.status_code == 404
    assert counts(ctx) == before
    e = client.post(
        "/api/v1/escalations", json={"case": case["code"], "question": "q"}, headers=desk["c2"]
    ).get_json()
    r = client.post(f"/api/v1/escalations/{e['id']}/answer", json={"answer": "a"}, headers=other_mgr)
    assert r.status_code == 404
    assert client.get("/api/v1/escalations?hall=demo", headers=other_mgr).status_code == 403


def test_devices_and_anonymous_callers_cannot_escalate(client, desk, case):  # noqa: F811
    for headers in (desk["kiosk"], {}):
        r = client.post("/api/v1/escalations", json={"case": case["code"], "question": "q"}, headers=headers)
        assert r.status_code in (401, 403)
        assert client.get("/api/v1/escalations", headers=headers).status_code in (401, 403)
