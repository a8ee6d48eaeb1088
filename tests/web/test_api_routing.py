"""HTTP: a service no window serves now — the kiosk's hall says so, the hall setting is an admin
field, and a hall that disallows queueing answers 409 service_unserved, changing nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from server.storage.models import Ticket
from tests.helpers import bearer, gen_token


def test_a_hall_that_disallows_queueing_refuses_an_unserved_number_with_409(ctx, client):
    kiosk = bearer(gen_token(ctx, "kiosk"))
    manager = bearer(gen_token(ctx, "manager", "manager"))
    clerk = bearer(gen_token(ctx, "clerk", "clerk02"))
    assert client.post("/api/v1/windows/2/sign-in", headers=clerk).status_code == 200

    info = client.get("/api/v1/halls/demo", headers=kiosk).get_json()
    by_code = {s["code"]: s for s in info["services"]}
    assert by_code["A"]["served"] is True and by_code["G"]["served"] is False
    assert info["queue_when_unserved"] is True and "opens_at" in info

    r = client.patch("/api/v1/halls/demo", json={"queue_when_unserved": False}, headers=manager)
    assert r.status_code == 200 and r.get_json()["queue_when_unserved"] is False
    with ctx.db.read() as s:
        before = s.scalar(select(func.count(Ticket.id)))
    r = client.post("/api/v1/tickets", json={"service": "G"}, headers=kiosk)
    assert r.status_code == 409
    err = r.get_json()["error"]
    assert err["code"] == "service_unserved" and "没有窗口办理" in err["message"]
    en = client.post("/api/v1/tickets?lang=en", json={"service": "G"}, headers=kiosk).get_json()["error"]
    assert "no window serves this service now" in en["message"]
    with ctx.db.read() as s:
        assert s.scalar(select(func.count(Ticket.id))) == before
    r = client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk)
    assert r.status_code == 201 and r.get_json()["served"] is True
