"""`hallq serve --workers N` forks its workers from the prepared supervisor (gevent, threading):
each is named after its port, serves with the supervisor's environment, and whatever happens
in it never returns into the supervisor's loop (server/cli/supervise.py)."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest

from server.cli.supervise import Preforked, Worker, process_name

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked workers: Linux /proc")


def _wait_for(path: Path, timeout_s: float = 10) -> str:
    deadline = time.monotonic() + timeout_s
    while not path.exists():
        assert time.monotonic() < deadline, f"the worker never wrote {path}"
        time.sleep(0.02)
    time.sleep(0.05)  # written whole
    return path.read_text()


def test_a_forked_worker_serves_its_port_with_the_supervisors_environment_and_is_named_after_it(
    tmp_path: Path,
) -> None:
    said = tmp_path / "serving"

    def serve(host: str, port: int) -> None:
        said.write_text(f"{host}:{port} {os.environ['HALLQ_SUPERVISOR_PID']}")
        time.sleep(60)

    env = {**os.environ, "HALLQ_SUPERVISOR_PID": "4242"}
    worker = Worker(0, "127.0.0.1", 5099, env, Preforked(lambda: None, serve))
    # as in the supervisor, whose SIGTERM handler only notes that it should stop
    previous = signal.signal(signal.SIGTERM, lambda _signum, _frame: None)
    try:
        worker.start()
        assert _wait_for(said) == "127.0.0.1:5099 4242"
        assert Path(f"/proc/{worker.pid}/comm").read_text().strip() == process_name(5099) == "hallq:5099"
        assert worker.poll() is None, "it serves until it is stopped"
        worker.signal(signal.SIGTERM)
        assert worker.wait(10), "SIGTERM stops a worker at once (the supervisor's handler is not inherited)"
        assert worker.poll() == -signal.SIGTERM
        assert "HALLQ_SUPERVISOR_PID" not in os.environ, "the supervisor's own environment is untouched"
    finally:
        signal.signal(signal.SIGTERM, previous)
        worker.signal(signal.SIGKILL)
        worker.wait(5)


def test_a_forked_worker_that_fails_exits_with_1_and_never_runs_the_supervisors_code(tmp_path: Path) -> None:
    def serve(host: str, port: int) -> None:
        raise OSError(98, "Address already in use")

    worker = Worker(1, "127.0.0.1", 5100, dict(os.environ), Preforked(lambda: None, serve))
    worker.start()
    # a worker that returned from start() would run this line too, in its own process
    (tmp_path / f"after-start-{os.getpid()}").touch()
    assert worker.wait(10)
    assert worker.poll() == 1
    assert [p.name for p in tmp_path.iterdir()] == [f"after-start-{os.getpid()}"]
    worker.start()  # the supervisor restarts it the same way
    assert worker.wait(10) and worker.poll() == 1
