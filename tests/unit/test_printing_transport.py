"""Transport against the fake network printer in every mode, and the file/usb/serial/dummy paths.

Every test is bounded by timeouts of at most 2 s; the stalled printer uses 0.3 s.
"""

from __future__ import annotations

import errno
import os
import pickle
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from server.printing import transport
from server.printing.transport import (
    DUMMY_OUTPUT,
    PrinterError,
    PrinterStatus,
    interpret_status,
    query_status,
    send,
)
from tests.fakeprinter import FakePrinter

JOB = b"\x1b@" + b"\x1c&" + "社保医保 C023".encode("gb18030") + b"\x1c.\n\x1bd\x04\x1dV\x00"


@pytest.fixture
def printer() -> Iterator[FakePrinter]:
    with FakePrinter() as p:
        yield p


def test_accept_prints_exactly_the_bytes(printer: FakePrinter) -> None:
    send(printer.spec, JOB, timeout=2.0)
    assert printer.wait_for_jobs(1)
    assert printer.received == JOB
    assert printer.jobs_received == 1
    assert printer.status_queries == 3  # DLE EOT 1, 2, 4 before the job, stripped from the payload
    st = query_status(printer.spec, timeout=2.0)
    assert st == PrinterStatus(True, None, st.detail) and st.ok


def test_big_payload_with_status_like_bytes_inside(printer: FakePrinter) -> None:
    # raster data may contain DLE EOT by chance: only the queries before the payload are answered
    data = b"\x1b@" + (b"\x10\x04\x01\xff\x00" * 20000) + b"\x1dV\x00"
    send(printer.spec, data, timeout=2.0)
    assert printer.wait_for_jobs(1)
    assert printer.received == data


def test_refused(printer: FakePrinter) -> None:
    printer.mode = "refuse"
    start = time.monotonic()
    with pytest.raises(PrinterError) as info:
        send(printer.spec, JOB, timeout=2.0)
    assert info.value.kind == "refused"
    assert info.value.message_zh and "refused" in info.value.message_en
    assert time.monotonic() - start < 1.0
    st = query_status(printer.spec, timeout=2.0)
    assert (st.ok, st.kind) == (False, "refused")
    # back online: a reprint prints exactly once
    printer.mode = "accept"
    send(printer.spec, JOB, timeout=2.0)
    assert printer.wait_for_jobs(1)
    assert printer.received == JOB and printer.jobs_received == 1


def test_stalled_printer_times_out(printer: FakePrinter) -> None:
    printer.mode = "stall"
    start = time.monotonic()
    with pytest.raises(PrinterError) as info:
        send(printer.spec, JOB, timeout=0.3)
    assert info.value.kind == "timeout"
    assert time.monotonic() - start < 1.0
    start = time.monotonic()
    st = query_status(printer.spec, timeout=0.3)
    assert (st.ok, st.kind) == (False, "timeout")
    assert "does not answer" in st.detail
    assert time.monotonic() - start < 1.5
    printer.mode = "accept"
    send(printer.spec, JOB, timeout=2.0)
    assert printer.wait_for_jobs(1)
    assert printer.received == JOB and printer.jobs_received == 1


def test_paper_out_refuses_the_job(printer: FakePrinter) -> None:
    printer.mode = "paper_out"
    with pytest.raises(PrinterError) as info:
        send(printer.spec, JOB, timeout=2.0)
    assert info.value.kind == "paper_out"
    assert info.value.message_zh == "打印机缺纸，请更换纸卷"
    st = query_status(printer.spec, timeout=2.0)
    assert (st.ok, st.kind) == (False, "paper_out")
    time.sleep(0.05)
    assert printer.jobs_received == 0 and printer.received == b""
    printer.mode = "accept"  # paper replaced
    send(printer.spec, JOB, timeout=2.0)
    assert printer.wait_for_jobs(1)
    assert printer.received == JOB and printer.jobs_received == 1


def test_cover_open_refuses_the_job(printer: FakePrinter) -> None:
    printer.mode = "cover_open"
    with pytest.raises(PrinterError) as info:
        send(printer.spec, JOB, timeout=2.0)
    assert info.value.kind == "cover_open"
    assert query_status(printer.spec, timeout=2.0).kind == "cover_open"


def test_paper_low_still_prints(printer: FakePrinter) -> None:
    printer.mode = "paper_low"
    st = query_status(printer.spec, timeout=2.0)
    assert (st.ok, st.kind) == (True, "paper_low")
    send(printer.spec, JOB, timeout=2.0)
    assert printer.wait_for_jobs(1) and printer.received == JOB


def test_status_queries_can_be_switched_off(printer: FakePrinter) -> None:
    send(printer.spec + "?status=off", JOB, timeout=2.0)
    assert printer.wait_for_jobs(1)
    assert printer.received == JOB and printer.status_queries == 0


