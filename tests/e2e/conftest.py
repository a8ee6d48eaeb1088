"""Real server processes on 127.0.0.1 for end-to-end tests (HTTP, Socket.IO clients, browser)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from server import create_app
from server.demo import DEMO_PASSWORD
from server.services.accounts import create_token

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveHall:
    """A running `hallq serve` process with the demo hall, and tokens to drive it."""

    url: str
    database_url: str
    process: subprocess.Popen[bytes]
    log: Path
    hall: str = "demo"
    password: str = DEMO_PASSWORD
    kiosk_token: str = ""
    board_token: str = ""
    _tokens: dict[str, str] = field(default_factory=dict)
    #: one token made at a time: two apps created at once in two threads of a test can fail
    _token_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def token(self, role: str, user: str | None = None) -> str:
        key = f"{role}:{user}"
        with self._token_lock:
            return self._token(key, role, user)

    def _token(self, key: str, role: str, user: str | None) -> str:
        if key not in self._tokens:
            app = create_app(
                {"DATABASE_URL": self.database_url, "SECRET_KEY": "e2e", "ASYNC_MODE": "threading"}
            )
            self._tokens[key] = create_token(app.extensions["hallq"], role, self.hall, user)
            app.extensions["hallq"].db.dispose()
        return self._tokens[key]

    def add_printer(
        self, spec: str, kiosk_token: str, mode: str = "text", width_mm: int = 80
    ) -> dict[str, Any]:
        """Register a printer for a kiosk token (as `hallq printer add` does)."""
        from server.services.print_jobs import add_printer

        app = create_app({"DATABASE_URL": self.database_url, "SECRET_KEY": "e2e", "ASYNC_MODE": "threading"})
        try:
            return add_printer(
                app.extensions["hallq"], self.hall, f"printer {spec}", spec, width_mm, mode, kiosk_token
            )
        finally:
            app.extensions["hallq"].db.dispose()

    def add_window_printer(self, spec: str, window_number: int) -> dict[str, Any]:
        """Register a printer at a window (its notices and acceptance receipts)."""
        from server.services.print_jobs import add_printer

        app = create_app({"DATABASE_URL": self.database_url, "SECRET_KEY": "e2e", "ASYNC_MODE": "threading"})
        try:
            return add_printer(
                app.extensions["hallq"],
                self.hall,
                f"window {window_number}",
                spec,
                window_number=window_number,
            )
        finally:
            app.extensions["hallq"].db.dispose()

    def clerk_token(self, username: str) -> str:
        return self.token("clerk", username)

    def api(self, method: str, path: str, token: str | None = None, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return requests.request(method, self.url + "/api/v1" + path, headers=headers, timeout=10, **kwargs)


def start_server(
    database_url: str,
    workdir: Path,
    async_mode: str = "threading",
    extra_env: dict[str, str] | None = None,
    migrate: bool = True,
) -> LiveHall:
    port = free_port()
    env = {
        **os.environ,
        "HALLQ_DATABASE_URL": database_url,
        "HALLQ_ASYNC_MODE": async_mode,
        "HALLQ_SECRET_KEY": "e2e-secret",
        "HALLQ_AUTO_MIGRATE": "true" if migrate else "false",
        "PYTHONUNBUFFERED": "1",
        **(extra_env or {}),
    }
    log = workdir / f"server-{port}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "server", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(url + "/healthz", timeout=1).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.1)
    else:
        proc.kill()
        raise RuntimeError(f"server did not answer /healthz:\n{log.read_text()[-3000:]}")
    hall = LiveHall(url=url, database_url=database_url, process=proc, log=log)
    hall.kiosk_token = hall.token("kiosk")
    hall.board_token = hall.token("board")
    return hall


def stop_server(hall: LiveHall) -> None:
    hall.process.terminate()
    try:
        hall.process.wait(10)
    except subprocess.TimeoutExpired:
        hall.process.kill()
        hall.process.wait(5)


@pytest.fixture
def live_hall_factory(tmp_path: Path, sqlite_template: Path) -> Iterator[Callable[..., LiveHall]]:
    """Start real servers: `live_hall_factory(async_mode=..., database_url=...)`."""
    started: list[LiveHall] = []

    def factory(async_mode: str = "threading", database_url: str | None = None, **kwargs: Any) -> LiveHall:
        if database_url is None:
            db = tmp_path / "live.db"
            if not db.exists():
                shutil.copy(sqlite_template, db)
            database_url = f"sqlite:///{db}"
        hall = start_server(database_url, tmp_path, async_mode, **kwargs)
        started.append(hall)
        return hall

    yield factory
    for hall in started:
        stop_server(hall)


@pytest.fixture
def live_hall(live_hall_factory: Callable[..., LiveHall]) -> LiveHall:
    """The demo hall served by a real `hallq serve` process (threading mode, SQLite)."""
    return live_hall_factory()
