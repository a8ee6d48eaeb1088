"""The command line, and a server killed with -9 that loses nothing it acknowledged."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from tests.e2e.conftest import ROOT

pytestmark = pytest.mark.e2e


def hallq(*args: str, db: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HALLQ_DATABASE_URL": db, "HALLQ_SECRET_KEY": "cli"}
    return subprocess.run(
        [sys.executable, "-m", "server", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_token_create_prints_a_working_token_and_refuses_bad_input(sqlite_url, live_hall_factory):
    out = hallq("token", "create", "--role", "kiosk", "--hall", "demo", db=sqlite_url)
    assert out.returncode == 0, out.stderr
    token = out.stdout.strip()
    assert token.startswith("hq_")
    no_user = hallq("token", "create", "--role", "clerk", "--hall", "demo", db=sqlite_url)
    assert no_user.returncode == 2 and "--user" in no_user.stderr
    no_hall = hallq("token", "create", "--role", "kiosk", "--hall", "nowhere", db=sqlite_url)
    assert no_hall.returncode == 2 and "hall" in no_hall.stderr
    hall = live_hall_factory(database_url=sqlite_url)
    assert hall.api("POST", "/tickets", token, json={"service": "A"}).status_code == 201


def test_db_upgrade_creates_the_schema(tmp_path):
    url = f"sqlite:///{tmp_path}/new.db"
    out = hallq("db", "upgrade", db=url)
    assert out.returncode == 0 and "up to date" in out.stdout
    assert hallq("demo-seed", db=url).stdout.strip() == "demo hall created"
    assert hallq("demo-seed", db=url).stdout.strip() == "demo hall exists already"


def test_kill_9_loses_no_acknowledged_ticket_or_call(live_hall_factory, sqlite_url):
    hall = live_hall_factory(database_url=sqlite_url)
    clerk = hall.clerk_token("clerk02")
    hall.api("POST", "/windows/2/sign-in", clerk)
    issued = [hall.api("POST", "/tickets", hall.kiosk_token, json={"service": "A"}).json() for _ in range(5)]
    called = hall.api("POST", "/windows/2/call-next", clerk).json()
    before = hall.api("GET", "/halls/demo/snapshot", hall.board_token).json()

    hall.process.send_signal(signal.SIGKILL)
    hall.process.wait(10)

    again = live_hall_factory(database_url=sqlite_url)
    after = again.api("GET", "/halls/demo/snapshot", again.board_token).json()
    assert after["seq"] == before["seq"]
    assert after["now_calling"][0]["ref"] == called["ref"]
    assert after["waiting"] == before["waiting"]
    for t in issued:
        assert again.api("GET", f"/tickets/{t['id']}").status_code == 200
    nxt = again.api("POST", "/tickets", again.kiosk_token, json={"service": "A"}).json()
    assert nxt["number"] == "A006", "numbering continues after the crash"


def test_print_test_writes_a_preview_and_escpos_bytes(tmp_path, sqlite_url):
    png, raw = tmp_path / "ticket.png", tmp_path / "ticket.bin"
    out = hallq("print-test", "--mode", "raster", "--width", "58", "--out", str(png), db=sqlite_url)
    assert out.returncode == 0, out.stderr
    assert png.read_bytes().startswith(b"\x89PNG")
    out = hallq("print-test", "--mode", "text", "--width", "80", "--out", str(raw), db=sqlite_url)
    assert out.returncode == 0, out.stderr
    data = raw.read_bytes()
    assert b"\x1c\x26" in data and "社保医保".encode("gb18030") in data
    assert b"\x1dV" in data[-16:], "the slip ends with a cut"
    bad = hallq("print-test", "--printer", "lpt://nowhere", db=sqlite_url)
    assert bad.returncode == 2 and "error" in bad.stderr
