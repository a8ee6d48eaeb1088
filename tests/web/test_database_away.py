"""A PostgreSQL server that is not there (stopped, restarting): every path answers "unavailable".

A connection refused carries no SQLSTATE and was not taken for a storage failure: requests
answered 500, a socket with a device token was let in anonymous, and the print worker left a
printed slip `sent` for ever (tests/e2e/test_fault_postgres.py found them). Here the database
is a PostgreSQL URL on a port nothing listens on — no server is needed.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from server import print_worker
from server.extensions import socketio
from server.services import print_jobs
from server.services import tickets as ts
from server.services.core.errors import StorageUnavailable
from server.storage.db import Database, storage_failure
from tests.e2e.conftest import free_port
from tests.fakeprinter import FakePrinter
from tests.helpers import gen_token


def nowhere() -> Database:
    return Database(f"postgresql://postgres@127.0.0.1:{free_port()}/hallq")


def test_a_refused_connection_is_storage_unavailable() -> None:
    db = nowhere()
    try:
        for attempt in (db.ping, db.check_writes):
            with pytest.raises(StorageUnavailable) as caught:
                attempt()
            assert caught.value.reason == "unavailable"
    finally:
        db.dispose()


class _Orig(Exception):
    def __init__(self, pgcode: str | None) -> None:
        super().__init__("boom")
        self.pgcode = pgcode


@pytest.mark.parametrize(
    "pgcode, reason",
    [
        (None, "unavailable"),
        ("57P01", "unavailable"),
        ("08006", "unavailable"),
        ("55P03", None),
        ("40001", None),
    ],
)
def test_only_errors_without_an_answer_or_of_the_connection_classes_are_unavailable(
    pgcode: str | None, reason: str | None
) -> None:
    failure = storage_failure(OperationalError("SELECT 1", {}, _Orig(pgcode)))
    assert (failure.reason if failure else None) == reason


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_every_request_answers_503_json_while_postgres_is_away(app: Any, client: Any, ctx: Any) -> None:
    kiosk = gen_token(ctx, "kiosk")
    ctx.db.dispose()
    ctx.db = nowhere()
    for method, path, body in (
        ("POST", "/api/v1/tickets", {"service": "A"}),
        ("GET", "/api/v1/halls/demo", None),
        ("POST", "/api/v1/windows/2/call-next", None),
    ):
        r = client.open(path, method=method, json=body, headers=bearer(kiosk))
        assert r.status_code == 503, (path, r.status_code, r.get_data(as_text=True)[:300])
        assert r.get_json()["error"]["code"] == "storage_unavailable", path
    assert client.get("/healthz").status_code == 503


def test_a_socket_whose_token_cannot_be_checked_is_refused_and_a_connected_one_gets_an_error_ack(
    app: Any, ctx: Any
) -> None:
    board = gen_token(ctx, "board")
    connected = socketio.test_client(app, auth={"token": board})  # its token checked and cached
    assert connected.is_connected()
    unseen = gen_token(ctx, "board")
    ctx.db.dispose()
    ctx.db = nowhere()
    refused = socketio.test_client(app, auth={"token": unseen})
    assert not refused.is_connected(), "not let in as an anonymous listener"
    ack = connected.emit("subscribe", {"hall": "demo", "since": None}, callback=True)
    assert ack["error"]["code"] == "storage_unavailable"
    assert connected.is_connected()


@pytest.fixture
def fake() -> Any:
    printer = FakePrinter(mode="accept")
    printer.start()
    yield printer
    printer.stop()


def _kiosk(ctx: Any, fake: FakePrinter) -> Any:
    from server.services.accounts import principal_for_token

    token = gen_token(ctx, "kiosk")
    print_jobs.add_printer(ctx, "demo", "1号取号机", f"tcp://127.0.0.1:{fake.port}", 80, "text", token)
    return principal_for_token(ctx, token)


def test_a_slip_printed_while_the_database_went_away_is_recorded_printed_when_it_is_back(
    ctx: Any, fake: FakePrinter, monkeypatch: pytest.MonkeyPatch
) -> None:
    t = ts.issue_ticket(ctx, _kiosk(ctx, fake), "C")
    finish = print_jobs.finish
    away = {"rounds": 2}

    def flaky(*args: Any, **kwargs: Any) -> Any:
        if away["rounds"] > 0:
            raise StorageUnavailable("unavailable", "connection refused")
        return finish(*args, **kwargs)

    rounds = {"n": 0}

    def sleep(_s: float) -> None:
        away["rounds"] -= 1

    def stop() -> bool:
        rounds["n"] += 1
        return rounds["n"] > 4

    monkeypatch.setattr(print_jobs, "finish", flaky)
    print_worker.run_forever(ctx, sleep, stop)
    assert fake.jobs_received == 1, "sent once, never again"
    assert ts.get_ticket(ctx, t["id"])["print"]["status"] == "printed", "not left `sent` for ever"


def test_a_claim_whose_answer_was_lost_is_settled_for_a_reprint_after_the_database_is_back(
    ctx: Any, fake: FakePrinter
) -> None:
    t = ts.issue_ticket(ctx, _kiosk(ctx, fake), "C")
    print_jobs.claim(ctx, t["print"]["id"])  # committed; the worker never heard of it
    backlog = print_worker.Backlog(unsettled=True)
    backlog.catch_up(ctx)
    job = ts.get_ticket(ctx, t["id"])["print"]
    assert job["status"] == "failed" and job["error_kind"] == print_jobs.INTERRUPTED_KIND
    assert fake.jobs_received == 0
    assert not backlog.unsettled


def test_taking_the_print_duty_back_writes_this_process_s_printed_slips_before_settling(
    ctx: Any, fake: FakePrinter
) -> None:
    """The lease lapsed during the outage: the duty runner's take-over step may come before the
    worker's next round. A slip this process printed is recorded printed, not uncertain."""
    printed = ts.issue_ticket(ctx, _kiosk(ctx, fake), "C")
    lost = ts.issue_ticket(ctx, _kiosk(ctx, fake), "C")
    for t in (printed, lost):
        print_jobs.claim(ctx, t["print"]["id"])
    backlog = print_worker.Backlog([print_worker.Outcome(printed["print"]["id"], True)], unsettled=True)
    backlog.take_over(ctx)
    assert ts.get_ticket(ctx, printed["id"])["print"]["status"] == "printed"
    job = ts.get_ticket(ctx, lost["id"])["print"]
    assert job["status"] == "failed" and job["error_kind"] == print_jobs.INTERRUPTED_KIND
    assert not backlog.outcomes and not backlog.unsettled
