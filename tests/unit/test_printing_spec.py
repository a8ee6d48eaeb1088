"""Printer specs: what parses, its canonical form, and what is refused with a reason."""

from __future__ import annotations

import pytest

from server.printing.spec import PrinterSpec, parse_spec


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("tcp://192.168.1.50:9100", "tcp://192.168.1.50:9100"),
        ("tcp://192.168.1.50", "tcp://192.168.1.50:9100"),
        ("TCP://printer-3.hall.local:9101/", "tcp://printer-3.hall.local:9101"),
        ("tcp://[::1]:9100", "tcp://[::1]:9100"),
        ("tcp://10.0.0.7?status=off", "tcp://10.0.0.7:9100?status=off"),
        ("usb://0x0416:0x5011", "usb://0416:5011"),
        ("usb://0416:5011", "usb://0416:5011"),
        ("usb://4b8:E15", "usb://04b8:0e15"),
        ("usb://0416:5011?in_ep=0x81&out_ep=0x03", "usb://0416:5011?in_ep=0x81&out_ep=0x03"),
        ("serial:///dev/ttyS0", "serial:///dev/ttyS0?baudrate=9600"),
        ("serial:///dev/ttyUSB0?baudrate=115200", "serial:///dev/ttyUSB0?baudrate=115200"),
        ("serial://COM3?baudrate=19200", "serial://COM3?baudrate=19200"),
        ("file:///dev/usb/lp0", "file:///dev/usb/lp0"),
        ("  dummy://  ", "dummy://"),
    ],
)
def test_good_specs_and_their_canonical_form(text: str, canonical: str) -> None:
    spec = parse_spec(text)
    assert str(spec) == canonical
    assert parse_spec(canonical) == spec  # the canonical form parses back to the same spec


def test_parsed_fields() -> None:
    assert parse_spec("tcp://10.1.2.3:9100") == PrinterSpec("tcp", host="10.1.2.3", port=9100)
    assert parse_spec("usb://0x0416:0x5011") == PrinterSpec("usb", vendor_id=0x0416, product_id=0x5011)
    assert parse_spec("serial:///dev/ttyS0?baudrate=38400") == PrinterSpec(
        "serial", path="/dev/ttyS0", baudrate=38400
    )
    assert parse_spec("file:///tmp/out.bin") == PrinterSpec("file", path="/tmp/out.bin")
    assert parse_spec("dummy://").scheme == "dummy"
    assert parse_spec("tcp://h?status=off").status is False


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty printer spec"),
        ("192.168.1.50:9100", "no scheme"),
        ("lpt://1", "unknown printer type 'lpt'"),
        ("tcp://", "no host"),
        ("tcp://:9100", "no host"),
        ("tcp://host:", "empty port"),
        ("tcp://host:99999", "invalid port '99999'"),
        ("tcp://host:abc", "invalid port 'abc'"),
        ("tcp://bad host", "invalid host"),
        ("tcp://host?timeout=3", "unknown option 'timeout'"),
        ("tcp://host?status=maybe", "must be on or off"),
        ("tcp://[::1", "malformed IPv6"),
        ("usb://0416", "needs vendor and product id"),
        ("usb://0416:", "needs vendor and product id"),
        ("usb://xyz:5011", "vendor id 'xyz'"),
        ("usb://0416:123456", "product id '123456'"),
        ("usb://0416:5011?in_ep=zz", "in_ep 'zz'"),
        ("usb://0416:5011?out_ep=0x1ff", "out of range"),
        ("serial://dev/ttyS0", "three slashes"),
        ("serial:///dev/ttyS0?baudrate=fast", "invalid baudrate 'fast'"),
        ("serial:///dev/ttyS0?baudrate=9600&baudrate=19200", "given twice"),
        ("file://relative/path", "absolute file path"),
        ("file:///dev/usb/", "absolute file path"),
        ("file:///dev/usb/lp0?x=1", "unknown option 'x'"),
        ("dummy://something", "takes nothing"),
    ],
)
def test_bad_specs_say_what_is_wrong(text: str, reason: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_spec(text)
    assert reason in str(info.value)
