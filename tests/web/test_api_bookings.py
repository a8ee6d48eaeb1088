"""Appointments over HTTP: book, see, cancel, reschedule, check in at the kiosk, the manager's day;
bad codes, double check-ins, bookings beyond the limit and another hall's booking get clear
errors and change nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from server.storage.models import Booking, Ticket
from tests.helpers import bearer, gen_hall, gen_token

RULES = {"slot_minutes": 30, "capacity": 2, "days_ahead": 7}
# the FakeClock starts on Friday 2026-11-27 at 09:30 Shanghai
SLOT_1000 = "2026-11-27T10:00:00+08:00"
SLOT_1030 = "2026-11-27T10:30:00+08:00"
BASE = "/api/v1/halls/demo/bookings"


@pytest.fixture
def manager(ctx):
    return bearer(gen_token(ctx, "manager", "manager"))


@pytest.fixture
def kiosk(ctx):
    return bearer(gen_token(ctx, "kiosk"))


@pytest.fixture
def bookable(client, manager):
    r = client.patch(
        f"{BASE}/settings", json={"services": {"A": RULES}, "max_open_bookings": 2}, headers=manager
    )
    assert r.status_code == 200, r.json
    return r.json


def book(client, starts_at=SLOT_1000, phone="13800138000", service="A"):
    return client.post(BASE, json={"service": service, "starts_at": starts_at, "phone": phone})


def counts(ctx):
    with ctx.db.read() as s:
        return (s.scalar(select(func.count(Booking.id))), s.scalar(select(func.count(Ticket.id))))


def test_bookable_services_and_free_slots_follow_the_rules(client, bookable):
    r = client.get(f"{BASE}/services")
    assert r.status_code == 200
    (svc,) = [x for x in r.json["services"] if x["code"] == "A"]
    assert svc["capacity"] == 2 and "2026-11-28" not in svc["days"] and "2026-11-30" in svc["days"]
    slots = client.get(f"{BASE}/slots", query_string={"service": "A", "day": "2026-11-27"}).json["slots"]
    assert slots[0]["starts_at"] == "2026-11-27T02:00:00+00:00" and slots[0]["free"] == 2
    weekend = client.get(f"{BASE}/slots", query_string={"service": "A", "day": "2026-11-28"}).json
    assert weekend["slots"] == []


def test_a_booking_keeps_only_a_hash_of_the_phone_and_shows_its_code_and_page(client, ctx, bookable):
    r = book(client)
    assert r.status_code == 201, r.json
    b = r.json
    assert len(b["code"]) == 8 and b["status"] == "booked" and "phone" not in b
    with ctx.db.read() as s:
        row = s.scalar(select(Booking))
        assert row.citizen_key != "13800138000" and "13800138000" not in row.citizen_key
    assert client.get(f"{BASE}/{b['token']}").json["code"] == b["code"]
    slots = client.get(f"{BASE}/slots", query_string={"service": "A", "day": "2026-11-27"}).json["slots"]
    assert slots[0]["free"] == 1


def test_a_full_slot_and_the_per_phone_limit_are_clear_409s_that_change_nothing(client, ctx, bookable):
    assert book(client, phone="13800000001").status_code == 201
    assert book(client, phone="13800000002").status_code == 201
    before = counts(ctx)
    r = book(client, phone="13800000003")
    assert r.status_code == 409 and r.json["error"]["code"] == "slot_full"
    assert book(client, SLOT_1030, phone="13800000001").status_code == 201
    r = book(client, "2026-11-27T11:00:00+08:00", phone="13800000001")
    assert (
        r.status_code == 409
        and r.json["error"]["code"] == "booking_limit"
        and r.json["error"]["field"] == "phone"
    )
    assert counts(ctx)[0] == before[0] + 1


def test_bad_slots_and_services_are_400s(client, ctx, bookable):
    assert book(client, "2026-11-27T10:10:00+08:00").status_code == 400  # not a slot
    assert book(client, "2026-11-27T09:00:00+08:00").status_code == 400  # started
    assert book(client, "2026-12-30T10:00:00+08:00").status_code == 400  # beyond days ahead
    assert book(client, phone="abc").status_code == 400
    assert book(client, service="B").json["error"]["field"] == "service"  # not bookable
    assert book(client, "tomorrow").json["error"]["field"] == "starts_at"
    assert counts(ctx)[0] == 0


def test_cancel_and_reschedule_need_the_code_and_release_the_place(client, bookable):
    b = book(client).json
    r = client.post(f"{BASE}/{b['token']}/cancel", json={"code": "WRONG123"})
    assert r.status_code == 404
    moved = client.post(f"{BASE}/{b['token']}/reschedule", json={"code": b["code"], "starts_at": SLOT_1030})
    assert moved.status_code == 201, moved.json
    assert moved.json["code"] != b["code"] and moved.json["starts_at"] == "2026-11-27T02:30:00+00:00"
    assert client.get(f"{BASE}/{b['token']}").json["status"] == "cancelled"
    r = client.post(f"{BASE}/{moved.json['token']}/cancel", json={"code": moved.json["code"].lower()})
    assert r.status_code == 200 and r.json["status"] == "cancelled"
    again = client.post(f"{BASE}/{moved.json['token']}/cancel", json={"code": moved.json["code"]})
    assert again.status_code == 409 and again.json["error"]["code"] == "booking_closed"


def test_check_in_gives_an_appointment_ticket_and_a_second_check_in_is_a_409(client, ctx, kiosk, bookable):
    b = book(client).json
    r = client.post("/api/v1/tickets", json={"booking": b["code"]}, headers=kiosk)
    assert r.status_code == 201, r.json
    assert r.json["service"] == "A" and r.json["booking"]["status"] == "checked_in"
    before = counts(ctx)
    again = client.post("/api/v1/tickets", json={"booking": b["code"]}, headers=kiosk)
    assert again.status_code == 409 and again.json["error"]["code"] == "booking_checked_in"
    assert counts(ctx) == before
    assert client.get(f"{BASE}/{b['token']}").json["ticket"]["number"] == r.json["number"]


def test_a_bad_code_is_a_400_naming_the_booking_field(client, ctx, kiosk, bookable):
    before = counts(ctx)
    r = client.post("/api/v1/tickets", json={"booking": "ZZZZZZZZ"}, headers=kiosk)
    assert (
        r.status_code == 400
        and r.json["error"]["code"] == "booking_not_found"
        and r.json["error"]["field"] == "booking"
    )
    assert counts(ctx) == before


def test_another_halls_booking_is_unknown_at_this_halls_kiosk(client, ctx, bookable):
    b = book(client).json
    gen_hall(ctx, "other", services=("X",))
    other_kiosk = bearer(gen_token(ctx, "kiosk", hall="other"))
    before = counts(ctx)
    r = client.post("/api/v1/tickets", json={"booking": b["code"]}, headers=other_kiosk)
    assert r.status_code == 400 and r.json["error"]["code"] == "booking_not_found"
    assert counts(ctx) == before
    assert client.get(f"/api/v1/halls/other/bookings/{b['token']}").status_code == 404


def test_check_in_too_early_is_refused_with_the_time_to_come_back(client, ctx, kiosk, bookable):
    b = book(client, "2026-11-27T15:00:00+08:00").json
    r = client.post("/api/v1/tickets", json={"booking": b["code"]}, headers=kiosk)
    assert (
        r.status_code == 409
        and r.json["error"]["code"] == "booking_too_early"
        and "14:30" in r.json["error"]["message"]
    )


def test_a_late_check_in_is_a_walk_in_and_the_day_report_counts_it(
    client, ctx, clock, kiosk, manager, bookable
):
    late = book(client).json
    book(client, SLOT_1030, phone="13900000000")
    clock.advance(minutes=60)  # 10:30: the 10:00 slot ended, within the 15-minute grace until 10:45
    clock.advance(minutes=16)  # 10:46
    r = client.post("/api/v1/tickets", json={"booking": late["code"]}, headers=kiosk)
    assert r.status_code == 201 and r.json["booking"]["status"] == "walk_in"
    with ctx.db.read() as s:
        assert s.scalar(select(Ticket.booking_id).where(Ticket.number == r.json["number"])) is None
    clock.advance(minutes=60)  # the 10:30 booking never came
    day = client.get(BASE, headers=manager).json
    assert day["counts"]["walk_in"] == 1 and day["counts"]["no_show"] == 1
    assert client.get(BASE).status_code == 401


def test_settings_are_for_the_halls_managers_and_checked(client, ctx, manager, kiosk):
    r = client.patch(
        f"{BASE}/settings",
        json={"services": {"A": {"slot_minutes": 0, "capacity": 1, "days_ahead": 1}}},
        headers=manager,
    )
    assert r.status_code == 400
    assert client.patch(f"{BASE}/settings", json={"grace_minutes": 5}, headers=kiosk).status_code == 403
    r = client.patch(f"{BASE}/settings", json={"services": {"NOPE": RULES}}, headers=manager)
    assert r.status_code == 400 and r.json["error"]["field"] == "services.NOPE"


def test_a_makeup_workday_takes_the_hours_of_the_weekday_the_hall_names(
    client, ctx, clock, manager, bookable
):
    """Saturday 10 October 2026 is a 调休 workday: Monday's hours by default, the named weekday's
    once the hall names one; a weekend day is refused and changes nothing."""
    clock.now = datetime(2026, 10, 8, 1, 0, tzinfo=UTC)
    hours = {"mon": [["09:00", "10:00"]], "fri": [["14:00", "15:00"]]}
    assert (
        client.patch("/api/v1/halls/demo", json={"opening_hours": hours}, headers=manager).status_code == 200
    )

    def first_slot():
        r = client.get(f"{BASE}/slots", query_string={"service": "A", "day": "2026-10-10"})
        assert r.status_code == 200, r.json
        return [s["starts_at"] for s in r.json["slots"]]

    assert first_slot()[0] == "2026-10-10T01:00:00+00:00"  # Monday's 09:00 Shanghai
    r = client.patch("/api/v1/halls/demo", json={"makeup_weekday": "fri"}, headers=manager)
    assert r.status_code == 200 and r.json["makeup_weekday"] == "fri"
    assert first_slot()[0] == "2026-10-10T06:00:00+00:00"  # Friday's 14:00 Shanghai
    r = client.patch("/api/v1/halls/demo", json={"makeup_weekday": "sat"}, headers=manager)
    assert r.status_code == 400 and r.json["error"]["field"] == "makeup_weekday"
    assert client.get("/api/v1/halls", headers=manager).json["halls"][0]["makeup_weekday"] == "fri"
