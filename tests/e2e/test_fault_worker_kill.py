"""Fault: `kill -9` of one of the two workers of `hallq serve --workers 2`, under load.

The real supervisor (server/cli/supervise.py) runs two gevent workers on a fresh PostgreSQL
database with the machine's Redis as message queue, behind a private nginx over TLS (the
configuration `hallq nginx-config` renders). Two kiosks issue tickets and two clerks call, start
and complete them through nginx without pause; eight boards (Socket.IO over websocket through
nginx, spread over both workers by round-robin) apply the events in seq order exactly once and,
like static/js/lib/live.js, subscribe again with their last seq when they reconnect, when a pushed
event skips a seq, or when the server says `realtime.resync`.

Mid-load the worker holding the print duty is killed with SIGKILL. Then:

* every ticket whose issue was acknowledged (2xx) is in the database, once; no number twice;
* every acknowledged call reached every board, in seq order, no seq missed or applied twice,
  and no board was cut for subscribing too often (before server/realtime/queue.py kept each
  process's pushes in seq order, about one push in fifty reached the boards of a process
  ahead of an earlier seq of the other one: every board resynced every second or two, and
  boards that resync once per such push were cut by the per-socket subscribe budget);
* the boards that were on the killed worker reconnected through nginx and resynced;
* every duty lease is held by a live process within seconds (the survivor, or the killed
  worker's replacement: the supervisor restarts it on the same port, the same instance name);
* requests cut by the kill (connection reset, 502) may fail, and are counted: nginx resends a
  request to the other worker only when nothing of it reached the dead one, and never a POST that
  did (`proxy_next_upstream error timeout`, without `non_idempotent`: nginx ≥ 1.9.13 does not pass
  a POST, LOCK or PATCH on to the next server once it was sent). The second test proves it against
  an upstream that takes a request and dies without answering.

The timings measured here are printed (`pytest -s`): the boards are back within about a second,
the duties within one lease.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import engineio
import pytest
import requests
import socketio
from sqlalchemy import create_engine, text

from server.cli.nginx import TEMPLATE, render, write_standalone
from server.domain.leases import DUTIES, PRINT
from tests.e2e.cluster_support import (
    NGINX,
    Nginx,
    duty_leases,
    free_ports,
    need_cluster_tools,
    self_signed,
    stop_process,
    wait_until,
    worker_pids,
)
from tests.e2e.conftest import ROOT, LiveHall, free_port
from tests.e2e.test_fault_redis import Board as SeqBoard

pytestmark = pytest.mark.e2e

#: seconds a duty lease lasts here (10 in production)
LEASE_S = 3
BOARDS = 8
#: load before the kill, and after it (the boards' reconnects and the takeover happen meanwhile)
BEFORE_S, AFTER_S = 3.0, 6.0
#: (clerk, window id): windows 2 and 3 of the demo hall both call service A
CLERKS = (("clerk02", 2), ("clerk03", 3))
KIOSKS = 2


@dataclass
class Workers:
    """`hallq serve --workers 2` behind nginx."""

    supervisor: subprocess.Popen[bytes]
    log: Path
    ports: tuple[int, int]
    nginx: Nginx
    cert: Path
    database_url: str
    hall: LiveHall  # only for its tokens

    def pids(self) -> dict[int, int]:
        return worker_pids(self.supervisor.pid)

    def session(self) -> requests.Session:
        http = requests.Session()
        http.verify = str(self.cert)
        http.trust_env = False  # else REQUESTS_CA_BUNDLE, when set, replaces `verify`
        return http


@pytest.fixture
def workers(tmp_path: Path, postgres_template: str) -> Iterator[Workers]:
    from tests.conftest import _fresh_postgres

    _, redis_url = need_cluster_tools()
    fresh = _fresh_postgres(postgres_template)
    url = next(fresh)
    first = free_ports(2)
    log = tmp_path / "supervisor.log"
    env = {
        **os.environ,
        "HALLQ_DATABASE_URL": url,
        "HALLQ_ASYNC_MODE": "gevent",
        "HALLQ_SECRET_KEY": "e2e-secret",
        "HALLQ_AUTO_MIGRATE": "false",  # the template is migrated
        "HALLQ_MESSAGE_QUEUE": redis_url,
        "HALLQ_DUTY_LEASE_S": str(LEASE_S),
        "PYTHONUNBUFFERED": "1",
    }
    with open(log, "wb") as out:
        supervisor = subprocess.Popen(
            [sys.executable, "-m", "server", "serve", "--workers", "2", "--host", "127.0.0.1",
             "--port", str(first)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    ports = (first, first + 1)
    nginx: Nginx | None = None
    try:
        for p in ports:
            wait_until(lambda p=p: _healthy(f"http://127.0.0.1:{p}", supervisor, log), f"worker on {p}")
        cert, key = self_signed(tmp_path)
        port = free_port()
        site = render(
            [("", "127.0.0.1", p) for p in ports],
            f"127.0.0.1:{port}",
            "localhost",
            str(cert),
            str(key),
            str(tmp_path / "nginx/logs/access.log"),
        )
        nginx = Nginx(tmp_path / "nginx", write_standalone(tmp_path / "nginx", site), port)
        nginx.start(cert)
        hall = LiveHall(url=nginx.url, database_url=url, process=supervisor, log=log)
        hall.kiosk_token, hall.board_token = hall.token("kiosk"), hall.token("board")
        yield Workers(supervisor, log, ports, nginx, cert, url, hall)
    finally:
        if nginx is not None:
            nginx.stop()
        left = worker_pids(supervisor.pid)
        stop_process(supervisor)  # SIGTERM: it stops its workers
        for pid in left.values():  # a worker the supervisor lost, if any
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        next(fresh, None)


def _healthy(url: str, supervisor: subprocess.Popen[bytes], log: Path) -> bool:
    if supervisor.poll() is not None:
        raise AssertionError(f"hallq serve exited with {supervisor.returncode}:\n{log.read_text()[-3000:]}")
    try:
        return requests.get(url + "/healthz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


class InOrderEngineIO(engineio.Client):
    """Hands each message to the handler in the reader thread, in the order it came, as a
    browser does (python-engineio starts a thread per message: two pushes a few ms apart could
    reach the handler swapped, and the board would see a gap the server never made)."""

    def _trigger_event(self, event: str, *args: Any, **kwargs: Any) -> Any:
        if event == "message":
            kwargs["run_async"] = False
        return super()._trigger_event(event, *args, **kwargs)


class InOrderClient(socketio.Client):
    def _engineio_client_class(self) -> type[engineio.Client]:
        return InOrderEngineIO


class Board(SeqBoard):
    """A board through nginx over TLS that reconnects by itself (Socket.IO's own reconnection)
    and then subscribes again with `since` = its last seq, as static/js/lib/live.js does.

    Like live.js it keeps the events that come after a gap and asks for one resync at a time
    (the Redis fault's board asks once per such event), and like a browser it handles messages
    in the order they came (python-engineio would start a thread per message: InOrderClient).
    """

    def __init__(self, workers: Workers) -> None:
        super().__init__(workers.nginx.url, workers.hall.board_token)
        self.client = InOrderClient(
            reconnection=True,
            reconnection_delay=0.2,
            reconnection_delay_max=1,
            http_session=workers.session(),
        )
        self.client.on("*", self._on_any)
        self.client.on("connect", self._on_connect)
        #: (monotonic time, worker port) of each subscription acknowledged
        self.subscribed: list[tuple[float, int]] = []
        self.connections = 0
        self.buffer: dict[int, dict[str, Any]] = {}  # pushed after a gap, by seq
        self.why: list[str] = []  # what made it resync
        self.timeouts = 0  # subscribes unanswered in 10 s on a live connection, and asked again
        self.resyncing = False

    def connect(self) -> None:
        self.client.connect(self.url, auth={"token": self.token}, transports=["websocket"], wait_timeout=20)
        wait_until(lambda: self.subscribed, "the board's first subscription")

    def port(self) -> int:
        with self.lock:
            return self.subscribed[-1][1]

    def _on_connect(self) -> None:
        with self.lock:
            self.connections += 1
        threading.Thread(target=self._subscribe, daemon=True).start()  # not in the reader thread

    def _subscribe(self) -> None:
        port = int(str(self.client.eio.sid).split(".", 1)[0])
        with self.lock:
            first = self.seq is None
        if first:
            ack = self._ask(None)
            if ack is None:
                return  # the connection was cut: its reconnection subscribes again
            assert "snapshot" in ack, ack
            with self.lock:
                self.seq = ack["seq"]
        else:
            self.resync()
        with self.lock:
            self.subscribed.append((time.monotonic(), port))
            self.lock.notify_all()

    def state(self) -> dict[str, Any]:
        """What a failure message says about this board."""
        with self.lock:
            return {
                "seq": self.seq,
                "buffered": sorted(self.buffer)[:5],
                "resyncs": self.resyncs,
                "connections": self.connections,
                "connected": self.client.connected,
                "subscribe timeouts": self.timeouts,
                "why": self.why[-6:],
            }

    def _on_any(self, event: str, data: Any = None) -> None:
        if event == "realtime.resync":
            with self.lock:
                self.why.append("realtime.resync")
            self._resync_soon(force=True)
            return
        if not isinstance(data, dict) or not isinstance(data.get("seq"), int):
            return
        with self.lock:
            if self.seq is None:
                return  # before the first subscription's answer, which covers it
            self.buffer[data["seq"]] = data
            gap = self._drain()
        if gap:
            self._resync_soon(force=False)

    def _drain(self) -> bool:
        """Apply the buffered events that follow on; True when a gap is left (under the lock)."""
        assert self.seq is not None
        for seq in sorted(self.buffer):
            if seq <= self.seq:
                del self.buffer[seq]
            elif seq == self.seq + 1:
                self._apply(self.buffer.pop(seq))
            else:
                break
        return bool(self.buffer)

    def _resync_soon(self, force: bool) -> None:
        with self.lock:
            if self.resyncing:
                return
            self.resyncing = True
        threading.Thread(target=self._resync_when_needed, args=(force,), daemon=True).start()

    def _resync_when_needed(self, force: bool) -> None:
        """Resync until no gap is left (the events pushed meanwhile may leave one)."""
        while True:
            with self.lock:
                if not (force or self._drain()):
                    self.resyncing = False
                    return
                self.why.append(f"gap after {self.seq}: {sorted(self.buffer)[:3]}")
            try:
                self.resync()
            except BaseException:
                with self.lock:
                    self.resyncing = False
                raise
            force = False

    def _ask(self, since: int | None) -> dict[str, Any] | None:
        """`subscribe` with `since`, as live.js asks it: an ask left unanswered on a live connection
        is asked again (counted in `timeouts`); None when the connection it was asked on was cut
        (the reconnection subscribes again by itself)."""
        with self.lock:
            connection = self.connections
        while True:
            try:
                return dict(self.client.call("subscribe", {"hall": "demo", "since": since}, timeout=10))
            except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError):
                with self.lock:
                    if self.connections != connection or not self.client.connected:
                        return None
                    self.timeouts += 1

    def resync(self) -> None:
        """As the Redis fault's board (events after `since`, applied in order), then what was
        buffered."""
        with self.lock:
            since, self.resyncs = self.seq, self.resyncs + 1
        ack = self._ask(since)
        if ack is None:
            return
        assert "events" in ack, f"a board a few events behind gets events, not a snapshot: {ack}"
        for env in sorted(ack["events"], key=lambda e: e["seq"]):
            self._apply(env)
        with self.lock:
            self._drain()


@dataclass
class Load:
    """Kiosks and clerks working through nginx; what was acknowledged, and what failed."""

    workers: Workers
    stop: threading.Event = field(default_factory=threading.Event)
    tickets: list[tuple[str, str]] = field(default_factory=list)  # (id, number) answered 201
    calls: list[tuple[int, str]] = field(default_factory=list)  # (window, number) answered 200
    posts: int = 0  # POST /tickets sent
    failed: Counter[str] = field(default_factory=Counter)  # what did not answer 2xx, by kind
    lock: threading.Lock = field(default_factory=threading.Lock)
    threads: list[threading.Thread] = field(default_factory=list)
    signed_in: list[bool] = field(default_factory=list)

    def send(self, http: requests.Session, method: str, path: str, token: str) -> requests.Response | None:
        """The answer, or None when the request was cut (counted by kind)."""
        try:
            r = http.request(
                method,
                self.workers.nginx.url + "/api/v1" + path,
                headers={"Authorization": f"Bearer {token}"},
                json={"service": "A"} if path == "/tickets" else None,
                timeout=10,
            )
        except requests.RequestException as err:
            with self.lock:
                self.failed[f"{method} {_kind(path)}: {type(err).__name__}"] += 1
            return None
        if r.status_code >= 300 and not (r.status_code == 409 and method == "POST"):
            with self.lock:
                self.failed[f"{method} {_kind(path)}: {r.status_code}"] += 1
        return r

    def kiosk(self) -> None:
        http, token = self.workers.session(), self.workers.hall.kiosk_token
        while not self.stop.is_set():
            with self.lock:
                self.posts += 1
            r = self.send(http, "POST", "/tickets", token)
            if r is not None and r.status_code == 201:
                with self.lock:
                    self.tickets.append((r.json()["id"], r.json()["number"]))
            time.sleep(0.05)

    def clerk(self, username: str, window: int, token: str) -> None:
        http = self.workers.session()
        # both at once: a deadlock on PostgreSQL until window rows were locked FOR NO KEY UPDATE
        # (services/core/rows.py), as each sign-in records an event for the other's window
        signed = self.send(http, "POST", f"/windows/{window}/sign-in", token)
        self.signed_in.append(signed is not None and signed.status_code == 200)
        while not self.stop.is_set():
            r = self.send(http, "POST", f"/windows/{window}/call-next", token)
            if r is not None and r.status_code == 200:
                with self.lock:
                    self.calls.append((window, r.json()["number"]))
            elif r is not None and r.status_code == 204:
                time.sleep(0.05)  # nobody waits
                continue
            # finish whatever is at the window: the number just called, or one whose call was
            # committed but never acknowledged (the request cut by the kill)
            for tid, status in self._at_window(window):
                if status == "called":
                    self.send(http, "POST", f"/tickets/{tid}/start", token)
                self.send(http, "POST", f"/tickets/{tid}/complete", token)

    def _at_window(self, window: int) -> list[tuple[str, str]]:
        engine = create_engine(self.workers.database_url)
        try:
            with engine.connect() as conn:
                rows = conn.execute(
                    text(
                        "SELECT public_id, status FROM tickets"
                        " WHERE window_id = :w AND status IN ('called', 'serving')"
                    ),
                    {"w": window},
                )
                return [(tid, status) for tid, status in rows]
        finally:
            engine.dispose()

    def _recorded(self, work: Callable[..., None], *args: Any) -> None:
        """Run one load thread; an exception in it is a failure the test names, not a warning."""
        try:
            work(*args)
        except Exception as err:  # noqa: BLE001 - reported by the assertions on `failed`
            with self.lock:
                self.failed[f"{work.__name__} thread: {type(err).__name__}: {err}"] += 1
            if work == self.clerk:
                self.signed_in.append(False)

    def start(self) -> None:
        # the tokens first, in this thread: each is made by an app of its own
        tokens = {username: self.workers.hall.clerk_token(username) for username, _ in CLERKS}
        for _ in range(KIOSKS):
            self.threads.append(threading.Thread(target=self._recorded, args=(self.kiosk,), daemon=True))
        for username, window in CLERKS:
            self.threads.append(
                threading.Thread(
                    target=self._recorded, args=(self.clerk, username, window, tokens[username]), daemon=True
                )
            )
        for t in self.threads:
            t.start()

    def finish(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(30)
            assert not t.is_alive(), "a load thread hangs"


def _kind(path: str) -> str:
    return re.sub(r"/(tickets|windows)/[^/]+/", r"/\1/…/", path)


def test_kill_9_of_one_worker_under_load_loses_nothing_acknowledged(workers: Workers) -> None:

    # the duties are held before anything else happens (a takeover needs a holder first)
    def every_duty_held() -> dict[str, tuple[str, int]] | None:
        held = duty_leases(workers.database_url)
        return held if set(held) == set(DUTIES) else None

    held = wait_until(every_duty_held, "every duty held")
    pids = workers.pids()
    assert set(pids) == set(workers.ports), pids
    victim_pid = held[PRINT][1]
    victim_port = next(p for p, pid in pids.items() if pid == victim_pid)

    boards = [Board(workers) for _ in range(BOARDS)]
    for b in boards:
        b.connect()
    try:
        on_victim = [b for b in boards if b.port() == victim_port]
        assert on_victim and len(on_victim) < BOARDS, "round-robin spreads the boards over both workers"

        before = _count_tickets(workers.database_url)
        load = Load(workers)
        load.start()
        try:
            wait_until(lambda: len(load.signed_in) == len(CLERKS), "the clerks signed in")
            assert all(load.signed_in), f"every clerk signed in: {dict(load.failed)}"
            time.sleep(BEFORE_S)
            os.kill(victim_pid, signal.SIGKILL)
            killed_at = time.monotonic()

            def duties_on_live_processes() -> dict[str, tuple[str, int]] | None:
                h = duty_leases(workers.database_url)
                live = set(workers.pids().values()) - {victim_pid}  # the supervisor reaps it in 0.2 s
                ok = set(h) == set(DUTIES) and {pid for _, pid in h.values()} <= live
                return h if ok else None

            moved = wait_until(
                duties_on_live_processes, "every duty held by a live process", timeout=4 * LEASE_S
            )
            takeover_s = time.monotonic() - killed_at
            rest = AFTER_S - (time.monotonic() - killed_at)
            if rest > 0:
                time.sleep(rest)  # the load goes on: the fault's length, not a synchronisation
        finally:
            load.finish()

        # the supervisor restarted the killed worker on its port
        def replaced() -> dict[int, int] | None:
            now = workers.pids()
            return now if set(now) == set(workers.ports) and victim_pid not in now.values() else None

        restarted = wait_until(replaced, "the supervisor restarts the killed worker")
        assert f"pid {victim_pid}, exited with signal SIGKILL; restarting" in workers.log.read_text()

        # one more call after the load: every board must end with it, having filled any gap
        marker = _one_call(load)
        try:
            for b in boards:
                wait_until(lambda b=b: b.has_calls([marker]), "every board hears the last call", timeout=20)
        except AssertionError as err:
            raise AssertionError(f"{err}; boards: {[b.state() for b in boards]}") from None

        # -- every acknowledged ticket is stored exactly once, no number twice
        engine = create_engine(workers.database_url)
        try:
            with engine.connect() as conn:
                stored = Counter(tid for (tid,) in conn.execute(text("SELECT public_id FROM tickets")))
                twice = conn.execute(
                    text(
                        "SELECT counter_service_id, business_day, number, count(*) FROM tickets"
                        " GROUP BY counter_service_id, business_day, number HAVING count(*) > 1"
                    )
                ).all()
        finally:
            engine.dispose()
        new = _count_tickets(workers.database_url) - before - 1  # the marker's ticket
        assert not twice, f"numbers given twice: {twice}"
        lost = [t for t in load.tickets if stored[t[0]] != 1]
        assert not lost, f"acknowledged tickets not stored once: {lost}"
        # a POST nginx resent after it reached the dead worker would make two tickets of one request
        assert len(load.tickets) <= new <= load.posts, (len(load.tickets), new, load.posts)

        # -- every acknowledged call reached every board, in seq order, each seq applied once
        called = [number for _, number in load.calls]
        assert called, "the clerks called during the load"
        for b in boards:
            with b.lock:
                assert b.applied == list(range(b.applied[0], b.applied[-1] + 1)), "each seq once, no gap"
                missing = [n for n in called if n not in b.calls]
                assert not missing, f"a board missed acknowledged calls {missing}"
                for _, window in CLERKS:  # each window's calls in the order the clerk made them
                    at = [n for w, n in load.calls if w == window]
                    assert [n for n in b.calls if n in at] == at
        reference = boards[0].calls
        assert all(b.calls == reference for b in boards), "every board applied the same calls, in order"

        # -- the boards of the killed worker reconnected (through nginx) and resynced
        reconnect_s = []
        for b in on_victim:
            with b.lock:
                after = [(t, port) for t, port in b.subscribed if t > killed_at]
                assert after, "a board of the killed worker subscribed again"
                assert b.resyncs >= 1
            reconnect_s.append(after[0][0] - killed_at)
        for b in boards:
            assert b.client.connected
        # out-of-order pushes between the two processes do not make boards subscribe again and
        # again until the per-socket budget cuts them (realtime/queue.py: SeqOrder)
        assert "socket cut" not in workers.log.read_text()

        survivor_pid = next(pid for p, pid in pids.items() if p != victim_port)
        holders = {pid for _, pid in moved.values()}
        report: dict[str, Any] = {
            "requests acknowledged": len(load.tickets) + len(load.calls),
            "tickets acknowledged": len(load.tickets),
            "calls acknowledged": len(called),
            "not acknowledged": dict(load.failed),
            "tickets stored but not acknowledged": new - len(load.tickets),
            "boards on the killed worker": len(on_victim),
            "resyncs per board": [b.resyncs for b in boards],
            "subscribes asked again after 10 s unanswered": sum(b.timeouts for b in boards),
            "reconnect s (first, last)": (round(min(reconnect_s), 2), round(max(reconnect_s), 2)),
            "resubscribed on ports": sorted({b.port() for b in on_victim}),
            "duty takeover s": round(takeover_s, 2),
            "duties went to": "the survivor"
            if holders == {survivor_pid}
            else "the restarted worker"
            if holders == {restarted[victim_port]}
            else f"both: {holders}",
        }
        # last, while the checks above ran: the replacement the supervisor started serves
        wait_until(lambda: _answers(victim_port), "the restarted worker answers")
        report["restarted worker answers after s (at most)"] = round(time.monotonic() - killed_at, 1)
        print(f"\nkill -9 of worker {victim_port}: {report}")
        assert max(reconnect_s) < 10
    finally:
        for b in boards:
            b.client.disconnect()


def _answers(port: int) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _count_tickets(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM tickets")).scalar_one())
    finally:
        engine.dispose()


def _one_call(load: Load) -> str:
    """A ticket issued and called through nginx at window 2, once the load has stopped."""
    http, hall = load.workers.session(), load.workers.hall
    clerk, kiosk = hall.clerk_token("clerk02"), hall.kiosk_token
    for tid, status in load._at_window(2):  # a number left there by a request the kill cut
        if status == "called":
            load.send(http, "POST", f"/tickets/{tid}/start", clerk)
        load.send(http, "POST", f"/tickets/{tid}/complete", clerk)
    issued = load.send(http, "POST", "/tickets", kiosk)
    assert issued is not None and issued.status_code == 201, issued and issued.text
    called = load.send(http, "POST", "/windows/2/call-next", clerk)
    assert called is not None and called.status_code == 200, called and called.text
    return str(called.json()["number"])


# -- nginx never resends a POST that reached a dead upstream --------------------------------------


class Upstream:
    """A fake worker on a loopback port: counts the requests it reads; `die` closes each one
    without answering (as a worker killed mid-request), else answers 200."""

    def __init__(self, die: bool) -> None:
        self.die, self.seen = die, Counter[str]()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = int(self.sock.getsockname()[1])
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                data += chunk
            self.seen[data.split(b" ", 1)[0].decode()] += 1
            if self.die:
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close: RST
                return
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")


def test_nginx_resends_no_post_that_reached_a_dead_worker(tmp_path: Path) -> None:
    """The template's `proxy_next_upstream error timeout` (no `non_idempotent`): a GET cut by a
    dying worker is retried on the other; a POST is not, it answers 502 (the client knows it was
    not acknowledged; a kiosk asks again, it never prints one ticket twice for one press)."""
    if not NGINX.exists():
        need_cluster_tools()
    assert re.search(r"^\s*proxy_next_upstream error timeout;", TEMPLATE.read_text(), re.M)
    assert "non_idempotent" not in TEMPLATE.read_text()
    version = subprocess.run([str(NGINX), "-v"], capture_output=True, text=True).stderr
    m = re.search(r"nginx/(\d+)\.(\d+)\.(\d+)", version)
    assert m and tuple(map(int, m.groups())) >= (1, 9, 13), version

    dying, alive = Upstream(die=True), Upstream(die=False)
    cert, key = self_signed(tmp_path)
    port = free_port()
    site = render(
        [("", "127.0.0.1", dying.port), ("", "127.0.0.1", alive.port)],
        f"127.0.0.1:{port}", "localhost", str(cert), str(key), str(tmp_path / "nginx/logs/access.log"),
    )  # fmt: skip
    conf = write_standalone(tmp_path / "nginx", site)
    http = requests.Session()
    http.verify, http.trust_env = str(cert), False

    def until_the_dying_one_reads_one(method: str, path: str) -> list[int]:
        """A fresh nginx (no memory of failed peers), sent requests round-robin until the dying
        worker read one (the first, or the second: it is listed first)."""
        nginx = Nginx(tmp_path / "nginx", conf, port)
        nginx.start(cert)
        try:
            answers: list[int] = []
            while not dying.seen[method] and len(answers) < 6:
                answers.append(http.request(method, nginx.url + path, json={}, timeout=10).status_code)
            return answers
        finally:
            nginx.stop()

    try:
        posts = until_the_dying_one_reads_one("POST", "/api/v1/tickets")
        assert dying.seen["POST"] == 1, f"a POST reached the dying worker: {posts}"
        assert posts[-1] == 502 and posts[:-1] == [200] * (len(posts) - 1), (
            f"the cut POST answers 502: {posts}"
        )
        assert alive.seen["POST"] == len(posts) - 1, "and was not sent again to the other worker"
        gets = until_the_dying_one_reads_one("GET", "/api/v1/halls/demo/snapshot")
        assert dying.seen["GET"] == 1, f"a GET reached the dying worker: {gets}"
        assert gets == [200] * len(gets), f"a cut GET is sent again to the other worker: {gets}"
        assert alive.seen["GET"] == len(gets)
    finally:
        dying.sock.close()
        alive.sock.close()
