"""The kiosk printer agent: `hallq agent --server URL --token T --printer SPEC`.

Runs on the kiosk PC beside the browser. It connects to the server as a Socket.IO client
with the kiosk's token, announces its local printer (`agent.hello`), prints every job the
server sends (`print.job`, bytes already rendered), acknowledges each (`print.result`),
reports the printer's status every few seconds (`agent.status`), and reconnects by itself.

What is guaranteed (docs/printers.md): every job is written to the journal file as *in flight*
before its bytes go to the printer, and as *printed* once the printer took them, both fsynced
before anything else happens. So after a crash or a lost acknowledgement:

* a job journalled as printed is acknowledged again, never printed twice;
* a job journalled as in flight (the agent died while sending it) is never sent again on its
  own — a printer cannot be asked whether it printed — but reported to the server as
  `uncertain`: the manager console lists it as "可能已打印" with a one-click reprint, for a
  person to check with the citizen first;
* a job not in the journal was never sent, and is printed when the server sends it again.
"""

from __future__ import annotations

import base64
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

import socketio

log = logging.getLogger("hallq.agent")

STATUS_EVERY_S = 3.0
SEND_TIMEOUT_S = 5.0


class Journal:
    """What this agent did with each job, kept on disk (append-only, fsynced): a line
    `sending ID` before the bytes go to the printer, `printed ID` after (a bare `ID`, the
    format of earlier versions, means printed)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.done: set[str] = set()
        #: jobs whose sending began and never ended (the agent died in between)
        self.in_flight: set[str] = set()
        if self.path.exists():
            for line in self.path.read_text().splitlines():
                kind, _, job_id = line.strip().rpartition(" ")
                if not job_id:
                    continue
                if kind == "sending":
                    self.in_flight.add(job_id)
                elif kind == "failed":
                    self.in_flight.discard(job_id)
                else:  # "printed", or a bare id
                    self.done.add(job_id)
                    self.in_flight.discard(job_id)

    def __contains__(self, job_id: str) -> bool:
        return job_id in self.done

    def _write(self, line: str) -> None:
        with open(self.path, "a") as fh:
            fh.write(line + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def sending(self, job_id: str) -> None:
        """Journal the job as in flight: done before a byte reaches the printer."""
        self._write(f"sending {job_id}")
        self.in_flight.add(job_id)

    def add(self, job_id: str) -> None:
        """Journal the job as printed."""
        self._write(f"printed {job_id}")
        self.done.add(job_id)
        self.in_flight.discard(job_id)

    def failed(self, job_id: str) -> None:
        """The printer refused the job (it did not print): a later resend may try again."""
        self._write(f"failed {job_id}")
        self.in_flight.discard(job_id)


class Agent:
    def __init__(
        self,
        server: str,
        token: str,
        printer: str,
        width_mm: int = 80,
        mode: str = "text",
        name: str | None = None,
        journal: str = ".hallq-agent-journal",
    ) -> None:
        from server.printing.spec import parse_spec

        self.server, self.token = server.rstrip("/"), token
        self.spec_text = printer
        self.spec = parse_spec(printer)
        self.width_mm, self.mode, self.name = width_mm, mode, name
        self.journal = Journal(journal)
        self.lock = threading.Lock()  # one job at a time reaches the printer
        self.stopped = threading.Event()
        self.sio = socketio.Client(reconnection=True, reconnection_delay=0.5, reconnection_delay_max=5)
        self.sio.on("connect", self._on_connect)
        self.sio.on("print.job", self._on_job)
        self.printed = 0

    # -- socket events
    def _on_connect(self) -> None:
        # agent.hello must not run inside the connect handler's thread while it waits for its ack
        self.sio.start_background_task(self._hello)

    def _hello(self) -> None:
        try:
            ack = self.sio.call(
                "agent.hello",
                {"printer": self.spec_text, "width": self.width_mm, "mode": self.mode, "name": self.name},
                timeout=15,
            )
        except Exception as err:  # the server went away again: the next connect says hello again
            log.warning("agent.hello failed: %s", err)
            return
        if "error" in ack:
            log.error("server refused the agent: %s", ack["error"]["message"])
            self.stop()
            return
        log.info("connected as printer %s; %d job(s) pending", ack["printer"]["id"], len(ack["jobs"]))
        for job in ack["jobs"]:
            self._print(job)

    def _on_job(self, job: dict[str, Any]) -> None:
        self._print(job)

    # -- printing
    def _print(self, job: dict[str, Any]) -> None:
        from server.printing.transport import PrinterError, send

        with self.lock:
            result: dict[str, Any] = {"job": job["id"], "ok": True}
            if job["id"] in self.journal:
                log.info("job %s printed before; acknowledging again", job["id"])
            elif job["id"] in self.journal.in_flight:
                log.warning("job %s was being sent when the agent stopped: reported, not resent", job["id"])
                result = {
                    "job": job["id"],
                    "ok": False,
                    "kind": "uncertain",
                    "message": "the agent stopped while sending this job: it may have printed",
                }
            else:
                self.journal.sending(job["id"])
                try:
                    send(self.spec, base64.b64decode(job["data"]), timeout=SEND_TIMEOUT_S)
                except PrinterError as err:
                    self.journal.failed(job["id"])
                    result = {"job": job["id"], "ok": False, "kind": err.kind, "message": err.message_en}
                except Exception as err:  # report any printer failure instead of dying
                    self.journal.failed(job["id"])
                    result = {"job": job["id"], "ok": False, "kind": "error", "message": str(err)[:300]}
                else:
                    self.journal.add(job["id"])
                    self.printed += 1
            self._ack(result)

    def _ack(self, result: dict[str, Any]) -> None:
        try:
            self.sio.call("print.result", result, timeout=10)
        except Exception as err:  # not acknowledged: the server re-sends it on the next hello
            log.warning("could not acknowledge job %s: %s", result["job"], err)

    def _report_status(self) -> None:
        from server.printing.transport import query_status

        while not self.stopped.wait(STATUS_EVERY_S):
            if not self.sio.connected:
                continue
            try:
                st = query_status(self.spec, timeout=2.0)
                self.sio.emit("agent.status", {"ok": st.ok, "kind": st.kind, "detail": st.detail})
            except Exception as err:
                log.warning("status report failed: %s", err)

    # -- lifecycle
    def run(self) -> None:
        threading.Thread(target=self._report_status, daemon=True).start()
        delay = 0.5
        while not self.stopped.is_set():
            try:
                self.sio.connect(
                    self.server, auth={"token": self.token}, transports=["websocket"], wait_timeout=10
                )
                break
            except socketio.exceptions.ConnectionError as err:
                log.warning("cannot reach %s (%s); retrying in %.1fs", self.server, err, delay)
                time.sleep(delay)
                delay = min(delay * 2, 5.0)
        while not self.stopped.is_set():
            self.stopped.wait(0.5)
        self.sio.disconnect()

    def stop(self) -> None:
        self.stopped.set()


def run_agent(
    server: str, token: str, printer: str, width_mm: int, mode: str, name: str | None, journal: str
) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s hallq-agent %(levelname)s %(message)s")
    try:
        agent = Agent(server, token, printer, width_mm, mode, name, journal)
    except ValueError as err:
        print(f"error: {err}")
        return 2
    try:
        agent.run()
    except KeyboardInterrupt:
        agent.stop()
    return 0
