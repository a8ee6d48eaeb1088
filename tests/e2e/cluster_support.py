"""Several real server processes behind a real nginx (Debian's), for the cluster tests.

nginx runs as a private instance in a temporary folder on an unprivileged loopback port (its
own prefix, pid, logs and temp folders; the system's nginx is never touched), with TLS from a
self-signed certificate made here by openssl. PostgreSQL and Redis are the machine's
(HALLQ_TEST_POSTGRES_URL, HALLQ_TEST_REDIS_URL); each test gets a fresh database.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

NGINX = Path("/usr/sbin/nginx")
#: CI sets this: there a missing nginx (or PostgreSQL, Redis) is a failure, not a skip
REQUIRED = os.environ.get("HALLQ_TEST_REQUIRE_BROWSER") == "1"
#: generous: a loaded 2-core machine starts a gevent server in seconds, sometimes many
WAIT_S = 40.0


def need_cluster_tools() -> tuple[str, str]:
    """The PostgreSQL and Redis URLs, or skip (fail in CI) with what is missing."""
    missing = [
        what
        for what, ok in (
            (f"Debian's nginx at {NGINX} (apt-get install nginx)", NGINX.exists()),
            ("openssl (apt-get install openssl)", shutil.which("openssl") is not None),
            ("HALLQ_TEST_POSTGRES_URL", bool(os.environ.get("HALLQ_TEST_POSTGRES_URL"))),
            ("HALLQ_TEST_REDIS_URL", bool(os.environ.get("HALLQ_TEST_REDIS_URL"))),
        )
        if not ok
    ]
    if missing:
        reason = "cluster tests need " + ", ".join(missing)
        if REQUIRED:
            pytest.fail(reason)
        pytest.skip(reason)
    return os.environ["HALLQ_TEST_POSTGRES_URL"], os.environ["HALLQ_TEST_REDIS_URL"]


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, valid two days (openssl, no download)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )  # fmt: skip
    return cert, key


def stop_process(process: subprocess.Popen[Any] | None) -> None:
    """Terminate a helper process (nginx, redis-server) and wait for it; kill it if it lingers."""
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


class Nginx:
    """A private nginx in `folder` (started by `start`, stopped by `stop`)."""

    def __init__(self, folder: Path, conf: Path, port: int) -> None:
        self.folder, self.conf, self.port = folder, conf, port
        self.url = f"https://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.access_log = folder / "logs" / "access.log"

    def _cmd(self, *extra: str) -> list[str]:
        return [
            str(NGINX),
            "-p",
            str(self.folder),
            "-c",
            str(self.conf),
            "-e",
            str(self.folder / "logs/error.log"),
            *extra,
        ]

    def start(self, cert: Path) -> None:
        test = subprocess.run(self._cmd("-t"), capture_output=True, text=True, timeout=30)
        assert test.returncode == 0, test.stderr
        self.process = subprocess.Popen(self._cmd("-g", "daemon off;"), stderr=subprocess.DEVNULL)
        wait_until(lambda: _answers(self.url + "/static/vendor/socket.io/VERSION", cert), "nginx answers")

    def stop(self) -> None:
        stop_process(self.process)

    def upstreams(self, path_prefix: str) -> Counter[str]:
        """How many logged requests for paths starting with `path_prefix` each upstream answered
        ("-": nginx answered itself)."""
        seen: Counter[str] = Counter()
        for line in self.access_log.read_text().splitlines():
            m = re.search(r'"[A-Z]+ (\S+) [^"]*" \d+ \d+ upstream=(\S+)', line)
            if m and m[1].startswith(path_prefix):
                seen[m[2]] += 1
        return seen


def _answers(url: str, cert: Path) -> bool:
    try:
        return requests.get(url, verify=str(cert), timeout=2).status_code == 200
    except requests.RequestException:
        return False


def wait_until(condition: Callable[[], Any], what: str, timeout: float = WAIT_S) -> Any:
    """Poll `condition` until it is truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for: {what}")


# --- `hallq serve --workers N` under test (tests/e2e/test_fault_worker_kill.py) -----------------


def free_ports(count: int) -> int:
    """The first of `count` consecutive free loopback ports (what `serve --workers N --port P` takes)."""
    import socket

    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            first = int(s.getsockname()[1])
        try:
            for p in range(first, first + count):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", p))
        except OSError:
            continue
        if first + count <= 65536:
            return first
    raise AssertionError(f"no {count} consecutive free ports")


def worker_pids(supervisor: int) -> dict[int, int]:
    """{port: pid} of the supervisor's workers (from /proc): a forked worker is named
    `hallq:PORT` (gevent, threading), a worker of its own is `hallq serve --port P` (eventlet)."""
    found: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # the parent pid is the 2nd field after the parenthesised command name
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            comm = (entry / "comm").read_text().strip()
            args = (entry / "cmdline").read_bytes().decode().split("\0")
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        if ppid != supervisor:
            continue
        if comm.startswith("hallq:"):
            found[int(comm.removeprefix("hallq:"))] = int(entry.name)
        elif "--workers" not in args and "--port" in args:
            found[int(args[args.index("--port") + 1])] = int(entry.name)
    return found


def duty_leases(database_url: str) -> dict[str, tuple[str, int]]:
    """{duty: (holder, pid)} of the duty leases not yet lapsed (table duty_leases)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            # naive UTC in the table (storage/types.py), whatever the session's time zone
            rows = conn.execute(
                text(
                    "SELECT duty, holder, pid FROM duty_leases WHERE expires_at > (now() AT TIME ZONE 'UTC')"
                )
            )
            return {duty: (holder, pid) for duty, holder, pid in rows}
    finally:
        engine.dispose()
