"""Fault: PostgreSQL stops under load and starts again (issue 13: 503 while down, full recovery).

A private PostgreSQL (tests/e2e/own_postgres.py: its own folder and spare port; the machine's
is never touched) holds the demo hall. Two gevent server processes serve it, sharing events
through the machine's Redis (one process when HALLQ_TEST_REDIS_URL is unset); the kiosk has a
network printer (a fake one), so the print worker runs through the fault.

Load: ISSUERS threads take numbers (POST /api/v1/tickets, kiosk token) on both processes, a
clerk calls, starts and completes tickets at window 2, and /healthz is polled on both. While
it runs PostgreSQL stops (`pg_ctl stop -m fast`: every session ended, every open transaction
rolled back), stays down OUTAGE_S and starts again on the same port. A board's socket is open
on B throughout: it subscribes once during the outage and once after.

Asserted:
* every answer, during the outage too, is 2xx or 503 with the API's JSON error
  (`storage_unavailable`) — no 500, no HTML, no hang: each within LATENCY_BOUND_S;
  /healthz answers 503 while PostgreSQL is down;
* after it is back, both processes answer 2xx and /healthz 200 within RECOVER_S, without a
  restart, and every answer from then on is 2xx;
* a socket subscribing during the outage gets a `storage_unavailable` error ack and stays
  connected; a socket connecting with a token during the outage is refused (not let in
  anonymous); both work after;
* in the database: every ticket answered 201 exists once; no two tickets share a number;
  every (service, day) counter equals its highest number and no number is missing; every
  ticket has exactly one `ticket.issued` event and every such event its ticket; the hall's
  event log has no gap in seq; every acknowledged call and completion is committed; every
  slip the kiosk was promised has its print job for its ticket, and none stays queued or sent
  (the print worker survived).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio
from sqlalchemy import create_engine, text

from tests.e2e.cluster_support import wait_until
from tests.e2e.conftest import LiveHall, start_server, stop_server
from tests.e2e.own_postgres import OwnPostgres

pytestmark = pytest.mark.e2e

#: how long PostgreSQL stays down
OUTAGE_S = 5.0
#: load before the fault and after the recovery
STEADY_S = 2.5
#: threads taking numbers (each alternates between the processes)
ISSUERS = 3
#: no answer, during the outage or not, may take longer than this
LATENCY_BOUND_S = 5.0
#: after PostgreSQL is back, both processes answer 2xx and /healthz 200 within this
RECOVER_S = 10.0
#: the clerk's window in the demo hall (services A and B)
WINDOW = 2


@dataclass
class Answer:
    what: str
    process: str
    started: float
    took: float
    status: int | None  # None: no answer at all (a timeout, a reset connection)
    json: Any = None
    content_type: str = ""
    error: str = ""


@dataclass
class Record:
    """Every answer the load got, for the assertions after it stopped."""

    answers: list[Answer] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def request(
        self, hall: LiveHall, name: str, what: str, method: str, path: str, token: str | None = None
    ) -> Answer:
        started = time.monotonic()
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        kwargs: dict[str, Any] = {"json": {"service": "A"}} if what == "issue" else {}
        try:
            r = requests.request(
                method, hall.url + path, headers=headers, timeout=2 * LATENCY_BOUND_S, **kwargs
            )
        except requests.RequestException as err:
            answer = Answer(what, name, started, time.monotonic() - started, None, error=repr(err))
        else:
            try:
                body = r.json() if r.content else None
            except ValueError:
                body = None
            answer = Answer(
                what, name, started, time.monotonic() - started, r.status_code, body,
                r.headers.get("Content-Type", ""), "" if body is not None else r.text[:300],
            )  # fmt: skip
        with self.lock:
            self.answers.append(answer)
        return answer

    def of(self, what: str) -> list[Answer]:
        with self.lock:
            return [a for a in self.answers if a.what == what]


class Load:
    """Issuers, a clerk and /healthz pollers on their own threads until `stop`."""

    def __init__(self, halls: dict[str, LiveHall], clerk: str) -> None:
        self.halls, self.clerk = halls, clerk
        self.record = Record()
        self.stopping = threading.Event()
        self.called: list[str] = []  # acknowledged call-next: the ticket's id
        self.completed: list[str] = []  # acknowledged completions
        self.conflicts: list[str] = []  # 409s that followed a 503 of the same step (see _clerk)
        self.threads = [threading.Thread(target=self._issuer, args=(i,), daemon=True) for i in range(ISSUERS)]
        self.threads.append(threading.Thread(target=self._clerk, daemon=True))
        self.threads += [threading.Thread(target=self._health, args=(n,), daemon=True) for n in halls]

    def start(self) -> None:
        for t in self.threads:
            t.start()

    def stop(self) -> None:
        self.stopping.set()
        for t in self.threads:
            t.join(4 * LATENCY_BOUND_S)
            assert not t.is_alive(), f"load thread {t.name} hangs"

    def _pace(self, answer: Answer) -> None:
        time.sleep(0.02 if answer.status and answer.status < 300 else 0.1)

    def _issuer(self, i: int) -> None:
        names = list(self.halls)
        n = i
        while not self.stopping.is_set():
            name = names[n % len(names)]
            n += 1
            hall = self.halls[name]
            self._pace(self.record.request(hall, name, "issue", "POST", "/api/v1/tickets", hall.kiosk_token))

    def _health(self, name: str) -> None:
        while not self.stopping.is_set():
            self.record.request(self.halls[name], name, "healthz", "GET", "/healthz")
            time.sleep(0.25)

    def _clerk(self) -> None:
        """Call, start, complete, again — through process A. A 503 leaves it unknown whether the
        step committed (the connection may have gone during COMMIT): the step is tried again,
        and a 409 then means it had; the window's current ticket says where things stand."""
        name = next(iter(self.halls))
        hall = self.halls[name]
        current: str | None = None
        stage = "call"
        uncertain = False
        while not self.stopping.is_set():
            if stage == "call":
                a = self.record.request(
                    hall, name, "call", "POST", f"/api/v1/windows/{WINDOW}/call-next", self.clerk
                )
                if a.status == 200:
                    current, stage = a.json["id"], "start"
                    self.called.append(current)
            else:
                path = f"/api/v1/tickets/{current}/{stage}"
                a = self.record.request(hall, name, stage, "POST", path, self.clerk)
                if a.status == 200 and stage == "start":
                    stage = "complete"
                elif a.status == 200:
                    assert current is not None
                    self.completed.append(current)
                    current, stage = None, "call"
            if a.status == 409 and uncertain:
                self.conflicts.append(f"{a.what} {current}")
                window = self.record.request(
                    hall, name, "window", "GET", f"/api/v1/windows/{WINDOW}", self.clerk
                )
                if window.status == 200:
                    now = (window.json or {}).get("current")
                    current = now["id"] if now else None
                    stage = "call" if now is None else ("start" if now["status"] == "called" else "complete")
                    if now is not None and a.what == "call":
                        self.called.append(current)  # the call of the 503 had committed
            if a.status is not None and a.status < 300:
                uncertain = False
            elif a.status == 503:
                uncertain = True
            self._pace(a)


