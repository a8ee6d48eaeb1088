"""Sending bytes to printers and reading their status — with short timeouts, never hanging.

Network printers (tcp://) are asked for their real-time status (DLE EOT 1, 2 and 4) before every
job, so a printer out of paper or with its cover open refuses the job instead of swallowing it,
and a printer that accepts connections but never answers is reported as stalled. USB, serial and
file printers are written from a worker thread with a deadline, so a wedged device can make a
job fail but never freezes the caller.
"""

from __future__ import annotations

import errno
import fcntl
import ipaddress
import os
import socket
import stat
import struct
import termios
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from .spec import PrinterSpec, parse_spec

T = TypeVar("T")

# Bytes "printed" on dummy:// printers, for tests.
DUMMY_OUTPUT: list[bytes] = []

ERROR_KINDS = ("offline", "refused", "timeout", "paper_out", "cover_open", "error")

MESSAGES = {
    "offline": ("打印机离线或无法连接，请检查电源和网线", "Printer is offline or unreachable"),
    "refused": ("打印机拒绝连接，请检查打印机地址和端口", "Printer refused the connection"),
    "timeout": ("打印机无响应，请重启打印机", "Printer did not respond in time"),
    "paper_out": ("打印机缺纸，请更换纸卷", "Printer is out of paper"),
    "paper_low": ("打印纸即将用完，请准备纸卷", "Printer paper is running low"),
    "cover_open": ("打印机上盖未关好，请合上纸仓盖", "Printer cover is open"),
    "error": ("打印机故障，请检查打印机", "Printer error"),
}

DLE_EOT = b"\x10\x04"


class PrinterError(Exception):
    """A print that did not happen; `.kind` is one of ERROR_KINDS.

    `message_zh` is for staff screens, `message_en` (with the technical detail) for logs and the API.
    """

    def __init__(self, kind: str, detail: str = "") -> None:
        if kind not in ERROR_KINDS:
            raise ValueError(f"unknown printer error kind {kind!r}")
        zh, en = MESSAGES[kind]
        self.kind = kind
        self.detail = detail
        self.message_zh = zh
        self.message_en = f"{en}: {detail}" if detail else en
        super().__init__(f"{self.message_en} / {zh}")

    def __reduce__(self) -> tuple[type[PrinterError], tuple[str, str]]:
        # rebuilt from kind and detail (the default would pass the joined message as the kind)
        return (PrinterError, (self.kind, self.detail))


@dataclass(frozen=True)
class PrinterStatus:
    """A printer's state: `ok` means it can print (`kind` may still warn: "paper_low")."""

    ok: bool
    kind: str | None = None
    detail: str = ""

    @property
    def message_zh(self) -> str:
        """Staff-facing Chinese text of the state."""
        return MESSAGES[self.kind][0] if self.kind else "打印机正常"

    @property
    def message_en(self) -> str:
        """English text of the state, with the detail."""
        base = MESSAGES[self.kind][1] if self.kind else "Printer ready"
        return f"{base}: {self.detail}" if self.detail else base


def _as_spec(spec: PrinterSpec | str) -> PrinterSpec:
    return spec if isinstance(spec, PrinterSpec) else parse_spec(spec)


def _remaining(deadline: float) -> float:
    return max(0.0, deadline - time.monotonic())


# ---------------------------------------------------------------- ESC/POS real-time status


def _valid(b: int) -> bool:
    # Every DLE EOT answer has bits 1 and 4 set and bits 0 and 7 clear.
    return b & 0x93 == 0x12


