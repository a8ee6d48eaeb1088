"""Accountability records and the monthly appraisal over HTTP (issue 11, items 3 and 4).

A manager records decisions against the clerk who held an overdue case and the clerk whose notice
sent a citizen back a third time; the clerk sees and answers their own records and nobody
else's; the hall's rules change in June and May's scores stay what they were."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from server.services import notices
from server.services import tickets as ts
from server.services import windows as ws
from server.storage.models import (
    AppraisalRecord,
    AppraisalRules,
    Attendance,
    Case,
    CaseStep,
    Event,
    Hall,
    Rating,
    Service,
    Ticket,
    User,
)
from tests.helpers import bearer, gen_hall, gen_token, principal

GUIDE_C = {
    "materials": [
        {"id": "m1", "name": "居民身份证", "form": "original", "copies": 1, "required": True, "notes": ""}
    ]
}
RECORDS = "/api/v1/halls/demo/appraisal/records"


def local(y: int, m: int, d: int, hour: int = 9, minute: int = 0) -> datetime:
    """A moment of the hall's local day (Asia/Shanghai is UTC+8)."""
    return datetime(y, m, d, hour, minute, tzinfo=UTC) - timedelta(hours=8)


def user_id(ctx, username: str) -> int:
    with ctx.db.read() as s:
        return s.scalar(select(User.id).where(User.username == username))


def late_case(ctx, number: str, owners: list[tuple[date, str]], due: date, hall: str = "demo") -> None:
    """A case accepted (and handed over) on the given days, due on `due`, never completed."""
    with ctx.db.transaction() as s:
        h = s.scalar(select(Hall).where(Hall.code == hall))
        svc = s.scalar(select(Service).where(Service.hall_id == h.id))
        ids = {u.username: u.id for u in s.scalars(select(User))}
        case = Case(
            code=secrets.token_urlsafe(12),
            number=number,
            hall_id=h.id,
            service_id=svc.id,
            window_id=None,
            owner_id=ids[owners[-1][1]],
            status="accepted",
            accepted_at=local(owners[0][0].year, owners[0][0].month, owners[0][0].day),
            accepted_day=owners[0][0],
            limit_days=3,
            due_day=due,
        )
        s.add(case)
        s.flush()
        for i, (day, who) in enumerate(owners):
            s.add(
                CaseStep(
                    case_id=case.id,
                    kind="accepted" if i == 0 else "reassigned",
                    at=local(day.year, day.month, day.day),
                    day=day,
                    by_user_id=ids[who],
                    owner_id=ids[who],
                )
            )


@pytest.fixture
def heads(ctx):
    return {
        "manager": bearer(gen_token(ctx, "manager", "manager")),
        "c2": bearer(gen_token(ctx, "clerk", "clerk02")),
        "c4": bearer(gen_token(ctx, "clerk", "clerk04")),
        "c6": bearer(gen_token(ctx, "clerk", "clerk06")),
    }


@pytest.fixture
def trip(ctx, clock):
    """A citizen sent home twice by clerk06's notices and flagged on the third trip: the notices
    and the flagged ticket."""
    with ctx.db.transaction() as s:
        s.scalar(select(Service).where(Service.code == "C")).guide = GUIDE_C
    c6, kiosk = principal(ctx, "clerk", "clerk06"), principal(ctx, "kiosk")
    ws.sign_in(ctx, c6, 6)
    t1 = ts.issue_ticket(ctx, kiosk, "C", phone="13800138000")
    ts.act_on_ticket(ctx, c6, ts.call_next(ctx, c6, 6)["id"], "start")
    n1 = notices.create_notice(ctx, c6, t1["id"], ["m1"])
    ts.act_on_ticket(ctx, c6, t1["id"], "complete")
    clock.advance(days=1)
    t2 = ts.issue_ticket(ctx, kiosk, None, notice_code=n1["code"])
    ts.act_on_ticket(ctx, c6, ts.call_next(ctx, c6, 6)["id"], "start")
    n2 = notices.create_notice(ctx, c6, t2["id"], ["m1"])
    ts.act_on_ticket(ctx, c6, t2["id"], "complete")
    clock.advance(days=1)
    t3 = ts.issue_ticket(ctx, kiosk, None, notice_code=n2["code"])
    assert t3["repeat_trip"] == 3
    return {"n1": n1["code"], "n2": n2["code"], "ticket": t3["id"], "number": t3["number"]}


