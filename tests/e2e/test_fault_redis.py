"""Fault: the Redis between two server processes stops for a while and starts again.

Two real server processes on PostgreSQL share their events through a Redis of this test's own
(a spare port; the machine's Redis is never touched). A board is connected to process B; Redis
stops; tickets are issued and called through process A: every request answers 2xx and is
committed, and both processes report `realtime: degraded` (what the manager console shows as
实时推送降级). Redis starts again on the same port: within seconds the board holds every call
of the outage, in seq order with no gap (pushed, or fetched from the stored event log when the
server tells it to resync), both processes report `ok` again, and a new call arrives live.
In a real browser meanwhile: the manager console (on A) shows 实时推送降级 while Redis is down
and hides it after, and a hall board page (on B, static/js/lib/live.js) catches up to the last
seq without any new event, i.e. through `realtime.resync`.

Redis stays down OUTAGE_S = 30 s, the issue's figure. Nothing in server/realtime/queue.py depends on
the length: the listener retries every second whatever the outage, a publish is one short attempt,
and the boards resync from the event log, which keeps everything.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
import socketio

from tests.e2e import test_browser_live_hall as browser_tests
from tests.e2e.cluster_support import REQUIRED, stop_process, wait_until
from tests.e2e.conftest import LiveHall, free_port, start_server, stop_server
from tests.e2e.test_browser_live_hall import WAIT_MS, PageErrors, live
from tests.e2e.test_browser_manager_console import log_in

pytestmark = pytest.mark.e2e

#: the same Chromium (and skip / HALLQ_TEST_REQUIRE_BROWSER rules) as the live-hall test
browser = browser_tests.browser

#: how long Redis stays down (the issue's 30 s)
OUTAGE_S = 30.0
#: calls made through process A while Redis is down
CALLS = 4


class OwnRedis:
    """A private redis-server on a spare loopback port, no persistence."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.folder = folder
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--daemonize", "no", "--dir", str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until(self._answers, "redis-server answers")

    def _answers(self) -> bool:
        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=1).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        stop_process(self.process)
        self.process = None


class Board:
    """A board on one process: applies events in seq order exactly once, like static/js/lib/live.js
    — a pushed event that skips a seq, or the server's `realtime.resync`, makes it subscribe again
    with `since` = the last seq it applied."""

    def __init__(self, url: str, token: str) -> None:
        self.client = socketio.Client(reconnection=False)
        self.url, self.token = url, token
        self.seq: int | None = None
        self.applied: list[int] = []
        self.calls: list[str] = []
        self.resyncs = 0
        self.lock = threading.Condition()
        self.client.on("*", self._on_any)

    def connect(self) -> None:
        self.client.connect(self.url, auth={"token": self.token}, transports=["websocket"], wait_timeout=20)
        ack = self.client.call("subscribe", {"hall": "demo", "since": None}, timeout=20)
        assert "snapshot" in ack, ack
        with self.lock:
            self.seq = ack["seq"]

    def _on_any(self, event: str, data: Any = None) -> None:
        if event == "realtime.resync":
            threading.Thread(target=self.resync, daemon=True).start()  # not in the reader thread
            return
        if not isinstance(data, dict) or not isinstance(data.get("seq"), int):
            return
        with self.lock:
            gap = self.seq is not None and data["seq"] > self.seq + 1
        if gap:
            threading.Thread(target=self.resync, daemon=True).start()
        else:
            self._apply(data)

    def _apply(self, env: dict[str, Any]) -> None:
        with self.lock:
            assert self.seq is not None
            if env["seq"] != self.seq + 1:
                return  # seen already, or after a gap the resync fills
            self.seq = env["seq"]
            self.applied.append(env["seq"])
            if env["type"] == "ticket.called":
                self.calls.append(env["data"]["ticket"]["number"])
            self.lock.notify_all()

    def resync(self) -> None:
        with self.lock:
            since, self.resyncs = self.seq, self.resyncs + 1
        ack = self.client.call("subscribe", {"hall": "demo", "since": since}, timeout=20)
        assert "events" in ack, f"a board a few events behind gets events, not a snapshot: {ack}"
        for env in sorted(ack["events"], key=lambda e: e["seq"]):
            self._apply(env)

    def has_calls(self, numbers: list[str]) -> bool:
        with self.lock:
            return all(n in self.calls for n in numbers)


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    if shutil.which("redis-server") is None:
        if REQUIRED:
            pytest.fail("the Redis fault test needs redis-server (apt-get install redis-server)")
        pytest.skip("the Redis fault test needs redis-server")
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def two_processes(
    tmp_path: Path, own_redis: OwnRedis, postgres_template: str
) -> Iterator[tuple[LiveHall, LiveHall]]:
    from tests.conftest import _fresh_postgres

    fresh = _fresh_postgres(postgres_template)
    url = next(fresh)
    env = {"HALLQ_MESSAGE_QUEUE": own_redis.url}
    started: list[LiveHall] = []
    try:
        started.append(start_server(url, tmp_path, "gevent", extra_env=env, migrate=False))
        started.append(start_server(url, tmp_path, "gevent", extra_env=env, migrate=False))
        yield started[0], started[1]
    finally:
        for hall in started:
            stop_server(hall)
        next(fresh, None)