def interpret_status(printer: int, offline_cause: int, paper: int) -> PrinterStatus:
    """A status from the answers to DLE EOT 1 (printer), 2 (offline cause) and 4 (paper sensor).

    An answer byte that is not a valid status byte (a printer with its own dialect) says nothing.
    """
    p = printer if _valid(printer) else 0x12
    c = offline_cause if _valid(offline_cause) else 0x12
    r = paper if _valid(paper) else 0x12
    raw = f"status {printer:#04x} {offline_cause:#04x} {paper:#04x}"
    if r & 0x60 or c & 0x20:  # paper end sensor, or printing stopped because of paper end
        return PrinterStatus(False, "paper_out", f"paper end ({raw})")
    if c & 0x04:
        return PrinterStatus(False, "cover_open", f"cover open ({raw})")
    if c & 0x40:
        return PrinterStatus(False, "error", f"printer reports an error, e.g. cutter jam ({raw})")
    if p & 0x08:
        return PrinterStatus(False, "offline", f"printer reports offline ({raw})")
    if r & 0x0C:
        return PrinterStatus(True, "paper_low", f"paper near end ({raw})")
    return PrinterStatus(True, None, f"ready ({raw})")


def _status_error(st: PrinterStatus) -> PrinterError:
    kind = st.kind if st.kind in ERROR_KINDS else "error"
    return PrinterError(kind or "error", st.detail)


# ---------------------------------------------------------------- tcp


def _resolve(host: str, port: int, deadline: float) -> tuple[str, int]:
    try:
        ipaddress.ip_address(host)
        return host, port
    except ValueError:
        pass
    # getaddrinfo ignores socket timeouts: a broken DNS must not hold a kiosk for 30 s.
    infos = _bounded(
        lambda: socket.getaddrinfo(host, port, type=socket.SOCK_STREAM), _remaining(deadline), "DNS lookup"
    )
    addr = infos[0][4]
    return str(addr[0]), int(addr[1])


def _connect(spec: PrinterSpec, deadline: float) -> socket.socket:
    assert spec.host is not None and spec.port is not None
    try:
        address = _resolve(spec.host, spec.port, deadline)
    except PrinterError as err:
        raise PrinterError("offline", f"{spec}: host name lookup timed out") from err
    except OSError as err:
        raise PrinterError("offline", f"{spec}: cannot resolve {spec.host} ({err})") from err
    try:
        return socket.create_connection(address, timeout=max(0.05, _remaining(deadline)))
    except ConnectionRefusedError as err:
        raise PrinterError("refused", f"{spec}: connection refused (nothing listening on the port)") from err
    except TimeoutError as err:
        raise PrinterError("offline", f"{spec}: no answer to connect (printer off or unplugged?)") from err
    except OSError as err:
        raise PrinterError("offline", f"{spec}: {err.strerror or err}") from err


def _tcp_status(sock: socket.socket, spec: PrinterSpec, deadline: float) -> PrinterStatus:
    answers = []
    for n in (1, 2, 4):
        try:
            sock.settimeout(max(0.01, _remaining(deadline)))
            sock.sendall(DLE_EOT + bytes((n,)))
            answer = sock.recv(1)
        except TimeoutError:
            return PrinterStatus(
                False, "timeout", f"{spec}: accepts connections but does not answer status queries (stalled?)"
            )
        except OSError as err:
            return PrinterStatus(False, "offline", f"{spec}: connection lost ({err.strerror or err})")
        if not answer:
            return PrinterStatus(False, "offline", f"{spec}: printer closed the connection")
        answers.append(answer[0])
    return interpret_status(*answers)


