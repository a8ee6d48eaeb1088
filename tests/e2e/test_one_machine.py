"""docs/deployment.md's one-machine recipe, run as written: deploy/one-machine.sh starts two
processes under `hallq serve --workers 2` behind nginx (TLS) on PostgreSQL and Redis; a real
board hears a call through it; a worker killed with -9 is restarted; `stop` ends everything."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests
import socketio

from server import create_app
from server.services.accounts import create_token
from tests.e2e.cluster_support import need_cluster_tools, wait_until
from tests.e2e.conftest import free_port

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy" / "one-machine.sh"
HALLQ = Path(sys.executable).with_name("hallq")  # this checkout's, installed in the venv


def two_free_ports() -> int:
    """A port P with P+1 free too (the two workers)."""
    for _ in range(50):
        p = free_port()
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", p + 1))
            except OSError:
                continue
        return p
    raise AssertionError("no two consecutive free ports")


def tokens(url: str) -> dict[str, str]:
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "e2e", "ASYNC_MODE": "threading"})
    ctx = app.extensions["hallq"]
    try:
        return {
            "board": create_token(ctx, "board", "demo"),
            "kiosk": create_token(ctx, "kiosk", "demo"),
            "clerk": create_token(ctx, "clerk", "demo", "clerk02"),
        }
    finally:
        ctx.db.dispose()


def alive(pid: int) -> bool:
    """Running (a zombie nobody reaped yet is not: the script's processes are not our children)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "State:\tZ" not in status


def test_the_one_machine_recipe_serves_a_board_and_restarts_a_killed_worker(tmp_path, postgres_template):
    from tests.conftest import _fresh_postgres

    _, redis_url = need_cluster_tools()
    fresh = _fresh_postgres(postgres_template)
    url = next(fresh)
    home = tmp_path / "hallq"
    first, https = two_free_ports(), free_port()
    env = {
        **os.environ,
        "HALLQ_HOME": str(home),
        "HALLQ_DATABASE_URL": url,
        "HALLQ_MESSAGE_QUEUE": redis_url,
        "HALLQ_PORT": str(first),
        "HTTPS_LISTEN": f"127.0.0.1:{https}",
        "HALLQ": str(HALLQ),
        "PYTHONUNBUFFERED": "1",
    }
    log = home / "hallq.log"
    try:
        started = subprocess.run(
            ["bash", str(SCRIPT), "start"], env=env, capture_output=True, text=True, timeout=150
        )
        assert started.returncode == 0, started.stdout + started.stderr
        assert "hallq answers on" in started.stdout
        cert = home / "tls" / "cert.pem"
        base = f"https://127.0.0.1:{https}"
        t = tokens(url)

        def api(method: str, path: str, token: str, **kw) -> requests.Response:
            r = requests.request(
                method, base + "/api/v1" + path, headers={"Authorization": f"Bearer {token}"},
                verify=str(cert), timeout=10, **kw,
            )  # fmt: skip
            assert r.status_code in (200, 201), r.text
            return r

        http = requests.Session()
        http.verify, http.trust_env = str(cert), False
        board = socketio.Client(reconnection=False, http_session=http)
        heard: list[str] = []
        got = threading.Event()
        board.on("ticket.called", lambda env: (heard.append(env["data"]["ticket"]["number"]), got.set()))
        board.connect(base, auth={"token": t["board"]}, transports=["websocket"], wait_timeout=20)
        try:
            assert "snapshot" in board.call("subscribe", {"hall": "demo", "since": None}, timeout=20)
            api("POST", "/windows/2/sign-in", t["clerk"])
            api("POST", "/tickets", t["kiosk"], json={"service": "A"})
            number = api("POST", "/windows/2/call-next", t["clerk"]).json()["number"]
            assert got.wait(20) and heard == [number], f"the board heard {heard}"
        finally:
            board.disconnect()

        pids = re.search(r"2 workers on ports \d+-\d+ \(pids (\d+), (\d+)\)", log.read_text())
        assert pids, log.read_text()
        victim = int(pids[1])
        os.kill(victim, signal.SIGKILL)
        wait_until(lambda: "restarted" in log.read_text(), "the supervisor restarts the worker", timeout=5)
        assert (
            f"worker 1 (port {first}), pid {victim}, exited with signal SIGKILL; restarting"
            in log.read_text()
        )

        def answers() -> bool:
            try:
                return requests.get(f"http://127.0.0.1:{first}/healthz", timeout=2).status_code == 200
            except requests.RequestException:
                return False

        wait_until(answers, "the restarted worker answers")
    finally:
        supervisor = int((home / "hallq.pid").read_text()) if (home / "hallq.pid").exists() else None
        stopped = subprocess.run(
            ["bash", str(SCRIPT), "stop"], env=env, capture_output=True, text=True, timeout=60
        )
        next(fresh, None)
    assert stopped.returncode == 0, stopped.stderr
    assert supervisor is not None
    wait_until(lambda: not alive(supervisor), "stop ends `hallq serve`", timeout=15)
    workers = [int(p) for p in re.findall(r"restarted \(pid (\d+)\)", log.read_text())] + [int(pids[2])]
    wait_until(lambda: not any(alive(p) for p in workers), "every worker ends with it", timeout=15)
    assert not (home / "nginx" / "nginx.pid").exists(), "and nginx"