@pytest.mark.parametrize(
    "failure",
    [
        TimeoutError("timed out"),
        OSError(errno.EHOSTUNREACH, "No route to host"),
        OSError(errno.ENETUNREACH, "x"),
    ],
)
def test_unreachable_host_is_offline(monkeypatch: pytest.MonkeyPatch, failure: OSError) -> None:
    # what an unreachable address does depends on the network (timeout, ICMP, a firewall's reset):
    # feed each answer to the transport directly
    def connect(address: object, timeout: float) -> socket.socket:
        assert 0 < timeout <= 0.5
        raise failure

    monkeypatch.setattr(transport.socket, "create_connection", connect)
    with pytest.raises(PrinterError) as info:
        send("tcp://192.0.2.1:9100", JOB, timeout=0.5)
    assert info.value.kind == "offline"
    st = query_status("tcp://192.0.2.1:9100", timeout=0.5)
    assert (st.ok, st.kind) == (False, "offline")


def test_unresolvable_host_is_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    def getaddrinfo(*args: object, **kwargs: object) -> list[object]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(transport.socket, "getaddrinfo", getaddrinfo)
    st = query_status("tcp://printer.invalid:9100", timeout=0.5)
    assert (st.ok, st.kind) == (False, "offline") and "cannot resolve" in st.detail


def test_slow_dns_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    monkeypatch.setattr(transport.socket, "getaddrinfo", lambda *a, **k: release.wait(5) and [])
    start = time.monotonic()
    try:
        st = query_status("tcp://printer.example:9100", timeout=0.3)
    finally:
        release.set()
    assert (st.ok, st.kind) == (False, "offline") and "lookup timed out" in st.detail
    assert time.monotonic() - start < 1.0


def test_status_byte_interpretation() -> None:
    assert interpret_status(0x12, 0x12, 0x12).ok
    assert interpret_status(0x1A, 0x32, 0x72).kind == "paper_out"
    assert interpret_status(0x12, 0x12, 0x60 | 0x12).kind == "paper_out"
    assert interpret_status(0x1A, 0x16, 0x12).kind == "cover_open"
    assert interpret_status(0x1A, 0x52, 0x12).kind == "error"
    assert interpret_status(0x1A, 0x12, 0x12).kind == "offline"
    assert interpret_status(0x12, 0x12, 0x1E) == PrinterStatus(
        True, "paper_low", "paper near end (status 0x12 0x12 0x1e)"
    )
    assert interpret_status(0xFF, 0xFF, 0xFF).ok  # not status bytes at all: no claim


def test_printer_error_kinds() -> None:
    err = PrinterError("cover_open", "tcp://x:9100")
    assert (err.kind, err.message_zh) == ("cover_open", "打印机上盖未关好，请合上纸仓盖")
    assert err.message_en == "Printer cover is open: tcp://x:9100"
    with pytest.raises(ValueError):
        PrinterError("on_fire")
    again = pickle.loads(pickle.dumps(err))
    assert (again.kind, again.message_en) == (err.kind, err.message_en)


# ---------------------------------------------------------------- file, dummy, usb, serial


def test_file_printer_appends_and_creates(tmp_path: Path) -> None:
    target = tmp_path / "lp0"
    spec = f"file://{target}"
    assert query_status(spec).ok  # created on the first print
    send(spec, JOB, timeout=2.0)
    send(spec, b"second", timeout=2.0)
    assert target.read_bytes() == JOB + b"second"
    assert query_status(spec).ok


def test_missing_device_file_is_offline_and_not_created() -> None:
    with pytest.raises(PrinterError) as info:
        send("file:///dev/usb/hallq-no-such-lp", JOB, timeout=2.0)
    assert info.value.kind == "offline"
    assert not os.path.exists("/dev/usb/hallq-no-such-lp")
    assert query_status("file:///dev/usb/hallq-no-such-lp").kind == "offline"


def test_file_write_that_blocks_times_out(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)  # opening a FIFO for writing blocks until a reader comes: a wedged device
    start = time.monotonic()
    try:
        with pytest.raises(PrinterError) as info:
            send(f"file://{fifo}", JOB, timeout=0.5)
        assert info.value.kind == "timeout"
        assert time.monotonic() - start < 1.5
        # the device is still held by the stuck write: a status poll says busy instead of hanging
        assert query_status(f"file://{fifo}", timeout=0.3).detail.endswith("busy (printing)")
    finally:
        # release the stuck writer thread: open the reading end, let it finish, drain it
        fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline and any(
            t.name.startswith("hallq-print-file") for t in threading.enumerate()
        ):
            time.sleep(0.01)
        os.close(fd)


def test_dummy_keeps_the_bytes() -> None:
    DUMMY_OUTPUT.clear()
    send("dummy://", JOB)
    assert DUMMY_OUTPUT == [JOB]
    assert query_status("dummy://").ok
    DUMMY_OUTPUT.clear()


def test_usb_without_device_fails_cleanly() -> None:
    start = time.monotonic()
    with pytest.raises(PrinterError) as info:
        send("usb://0416:5011", JOB, timeout=2.0)
    # no pyusb → "error" with the pip hint; pyusb but no such device → "offline"
    assert info.value.kind in ("error", "offline")
    assert query_status("usb://0416:5011").kind in ("error", "offline")
    assert time.monotonic() - start < 3.0


def test_serial_without_port_fails_cleanly() -> None:
    with pytest.raises(PrinterError) as info:
        send("serial:///dev/hallq-no-such-tty", JOB, timeout=2.0)
    assert info.value.kind in ("error", "offline")
    assert query_status("serial:///dev/hallq-no-such-tty").kind == "offline"