def _wait_acknowledged(sock: socket.socket, spec: PrinterSpec, deadline: float) -> None:
    """Wait until the printer has acknowledged every byte (Linux: the socket's unsent+unacked count)."""
    while True:
        try:
            pending = struct.unpack("i", fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0\0\0\0"))[0]
        except (OSError, AttributeError):
            return  # not supported here: sendall having returned is all we know
        if pending == 0:
            return
        if time.monotonic() >= deadline:
            raise PrinterError("timeout", f"{spec}: printer stopped taking data ({pending} bytes left)")
        time.sleep(0.005)


def _tcp_send(spec: PrinterSpec, data: bytes, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    sock = _connect(spec, deadline)
    try:
        if spec.status:
            st = _tcp_status(sock, spec, deadline)
            if not st.ok:
                raise _status_error(st)
        try:
            sock.settimeout(max(0.05, _remaining(deadline)))
            sock.sendall(data)
        except TimeoutError as err:
            raise PrinterError("timeout", f"{spec}: sending {len(data)} bytes timed out") from err
        except OSError as err:
            raise PrinterError("offline", f"{spec}: connection lost while sending ({err})") from err
        _wait_acknowledged(sock, spec, deadline)
        try:
            sock.shutdown(socket.SHUT_WR)
            # Unread bytes (a printer answering a DLE EOT that happened to occur inside image data)
            # would make close() send a reset: read them away first.
            sock.settimeout(0.0)
            while sock.recv(256):
                pass
        except (BlockingIOError, OSError):
            pass
    finally:
        sock.close()


# ---------------------------------------------------------------- bounded work in a thread

_device_locks: dict[str, threading.Lock] = {}
_device_locks_guard = threading.Lock()


def _device_lock(spec: PrinterSpec) -> threading.Lock:
    """One job at a time per device, across the print path and the status poller."""
    with _device_locks_guard:
        return _device_locks.setdefault(str(spec), threading.Lock())


def _bounded(fn: Callable[[], T], timeout: float, what: str) -> T:
    """Run `fn` in a daemon thread; PrinterError("timeout") if it does not finish in time."""
    result: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            result.append(fn())
        except BaseException as err:  # handed to the caller's thread
            failure.append(err)

    worker = threading.Thread(target=run, name=f"hallq-print-{what}", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise PrinterError("timeout", f"{what} did not finish within {timeout:g} s")
    if failure:
        raise failure[0]
    return result[0]


def _locked(
    spec: PrinterSpec, fn: Callable[[], T], deadline: float, busy: Callable[[], T] | None = None
) -> Callable[[], T]:
    """`fn` holding the device's lock; `busy()` (or a timeout error) when the device stays taken."""
    lock = _device_lock(spec)

    def run() -> T:
        if not lock.acquire(timeout=max(0.0, _remaining(deadline) - 0.05)):
            if busy is not None:
                return busy()
            raise PrinterError("timeout", f"{spec}: busy with another job")
        try:
            return fn()
        finally:
            lock.release()

    return run


# ---------------------------------------------------------------- file, usb, serial


def _file_write(spec: PrinterSpec, data: bytes) -> None:
    assert spec.path is not None
    path = spec.path
    # A missing device node means the printer is unplugged or off; "ab" would otherwise create
    # a plain file in /dev (as root) and report a print that never happened.
    if path.startswith("/dev/") and not os.path.exists(path):
        raise PrinterError("offline", f"{spec}: device not present (printer unplugged or off?)")
    try:
        with open(path, "ab") as f:
            f.write(data)
            f.flush()
    except PermissionError as err:
        raise PrinterError(
            "error", f"{spec}: permission denied (add the kiosk user to group lp, see docs/printers.md)"
        ) from err
    except OSError as err:
        kind = "offline" if err.errno in (errno.ENODEV, errno.ENOENT, errno.ENXIO, errno.EIO) else "error"
        raise PrinterError(kind, f"{spec}: {err.strerror or err}") from err


class _EscposDevice(Protocol):
    """The part of a python-escpos printer (which ships no types) that the USB path uses."""

    def open(self) -> None: ...

    def _raw(self, msg: bytes) -> None: ...

    def close(self) -> None: ...


def _usb_printer(spec: PrinterSpec, timeout: float) -> _EscposDevice:
    try:
        from escpos.printer import Usb
    except ImportError as err:  # pragma: no cover - python-escpos is a dependency
        raise PrinterError("error", f"python-escpos unavailable: {err}") from err
    if not Usb.is_usable():
        raise PrinterError("error", "USB printing needs pyusb: pip install 'python-escpos[usb]'")
    kwargs: dict[str, int] = {}
    if spec.in_ep is not None:
        kwargs["in_ep"] = spec.in_ep
    if spec.out_ep is not None:
        kwargs["out_ep"] = spec.out_ep
    printer: _EscposDevice = Usb(spec.vendor_id, spec.product_id, timeout=int(timeout * 1000), **kwargs)
    return printer


def _usb_write(spec: PrinterSpec, data: bytes, timeout: float) -> None:
    from escpos.exceptions import DeviceNotFoundError

    printer = _usb_printer(spec, timeout)
    try:
        printer.open()
        printer._raw(data)
    except DeviceNotFoundError as err:
        raise PrinterError("offline", f"{spec}: {str(err).strip()}") from err
    except Exception as err:  # pyusb's errors; their classes need pyusb imported
        name = type(err).__name__
        if "Timeout" in name:
            raise PrinterError("timeout", f"{spec}: USB write timed out") from err
        if getattr(err, "errno", None) == errno.EACCES:
            raise PrinterError(
                "error", f"{spec}: permission denied (udev rule, see docs/printers.md)"
            ) from err
        if getattr(err, "errno", None) in (errno.ENODEV, errno.ENOENT):
            raise PrinterError("offline", f"{spec}: device gone ({err})") from err
        raise PrinterError("error", f"{spec}: {name}: {err}") from err
    finally:
        try:
            printer.close()
        except Exception:  # closing a vanished device must not mask the real error
            pass


def _serial_write(spec: PrinterSpec, data: bytes, timeout: float) -> None:
    try:
        from escpos.exceptions import DeviceNotFoundError
        from escpos.printer import Serial
    except ImportError as err:  # pragma: no cover - python-escpos is a dependency
        raise PrinterError("error", f"python-escpos unavailable: {err}") from err
    if not Serial.is_usable():
        raise PrinterError("error", "serial printing needs pyserial: pip install 'python-escpos[serial]'")
    printer = Serial(devfile=spec.path, baudrate=spec.baudrate, timeout=timeout)
    try:
        printer.open()
        device = printer.device
        if device is None:
            raise PrinterError("offline", f"{spec}: cannot open the port")
        device.write_timeout = timeout  # python-escpos leaves writes unbounded
        printer._raw(data)
    except DeviceNotFoundError as err:
        raise PrinterError("offline", f"{spec}: {str(err).strip()}") from err
    except PrinterError:
        raise
    except Exception as err:  # pyserial's errors
        if "Timeout" in type(err).__name__:
            raise PrinterError("timeout", f"{spec}: serial write timed out (flow control?)") from err
        raise PrinterError("error", f"{spec}: {type(err).__name__}: {err}") from err
    finally:
        try:
            printer.close()
        except Exception:  # closing a vanished port must not mask the real error
            pass


def send(spec: PrinterSpec | str, data: bytes, timeout: float = 5.0) -> None:
    """Send ESC/POS `data` to the printer; PrinterError when it did not (or may not have) printed.

    tcp: connect, read status (refuse to print on paper out / cover open / error), send, wait
    until the printer acknowledged the bytes. file: append and flush. usb/serial: python-escpos.
    dummy: append to DUMMY_OUTPUT. Every path is bounded by `timeout` seconds.
    """
    spec = _as_spec(spec)
    if spec.scheme == "dummy":
        DUMMY_OUTPUT.append(bytes(data))
        return
    if spec.scheme == "tcp":
        _tcp_send(spec, data, timeout)
        return
    deadline = time.monotonic() + timeout
    work: Callable[[], None]
    if spec.scheme == "file":
        work = lambda: _file_write(spec, data)  # noqa: E731
    elif spec.scheme == "usb":
        work = lambda: _usb_write(spec, data, timeout)  # noqa: E731
    else:
        work = lambda: _serial_write(spec, data, timeout)  # noqa: E731
    _bounded(_locked(spec, work, deadline), timeout, str(spec))


# ---------------------------------------------------------------- status


LPGETSTATUS = 0x060B  # linux/lp.h; usblp answers with the USB printer class port status
_LP_PAPER_EMPTY = 0x20


def _file_status(spec: PrinterSpec) -> PrinterStatus:
    assert spec.path is not None
    path = spec.path
    if not os.path.exists(path):
        parent = os.path.dirname(path) or "/"
        if path.startswith("/dev/") or not os.access(parent, os.W_OK):
            return PrinterStatus(False, "offline", f"{spec}: not present (printer unplugged or off?)")
        return PrinterStatus(True, None, f"{spec}: file will be created on the first print")
    if not os.access(path, os.W_OK):
        return PrinterStatus(False, "error", f"{spec}: no permission to write (group lp?)")
    if not stat.S_ISCHR(os.stat(path).st_mode):
        return PrinterStatus(True, None, f"{spec}: writable file")
    # A printer device: the Linux lp/usblp drivers report paper-empty through LPGETSTATUS.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as err:
        if err.errno == errno.EBUSY:
            return PrinterStatus(True, None, f"{spec}: busy (printing)")
        return PrinterStatus(False, "offline", f"{spec}: {err.strerror}")
    try:
        raw = fcntl.ioctl(fd, LPGETSTATUS, b"\0\0\0\0")
        port = struct.unpack("i", raw)[0]
    except OSError:
        return PrinterStatus(True, None, f"{spec}: device present (no status from the driver)")
    finally:
        os.close(fd)
    if port & _LP_PAPER_EMPTY:
        return PrinterStatus(
            False, "paper_out", f"{spec}: driver reports paper empty (port status {port:#04x})"
        )
    return PrinterStatus(True, None, f"{spec}: device present (port status {port:#04x})")


def _usb_status(spec: PrinterSpec) -> PrinterStatus:
    # Only look for the device: opening it (python-escpos resets it) every few seconds would
    # disturb printing, and most USB printers give no status on the bulk endpoint anyway.
    try:
        import usb.core
    except ImportError:
        return PrinterStatus(False, "error", "USB printing needs pyusb: pip install 'python-escpos[usb]'")
    try:
        found = usb.core.find(idVendor=spec.vendor_id, idProduct=spec.product_id)
    except Exception as err:  # no libusb backend and the like
        return PrinterStatus(False, "error", f"{spec}: cannot scan USB ({err})")
    if found is None:
        return PrinterStatus(False, "offline", f"{spec}: not connected (USB cable, power?)")
    return PrinterStatus(True, None, f"{spec}: connected")


def _serial_status(spec: PrinterSpec) -> PrinterStatus:
    assert spec.path is not None
    if spec.path.startswith("/") and not os.path.exists(spec.path):
        return PrinterStatus(False, "offline", f"{spec}: no such port")
    return PrinterStatus(True, None, f"{spec}: port present")


def query_status(spec: PrinterSpec | str, timeout: float = 2.0) -> PrinterStatus:
    """The printer's state, within about `timeout` seconds; never raises for an unreachable printer.

    tcp: DLE EOT 1/2/4 (offline, cover open, paper end / near end); a printer that accepts but does
    not answer is "timeout", a closed port "refused", no route or no answer to connect "offline".
    file/usb/serial: best effort (present and writable). dummy: always ok.
    """
    spec = _as_spec(spec)
    if spec.scheme == "dummy":
        return PrinterStatus(True, None, "dummy printer")
    deadline = time.monotonic() + timeout
    if spec.scheme == "tcp":
        try:
            sock = _connect(spec, deadline)
        except PrinterError as err:
            return PrinterStatus(False, err.kind, err.detail)
        with sock:
            if not spec.status:
                return PrinterStatus(True, None, f"{spec}: reachable (status queries off)")
            return _tcp_status(sock, spec, deadline)
    check = {"file": _file_status, "usb": _usb_status, "serial": _serial_status}[spec.scheme]
    printing = PrinterStatus(True, None, f"{spec}: busy (printing)")
    try:
        return _bounded(
            _locked(spec, lambda: check(spec), deadline, busy=lambda: printing), timeout, f"status of {spec}"
        )
    except PrinterError as err:
        return PrinterStatus(False, err.kind, err.detail)