@pytest.fixture
def own_postgres() -> Iterator[OwnPostgres]:
    server = OwnPostgres.create()
    try:
        server.start()
        yield server
    finally:
        server.remove()


@pytest.fixture
def halls(tmp_path: Path, own_postgres: OwnPostgres, postgres_template: str) -> Iterator[dict[str, LiveHall]]:
    from tests.conftest import POSTGRES_URL

    assert POSTGRES_URL
    # the session's seeded demo hall, copied from the machine's PostgreSQL
    url = own_postgres.copy_from(f"{POSTGRES_URL.rpartition('/')[0]}/{postgres_template}", "hallq")
    redis_url = os.environ.get("HALLQ_TEST_REDIS_URL")
    env = {"HALLQ_MESSAGE_QUEUE": redis_url} if redis_url else {}
    started: dict[str, LiveHall] = {}
    try:
        for name in ("A", "B") if redis_url else ("A",):
            started[name] = start_server(url, tmp_path, "gevent", extra_env=env, migrate=False)
        for hall in started.values():  # one kiosk (one printer) taking numbers on every process
            hall.kiosk_token = started["A"].kiosk_token
        yield started
    finally:
        for hall in started.values():
            stop_server(hall)


def query(url: str, sql: str, **params: Any) -> list[Any]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql), params).all())
    finally:
        engine.dispose()


def both_healthy(halls: dict[str, LiveHall]) -> bool:
    for hall in halls.values():
        try:
            if requests.get(hall.url + "/healthz", timeout=LATENCY_BOUND_S).status_code != 200:
                return False
        except requests.RequestException:
            return False
    return True


def socket_for(hall: LiveHall, token: str | None = None) -> socketio.Client:
    client = socketio.Client(reconnection=False)
    client.connect(
        hall.url, auth={"token": token or hall.board_token}, transports=["websocket"], wait_timeout=20
    )
    return client