def realtime(hall: LiveHall) -> str:
    r = requests.get(hall.url + "/healthz/realtime", timeout=10)
    assert r.status_code == 200, r.text
    return str(r.json()["realtime"])


def call_one(hall: LiveHall, clerk: str, window: int = 2) -> str:
    t = hall.api("POST", "/tickets", hall.kiosk_token, json={"service": "A"})
    assert t.status_code == 201, t.text
    called = hall.api("POST", f"/windows/{window}/call-next", clerk)
    assert called.status_code == 200, called.text
    tid = called.json()["id"]
    assert hall.api("POST", f"/tickets/{tid}/start", clerk).status_code == 200
    assert hall.api("POST", f"/tickets/{tid}/complete", clerk).status_code == 200
    return str(called.json()["number"])


def test_calls_commit_while_redis_is_down_and_boards_miss_nothing_after_it_returns(
    two_processes: tuple[LiveHall, LiveHall], own_redis: OwnRedis, browser: Any
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    a, b = two_processes
    clerk = a.clerk_token("clerk02")
    assert a.api("POST", "/windows/2/sign-in", clerk).status_code == 200
    board = Board(b.url, b.board_token)
    board.connect()
    errors = PageErrors()
    manager_ctx, console = log_in(browser, errors, a, "manager", "/manage")
    pill = console.locator("#realtime-status")
    board_ctx = browser.new_context(viewport={"width": 1280, "height": 720}, locale="zh-CN")
    page_board = errors.watch(board_ctx.new_page(), "hall board on B")
    try:
        page_board.goto(f"{b.url}/board/{b.hall}?token={b.board_token}")
        live(page_board)
        live(console)
        before = call_one(a, clerk)
        wait_until(lambda: board.has_calls([before]), "a call on A reaches the board on B through Redis")
        assert realtime(a) == realtime(b) == "ok"
        expect(pill).to_be_hidden()

        own_redis.stop()
        down_at = time.monotonic()
        during = [call_one(a, clerk) for _ in range(CALLS)]  # each request answered 2xx: committed
        wait_until(lambda: realtime(a) == "degraded", "process A reports realtime degraded")
        wait_until(lambda: realtime(b) == "degraded", "process B reports realtime degraded")
        expect(pill).to_be_visible()  # the console polls every 5 s
        expect(pill).to_have_text("实时推送降级")
        assert not board.has_calls(during), "nothing crosses between processes without Redis"
        remaining = OUTAGE_S - (time.monotonic() - down_at)
        if remaining > 0:
            time.sleep(remaining)  # the fault's length, not a synchronisation

        own_redis.start()
        wait_until(lambda: board.has_calls(during), "the board holds every call of the outage", timeout=20)
        with board.lock:
            assert board.calls == [before, *during], "in call order"
            assert board.applied == list(range(board.applied[0], board.applied[0] + len(board.applied))), (
                "every seq applied once, in order, no gap"
            )
            assert board.resyncs >= 1, "the outage's calls came from the stored event log"
        wait_until(lambda: realtime(a) == "ok" and realtime(b) == "ok", "both processes report ok again")
        expect(pill).to_be_hidden()
        with board.lock:
            last = board.seq
        wait_until(
            lambda: (page_board.evaluate("window.hallq.connections[0].lastSeq") or 0) >= last,
            "the board page on B caught up through realtime.resync (no event came after the outage)",
            timeout=20,
        )

        after = call_one(a, clerk)
        wait_until(lambda: board.has_calls([after]), "a call after the outage arrives live")
        assert not errors.errors, errors.errors
    finally:
        board.client.disconnect()
        manager_ctx.close()
        board_ctx.close()