def count(ctx, model) -> int:
    with ctx.db.read() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_an_overdue_case_is_recorded_against_the_clerk_who_held_it_late_once(client, ctx, heads):
    late_case(ctx, "N-LATE", [(date(2026, 11, 2), "clerk02")], due=date(2026, 11, 20))
    body = {"kind": "overdue", "case": "N-LATE", "decision": "deduct", "points": 2, "note": "超期 7 天"}
    r = client.post(RECORDS, json=body, headers=heads["manager"])
    assert r.status_code == 201, r.get_json()
    rec = r.get_json()
    assert rec["clerk"]["username"] == "clerk02" and rec["subject"] == "N-LATE"
    assert (rec["decision"], rec["decision_zh"], rec["points"]) == ("deduct", "扣分", 2)
    assert rec["day"] == "2026-11-21"  # the first late day, the month it is scored in
    with ctx.db.read() as s:
        [e] = s.scalars(select(Event).where(Event.type == "appraisal.recorded")).all()
        assert e.data["record"]["id"] == rec["id"] and e.actor_role == "manager"
    again = client.post(
        RECORDS, json={**body, "decision": "reminder", "points": None}, headers=heads["manager"]
    )
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "record_exists"
    assert count(ctx, AppraisalRecord) == 1


def test_a_case_held_late_by_two_clerks_needs_the_manager_to_name_one(client, ctx, heads):
    late_case(
        ctx, "N-TWO", [(date(2026, 11, 2), "clerk02"), (date(2026, 11, 24), "clerk04")], date(2026, 11, 20)
    )
    body = {"kind": "overdue", "case": "N-TWO", "decision": "circular"}
    r = client.post(RECORDS, json=body, headers=heads["manager"])
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "clerk"
    for who in ("clerk02", "clerk04"):
        r = client.post(RECORDS, json={**body, "clerk": who}, headers=heads["manager"])
        assert r.status_code == 201 and r.get_json()["clerk"]["username"] == who
    r = client.post(RECORDS, json={**body, "clerk": "clerk06"}, headers=heads["manager"])
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "clerk"
    late_case(ctx, "N-ONTIME", [(date(2026, 11, 20), "clerk02")], date(2026, 12, 20))
    r = client.post(RECORDS, json={**body, "case": "N-ONTIME"}, headers=heads["manager"])
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "not_overdue"


def test_a_b_post_who_covered_the_absent_holder_on_a_late_day_answers_for_that_day(client, ctx, heads):
    # clerk02 holds window 2's A post, clerk03 its B post; clerk03 was on post on the 23rd only
    late_case(ctx, "N-COVER", [(date(2026, 11, 2), "clerk02")], date(2026, 11, 20))
    with ctx.db.transaction() as s:
        s.add(
            Attendance(
                hall_id=1,
                user_id=user_id(ctx, "clerk03"),
                window_id=3,
                kind="sign_in",
                at=local(2026, 11, 23),
            )
        )
    body = {"kind": "overdue", "case": "N-COVER", "decision": "reminder"}
    r = client.post(RECORDS, json=body, headers=heads["manager"])
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "clerk"  # two answer for it
    r = client.post(RECORDS, json={**body, "clerk": "clerk03"}, headers=heads["manager"])
    assert r.status_code == 201 and r.get_json()["day"] == "2026-11-23"
    r = client.post(RECORDS, json={**body, "clerk": "clerk02"}, headers=heads["manager"])
    assert r.status_code == 201 and r.get_json()["day"] == "2026-11-21"


def test_a_repeat_trip_is_recorded_against_the_clerk_whose_notice_sent_the_citizen_back(
    client, ctx, heads, trip
):
    body = {"kind": "repeat_trip", "notice": trip["n2"], "decision": "reminder"}
    r = client.post(RECORDS, json=body, headers=heads["manager"])
    assert r.status_code == 201, r.get_json()
    rec = r.get_json()
    assert rec["clerk"]["username"] == "clerk06" and rec["subject"] == trip["n2"]
    assert rec["trip"].startswith(trip["number"] + "@") and rec["points"] == 0
    # the same flagged trip named by its ticket (the repeat-trip list) is the same subject
    r = client.post(
        RECORDS, json={**body, "notice": None, "ticket": trip["ticket"]}, headers=heads["manager"]
    )
    assert r.status_code == 409
    # the first notice was followed by a flagged trip too (the same one): still one record
    r = client.post(RECORDS, json={**body, "notice": trip["n1"]}, headers=heads["manager"])
    assert r.status_code == 409


