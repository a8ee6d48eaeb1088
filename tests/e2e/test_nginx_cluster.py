"""Two real server processes behind a real nginx, over TLS, on PostgreSQL and Redis.

What a city runs (docs/deployment.md): nginx ends TLS, serves the static files itself, spreads
pages and API calls round-robin, upgrades websockets, and keeps a long-polling Socket.IO client
on the worker that holds its session (`?sid=` starts with the worker's tag). Calls made on one
process reach boards on the other through Redis. The background duties run once, and move to
the survivor when their process is killed.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import socketio
from sqlalchemy import create_engine, text

from server.cli.nginx import render, write_standalone
from server.domain.leases import DUTIES, PRINT
from tests.e2e.cluster_support import Nginx, need_cluster_tools, self_signed, wait_until
from tests.e2e.conftest import LiveHall, free_port, start_server, stop_server

pytestmark = pytest.mark.e2e

#: seconds a duty lease lasts in these tests (10 in production): a takeover within ~4 s
LEASE_S = 3


@dataclass
class Cluster:
    a: LiveHall
    b: LiveHall
    nginx: Nginx
    cert: Path
    database_url: str

    def https(self, method: str, path: str, token: str | None = None, **kw) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return requests.request(
            method, self.nginx.url + path, headers=headers, verify=str(self.cert), timeout=10, **kw
        )

    def port_of(self, hall: LiveHall) -> int:
        return int(hall.url.rsplit(":", 1)[1])

    def leases(self) -> dict[str, tuple[str, int]]:
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as conn:
                # naive UTC in the table (storage/types.py), whatever the session's time zone
                rows = conn.execute(
                    text(
                        "SELECT duty, holder, pid FROM duty_leases"
                        " WHERE expires_at > (now() AT TIME ZONE 'UTC')"
                    )
                )
                return {duty: (holder, pid) for duty, holder, pid in rows}
        finally:
            engine.dispose()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory, postgres_template: str) -> Iterator[Cluster]:
    from tests.conftest import _fresh_postgres

    _, redis_url = need_cluster_tools()
    folder = tmp_path_factory.mktemp("cluster")
    fresh = _fresh_postgres(postgres_template)
    url = next(fresh)
    env = {"HALLQ_MESSAGE_QUEUE": redis_url, "HALLQ_DUTY_LEASE_S": str(LEASE_S)}
    a = start_server(url, folder, "gevent", extra_env=env, migrate=False)
    b = start_server(url, folder, "gevent", extra_env=env, migrate=False)
    cert, key = self_signed(folder)
    port = free_port()
    backends = [("", "127.0.0.1", int(h.url.rsplit(":", 1)[1])) for h in (a, b)]
    site = render(
        backends, f"127.0.0.1:{port}", "localhost", str(cert), str(key), str(folder / "nginx/logs/access.log")
    )
    nginx = Nginx(folder / "nginx", write_standalone(folder / "nginx", site), port)
    try:
        nginx.start(cert)
        yield Cluster(a, b, nginx, cert, url)
    finally:
        nginx.stop()
        for hall in (a, b):
            stop_server(hall)
        next(fresh, None)


class Board:
    """A hall board: a real Socket.IO client through nginx over TLS."""

    def __init__(self, cluster: Cluster, token: str, transport: str) -> None:
        http = requests.Session()
        http.verify = str(cluster.cert)  # polling and the websocket both check nginx's certificate
        http.trust_env = False  # else REQUESTS_CA_BUNDLE, when set, replaces `verify`
        self.client = socketio.Client(reconnection=False, http_session=http)
        self.cluster, self.token, self.transport = cluster, token, transport
        self.calls: list[str] = []
        self.seen = threading.Condition()
        self.client.on("ticket.called", self._on_called)

    def _on_called(self, env: dict) -> None:
        with self.seen:
            self.calls.append(env["data"]["ticket"]["number"])
            self.seen.notify_all()

    def connect(self) -> int:
        """Connect and subscribe; returns the port of the worker holding the session."""
        self.client.connect(
            self.cluster.nginx.url, auth={"token": self.token}, transports=[self.transport], wait_timeout=20
        )
        ack = self.client.call("subscribe", {"hall": "demo", "since": None}, timeout=20)
        assert "snapshot" in ack, ack
        sid = self.client.eio.sid
        return int(sid.split(".", 1)[0])

    def wait_for(self, number: str) -> None:
        with self.seen:
            assert self.seen.wait_for(lambda: number in self.calls, 20), (
                f"board saw {self.calls}, not {number}"
            )


def call_one(hall: LiveHall, window: int = 2) -> str:
    """A ticket issued and called on `hall`'s own process (not through nginx)."""
    clerk = hall.clerk_token("clerk02")
    assert hall.api("POST", f"/windows/{window}/sign-in", clerk).status_code == 200
    t = hall.api("POST", "/tickets", hall.kiosk_token, json={"service": "A"})
    assert t.status_code == 201, t.text
    called = hall.api("POST", f"/windows/{window}/call-next", clerk)
    assert called.status_code == 200, called.text
    number = called.json()["number"]
    tid = called.json()["id"]
    assert hall.api("POST", f"/tickets/{tid}/start", clerk).status_code == 200
    assert hall.api("POST", f"/tickets/{tid}/complete", clerk).status_code == 200
    return str(number)


