"""Printing over HTTP: who may reprint and list printers, and clear errors."""

from __future__ import annotations

import pytest

from server import print_worker
from server.services import print_jobs
from tests.fakeprinter import FakePrinter
from tests.helpers import bearer, gen_token


@pytest.fixture
def fake():
    with FakePrinter(mode="paper_out") as printer:
        yield printer


@pytest.fixture
def kiosk(ctx, fake):
    token = gen_token(ctx, "kiosk")
    print_jobs.add_printer(ctx, "demo", "1号取号机", fake.spec, 58, "raster", token)
    return bearer(token)


def failed_ticket(client, ctx, kiosk):
    t = client.post("/api/v1/tickets", json={"service": "A"}, headers=kiosk).get_json()
    print_worker.run_once(ctx)
    return t


def test_kiosk_sees_the_fault_on_its_ticket_and_reprints_once(client, ctx, kiosk, fake):
    t = failed_ticket(client, ctx, kiosk)
    assert t["print"]["status"] == "queued"
    state = client.get(f"/api/v1/tickets/{t['id']}").get_json()["print"]
    assert (state["status"], state["error_kind"], state["kiosk_reprints_left"]) == ("failed", "paper_out", 1)
    fake.mode = "accept"
    r = client.post(f"/api/v1/tickets/{t['id']}/reprint", headers=kiosk)
    assert r.status_code == 201 and r.get_json()["reprint"] is True
    print_worker.run_once(ctx)
    assert fake.wait_for_jobs(1) and fake.jobs_received == 1
    again = client.post(f"/api/v1/tickets/{t['id']}/reprint", headers=kiosk)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "reprint_limit"


def test_manager_lists_printers_and_failed_slips(client, ctx, kiosk):
    t = failed_ticket(client, ctx, kiosk)
    manager = bearer(gen_token(ctx, "manager", "manager"))
    printers = client.get("/api/v1/printers", headers=manager).get_json()["printers"]
    assert printers[0]["status"] == "paper_out" and printers[0]["jobs"]["failed"] == 1
    jobs = client.get("/api/v1/print-jobs/failed", headers=manager).get_json()["jobs"]
    assert jobs[0]["ticket"] == t["id"]


@pytest.mark.parametrize("role, user", [("board", None), ("clerk", "clerk02")])
def test_board_and_clerk_cannot_reprint(client, ctx, kiosk, role, user):
    t = failed_ticket(client, ctx, kiosk)
    r = client.post(f"/api/v1/tickets/{t['id']}/reprint", headers=bearer(gen_token(ctx, role, user)))
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "forbidden"


def test_clerk_and_board_cannot_list_printers(client, ctx):
    for role, user in (("board", None), ("clerk", "clerk02")):
        assert client.get("/api/v1/printers", headers=bearer(gen_token(ctx, role, user))).status_code == 403
    assert client.get("/api/v1/print-jobs/failed", headers=bearer(gen_token(ctx, "kiosk"))).status_code == 403


def test_reprint_of_an_unknown_or_unprinted_ticket(client, ctx, kiosk):
    assert client.post("/api/v1/tickets/nope/reprint", headers=kiosk).status_code == 404
    plain = bearer(gen_token(ctx, "kiosk"))  # a kiosk without a printer
    t = client.post("/api/v1/tickets", json={"service": "A"}, headers=plain).get_json()
    r = client.post(f"/api/v1/tickets/{t['id']}/reprint", headers=plain)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "no_print_job"


def test_a_tickets_print_state_names_the_ticket_it_printed(client, ctx, kiosk):
    """GET /tickets/<id> answers the slip's job with its ticket and number, as on issue (issue 15 §7)."""
    t = failed_ticket(client, ctx, kiosk)
    state = client.get(f"/api/v1/tickets/{t['id']}").get_json()["print"]
    assert state["ticket"] == t["id"] and state["number"] == t["number"]
    assert state["id"] == t["print"]["id"] and state["status"] == "failed"
