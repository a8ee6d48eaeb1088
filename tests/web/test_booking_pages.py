"""The appointment pages: the phone's booking page and a booking's own page (code, QR, print),
and the manager's /manage/bookings (today's bookings, check-ins, no-shows)."""

from __future__ import annotations

import pytest

from tests.helpers import bearer, gen_token
from tests.web.test_manage_pages import _login

RULES = {"slot_minutes": 30, "capacity": 2, "days_ahead": 7}


@pytest.fixture
def booking(client, ctx):
    manager = bearer(gen_token(ctx, "manager", "manager"))
    r = client.patch("/api/v1/halls/demo/bookings/settings", json={"services": {"A": RULES}}, headers=manager)
    assert r.status_code == 200
    r = client.post(
        "/api/v1/halls/demo/bookings",
        json={"service": "A", "starts_at": "2026-11-27T10:00:00+08:00", "phone": "13800138000"},
    )
    assert r.status_code == 201
    return r.json


def test_the_booking_page_is_a_shell_for_the_hall(client):
    html = client.get("/b/demo").get_data(as_text=True)
    assert 'id="book-form"' in html and 'data-hall="demo"' in html and "预约取号" in html
    assert client.get("/b/nowhere").status_code == 404


def test_a_bookings_page_shows_its_code_slot_and_qr_in_the_halls_time(client, booking):
    r = client.get(f"/b/demo/{booking['token']}")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and booking["code"] in html
    assert "2026-11-27 10:00–10:30" in html and "09:30–10:45" in html  # check-in from 30 min before
    qr = client.get(f"/b/demo/{booking['token']}/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    english = client.get(f"/b/demo/{booking['token']}?lang=en").get_data(as_text=True)
    assert "Booking code" in english


def test_an_unknown_token_or_a_code_opens_no_booking_page(client, booking):
    assert client.get("/b/demo/nonexistent-token-x").status_code == 404
    assert client.get(f"/b/demo/{booking['code']}").status_code == 404
    assert client.get(f"/b/demo/{'x' * 16}/qr.svg").status_code == 404


def test_the_manager_sees_todays_bookings_and_a_clerk_may_not(app, client, booking):
    _login(client, "manager")
    html = client.get("/manage/bookings").get_data(as_text=True)
    assert booking["code"] in html and "10:00–10:30" in html and 'data-nav="bookings"' in html
    clerk = app.test_client()
    _login(clerk, "clerk02")
    assert clerk.get("/manage/bookings").status_code == 403