def test_a_clerk_cannot_record_nor_see_others_records(client, ctx, heads):
    late_case(ctx, "N-A", [(date(2026, 11, 2), "clerk02")], date(2026, 11, 20))
    late_case(ctx, "N-B", [(date(2026, 11, 2), "clerk04")], date(2026, 11, 20))
    body = {"kind": "overdue", "case": "N-A", "decision": "reminder"}
    assert client.post(RECORDS, json=body, headers=heads["c4"]).status_code == 403
    for case in ("N-A", "N-B"):
        assert client.post(RECORDS, json={**body, "case": case}, headers=heads["manager"]).status_code == 201
    mine = client.get(RECORDS, headers=heads["c2"]).get_json()["records"]
    assert [r["subject"] for r in mine] == ["N-A"]
    assert client.get(f"{RECORDS}?user=clerk04", headers=heads["c2"]).status_code == 403
    assert client.get(f"{RECORDS}?user=clerk02", headers=heads["c2"]).status_code == 200
    every = client.get(RECORDS, headers=heads["manager"]).get_json()["records"]
    assert {r["subject"] for r in every} == {"N-A", "N-B"}
    only = client.get(f"{RECORDS}?user=clerk04&from=2026-11-01&to=2026-11-30", headers=heads["manager"])
    assert [r["subject"] for r in only.get_json()["records"]] == ["N-B"]
    assert client.get(RECORDS).status_code == 401