def test_postgres_restart_under_load_answers_503_then_recovers_with_nothing_half_written(
    halls: dict[str, LiveHall], own_postgres: OwnPostgres
) -> None:
    from tests.fakeprinter import FakePrinter

    a = halls["A"]
    b = halls.get("B", a)
    printer = FakePrinter(mode="accept")
    printer.start()
    board: socketio.Client | None = None
    load: Load | None = None
    try:
        a.add_printer(f"tcp://127.0.0.1:{printer.port}", a.kiosk_token)
        clerk = a.clerk_token("clerk02")
        assert a.api("POST", f"/windows/{WINDOW}/sign-in", clerk).status_code == 200
        # a token the processes have not seen yet (they keep a checked token for 10 s)
        unseen = a.clerk_token("clerk03")
        board = socket_for(b)
        assert "snapshot" in board.call("subscribe", {"hall": "demo", "since": None}, timeout=20)

        load = Load(halls, clerk)
        load.start()
        time.sleep(STEADY_S)
        before = len([x for x in load.record.of("issue") if x.status == 201])
        assert before > 0, "the load issues tickets before the fault"

        own_postgres.stop("fast")
        down_at = time.monotonic()
        time.sleep(1.0)
        during_ack = board.call("subscribe", {"hall": "demo", "since": None}, timeout=LATENCY_BOUND_S)
        assert during_ack.get("error", {}).get("code") == "storage_unavailable", during_ack
        refused: str | None = None
        try:
            socket_for(b, unseen).disconnect()
        except socketio.exceptions.ConnectionError as err:
            refused = str(err)
        assert refused is not None, "a token that cannot be checked is refused, not let in as anonymous"
        time.sleep(max(0.0, OUTAGE_S - (time.monotonic() - down_at)))
        own_postgres.start()
        up_at = time.monotonic()

        healthy_at = wait_until(
            lambda: both_healthy(halls) and time.monotonic(), "/healthz 200 on every process"
        )
        rec = load.record

        def first_2xx_after(what: str, name: str) -> float:
            return min(
                x.started + x.took
                for x in rec.of(what)
                if x.process == name and x.started >= up_at and x.status == 201
            )

        wait_until(
            lambda: all(
                any(x.started >= up_at and x.status == 201 for x in rec.of("issue") if x.process == n)
                for n in halls
            ),
            "a ticket issued on every process after the restart",
        )
        recovered = {n: first_2xx_after("issue", n) - up_at for n in halls}
        time.sleep(STEADY_S)
        load.stop()
        ended = time.monotonic()

        assert board.connected, "the board's socket outlived the outage"
        after_ack = board.call("subscribe", {"hall": "demo", "since": None}, timeout=20)
        assert "snapshot" in after_ack, after_ack
        socket_for(b, unseen).disconnect()

        # -- the answers -------------------------------------------------------------------------
        answers = list(rec.answers)
        lost = [x for x in answers if x.status is None]
        assert not lost, f"requests without an answer: {lost[:5]}"
        slow = [x for x in answers if x.took > LATENCY_BOUND_S]
        assert not slow, f"answers slower than {LATENCY_BOUND_S} s: {slow[:5]}"
        api = [x for x in answers if x.what != "healthz"]
        odd = [
            x for x in api if not (x.status < 300 or x.status == 503 or (x.status == 409 and load.conflicts))
        ]
        assert not odd, f"API answers neither 2xx nor 503: {odd[:5]}"
        for x in (x for x in api if x.status == 503):
            assert x.content_type.startswith("application/json"), x
            assert x.json["error"]["code"] == "storage_unavailable" and x.json["error"]["message"], x
        assert len([x for x in api if x.status == 409]) == len(load.conflicts)
        health = rec.of("healthz")
        assert {x.status for x in health} <= {200, 503}, {x.status for x in health}
        for name in halls:
            assert any(
                x.status == 503 and down_at <= x.started <= up_at for x in health if x.process == name
            ), f"/healthz of {name} said 503 while PostgreSQL was down"
        down_issues = [x for x in rec.of("issue") if down_at + 0.5 <= x.started <= up_at - 0.5]
        assert down_issues and all(x.status == 503 for x in down_issues), "every issue during the outage: 503"
        assert healthy_at - up_at <= RECOVER_S and max(recovered.values()) <= RECOVER_S, (
            healthy_at - up_at,
            recovered,
        )
        late = [x for x in answers if x.started >= up_at + RECOVER_S and not (x.status or 500) < 300]
        assert not late, f"not recovered {RECOVER_S} s after the restart: {late[:5]}"
        print(
            f"\noutage {up_at - down_at:.1f} s; {len(answers)} answers, "
            f"{len([x for x in api if x.status == 503])} API 503s, "
            f"slowest {max(x.took for x in answers):.2f} s; "
            f"/healthz 200 again {healthy_at - up_at:.2f} s after the restart, first 201 per process "
            + ", ".join(f"{n} {s:.2f} s" for n, s in recovered.items())
            + f"; load ran {ended - down_at:.1f} s from the stop; clerk conflicts {load.conflicts}"
        )

        # -- the database --------------------------------------------------------------------------
        url = a.database_url
        acked = [x.json["id"] for x in rec.of("issue") if x.status == 201]
        rows = {
            r[0]: r
            for r in query(
                url,
                "SELECT public_id, counter_service_id, business_day, counter, number, id, status "
                "FROM tickets",
            )
        }
        missing = [t for t in acked if t not in rows]
        assert not missing, f"tickets answered 201 but not stored: {missing[:5]}"
        assert len(set(acked)) == len(acked)
        numbers = [(r[1], r[2], r[3]) for r in rows.values()]
        assert len(numbers) == len(set(numbers)), "no duplicate (service, day, number)"
        for service_id, day, last, highest, count in query(
            url,
            "SELECT c.service_id, c.day, c.last, max(t.counter), count(t.id) FROM counters c "
            "LEFT JOIN tickets t ON t.counter_service_id = c.service_id AND t.business_day = c.day "
            "GROUP BY c.service_id, c.day, c.last",
        ):
            assert last == highest == count, (
                f"counter of service {service_id} on {day}: {last}, highest {highest}, {count} tickets"
            )
        orphans = query(
            url,
            "SELECT t.number FROM tickets t WHERE (SELECT count(*) FROM events e WHERE e.ticket_id = t.id "
            "AND e.type = 'ticket.issued') <> 1",
        )
        assert not orphans, f"tickets without exactly one ticket.issued event: {orphans[:5]}"
        assert not query(url, "SELECT id FROM events WHERE type = 'ticket.issued' AND ticket_id IS NULL")
        (hall_seq, n_events, lowest, highest_seq), = query(
            url, "SELECT h.seq, count(e.id), min(e.seq), max(e.seq) FROM halls h "
            "JOIN events e ON e.hall_id = h.id WHERE h.code = 'demo' GROUP BY h.seq",
        )  # fmt: skip
        assert hall_seq == highest_seq and n_events == highest_seq - lowest + 1, "the event log has no gap"
        window_id = a.api("GET", f"/windows/{WINDOW}", clerk).json()["id"]
        called = {
            r[0]: r[1:]
            for r in query(
                url, "SELECT public_id, window_id, status FROM tickets WHERE window_id IS NOT NULL"
            )
        }
        for t in load.called:
            assert t in called and called[t][0] == window_id, f"acknowledged call of {t} not committed"
        for t in load.completed:
            assert called[t][1] == "done", f"acknowledged completion of {t} not committed: {called[t]}"
        issued = [x.json for x in rec.of("issue") if x.status == 201]
        slips = {t["print"]["id"]: t["id"] for t in issued if (t.get("print") or {}).get("id")}
        failed_slips = [t["number"] for t in issued if not (t.get("print") or {}).get("id")]
        jobs = {
            r[0]: r[1:]
            for r in query(
                url,
                "SELECT j.public_id, t.public_id, j.status FROM print_jobs j "
                "LEFT JOIN tickets t ON t.id = j.ticket_id",
            )
        }
        for job, ticket in slips.items():
            assert job in jobs and jobs[job][0] == ticket, f"slip {job} of ticket {ticket} has no print job"
        assert all(j[0] is not None for j in jobs.values()), "every print job has its ticket"

        def settled() -> bool:
            states = query(url, "SELECT status, count(*) FROM print_jobs GROUP BY status")
            return not any(s in ("queued", "sent") for s, _ in states)

        wait_until(settled, "every print job printed or failed (the print worker survived)", timeout=30)
        for hall in halls.values():
            log = hall.log.read_text(errors="replace")
            for sign in ("Exception on /", "socket event handler failed", "print worker round failed"):
                assert sign not in log, f"{sign!r} in {hall.log.name}: an unexpected failure, not a 503"
        states = dict(query(url, "SELECT coalesce(error_kind, status), count(*) FROM print_jobs GROUP BY 1"))
        print(
            f"tickets: {len(rows)} stored, {len(acked)} answered 201 ({before} before the fault); "
            f"slips not queued (answered with print failed): {len(failed_slips)}; print jobs {states}; "
            f"calls {len(load.called)}, completions {len(load.completed)}"
        )
    finally:
        if load is not None and not load.stopping.is_set():
            load.stopping.set()
        if board is not None:
            board.disconnect()
        printer.stop()
