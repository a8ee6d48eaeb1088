"""The manager's staffing simulator over the API: who may run it, bad scenarios and oversized
runs refused with a clear 4xx naming the field, a small run's figures, and nothing of the hall
written (learned from the hall's own history: issued through the services)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from server.services import tickets as ts
from server.services import windows as ws
from server.storage.models import Event, Ticket
from tests.helpers import bearer, gen_hall, gen_token, principal

URL = "/api/v1/halls/demo/simulation"
EXAMPLE = (Path(__file__).resolve().parents[2] / "docs" / "simulation-example.yaml").read_text("utf-8")
SMALL = """
seed: 3
services: {A: {mean_minutes: 6}, H: {mean_minutes: 9}}
arrivals: {A: {9: 8, 10: 6}, H: {9: 3, 10: 2}}
windows: {2: [A], 3: [A, H]}
staffing: {9: all, 10: [3]}
breaks: {3: ["10:30-10:45"]}
cover: {3: 2}
appointments: {A: {9: 2}}
"""


def _count(ctx, model) -> int:
    with ctx.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_only_managers_and_admins_of_the_hall_run_the_simulator(client, ctx):
    body = {"source": "scenario", "scenario": SMALL, "days": 1, "recommend": False}
    assert client.post(URL, json=body).status_code == 401
    assert client.post(URL, json=body, headers=bearer(gen_token(ctx, "clerk", "clerk06"))).status_code == 403
    assert client.post(URL, json=body, headers=bearer(gen_token(ctx, "board"))).status_code == 403
    gen_hall(ctx, people=(("boss2", "manager", "别的经理"),))
    other = bearer(gen_token(ctx, "manager", "boss2", hall="other"))
    assert client.post(URL, json=body, headers=other).status_code == 403
    assert client.post(URL, json=body, headers=bearer(gen_token(ctx, "admin", "admin"))).status_code == 200


def test_a_small_scenario_gives_waits_per_hour_utilisation_and_staffing_and_writes_nothing(client, ctx):
    before = (_count(ctx, Ticket), _count(ctx, Event))
    manager = bearer(gen_token(ctx, "manager", "manager"))
    body = {"source": "scenario", "scenario": SMALL, "days": 3, "wait_target_minutes": 15, "estimates": True}
    r = client.post(URL, json=body, headers=manager)
    assert r.status_code == 200, r.get_json()
    out = r.get_json()
    assert out["days"] == 3 and out["wait_target_minutes"] == 15 and out["services"] == ["A", "H"]
    assert {(c["service"], c["hour"]) for c in out["cells"]} <= {
        (s, h) for s in "AH" for h in (8, 9, 10)
    }  # bookings come early
    assert all(0 <= c["within_target"] <= 1 and c["p90_min"] >= 0 for c in out["cells"])
    assert {u["window"] for u in out["utilisation"]} == {2, 3}
    assert [s["hour"] for s in out["recommended"]] == [9, 10]
    assert {e["estimator"] for e in out["estimates"]} == {"today", "call_order"}
    assert "cover:" in out["scenario"] and "appointments:" in out["scenario"]
    assert (_count(ctx, Ticket), _count(ctx, Event)) == before


def test_bad_yaml_and_bad_scenarios_are_a_400_naming_the_scenario(client, ctx):
    manager = bearer(gen_token(ctx, "manager", "manager"))
    r = client.post(URL, json={"source": "scenario", "scenario": "services: {A: ["}, headers=manager)
    assert "YAML" in r.get_json()["error"]["message"] and "场景" in r.get_json()["error"]["message"]
    for text, words in (
        ("services: {A: [", "YAML"),
        ("services: {A: {mean_minutes: 5}}\narrivals: {Z: {9: 1}}\nwindows: {1: [A]}", "arrivals.Z"),
        ("just words", "mapping"),
        ("   ", "paste or upload"),
    ):
        r = client.post(URL + "?lang=en", json={"source": "scenario", "scenario": text}, headers=manager)
        assert r.status_code == 400, text
        err = r.get_json()["error"]
        assert err["field"] == "scenario" and words in err["message"], err


def test_a_run_too_big_for_one_request_is_refused_before_it_runs(client, ctx):
    manager = bearer(gen_token(ctx, "manager", "manager"))
    big = EXAMPLE.replace("A: {8: 3, 9: 9,", "A: {8: 3000, 9: 9,")
    r = client.post(
        URL + "?lang=en", json={"source": "scenario", "scenario": big, "days": 30}, headers=manager
    )
    assert r.status_code == 400
    assert r.get_json()["error"]["field"] == "days" and "too big" in r.get_json()["error"]["message"]
    r = client.post(URL, json={"source": "scenario", "scenario": EXAMPLE, "days": 31}, headers=manager)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "days"


def test_learning_from_the_hall_needs_history_and_then_plays_its_services(client, ctx, clock):
    manager = bearer(gen_token(ctx, "manager", "manager"))
    body = {"source": "learn", "history_days": 7, "days": 2, "recommend": False}
    r = client.post(URL + "?lang=en", json=body, headers=manager)
    assert r.status_code == 409 and r.get_json()["error"]["field"] == "history_days"
    clock.now = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
    kiosk, clerk = principal(ctx, "kiosk"), principal(ctx, "clerk", "clerk06")
    ws.sign_in(ctx, clerk, 6)
    for _ in range(4):
        ts.issue_ticket(ctx, kiosk, "C")
        clock.advance(minutes=3)
        t = ts.call_next(ctx, clerk, 6)
        assert t is not None
        ts.act_on_ticket(ctx, clerk, t["id"], "start")
        clock.advance(minutes=5)
        ts.act_on_ticket(ctx, clerk, t["id"], "complete", outcome="done")
    clock.advance(hours=8)
    before = (_count(ctx, Ticket), _count(ctx, Event))
    r = client.post(URL, json=body, headers=manager)
    assert r.status_code == 200, r.get_json()
    out = r.get_json()
    assert out["source"] == "learn" and out["services"] == ["C"] and out["days"] == 2
    assert (_count(ctx, Ticket), _count(ctx, Event)) == before