def test_only_the_clerk_concerned_answers_and_only_once(client, ctx, heads):
    late_case(ctx, "N-A", [(date(2026, 11, 2), "clerk02")], date(2026, 11, 20))
    body = {"kind": "overdue", "case": "N-A", "decision": "deduct", "points": 1}
    rid = client.post(RECORDS, json=body, headers=heads["manager"]).get_json()["id"]
    url = f"/api/v1/appraisal/records/{rid}/answer"
    for who in ("c4", "manager"):
        assert client.post(url, json={"answer": "不是我"}, headers=heads[who]).status_code == 403
    assert client.post(url, json={"answer": "  "}, headers=heads["c2"]).status_code == 400
    r = client.post(url, json={"answer": "材料在途，已说明"}, headers=heads["c2"])
    assert r.status_code == 200 and r.get_json()["answer"] == "材料在途，已说明"
    assert r.get_json()["answered_at"]
    again = client.post(url, json={"answer": "补充"}, headers=heads["c2"])
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_answered"
    assert client.get(RECORDS, headers=heads["c2"]).get_json()["records"][0]["answer"] == "材料在途，已说明"
    assert (
        client.post(
            "/api/v1/appraisal/records/999999/answer", json={"answer": "x"}, headers=heads["c2"]
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    "body, field",
    [
        ({"kind": "overdue", "case": "N-A"}, "decision"),
        ({"kind": "overdue", "case": "N-A", "decision": "deduct"}, "points"),
        ({"kind": "overdue", "case": "N-A", "decision": "deduct", "points": 0}, "points"),
        ({"kind": "overdue", "case": "N-A", "decision": "deduct", "points": 101}, "points"),
        ({"kind": "overdue", "case": "N-A", "decision": "reminder", "points": 3}, "points"),
        ({"kind": "overdue", "case": "N-A", "decision": "fire"}, "decision"),
        ({"kind": "complaint", "case": "N-A", "decision": "reminder"}, "kind"),
        ({"kind": "overdue", "decision": "reminder"}, "case"),
        ({"kind": "repeat_trip", "decision": "reminder"}, "notice"),
        ({"kind": "overdue", "case": "N-A", "decision": "reminder", "clerk": "nobody"}, "clerk"),
        ({"kind": "overdue", "case": "N-A", "decision": "reminder", "extra": 1}, "extra"),
        ({"kind": "overdue", "case": "N-A", "decision": "reminder", "note": "x" * 1001}, "note"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_nothing_changes(client, ctx, heads, body, field):
    late_case(ctx, "N-A", [(date(2026, 11, 2), "clerk02")], date(2026, 11, 20))
    events = count(ctx, Event)
    r = client.post(RECORDS, json=body, headers=heads["manager"])
    assert r.status_code == 400, r.get_json()
    assert r.get_json()["error"]["field"] == field
    assert count(ctx, AppraisalRecord) == 0 and count(ctx, Event) == events


def test_acting_on_another_halls_case_is_404_and_another_halls_manager_is_refused(client, ctx, heads):
    gen_hall(
        ctx, people=(("boss2", "manager", "别处经理"), ("clerk2x", "clerk", "别处办事员")), services=("X",)
    )
    late_case(ctx, "N-OTHER", [(date(2026, 11, 2), "clerk2x")], date(2026, 11, 20), hall="other")
    body = {"kind": "overdue", "case": "N-OTHER", "decision": "reminder"}
    r = client.post(RECORDS, json=body, headers=heads["manager"])
    assert r.status_code == 404
    other = bearer(gen_token(ctx, "manager", "boss2", hall="other"))
    assert client.post(RECORDS, json=body, headers=other).status_code == 403
    assert client.get(RECORDS, headers=other).status_code == 403
    r = client.post("/api/v1/halls/other/appraisal/records", json=body, headers=other)
    assert r.status_code == 201
    # nobody of the demo hall answers (or even finds) the other hall's record
    url = f"/api/v1/appraisal/records/{r.get_json()['id']}/answer"
    assert client.post(url, json={"answer": "x"}, headers=heads["c2"]).status_code == 404


# ── the monthly appraisal ────────────────────────────────────────────────────────────────


def seed_may(client, ctx, clock, heads) -> None:
    """May 2026 at window 2: clerk02 signs in on the 4th (late), serves and is rated; a case
    of theirs runs late; the manager deducts points."""
    with ctx.db.transaction() as s:
        s.scalar(select(Hall).where(Hall.code == "demo")).opening_hours = {
            d: [["08:30", "12:00"], ["13:30", "17:30"]] for d in ("mon", "tue", "wed", "thu", "fri")
        }
    clock.now = local(2026, 5, 4, 8, 50)
    kiosk = bearer(gen_token(ctx, "kiosk"))
    assert client.post("/api/v1/windows/2/sign-in", headers=heads["c2"]).status_code == 200
    levels = (5, 4, 2, None)
    for level in levels:
        t = client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk).get_json()
        clock.advance(minutes=1)
        assert client.post("/api/v1/windows/2/call-next", headers=heads["c2"]).get_json()["id"] == t["id"]
        client.post(f"/api/v1/tickets/{t['id']}/start", headers=heads["c2"])
        clock.advance(minutes=40 if level == 2 else 10)
        r = client.post(f"/api/v1/tickets/{t['id']}/complete", headers=heads["c2"])
        assert r.status_code == 200, r.get_json()
        if level is not None:
            with ctx.db.transaction() as s:
                row = s.scalar(select(Ticket).where(Ticket.public_id == t["id"]))
                s.add(
                    Rating(
                        hall_id=row.hall_id,
                        ticket_id=row.id,
                        window_id=row.window_id,
                        service_id=row.service_id,
                        clerk_id=row.served_by_id,
                        level=level,
                        source="pad",
                        at=clock.now,
                        day=date(2026, 5, 4),
                    )
                )
    clock.now = local(2026, 5, 4, 17, 0)
    assert client.post("/api/v1/windows/2/sign-out", headers=heads["c2"]).status_code == 200
    late_case(ctx, "N-MAY", [(date(2026, 5, 4), "clerk02")], date(2026, 5, 8))
    clock.now = local(2026, 5, 20)
    r = client.post(
        RECORDS,
        json={"kind": "overdue", "case": "N-MAY", "decision": "deduct", "points": 3},
        headers=heads["manager"],
    )
    assert r.status_code == 201, r.get_json()


def test_changing_the_rules_in_june_does_not_change_mays_scores(client, ctx, clock, heads):
    seed_may(client, ctx, clock, heads)
    rules_url = "/api/v1/halls/demo/appraisal/rules"
    may_rules = {
        "base": 100,
        "factors": {"satisfaction": {"weight": 20, "cap": 20}, "late": {"weight": 2, "cap": 10}},
    }
    r = client.post(
        rules_url, json={"effective_from": "2026-05-01", "rules": may_rules}, headers=heads["manager"]
    )
    assert r.status_code == 200, r.get_json()
    clock.now = local(2026, 6, 10)
    before = client.get("/api/v1/halls/demo/appraisal?month=2026-05", headers=heads["manager"]).get_json()
    assert before["rules"]["effective_from"] == "2026-05-01"
    c2 = next(sc for sc in before["scores"] if sc["clerk"]["username"] == "clerk02")
    assert c2["factors"]["satisfaction"] == pytest.approx(20 * 2 / 3, abs=0.01)  # unrated never satisfied
    assert (
        c2["factors"]["late"] == -2 and c2["factors"]["deductions"] == -3 and c2["factors"]["overdue"] == -1
    )
    assert c2["factors"]["service_time"] == -0.1  # the 40-minute ticket
    assert c2["total"] == pytest.approx(c2["base"] + sum(line["points"] for line in c2["lines"]), abs=0.005)
    record_lines = [line for line in c2["lines"] if line["factor"] == "deductions"]
    assert record_lines[0]["refs"][0].startswith("record:")

    # June: the hall changes its rules; saving May again is refused and changes nothing
    june_rules = {
        "base": 80,
        "factors": {"satisfaction": {"weight": 5, "cap": 5}, "late": {"weight": 9, "cap": 9}},
    }
    r = client.post(
        rules_url, json={"effective_from": "2026-06-01", "rules": june_rules}, headers=heads["manager"]
    )
    assert r.status_code == 200 and r.get_json()["in_force"]["effective_from"] == "2026-06-01"
    r = client.post(
        rules_url, json={"effective_from": "2026-05-01", "rules": june_rules}, headers=heads["manager"]
    )
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "effective_from"
    r = client.post(
        rules_url, json={"effective_from": "2026-06-01", "rules": may_rules}, headers=heads["manager"]
    )
    assert r.status_code == 409
    assert count(ctx, AppraisalRules) == 2

    after = client.get("/api/v1/halls/demo/appraisal?month=2026-05", headers=heads["manager"]).get_json()
    assert after == before
    june = client.get("/api/v1/halls/demo/appraisal?month=2026-06", headers=heads["manager"]).get_json()
    assert june["rules"]["effective_from"] == "2026-06-01" and june["scores"][0]["base"] == 80
    windows = client.get("/api/v1/halls/demo/appraisal?month=2026-05&by=window", headers=heads["manager"])
    w2 = next(sc for sc in windows.get_json()["scores"] if sc["window"]["number"] == 2)
    assert "late" not in w2["factors"] and w2["factors"]["satisfaction"] == c2["factors"]["satisfaction"]


def test_a_clerk_sees_only_their_own_score(client, ctx, clock, heads):
    seed_may(client, ctx, clock, heads)
    mine = client.get("/api/v1/halls/demo/appraisal?month=2026-05", headers=heads["c2"]).get_json()
    assert [sc["clerk"]["username"] for sc in mine["scores"]] == ["clerk02"]
    other = client.get("/api/v1/halls/demo/appraisal?month=2026-05", headers=heads["c4"]).get_json()
    assert [sc["clerk"]["username"] for sc in other["scores"]] == ["clerk04"]
    r = client.get("/api/v1/halls/demo/appraisal?month=2026-05&by=window", headers=heads["c2"])
    assert r.status_code == 403
    assert (
        client.post(
            "/api/v1/halls/demo/appraisal/rules",
            json={"effective_from": "2026-06-01", "rules": {}},
            headers=heads["c2"],
        ).status_code
        == 403
    )
    for bad in ("2026-13", "May", "2026-07"):
        r = client.get(f"/api/v1/halls/demo/appraisal?month={bad}", headers=heads["manager"])
        assert r.status_code == 400 and r.get_json()["error"]["field"] == "month"
    assert client.get("/api/v1/halls/demo/appraisal").status_code == 401


def test_a_record_of_an_integrity_complaint_is_hidden_from_managers_but_not_from_the_clerk(
    client, ctx, heads
):
    from server.storage.models import Complaint

    with ctx.db.transaction() as s:
        c = Complaint(
            code=secrets.token_urlsafe(12),
            number="TS-1",
            hall_id=1,
            source="letter",
            category="integrity",
            clerk_id=user_id(ctx, "clerk02"),
            text="",
            filed_at=local(2026, 11, 20),
            filed_day=date(2026, 11, 20),
            status="verified",
            verdict="upheld",
        )
        s.add(c)
        s.flush()
        s.add(
            AppraisalRecord(
                hall_id=1,
                user_id=c.clerk_id,
                kind="complaint",
                complaint_id=c.id,
                day=date(2026, 11, 20),
                decision="deduct",
                points=5,
                decided_at=local(2026, 11, 21),
            )
        )
    assert client.get(RECORDS, headers=heads["manager"]).get_json()["records"] == []
    mine = client.get(RECORDS, headers=heads["c2"]).get_json()["records"]
    assert [r["subject"] for r in mine] == ["TS-1"]
