"""Printer specs as URLs: where a printer is and how to reach it.

    tcp://192.168.1.50:9100          network printer (port defaults to 9100)
    tcp://192.168.1.50?status=off    … that does not answer DLE EOT status queries
    usb://0416:5011                  USB printer by vendor:product id (hex, as lsusb shows; 0x allowed)
    usb://0416:5011?in_ep=0x81&out_ep=0x03   … with non-default endpoints
    serial:///dev/ttyS0?baudrate=9600
    file:///dev/usb/lp0              a device file (Linux usblp) or any file
    dummy://                         keeps the bytes in memory (tests)

`str(spec)` gives the canonical form, so equal printers compare equal as strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

SCHEMES = ("tcp", "usb", "serial", "file", "dummy")
DEFAULT_TCP_PORT = 9100
DEFAULT_BAUDRATE = 9600
EXAMPLES = "tcp://host:9100, usb://VID:PID, serial:///dev/ttyS0, file:///dev/usb/lp0 or dummy://"

_HEX_ID = re.compile(r"^(0x)?([0-9a-f]{1,4})$", re.IGNORECASE)
_HOST = re.compile(r"^[A-Za-z0-9._-]+$")
_WINDOWS_COM = re.compile(r"^COM\d+$", re.IGNORECASE)


@dataclass(frozen=True)
class PrinterSpec:
    """A parsed printer spec; only the fields of its scheme are set."""

    scheme: str
    host: str | None = None
    port: int | None = None
    vendor_id: int | None = None
    product_id: int | None = None
    in_ep: int | None = None  # USB endpoints; None means python-escpos' defaults (0x82 in, 0x01 out)
    out_ep: int | None = None
    path: str | None = None
    baudrate: int | None = None
    status: bool = True  # tcp: ask DLE EOT status before printing

    def __str__(self) -> str:
        if self.scheme == "tcp":
            host = f"[{self.host}]" if self.host and ":" in self.host else self.host
            return f"tcp://{host}:{self.port}" + ("" if self.status else "?status=off")
        if self.scheme == "usb":
            query = "&".join(
                f"{name}=0x{value:02x}"
                for name, value in (("in_ep", self.in_ep), ("out_ep", self.out_ep))
                if value is not None
            )
            return f"usb://{self.vendor_id:04x}:{self.product_id:04x}" + (f"?{query}" if query else "")
        if self.scheme == "serial":
            return f"serial://{self.path}?baudrate={self.baudrate}"
        if self.scheme == "file":
            return f"file://{self.path}"
        return "dummy://"


def _hex_id(value: str, what: str, spec: str) -> int:
    m = _HEX_ID.match(value.strip())
    if not m:
        raise ValueError(f"{what} {value!r} in {spec!r} is not a hex id like 0416 or 0x0416")
    return int(m.group(2), 16)


def _endpoint(value: str, what: str, spec: str) -> int:
    try:
        ep = int(value, 0)
    except ValueError:
        raise ValueError(f"USB {what} {value!r} in {spec!r} is not a number like 0x81") from None
    if not 0 <= ep <= 0xFF:
        raise ValueError(f"USB {what} {value!r} in {spec!r} is out of range (0x00–0xff)")
    return ep


def _options(query: str, allowed: tuple[str, ...], spec: str) -> dict[str, str]:
    opts: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key not in allowed:
            known = ", ".join(allowed) if allowed else "none"
            raise ValueError(f"unknown option {key!r} in printer spec {spec!r} (options here: {known})")
        if key in opts:
            raise ValueError(f"option {key!r} given twice in printer spec {spec!r}")
        opts[key] = value
    return opts


def parse_spec(s: str) -> PrinterSpec:
    """Parse a printer spec URL; ValueError naming what is wrong."""
    if not isinstance(s, str) or not s.strip():
        raise ValueError(f"empty printer spec: expected {EXAMPLES}")
    spec = s.strip()
    scheme, sep, rest = spec.partition("://")
    if not sep:
        raise ValueError(f"printer spec {spec!r} has no scheme: expected {EXAMPLES}")
    scheme = scheme.lower()
    if scheme not in SCHEMES:
        raise ValueError(f"unknown printer type {scheme!r} in {spec!r}: expected {EXAMPLES}")
    rest, _, query = rest.partition("?")

    if scheme == "tcp":
        opts = _options(query, ("status",), spec)
        hostport = rest.rstrip("/")
        if hostport.startswith("["):  # IPv6 literal: [::1]:9100
            host, bracket, after = hostport[1:].partition("]")
            if not bracket or (after and not after.startswith(":")):
                raise ValueError(f"malformed IPv6 address in {spec!r}")
            port_text = after[1:] if after else ""
        else:
            host, colon, port_text = hostport.partition(":")
            if colon and not port_text:
                raise ValueError(f"empty port in {spec!r}")
        if not host:
            raise ValueError(f"no host in {spec!r}: expected tcp://host:9100")
        if not hostport.startswith("[") and not _HOST.match(host):
            raise ValueError(f"invalid host {host!r} in {spec!r}")
        port = DEFAULT_TCP_PORT
        if port_text:
            if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
                raise ValueError(f"invalid port {port_text!r} in {spec!r}: expected 1–65535 (usually 9100)")
            port = int(port_text)
        status_text = opts.get("status", "on").lower()
        if status_text not in ("on", "off", "1", "0", "true", "false", "yes", "no"):
            raise ValueError(f"option status={status_text!r} in {spec!r} must be on or off")
        return PrinterSpec("tcp", host=host, port=port, status=status_text in ("on", "1", "true", "yes"))

    if scheme == "usb":
        opts = _options(query, ("in_ep", "out_ep"), spec)
        vid, colon, pid = rest.rstrip("/").partition(":")
        if not colon or not vid or not pid:
            raise ValueError(f"{spec!r} needs vendor and product id: usb://VID:PID, e.g. usb://0416:5011")
        return PrinterSpec(
            "usb",
            vendor_id=_hex_id(vid, "vendor id", spec),
            product_id=_hex_id(pid, "product id", spec),
            in_ep=_endpoint(opts["in_ep"], "in_ep", spec) if "in_ep" in opts else None,
            out_ep=_endpoint(opts["out_ep"], "out_ep", spec) if "out_ep" in opts else None,
        )

    if scheme == "serial":
        opts = _options(query, ("baudrate",), spec)
        # serial:///dev/ttyS0 (absolute path) or serial://COM3 on a Windows kiosk
        if not (rest.startswith("/") and len(rest) > 1) and not _WINDOWS_COM.match(rest):
            raise ValueError(
                f"{spec!r} needs a device path: serial:///dev/ttyS0 (three slashes) or serial://COM3"
            )
        baud_text = opts.get("baudrate", str(DEFAULT_BAUDRATE))
        if not baud_text.isdigit() or not 50 <= int(baud_text) <= 4_000_000:
            raise ValueError(f"invalid baudrate {baud_text!r} in {spec!r}: e.g. 9600, 19200, 115200")
        return PrinterSpec("serial", path=rest, baudrate=int(baud_text))

    if scheme == "file":
        _options(query, (), spec)
        if not rest.startswith("/") or len(rest) < 2 or rest.endswith("/"):
            raise ValueError(f"{spec!r} needs an absolute file path: file:///dev/usb/lp0 (three slashes)")
        return PrinterSpec("file", path=rest)

    _options(query, (), spec)
    if rest.strip("/"):
        raise ValueError(f"dummy printer spec takes nothing after dummy://, got {spec!r}")
    return PrinterSpec("dummy")
