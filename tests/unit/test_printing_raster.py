"""Raster mode: the drawn slip survives GS v 0 and back, and a phone can read its QR."""

from __future__ import annotations

import math
import shutil
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image, ImageChops

from server.printing import render as render_mod
from server.printing.preview import SAMPLE_URL, print_test
from server.printing.render import (
    RASTER_BAND_ROWS,
    FontNotFoundError,
    decode_raster,
    find_cjk_font,
    raster_bytes,
    render,
    render_image,
)
from server.printing.slip import Slip, Text, TicketSlipData, ticket_slip
from server.printing.transport import DUMMY_OUTPUT

URL = "https://hall.example.gov.cn/t/Ab3dEf9hJk"


def ticket(priority: bool = False) -> TicketSlipData:
    return TicketSlipData(
        hall_name="市民服务中心（演示大厅）",
        service_name="不动产登记",
        number="B107",
        people_ahead=12,
        estimated_wait_s=2400,
        issued_at=datetime(2025, 6, 3, 14, 5, tzinfo=ZoneInfo("Asia/Shanghai")),
        status_url=URL,
        priority=priority,
    )


def read_qr(path: Path) -> str:
    if not shutil.which("zbarimg"):
        pytest.skip("zbarimg is not installed (apt install zbar-tools): cannot read the QR back")
    res = subprocess.run(["zbarimg", "--raw", "-q", str(path)], capture_output=True, text=True, timeout=10)
    assert res.returncode == 0, res.stderr
    return res.stdout.strip()


@pytest.mark.parametrize(("width", "dots"), [(58, 384), (80, 576)])
def test_raster_round_trip_reads_the_status_url(width: int, dots: int, tmp_path: Path) -> None:
    slip = ticket_slip(ticket(priority=True))
    data = render(slip, "raster", width)
    assert data.startswith(b"\x1b@")
    assert data.endswith(b"\x1bd\x04\x1dV\x00")
    image = decode_raster(data)
    assert image.width == dots
    # exactly the drawing, bit for bit
    assert ImageChops.difference(image.convert("L"), render_image(slip, width).convert("L")).getbbox() is None
    png = tmp_path / "slip.png"
    image.save(png)
    assert read_qr(png) == URL


def test_raster_is_sent_in_bands() -> None:
    image = render_image(ticket_slip(ticket()), 58)
    data = raster_bytes(image)
    assert image.height > RASTER_BAND_ROWS
    assert data.count(b"\x1dv0\x00") == math.ceil(image.height / RASTER_BAND_ROWS)
    assert data.startswith(b"\x1dv0\x00" + (384 // 8).to_bytes(2, "little"))


def test_black_pixels_are_set_bits() -> None:
    img = Image.new("1", (16, 2), 1)
    img.putpixel((0, 0), 0)  # black
    data = raster_bytes(img)
    assert data == b"\x1dv0\x00\x02\x00\x02\x00" + b"\x80\x00" + b"\x00\x00"
    assert decode_raster(data).getpixel((0, 0)) == 0


def test_odd_width_is_padded_white() -> None:
    img = Image.new("1", (10, 1), 1)
    assert raster_bytes(img) == b"\x1dv0\x00\x02\x00\x01\x00\x00\x00"


def test_decode_raster_rejects_garbage() -> None:
    with pytest.raises(ValueError, match="no GS v 0"):
        decode_raster(b"\x1b@hello")
    with pytest.raises(ValueError, match="truncated"):
        decode_raster(b"\x1dv0\x00\x30\x00\x10\x00" + b"\x00" * 20)


def test_number_is_big_and_bold_and_within_the_paper() -> None:
    slip = Slip([Text("C023", size=6, align="center", bold=True, fit=True)])
    for width, dots in ((58, 384), (80, 576)):
        image = render_image(slip, width)
        box = ImageChops.invert(image.convert("L")).getbbox()
        assert box is not None
        left, top, right, bottom = box
        assert bottom - top >= 100  # a 144-dot font: digits about 13 mm tall
        assert left >= 8 and right <= dots - 8


def test_long_numbers_shrink_to_fit() -> None:
    image = render_image(Slip([Text("AB123456", size=6, align="center", bold=True, fit=True)]), 58)
    box = ImageChops.invert(image.convert("L")).getbbox()
    assert box is not None and box[0] >= 8 and box[2] <= 384 - 8
    assert image.height < 200  # one line, not wrapped


@pytest.fixture
def no_font_cache() -> Iterator[None]:
    find_cjk_font.cache_clear()
    render_mod._font.cache_clear()
    yield
    find_cjk_font.cache_clear()
    render_mod._font.cache_clear()


def test_missing_cjk_font_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, no_font_cache: None) -> None:
    monkeypatch.delenv(render_mod.FONT_ENV, raising=False)
    monkeypatch.setattr(render_mod, "_fc_match", lambda pattern: None)
    monkeypatch.setattr(
        render_mod, "_DEBIAN_FONTS", {True: ("/nonexistent/a.ttc", 2), False: ("/nonexistent/b.ttc", 2)}
    )
    with pytest.raises(FontNotFoundError, match="fonts-noto-cjk"):
        render_image(ticket_slip(ticket()), 58)


def test_font_override_must_exist(monkeypatch: pytest.MonkeyPatch, no_font_cache: None) -> None:
    monkeypatch.setenv(render_mod.FONT_ENV, "/nonexistent/font.ttc:2")
    with pytest.raises(FontNotFoundError, match="no such font file"):
        find_cjk_font(True)


def test_print_test_writes_png_preview_and_bytes(tmp_path: Path) -> None:
    png = tmp_path / "ticket.png"
    summary = print_test(None, "raster", 80, str(png))
    assert "PNG preview" in summary and "576" in summary
    with Image.open(png) as im:
        assert im.width == 576
    assert read_qr(png) == SAMPLE_URL

    raw = tmp_path / "ticket.bin"
    summary = print_test(None, "text", 58, str(raw))
    assert f"{raw.stat().st_size} bytes" in summary
    assert "社保医保".encode("gb18030") in raw.read_bytes()


def test_print_test_sends_to_the_printer() -> None:
    DUMMY_OUTPUT.clear()
    summary = print_test("dummy://", "raster", 58, None)
    assert "printed on dummy://" in summary
    assert len(DUMMY_OUTPUT) == 1 and decode_raster(DUMMY_OUTPUT[0]).width == 384
    DUMMY_OUTPUT.clear()


def test_print_test_needs_somewhere_to_go() -> None:
    with pytest.raises(ValueError, match="--printer"):
        print_test(None, "text", 58, None)
    with pytest.raises(ValueError, match="58 or 80"):
        print_test("dummy://", "text", 57, None)
