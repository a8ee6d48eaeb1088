"""Grants, tried as an attacker would: a kiosk of another hall (or another kiosk of the same hall)
finishing print jobs that are not its printer's with raw Socket.IO frames, a kiosk reprinting on
another kiosk's printer, a manager minting tokens or sessions acting as the admin or another
manager (issue 9, findings 3 and 7)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from server.extensions import socketio
from server.services.core.credentials import create_user
from server.storage.models import ApiToken, Hall, PrintJob
from tests.helpers import bearer, gen_hall, gen_token


@pytest.fixture
def other_hall(ctx: Any) -> str:
    gen_hall(
        ctx,
        "north",
        "北区",
        people=(("north-clerk", "clerk", "北区同事"), ("north-manager", "manager", "北区经理")),
        services=("A",),
    )
    return "north"


def agent(app: Any, token: str) -> Any:
    """A raw Socket.IO client that says hello as a kiosk printer agent."""
    c = socketio.test_client(app, auth={"token": token})
    ack = c.emit("agent.hello", {"printer": "file:///dev/null", "width": 80, "mode": "text"}, callback=True)
    assert "printer" in ack, ack
    return c


def job_of(ctx: Any, job_id: str) -> tuple[str, str | None]:
    with ctx.db.read() as s:
        j = s.scalar(select(PrintJob).where(PrintJob.public_id == job_id))
        assert j is not None
        return j.status, j.error


@pytest.fixture
def demo_job(app: Any, ctx: Any, client: Any) -> dict[str, Any]:
    """A slip of the demo hall's kiosk, sent to that kiosk's agent and not yet acknowledged."""
    token = gen_token(ctx, "kiosk")
    agent(app, token)
    t = client.post("/api/v1/tickets", json={"service": "A"}, headers=bearer(token)).get_json()
    assert job_of(ctx, t["print"]["id"]) == ("sent", None)
    return {"ticket": t, "job": t["print"]["id"], "kiosk": token}


def test_kiosk_of_another_hall_cannot_finish_a_demo_print_job(app, ctx, other_hall, demo_job):
    attacker_token = gen_token(ctx, "kiosk", hall=other_hall)
    no_hello = socketio.test_client(app, auth={"token": attacker_token})
    ack = no_hello.emit("print.result", {"job": demo_job["job"], "ok": True}, callback=True)
    assert ack["error"]["code"] == "forbidden", "print.result needs a hello first"
    attacker = agent(app, attacker_token)
    for ok in (False, True):
        ack = attacker.emit(
            "print.result",
            {"job": demo_job["job"], "ok": ok, "kind": "error", "message": "pwned"},
            callback=True,
        )
        assert ack["error"]["code"] == "forbidden"
    assert job_of(ctx, demo_job["job"]) == ("sent", None), "nothing changed"


def test_another_kiosk_of_the_same_hall_cannot_finish_the_job(app, ctx, demo_job):
    attacker = agent(app, gen_token(ctx, "kiosk"))
    ack = attacker.emit("print.result", {"job": demo_job["job"], "ok": True}, callback=True)
    assert ack["error"]["code"] == "forbidden"
    assert job_of(ctx, demo_job["job"]) == ("sent", None)
    # a second socket of the job's own kiosk (its agent restarted) may acknowledge it
    own = agent(app, demo_job["kiosk"])
    assert own.emit("print.result", {"job": demo_job["job"], "ok": True}, callback=True) == {"ok": True}
    assert job_of(ctx, demo_job["job"])[0] == "printed"


def test_kiosk_cannot_reprint_on_another_kiosks_printer(client, ctx, other_hall, demo_job):
    with ctx.db.transaction() as s:  # the slip came out: a reprint is allowed by status
        j = s.scalar(select(PrintJob).where(PrintJob.public_id == demo_job["job"]))
        assert j is not None
        j.status = "failed"
    reprint = f"/api/v1/tickets/{demo_job['ticket']['id']}/reprint"
    for other_kiosk in (gen_token(ctx, "kiosk"), gen_token(ctx, "kiosk", hall=other_hall)):
        r = client.post(reprint, headers=bearer(other_kiosk))
        assert r.status_code == 403 and r.get_json()["error"]["code"] == "forbidden"
    with ctx.db.read() as s:
        assert len(s.scalars(select(PrintJob)).all()) == 1, "no job was queued"
    assert client.post(reprint, headers=bearer(demo_job["kiosk"])).status_code == 201


def test_a_kiosk_lists_only_its_own_printer(client, ctx, demo_job):
    other = gen_token(ctx, "kiosk")
    printers = client.get("/api/v1/printers", headers=bearer(other)).get_json()["printers"]
    assert printers == []
    mine = client.get("/api/v1/printers", headers=bearer(demo_job["kiosk"])).get_json()["printers"]
    assert len(mine) == 1


# ------------------------------------------------------------- minting (finding 7)


def devices(ctx: Any) -> int:
    with ctx.db.read() as s:
        return len(s.scalars(select(ApiToken)).all())


@pytest.fixture
def manager(ctx: Any) -> dict[str, str]:
    return bearer(gen_token(ctx, "manager", "manager"))


def test_manager_cannot_mint_a_clerk_token_acting_as_the_admin(client, ctx, manager):
    before = devices(ctx)
    r = client.post("/api/v1/halls/demo/devices", json={"role": "clerk", "user": "admin"}, headers=manager)
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "forbidden"
    assert devices(ctx) == before, "no token was made"
    # what a manager may mint still works: their clerks, themselves, devices; an admin anything
    for body in (
        {"role": "clerk", "user": "clerk02"},
        {"role": "clerk", "user": "manager"},
        {"role": "kiosk"},
    ):
        r = client.post("/api/v1/halls/demo/devices", json=body, headers=manager)
        assert r.status_code == 201, (body, r.get_json())
    admin = bearer(gen_token(ctx, "admin", hall=None))  # type: ignore[arg-type]
    r = client.post("/api/v1/halls/demo/devices", json={"role": "clerk", "user": "admin"}, headers=admin)
    assert r.status_code == 201


def test_manager_cannot_mint_for_another_manager_or_another_halls_people(client, ctx, manager, other_hall):
    with ctx.db.transaction() as s:
        hall = s.scalar(select(Hall).where(Hall.code == "demo"))
        create_user(s, "deputy", "hallq-demo", "manager", "副经理", hall)
    before = devices(ctx)
    for user in ("deputy", "north-clerk", "north-manager"):
        r = client.post("/api/v1/halls/demo/devices", json={"role": "clerk", "user": user}, headers=manager)
        assert r.status_code in (400, 403), (user, r.get_json())
    # a manager's clerk token is a clerk: it grants nothing
    clerk_as_manager = bearer(gen_token(ctx, "clerk", "manager"))
    r = client.post("/api/v1/halls/demo/devices", json={"role": "kiosk"}, headers=clerk_as_manager)
    assert r.status_code == 403
    assert devices(ctx) == before + 1  # only the clerk token made just above


def test_manager_cannot_take_over_an_admin_of_their_hall_by_password(client, ctx, manager):
    """Setting a person's password is minting a session for them."""
    with ctx.db.transaction() as s:
        hall = s.scalar(select(Hall).where(Hall.code == "demo"))
        create_user(s, "hall-admin", "old-password", "admin", "大厅管理员", hall)
    r = client.patch("/api/v1/users/hall-admin", json={"password": "taken-over"}, headers=manager)
    assert r.status_code == 403
    with ctx.db.read() as s:
        from werkzeug.security import check_password_hash

        from server.storage.models import User

        u = s.scalar(select(User).where(User.username == "hall-admin"))
        assert u is not None and check_password_hash(u.password_hash, "old-password")
