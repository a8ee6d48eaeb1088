"""End to end against real server processes: a real socketio.Client acts as a board."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import socketio

from tests.conftest import POSTGRES_URL

pytestmark = pytest.mark.e2e


class Board:
    """A hall board: a real Socket.IO client that keeps the last seq and resyncs like the page."""

    def __init__(self, url: str, token: str) -> None:
        self.client = socketio.Client(reconnection=False)
        self.url, self.token = url, token
        self.seq: int | None = None
        self.calls: list[str] = []
        self.lock = threading.Condition()
        self.client.on("ticket.called", self._on_called)

    def _apply(self, env: dict) -> None:
        with self.lock:
            if self.seq is not None and env["seq"] <= self.seq:
                return
            self.seq = env["seq"]
            if env["type"] == "ticket.called":
                self.calls.append(env["data"]["ticket"]["number"])
            self.lock.notify_all()

    def _on_called(self, env: dict) -> None:
        self._apply(env)

    def connect(self) -> dict:
        self.client.connect(self.url, auth={"token": self.token}, transports=["websocket"], wait_timeout=10)
        ack = self.client.call("subscribe", {"hall": "demo", "since": self.seq}, timeout=10)
        if "snapshot" in ack:
            with self.lock:
                self.seq = ack["seq"]
        for env in ack.get("events", []):
            self._apply(env)
        return ack

    def wait_for_calls(self, n: int, timeout: float = 10) -> list[str]:
        with self.lock:
            assert self.lock.wait_for(lambda: len(self.calls) >= n, timeout), f"board saw {self.calls}"
            return list(self.calls)

    def disconnect(self) -> None:
        self.client.disconnect()


def serve_one(hall, clerk_token: str, window: int) -> str:
    t = hall.api("POST", "/tickets", hall.kiosk_token, json={"service": "A"})
    assert t.status_code == 201, t.text
    called = hall.api("POST", f"/windows/{window}/call-next", clerk_token)
    assert called.status_code == 200, called.text
    tid = called.json()["id"]
    assert hall.api("POST", f"/tickets/{tid}/start", clerk_token).status_code == 200
    assert hall.api("POST", f"/tickets/{tid}/complete", clerk_token).status_code == 200
    return called.json()["number"]


@pytest.mark.parametrize("async_mode", ["threading", "eventlet", "gevent"])
def test_board_sees_calls_live_and_resyncs_after_missing_three(live_hall_factory, async_mode):
    hall = live_hall_factory(async_mode=async_mode)
    clerk = hall.clerk_token("clerk02")
    assert hall.api("POST", "/windows/2/sign-in", clerk).status_code == 200

    board = Board(hall.url, hall.board_token)
    assert "snapshot" in board.connect()
    first = serve_one(hall, clerk, 2)
    assert board.wait_for_calls(1) == [first]

    board.disconnect()
    missed = [serve_one(hall, clerk, 2) for _ in range(3)]
    ack = board.connect()
    assert "events" in ack, "a board a few events behind gets the events, not a snapshot"
    assert board.wait_for_calls(4) == [first, *missed]

    live = serve_one(hall, clerk, 2)
    assert board.wait_for_calls(5)[-1] == live


def test_two_processes_on_one_sqlite_file_never_duplicate_a_number(live_hall_factory):
    a = live_hall_factory()
    b = live_hall_factory()  # same database file
    start = threading.Barrier(8)

    def take(i: int) -> list[str]:
        hall = a if i % 2 else b
        start.wait()
        out = []
        with requests.Session() as s:
            for _ in range(25):
                r = s.post(
                    hall.url + "/api/v1/tickets",
                    json={"service": "B"},
                    headers={"Authorization": f"Bearer {hall.kiosk_token}"},
                    timeout=10,
                )
                assert r.status_code == 201, r.text
                out.append(r.json()["number"])
        return out

    with ThreadPoolExecutor(8) as pool:
        numbers = [n for batch in pool.map(take, range(8)) for n in batch]
    assert sorted(numbers) == [f"B{i:03d}" for i in range(1, 201)]


@pytest.mark.skipif(
    not POSTGRES_URL or not os.environ.get("HALLQ_TEST_REDIS_URL"),
    reason="scale-out test needs HALLQ_TEST_POSTGRES_URL and HALLQ_TEST_REDIS_URL",
)
def test_two_processes_on_postgres_share_calls_through_redis(live_hall_factory, postgres_template, request):
    from tests.conftest import _fresh_postgres

    gen = _fresh_postgres(postgres_template)
    url = next(gen)
    request.addfinalizer(lambda: next(gen, None))
    env = {"HALLQ_MESSAGE_QUEUE": os.environ["HALLQ_TEST_REDIS_URL"]}
    a = live_hall_factory(async_mode="eventlet", database_url=url, extra_env=env)
    b = live_hall_factory(async_mode="eventlet", database_url=url, extra_env=env)
    board = Board(a.url, a.board_token)
    board.connect()
    clerk = b.clerk_token("clerk02")
    assert b.api("POST", "/windows/2/sign-in", clerk).status_code == 200
    number = serve_one(b, clerk, 2)
    assert board.wait_for_calls(1) == [number], "a call made on process B reaches a board on process A"
    board.disconnect()
