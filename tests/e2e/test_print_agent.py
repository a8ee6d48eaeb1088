"""The kiosk printer agent end to end: a real server, `hallq agent` with a file printer."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT

pytestmark = pytest.mark.e2e


def start_agent(hall, printer_file: Path, journal: Path, log: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as out:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "server",
                "agent",
                "--server",
                hall.url,
                "--token",
                hall.kiosk_token,
                "--printer",
                f"file://{printer_file}",
                "--journal",
                str(journal),
                "--name",
                "测试取号机",
            ],
            cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def wait_until(predicate, timeout=15.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def take(hall) -> dict:
    r = hall.api("POST", "/tickets", hall.kiosk_token, json={"service": "C"})
    assert r.status_code == 201, r.text
    return r.json()


def printed_state(hall, ticket) -> str | None:
    job = hall.api("GET", f"/tickets/{ticket['id']}").json()["print"]
    return job and job["status"]


def test_agent_prints_kiosk_tickets_and_a_restart_loses_no_job(live_hall, tmp_path):
    printer_file = tmp_path / "lp0.bin"
    journal = tmp_path / "journal"
    log = tmp_path / "agent.log"
    agent = start_agent(live_hall, printer_file, journal, log)
    try:
        manager = live_hall.token("manager", "manager")
        wait_until(
            lambda: any(
                p["driver"] == "agent" and p["status"] == "ok"
                for p in live_hall.api("GET", "/printers", manager).json()["printers"]
            ),
            what=f"the agent to register\n{log.read_text() if log.exists() else ''}",
        )
        first = take(live_hall)
        assert first["print"] is not None
        wait_until(lambda: printed_state(live_hall, first) == "printed", what="the first slip")
        assert "社保医保".encode("gb18030") in printer_file.read_bytes()

        agent.send_signal(signal.SIGKILL)
        agent.wait(10)
        wait_until(
            lambda: live_hall.api("GET", "/printers", manager).json()["printers"][0]["status"] == "offline",
            what="the dead agent's printer to show offline",
        )
        while_down = [take(live_hall) for _ in range(3)]
        assert all(t["status"] == "waiting" for t in while_down), (
            "tickets are issued while the printer is down"
        )

        agent = start_agent(live_hall, printer_file, journal, log)
        for t in while_down:
            wait_until(lambda t=t: printed_state(live_hall, t) == "printed", what=f"slip {t['number']}")
        data = printer_file.read_bytes()
        for t in [first, *while_down]:
            assert data.count(t["number"].encode()) == 1, f"{t['number']} printed exactly once"
    finally:
        agent.send_signal(signal.SIGTERM)
        try:
            agent.wait(5)
        except subprocess.TimeoutExpired:
            agent.kill()


def test_agent_does_not_reprint_a_job_in_its_journal(live_hall, tmp_path):
    """A job printed just before the agent died (ack lost) is re-sent, acknowledged, not printed."""
    printer_file = tmp_path / "lp0.bin"
    journal = tmp_path / "journal"
    log = tmp_path / "agent.log"
    # register the agent's printer, then stop the agent so the next job stays un-acknowledged
    agent = start_agent(live_hall, printer_file, journal, log)
    manager = live_hall.token("manager", "manager")
    wait_until(
        lambda: any(
            p["driver"] == "agent" for p in live_hall.api("GET", "/printers", manager).json()["printers"]
        ),
        what="the agent to register",
    )
    agent.send_signal(signal.SIGKILL)
    agent.wait(10)
    t = take(live_hall)
    job_id = t["print"]["id"]
    journal.write_text(job_id + "\n")  # as if it had printed and died before acknowledging
    agent = start_agent(live_hall, printer_file, journal, log)
    try:
        wait_until(
            lambda: printed_state(live_hall, t) == "printed", what="the journalled job to be acknowledged"
        )
        assert t["number"].encode() not in (printer_file.read_bytes() if printer_file.exists() else b"")
    finally:
        agent.send_signal(signal.SIGTERM)
        agent.wait(5)


def test_network_printer_fault_shows_in_the_api_within_5_seconds(live_hall):
    from tests.fakeprinter import FakePrinter

    fake = FakePrinter(mode="accept")
    fake.start()
    try:
        live_hall.add_printer(f"tcp://127.0.0.1:{fake.port}", live_hall.kiosk_token)
        manager = live_hall.token("manager", "manager")
        first = take(live_hall)
        wait_until(lambda: printed_state(live_hall, first) == "printed", what="a healthy print")
        fake.mode = "paper_out"
        started = time.monotonic()
        wait_until(
            lambda: live_hall.api("GET", "/printers", manager).json()["printers"][0]["status"] == "paper_out",
            timeout=5.0,
            what="paper out on GET /api/v1/printers",
        )
        assert time.monotonic() - started <= 5.0
    finally:
        fake.stop()


#: the agent with a fault injected by the test (not in production code): after the printer took
#: the bytes, the process is killed before anything else happens — before the journal says printed
_DIE_AFTER_SEND = """
import os, signal, sys
import server.printing.transport as transport
_send = transport.send
def send(*args, **kwargs):
    _send(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)
transport.send = send
from server.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_an_agent_killed_between_send_and_journal_reports_the_job_instead_of_reprinting(live_hall, tmp_path):
    printer_file = tmp_path / "lp0.bin"
    journal = tmp_path / "journal"
    log = tmp_path / "agent.log"
    agent = start_agent(live_hall, printer_file, journal, log)
    manager = live_hall.token("manager", "manager")
    wait_until(
        lambda: any(
            p["driver"] == "agent" for p in live_hall.api("GET", "/printers", manager).json()["printers"]
        ),
        what="the agent to register",
    )
    agent.send_signal(signal.SIGKILL)
    agent.wait(10)
    t = take(live_hall)  # queued while no agent runs
    with open(log, "ab") as out:
        dying = subprocess.Popen(
            [
                sys.executable,
                "-c",
                _DIE_AFTER_SEND,
                "agent",
                "--server",
                live_hall.url,
                "--token",
                live_hall.kiosk_token,
                "--printer",
                f"file://{printer_file}",
                "--journal",
                str(journal),
            ],
            cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    assert dying.wait(30) == -signal.SIGKILL, log.read_text()
    assert printer_file.read_bytes().count(t["number"].encode()) == 1  # the printer got it once
    assert printed_state(live_hall, t) == "sent"  # the server never heard back

    agent = start_agent(live_hall, printer_file, journal, log)
    try:
        wait_until(lambda: printed_state(live_hall, t) == "failed", what="the in-flight job to be reported")
        job = live_hall.api("GET", f"/tickets/{t['id']}").json()["print"]
        assert job["error_kind"] == "uncertain" and "may have printed" in job["error"]
        time.sleep(1.0)
        assert printer_file.read_bytes().count(t["number"].encode()) == 1, "never resent by itself"
        # the manager reprints it with one click (a new job), and that one prints
        r = live_hall.api("POST", f"/tickets/{t['id']}/reprint", manager)
        assert r.status_code in (200, 201), r.text
        wait_until(lambda: printed_state(live_hall, t) == "printed", what="the manager's reprint")
        assert printer_file.read_bytes().count(t["number"].encode()) == 2
    finally:
        agent.send_signal(signal.SIGTERM)
        agent.wait(5)
