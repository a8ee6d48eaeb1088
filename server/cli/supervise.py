"""`hallq serve --workers N`: N server processes on ports PORT … PORT+N-1, kept running.

Each worker is a plain `hallq serve --port P+i` with its own listening socket (Socket.IO's
long-polling needs every request of a client to reach the process that holds its session, so the
processes never share one socket; nginx spreads clients, docs/deployment.md). The schema is
upgraded once here, before any worker starts. A worker that exits is restarted within a second
(with a growing pause when it keeps dying at once); SIGTERM or SIGINT stops them all.

Like the rest of `hallq serve` before `_prepare_async`, this module imports nothing at its top
that gevent or eventlet would need to patch first (sockets, threads, subprocess).
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from .base import UserError

#: a worker that dies sooner than this after its start counts as failing at once
QUICK_DEATH_S = 10.0
#: the longest pause before restarting a worker that keeps dying at once
MAX_BACKOFF_S = 30.0
#: how long a stopping worker gets before it is killed
STOP_GRACE_S = 10.0


def check_port(host: str, port: int) -> None:
    """Refuse a port that is taken (or a host that is not ours) before migrating and seeding."""
    import errno
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as err:
        raise UserError(f"cannot listen on {host}:{port}: {err.strerror or err}") from err
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers do
        try:
            sock.bind(address)
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                raise UserError(f"port {port} on {host} is in use: choose another with --port") from err
            raise UserError(f"cannot listen on {host}:{port}: {err.strerror or err}") from err


def backoff(quick_deaths: int) -> float:
    """Seconds to wait before restarting a worker that died `quick_deaths` times in a row right
    after starting: none the first time, then 1, 2, 4 … up to MAX_BACKOFF_S."""
    if quick_deaths <= 1:
        return 0.0
    return float(min(MAX_BACKOFF_S, 2 ** (quick_deaths - 2)))


def _exit_text(rc: int) -> str:
    import signal

    if rc < 0:
        try:
            return f"signal {signal.Signals(-rc).name}"
        except ValueError:
            return f"signal {-rc}"
    return f"status {rc}"


def _say(text: str) -> None:
    click.echo(f"hallq serve: {text}", err=True)


class Worker:
    def __init__(self, index: int, host: str, port: int, env: dict[str, str]) -> None:
        self.index, self.host, self.port, self.env = index, host, port, env
        self.process: Any = None
        self.started = 0.0
        self.quick_deaths = 0
        self.restart_at: float | None = None

    def start(self) -> None:
        import subprocess
        import time

        self.process = subprocess.Popen(
            [sys.executable, "-m", "server", "serve", "--host", self.host, "--port", str(self.port)],
            env=self.env,
        )
        self.started = time.monotonic()
        self.restart_at = None

    def name(self) -> str:
        return f"worker {self.index + 1} (port {self.port})"


def supervise(settings: dict[str, Any], host: str, port: int, workers: int) -> None:
    """Run `workers` server processes until SIGTERM or SIGINT; restart any that dies."""
    from .. import config

    if not settings.get("MESSAGE_QUEUE"):
        raise UserError(
            f"--workers {workers} needs HALLQ_MESSAGE_QUEUE=redis://…: without it a call made on one "
            "process never reaches the boards connected to another (one process needs none)"
        )
    ports = list(range(port, port + workers))
    for p in ports:
        check_port(host, p)
    url = settings["DATABASE_URL"]
    if config.sqlite_path(url) is not None:
        _say(
            f"{workers} processes on one SQLite file: supported on this one machine (WAL, every write "
            "BEGIN IMMEDIATE); for several machines or a standby use PostgreSQL (docs/deployment.md)"
        )
    if settings["AUTO_MIGRATE"]:
        from ..storage.migrate import upgrade

        upgrade(url)  # once, here: the workers start with HALLQ_AUTO_MIGRATE=false
    env = {
        **os.environ,
        "HALLQ_DATABASE_URL": url,
        "HALLQ_ASYNC_MODE": settings["ASYNC_MODE"],
        "HALLQ_SECRET_KEY": settings["SECRET_KEY"],  # the same on every worker (sessions, CSRF)
        "HALLQ_AUTO_MIGRATE": "false",
        "HALLQ_SUPERVISOR_PID": str(os.getpid()),
    }
    _run([Worker(i, host, p, env) for i, p in enumerate(ports)])


def _run(pool: list[Worker]) -> None:
    import signal
    import time

    stopping: list[int] = []

    def stop(signum: int, _frame: Any) -> None:
        stopping.append(signum)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        for w in pool:
            w.start()
        pids = ", ".join(str(w.process.pid) for w in pool)
        _say(f"{len(pool)} workers on ports {pool[0].port}-{pool[-1].port} (pids {pids})")
        while not stopping:
            now = time.monotonic()
            for w in pool:
                if w.restart_at is not None:
                    if now >= w.restart_at:
                        w.start()
                        _say(f"{w.name()} restarted (pid {w.process.pid})")
                    continue
                rc = w.process.poll()
                if rc is None or stopping:
                    continue
                w.quick_deaths = w.quick_deaths + 1 if now - w.started < QUICK_DEATH_S else 1
                pause = backoff(w.quick_deaths)
                _say(
                    f"{w.name()}, pid {w.process.pid}, exited with {_exit_text(rc)}; restarting"
                    + (f" in {pause:.0f} s" if pause else "")
                )
                w.restart_at = now + pause
            time.sleep(0.2)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        _stop_all(pool)


def _stop_all(pool: list[Worker]) -> None:
    import subprocess

    alive = [w for w in pool if w.process is not None and w.process.poll() is None]
    for w in alive:
        w.process.terminate()
    for w in alive:
        try:
            w.process.wait(STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            w.process.kill()
            w.process.wait(5)
    if alive:
        _say(f"stopped {len(alive)} worker(s)")