def test_api_goes_round_robin_and_static_files_come_from_nginx(cluster: Cluster) -> None:
    for _ in range(8):
        r = cluster.https("GET", "/api/v1/halls/demo/snapshot", cluster.a.board_token)
        assert r.status_code == 200, r.text
    ports = {f"127.0.0.1:{cluster.port_of(h)}" for h in (cluster.a, cluster.b)}
    # nginx logs a request just after its answer went out
    answered = wait_until(
        lambda: (lambda n: n if sum(n.values()) >= 8 else None)(
            cluster.nginx.upstreams("/api/v1/halls/demo/snapshot")
        ),
        "the access log lines",
    )
    assert set(answered) == ports and sum(answered.values()) == 8, f"both processes answer: {answered}"

    js = cluster.https("GET", "/static/vendor/socket.io/socket.io.min.js")
    assert js.status_code == 200 and "max-age=3600" in js.headers["Cache-Control"]
    shipped = Path(__file__).resolve().parents[2] / "static/vendor/socket.io/socket.io.min.js"
    assert js.content == shipped.read_bytes()
    served = wait_until(
        lambda: (lambda n: n if sum(n.values()) >= 2 else None)(cluster.nginx.upstreams("/static/")),
        "log lines",
    )
    assert served == {"-": 2}, "nginx served the static files itself"


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_a_board_through_nginx_hears_a_call_made_on_the_other_process(
    cluster: Cluster, transport: str
) -> None:
    board = Board(cluster, cluster.a.board_token, transport)
    on = board.connect()
    try:
        other = cluster.b if on == cluster.port_of(cluster.a) else cluster.a
        assert on != cluster.port_of(other)
        board.wait_for(call_one(other))
        # a polling client's every request must reach the worker holding its session: several
        # round trips through a round-robin proxy prove the routing by session id
        for _ in range(3):
            board.wait_for(call_one(other))
            assert board.client.call("subscribe", {"hall": "demo", "since": None}, timeout=20)
    finally:
        board.client.disconnect()


def test_new_sockets_spread_over_both_processes(cluster: Cluster) -> None:
    ports = set()
    for _ in range(6):
        r = cluster.https("GET", "/socket.io/?EIO=4&transport=polling")
        assert r.status_code == 200, r.text
        sid = r.text.split('"sid":"', 1)[1].split('"', 1)[0]
        ports.add(int(sid.split(".", 1)[0]))
    assert ports == {cluster.port_of(cluster.a), cluster.port_of(cluster.b)}


def test_each_duty_runs_once_and_moves_to_the_survivor_when_its_process_is_killed(cluster: Cluster) -> None:
    """Last in this module: it kills one of the two processes."""
    by_pid = {h.process.pid: h for h in (cluster.a, cluster.b)}

    def every_duty_held() -> dict[str, tuple[str, int]] | None:
        held = cluster.leases()
        return held if set(held) == set(DUTIES) else None

    held = wait_until(every_duty_held, "every duty held")
    assert {pid for _, pid in held.values()} <= set(by_pid), "each duty has one holder, one of the two"
    victim = by_pid[held[PRINT][1]]
    survivor = cluster.b if victim is cluster.a else cluster.a
    os.kill(victim.process.pid, signal.SIGKILL)
    victim.process.wait(10)

    def moved() -> bool:
        held = every_duty_held()
        return held is not None and {pid for _, pid in held.values()} == {survivor.process.pid}

    wait_until(moved, "the survivor takes every duty", timeout=4 * LEASE_S)
    for _ in range(4):  # and nginx skips the dead process
        assert cluster.https("GET", "/api/v1/halls/demo/snapshot", survivor.board_token).status_code == 200
