"""Background duties across server processes: one holder per duty, a lapsed lease moves, and
print jobs a stopped process left in flight are marked for a manager's reprint, never resent."""

from __future__ import annotations

import pytest

from server import print_worker
from server.domain.leases import ALARMS, PRINT
from server.duties import DutyRunner
from server.services import duties, print_jobs
from server.services import tickets as ts
from tests.fakeprinter import FakePrinter
from tests.helpers import gen_token, principal


class Monotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def runner(ctx, me: str, mono: Monotonic, pid: int, **kw) -> DutyRunner:
    return DutyRunner(ctx, me, ttl_s=9.0, pid=pid, monotonic=mono, **kw)


def test_each_duty_has_one_holder_and_moves_when_its_lease_lapses(any_db_app, clock):
    ctx = any_db_app.extensions["hallq"]
    mono = Monotonic()
    a, b = runner(ctx, "host:5001", mono, 11), runner(ctx, "host:5002", mono, 12)
    a.round()
    b.round()
    assert a.held() == [ALARMS, PRINT] and b.held() == []
    assert {row["holder"] for row in duties.leases(ctx)} == {"host:5001"}

    clock.advance(seconds=3)  # a renews, b still waits
    mono.now += 3
    a.round()
    b.round()
    assert a.held() == [ALARMS, PRINT] and b.held() == []

    clock.advance(seconds=9.5)  # a died: its lease lapses, b takes both duties
    mono.now += 9.5
    assert a.held() == [], "a holder stops acting before its lease lapses"
    b.round()
    assert b.held() == [ALARMS, PRINT]
    assert {(r["holder"], r["pid"]) for r in duties.leases(ctx)} == {("host:5002", 12)}


def test_a_worker_restarted_on_its_port_takes_its_leases_back_at_once(any_db_app, clock):
    ctx = any_db_app.extensions["hallq"]
    mono = Monotonic()
    runner(ctx, "host:5001", mono, 11).round()
    again = runner(ctx, "host:5001", mono, 99)  # the same port, a new process
    again.round()
    assert again.held() == [ALARMS, PRINT]
    assert {r["pid"] for r in duties.leases(ctx)} == {99}


def test_a_released_duty_is_taken_at_the_next_round(any_db_app):
    ctx = any_db_app.extensions["hallq"]
    mono = Monotonic()
    a, b = runner(ctx, "host:5001", mono, 11), runner(ctx, "host:5002", mono, 12)
    a.round()
    a.release()
    b.round()
    assert a.held() == [] and b.held() == [ALARMS, PRINT]


@pytest.fixture
def fake():
    printer = FakePrinter(mode="accept")
    printer.start()
    yield printer
    printer.stop()


def test_a_job_left_in_flight_is_marked_for_a_reprint_never_resent(ctx, clock, fake):
    from server.services.accounts import principal_for_token

    token = gen_token(ctx, "kiosk")
    print_jobs.add_printer(ctx, "demo", "1号取号机", f"tcp://127.0.0.1:{fake.port}", 80, "text", token)
    kiosk = principal_for_token(ctx, token)
    assert kiosk is not None
    in_flight = ts.issue_ticket(ctx, kiosk, "C")
    assert print_jobs.claim(ctx, in_flight["print"]["id"]) is not None  # then the process died
    queued = ts.issue_ticket(ctx, kiosk, "C")
    published: list[dict] = []
    ctx.publish = published.extend

    mono = Monotonic()
    taker = runner(ctx, "host:5002", mono, 12, on_take={PRINT: lambda: print_jobs.settle_interrupted(ctx)})
    taker.round()
    assert taker.holds(PRINT)
    job = ts.get_ticket(ctx, in_flight["id"])["print"]
    assert (job["status"], job["error_kind"]) == ("failed", "uncertain")
    assert "may have printed" in job["error"]
    assert [e["type"] for e in published] == ["print.updated"], "the manager console hears of it"

    assert print_worker.run_once(ctx) == 1, "the queued job prints; the uncertain one is not resent"
    assert fake.wait_for_jobs(1) and fake.jobs_received == 1
    assert ts.get_ticket(ctx, queued["id"])["print"]["status"] == "printed"
    failed = print_jobs.recent_failed_jobs(ctx, principal(ctx, "manager", "manager"))
    assert [j["id"] for j in failed] == [job["id"]], "listed for the manager's reprint"

    taker.round()  # a renewal settles nothing more
    assert ts.get_ticket(ctx, queued["id"])["print"]["status"] == "printed"
