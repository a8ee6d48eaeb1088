"""The demo hall's cases: a realistic spread the consoles can show at once (issue 10, item 8)."""

from __future__ import annotations

from datetime import UTC, datetime

from server.demo import DEMO_CASES, seed_demo_cases
from tests.helpers import bearer, gen_token


def test_the_demo_has_cases_due_this_week_yellow_red_suspended_and_supervised(client, ctx, clock):
    clock.now = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # Monday morning in the hall
    assert seed_demo_cases(ctx) == len(DEMO_CASES)
    assert seed_demo_cases(ctx) == 0  # once
    manager = bearer(gen_token(ctx, "manager", "manager"))
    cases = client.get("/api/v1/cases", headers=manager).get_json()["cases"]
    assert len(cases) == len(DEMO_CASES)
    urgencies = {c["urgency"] for c in cases if c["status"] in ("accepted", "suspended")}
    assert {"red", "yellow"} <= urgencies
    assert any(c["status"] == "suspended" and c["due"] is None for c in cases)
    assert any(c["supervision"] for c in cases)
    assert any(c["status"] == "delivered" for c in cases)
    assert any(c["due"] and "2026-11-30" <= c["due"] <= "2026-12-06" for c in cases)  # due this week
    # the overdue report has something to say about the demo too
    report = client.get(
        "/api/v1/halls/demo/overdue?from=2026-11-01&to=2026-11-30", headers=manager
    ).get_json()
    assert report["cases"] and report["by_clerk"]


def test_the_demo_clerks_wear_a_photo_on_the_window_boards(client, ctx):
    from server.demo import seed_demo_photos

    n = seed_demo_photos(ctx)
    assert n >= 12 and seed_demo_photos(ctx) == 0  # once
    manager = bearer(gen_token(ctx, "manager", "manager"))
    people = client.get("/api/v1/halls/demo/users", headers=manager).get_json()["users"]
    clerks = [p for p in people if p["role"] == "clerk"]
    assert clerks and all(p["photo_url"] for p in clerks)
    img = client.get(clerks[0]["photo_url"])
    assert img.status_code == 200 and img.mimetype == "image/png"


def test_the_demo_opens_appointments_for_a_few_services(client, ctx):
    from server.demo import DEMO_BOOKABLE, seed_demo_bookings

    assert seed_demo_bookings(ctx) is True and seed_demo_bookings(ctx) is False  # once
    services = client.get("/api/v1/halls/demo/bookings/services").get_json()
    codes = {s["code"] for s in services["services"]}
    assert set(DEMO_BOOKABLE) <= codes
