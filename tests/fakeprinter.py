"""A fake ESC/POS network printer on 127.0.0.1, for tests.

    with FakePrinter() as printer:          # or printer = FakePrinter().start(); … printer.stop()
        send(printer.spec, data)
        printer.wait_for_jobs(1)
        assert printer.received == data

Modes (switchable at run time: `printer.mode = "paper_out"`):

* ``accept``     answers status queries as healthy and stores every print payload;
* ``refuse``     nothing listens on the port: connecting is refused;
* ``stall``      accepts connections but never reads nor answers;
* ``paper_out``  answers DLE EOT with the paper-end bits set and stores nothing;
* ``cover_open`` answers DLE EOT with the cover-open bit set and stores nothing;
* ``paper_low``  answers DLE EOT 4 with the near-end bits set, and prints (stores).

Status queries (DLE EOT n) a client sends before its payload are answered and stripped, so
`.received` holds exactly the printed bytes. `.jobs_received` counts connections that delivered
a payload beyond status queries.
"""

from __future__ import annotations

import select
import socket
import threading
import time
from types import TracebackType

MODES = ("accept", "refuse", "stall", "paper_out", "cover_open", "paper_low")
STORING = ("accept", "paper_low")
HEALTHY = 0x12  # the fixed bits of every DLE EOT answer, nothing wrong
STATUS = {
    "accept": {},
    "paper_low": {4: 0x12 | 0x0C},
    # A real printer out of paper is offline (n=1 bit 3), stopped for paper end (n=2 bit 5), and
    # its roll sensor says paper end (n=4 bits 5-6).
    "paper_out": {1: 0x12 | 0x08, 2: 0x12 | 0x20, 4: 0x12 | 0x60},
    "cover_open": {1: 0x12 | 0x08, 2: 0x12 | 0x04},
}


class FakePrinter:
    """A thread with a listening socket that behaves like an ESC/POS printer on port 9100."""

    def __init__(self, mode: str = "accept") -> None:
        if mode not in MODES:
            raise ValueError(f"unknown fake printer mode {mode!r}")
        self._mode = mode
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._generation = 0  # bumped per mode change; the accept loop reports what it applied
        self._applied = -1
        self._stopping = threading.Event()
        self._listener: socket.socket | None = None
        self._threads: list[threading.Thread] = []
        self._open: list[socket.socket] = []
        self.port = 0
        self.jobs: list[bytes] = []
        self.status_queries = 0
        self.connections = 0

    # -- lifecycle
    def start(self) -> FakePrinter:
        """Bind a free port and start serving; returns self."""
        self._listener = self._listen(0)
        self.port = self._listener.getsockname()[1]
        t = threading.Thread(target=self._accept_loop, name="fakeprinter-accept", daemon=True)
        t.start()
        self._threads.append(t)
        self._wait_applied()
        return self

    def stop(self) -> None:
        """Close every socket and join the threads."""
        self._stopping.set()
        with self._lock:
            for s in self._open:
                _close(s)
            self._open.clear()
        for t in self._threads:
            t.join(timeout=2)
        if self._listener is not None:
            _close(self._listener)
            self._listener = None

    def __enter__(self) -> FakePrinter:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- state
    @property
    def spec(self) -> str:
        """The printer spec of this fake: tcp://127.0.0.1:PORT."""
        return f"tcp://127.0.0.1:{self.port}"

    @property
    def mode(self) -> str:
        return self._mode

    @mode.setter
    def mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown fake printer mode {mode!r}")
        with self._lock:
            self._mode = mode
            self._generation += 1
        self._wait_applied()  # after this returns, a connect sees the new mode (refused or not)

    @property
    def received(self) -> bytes:
        """Every printed payload, in the order the connections finished."""
        with self._lock:
            return b"".join(self.jobs)

    @property
    def jobs_received(self) -> int:
        with self._lock:
            return len(self.jobs)

    def wait_for_jobs(self, n: int, timeout: float = 2.0) -> bool:
        """True once `n` payloads arrived (the handler stores a job when its connection ends)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.jobs_received >= n:
                return True
            time.sleep(0.005)
        return self.jobs_received >= n

    def reset(self) -> None:
        """Forget received jobs and counters."""
        with self._lock:
            self.jobs.clear()
            self.status_queries = 0
            self.connections = 0

    # -- internals
    def _listen(self, port: int) -> socket.socket:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        s.listen(16)
        return s

    def _wait_applied(self) -> None:
        with self._changed:
            self._changed.wait_for(lambda: self._applied >= self._generation, timeout=2)

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            with self._lock:
                generation, mode = self._generation, self._mode
            # "refuse" means nothing listens: close the listening socket, reopen it on leaving.
            if mode == "refuse" and self._listener is not None:
                _close(self._listener)
                self._listener = None
            elif mode != "refuse" and self._listener is None:
                self._listener = self._listen(self.port)
            with self._changed:
                self._applied = generation
                self._changed.notify_all()
            if self._listener is None:
                time.sleep(0.01)
                continue
            try:
                ready, _, _ = select.select([self._listener], [], [], 0.01)
                if not ready:
                    continue
                conn, _ = self._listener.accept()
            except OSError:
                continue
            with self._lock:
                self.connections += 1
                self._open.append(conn)
                mode = self._mode
            if mode == "stall":
                continue  # held open, never read: the client's bytes sit in the socket buffer
            t = threading.Thread(target=self._serve, args=(conn,), name="fakeprinter-conn", daemon=True)
            t.start()
            self._threads.append(t)

    def _serve(self, conn: socket.socket) -> None:
        pending = bytearray()  # bytes before the payload: status queries, maybe incomplete
        payload = bytearray()
        in_payload = False
        store = True
        conn.settimeout(0.02)
        try:
            while not self._stopping.is_set():
                try:
                    chunk = conn.recv(65536)
                except TimeoutError:
                    continue
                except OSError:
                    break
                if not chunk:
                    break
                if in_payload:
                    payload += chunk
                    continue
                pending += chunk
                while pending and not in_payload:
                    if len(pending) < 3 and bytes(pending) == b"\x10\x04"[: len(pending)]:
                        break  # the start of a status query: wait for the rest
                    if pending[:2] == b"\x10\x04" and pending[2] in (1, 2, 3, 4):
                        with self._lock:
                            mode = self._mode
                            self.status_queries += 1
                        conn.sendall(bytes((STATUS.get(mode, {}).get(pending[2], HEALTHY),)))
                        del pending[:3]
                        continue
                    in_payload = True
                    with self._lock:
                        store = self._mode in STORING
                    payload += pending
                    pending.clear()
        except OSError:
            pass  # the client went away mid-answer
        finally:
            with self._lock:
                if pending and not in_payload:  # an unfinished "query" at the end was data after all
                    store = self._mode in STORING
                payload += pending
                if payload and store:
                    self.jobs.append(bytes(payload))
                if conn in self._open:
                    self._open.remove(conn)
            _close(conn)


def _close(s: socket.socket) -> None:
    try:
        s.close()
    except OSError:
        pass
