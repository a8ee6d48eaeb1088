"""The print pipeline against a fake network printer: faults lose nothing, reprints print once."""

from __future__ import annotations

import pytest

from server import print_worker
from server.domain.errors import RuleViolation
from server.services import print_jobs
from server.services import tickets as ts
from server.services.core.context import BaseLinks
from tests.fakeprinter import FakePrinter
from tests.helpers import gen_token, principal


@pytest.fixture
def fake():
    printer = FakePrinter(mode="accept")
    printer.start()
    yield printer
    printer.stop()


@pytest.fixture
def kiosk(ctx, fake):
    """A kiosk whose tickets print on the fake network printer."""
    from server.services.accounts import principal_for_token

    token = gen_token(ctx, "kiosk")
    print_jobs.add_printer(ctx, "demo", "1号取号机", f"tcp://127.0.0.1:{fake.port}", 80, "text", token)
    p = principal_for_token(ctx, token)
    assert p is not None
    return p


def test_ticket_prints_once_on_a_healthy_printer(ctx, kiosk, fake):
    ctx.links = BaseLinks("http://hall")  # the slip's QR holds the hall's public address
    t = ts.issue_ticket(ctx, kiosk, "C")
    assert t["print"]["status"] == "queued"
    assert print_worker.run_once(ctx) == 1
    assert ts.get_ticket(ctx, t["id"])["print"]["status"] == "printed"
    assert fake.wait_for_jobs(1) and fake.jobs_received == 1
    assert "社保医保".encode("gb18030") in fake.received
    assert print_worker.run_once(ctx) == 0, "a printed job is never sent again"
    assert fake.jobs_received == 1


@pytest.mark.parametrize(
    "mode, kind", [("refuse", "refused"), ("stall", "timeout"), ("paper_out", "paper_out")]
)
def test_printer_fault_keeps_the_ticket_reports_the_fault_and_reprint_prints_once(
    ctx, kiosk, fake, mode, kind
):
    fake.mode = mode
    t = ts.issue_ticket(ctx, kiosk, "C")
    assert t["status"] == "waiting" and t["number"] == "C001"
    print_worker.run_once(ctx)

    state = ts.get_ticket(ctx, t["id"])
    assert state["status"] == "waiting", "the ticket stays valid"
    assert state["print"]["status"] == "failed" and state["print"]["error_kind"] == kind
    assert state["print"]["kiosk_reprints_left"] == 1
    manager = principal(ctx, "manager", "manager")
    [printer] = print_jobs.list_printers(ctx, manager)
    assert printer["status"] == kind and printer["fault"] is True
    assert [j["number"] for j in print_jobs.recent_failed_jobs(ctx, manager)] == ["C001"]
    assert fake.jobs_received == 0

    fake.mode = "accept"
    job = print_jobs.reprint(ctx, kiosk, t["id"])
    assert job["reprint"] is True
    print_worker.run_once(ctx)
    print_worker.run_once(ctx)
    assert fake.wait_for_jobs(1) and fake.jobs_received == 1, "the reprint prints exactly once"
    assert ts.get_ticket(ctx, t["id"])["print"]["status"] == "printed"
    assert print_jobs.list_printers(ctx, manager)[0]["status"] == "ok"


def test_kiosk_reprints_once_manager_any_time(ctx, kiosk, fake):
    t = ts.issue_ticket(ctx, kiosk, "C")
    print_worker.run_once(ctx)
    print_jobs.reprint(ctx, kiosk, t["id"])
    print_worker.run_once(ctx)
    with pytest.raises(RuleViolation) as err:
        print_jobs.reprint(ctx, kiosk, t["id"])
    assert err.value.code == "reprint_limit"
    manager = principal(ctx, "manager", "manager")
    print_jobs.reprint(ctx, manager, t["id"])
    print_worker.run_once(ctx)
    assert fake.wait_for_jobs(3) and fake.jobs_received == 3


def test_reprint_waits_for_the_pending_slip(ctx, kiosk):
    t = ts.issue_ticket(ctx, kiosk, "C")
    with pytest.raises(RuleViolation) as err:
        print_jobs.reprint(ctx, kiosk, t["id"])
    assert err.value.code == "print_pending"


def test_a_job_is_claimed_once_and_finished_once(ctx, kiosk):
    t = ts.issue_ticket(ctx, kiosk, "C")
    job_id = t["print"]["id"]
    assert print_jobs.claim(ctx, job_id) is not None
    assert print_jobs.claim(ctx, job_id) is None, "a second worker cannot take it"
    assert print_jobs.finish(ctx, job_id, ok=True)["status"] == "printed"
    assert print_jobs.finish(ctx, job_id, ok=False, error_kind="timeout")["status"] == "printed", (
        "a late result"
    )


def test_status_poll_reports_paper_out_without_any_job(ctx, kiosk, fake):
    fake.mode = "paper_out"
    print_worker.poll_status(ctx)
    manager = principal(ctx, "manager", "manager")
    assert print_jobs.list_printers(ctx, manager)[0]["status"] == "paper_out"
    fake.mode = "accept"
    print_worker.poll_status(ctx)
    assert print_jobs.list_printers(ctx, manager)[0]["status"] == "ok"


def test_kiosk_without_a_printer_issues_without_a_job(ctx):
    t = ts.issue_ticket(ctx, principal(ctx, "kiosk"), "A")
    assert t["print"] is None
    assert ts.get_ticket(ctx, t["id"])["print"] is None


def test_bad_printer_config_is_refused_clearly(ctx):
    for kwargs, field in (
        ({"spec": "lpt://x"}, "spec"),
        ({"mode": "colour"}, "mode"),
        ({"width_mm": 72}, "width"),
    ):
        args = {"spec": "tcp://127.0.0.1:9100", "width_mm": 80, "mode": "text", **kwargs}
        with pytest.raises(RuleViolation) as err:
            print_jobs.add_printer(ctx, "demo", "x", args["spec"], args["width_mm"], args["mode"])
        assert err.value.field == field
