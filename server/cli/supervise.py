"""`hallq serve --workers N`: N server processes on ports PORT … PORT+N-1, kept running.

Each worker serves one port with its own listening socket (Socket.IO's long-polling needs every
request of a client to reach the process that holds its session, so the processes never share one
socket; nginx spreads clients, docs/deployment.md). The schema is upgraded once here, before any
worker starts. A worker that exits is restarted within a second (with a growing pause when it
keeps dying at once); SIGTERM or SIGINT stops them all.

With gevent and threading the supervisor patches and imports the server's code once, and each
worker is a fork of it that only builds its app (`Preforked`): a restarted worker answers in a
fraction of a second instead of the seconds a new interpreter spends importing, which is most of
a reconnect storm after a restart (docs/performance.md). A forked worker is named `hallq:PORT`
(its /proc comm, what `ps -o comm` and `top` show). With eventlet, whose hub does not survive a
fork, each worker is a new `hallq serve --port P+i` process.

Like the rest of `hallq serve` before `_prepare_async`, this module imports nothing at its top
that gevent or eventlet would need to patch first (sockets, threads, subprocess).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Preforked:
    """How workers start as forks of the supervisor: `prepare` runs once in the supervisor before
    anything else (the async mode's monkey patching, then the imports); `serve(host, port)` runs
    in each forked worker and never returns."""

    prepare: Callable[[], None]
    serve: Callable[[str, int], None]


def process_name(port: int) -> str:
    """A forked worker's name in /proc/PID/comm (at most 15 bytes)."""
    return f"hallq:{port}"


def _set_process_name(name: str) -> None:
    """Set /proc/self/comm (Linux's prctl PR_SET_NAME); elsewhere nothing happens."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(15, name.encode()[:15], 0, 0, 0)  # 15 = PR_SET_NAME
    except (OSError, AttributeError):
        pass


class Worker:
    def __init__(
        self, index: int, host: str, port: int, env: dict[str, str], forked: Preforked | None = None
    ) -> None:
        self.index, self.host, self.port, self.env, self.forked = index, host, port, env, forked
        self.process: Any = None  # the Popen of a worker that is its own interpreter
        self.pid: int | None = None
        self.returncode: int | None = None
        self.started = 0.0
        self.quick_deaths = 0
        self.restart_at: float | None = None

    def start(self) -> None:
        import subprocess
        import time

        self.returncode = None
        if self.forked is not None:
            self.process = None
            self.pid = self._fork(self.forked)
        else:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "server", "serve", "--host", self.host, "--port", str(self.port)],
                env=self.env,
            )
            self.pid = self.process.pid
        self.started = time.monotonic()
        self.restart_at = None

    def _fork(self, forked: Preforked) -> int:
        import signal
        import traceback

        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid:
            return pid
        # the worker: it must never return into the supervisor's loop below (its `finally`
        # would stop the other workers), so every way out is os._exit
        status = 1
        try:
            for s in (signal.SIGTERM, signal.SIGINT):
                signal.signal(s, signal.SIG_DFL)  # a worker stops at once, as a new process would
            os.environ.clear()
            os.environ.update(self.env)
            _set_process_name(process_name(self.port))
            forked.serve(self.host, self.port)
            status = 0
        except BaseException:  # noqa: BLE001 - told on stderr; the supervisor restarts the worker
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(status)

    def poll(self) -> int | None:
        """The exit status (negative: the signal) once the worker has ended, else None."""
        if self.returncode is not None or self.pid is None:
            return self.returncode
        if self.process is not None:
            self.returncode = self.process.poll()
            return self.returncode
        try:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:  # reaped elsewhere: gone, how is not known
            self.returncode = 1
            return self.returncode
        if pid == 0:
            return None
        self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def signal(self, signum: int) -> None:
        if self.pid is not None and self.poll() is None:
            try:
                os.kill(self.pid, signum)
            except ProcessLookupError:
                pass

    def wait(self, timeout_s: float) -> bool:
        """Whether the worker ended within `timeout_s`."""
        import time

        deadline = time.monotonic() + timeout_s
        while self.poll() is None:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
        return True

    def name(self) -> str:
        return f"worker {self.index + 1} (port {self.port})"


def supervise(
    settings: dict[str, Any], host: str, port: int, workers: int, forked: Preforked | None = None
) -> None:
    """Run `workers` server processes until SIGTERM or SIGINT; restart any that dies. With
    `forked`, each is a fork of this process (prepared once here), else a new interpreter."""
    from .. import config

    if not settings.get("MESSAGE_QUEUE"):
        raise UserError(
            f"--workers {workers} needs HALLQ_MESSAGE_QUEUE=redis://…: without it a call made on one "
            "process never reaches the boards connected to another (one process needs none)"
        )
    if forked is not None:
        forked.prepare()  # before anything below imports sockets or threads
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
    _run([Worker(i, host, p, env, forked) for i, p in enumerate(ports)])


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
        pids = ", ".join(str(w.pid) for w in pool)
        _say(f"{len(pool)} workers on ports {pool[0].port}-{pool[-1].port} (pids {pids})")
        while not stopping:
            now = time.monotonic()
            for w in pool:
                if w.restart_at is not None:
                    if now >= w.restart_at:
                        w.start()
                        _say(f"{w.name()} restarted (pid {w.pid})")
                    continue
                rc = w.poll()
                if rc is None or stopping:
                    continue
                w.quick_deaths = w.quick_deaths + 1 if now - w.started < QUICK_DEATH_S else 1
                pause = backoff(w.quick_deaths)
                _say(
                    f"{w.name()}, pid {w.pid}, exited with {_exit_text(rc)}; restarting"
                    + (f" in {pause:.0f} s" if pause else "")
                )
                w.restart_at = now + pause
            time.sleep(0.2)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        _stop_all(pool)


def _stop_all(pool: list[Worker]) -> None:
    import signal

    alive = [w for w in pool if w.pid is not None and w.poll() is None]
    for w in alive:
        w.signal(signal.SIGTERM)
    for w in alive:
        if not w.wait(STOP_GRACE_S):
            w.signal(signal.SIGKILL)
            w.wait(5)
    if alive:
        _say(f"stopped {len(alive)} worker(s)")
