"""Text mode, byte by byte: Chinese mode + GB18030, native QR, sizes, widths, the final cut."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from server.printing.render import COLUMNS, render, render_text
from server.printing.slip import (
    DEFAULT_FOOTER,
    Feed,
    Qr,
    Rule,
    Slip,
    Text,
    TicketSlipData,
    ticket_slip,
    wait_text,
)

URL = "https://hall.example.gov.cn/t/Ab3dEf9hJk"
FS_ON, FS_OFF = b"\x1c&", b"\x1c."
CUT = b"\x1dV\x00"


def ticket(**overrides: object) -> TicketSlipData:
    fields: dict[str, object] = {
        "hall_name": "市民服务中心",
        "service_name": "社保医保",
        "number": "C023",
        "people_ahead": 5,
        "estimated_wait_s": 900,
        "issued_at": datetime(2025, 6, 3, 9, 41, tzinfo=ZoneInfo("Asia/Shanghai")),
        "status_url": URL,
    }
    fields.update(overrides)
    return TicketSlipData(**fields)  # type: ignore[arg-type]


def printed_lines(data: bytes) -> list[bytes]:
    """The text of each printed line with every command stripped (Chinese bytes kept)."""
    out = []
    for raw in data.split(b"\n"):
        raw = re.sub(rb"\x1d\(k(.)(.)", lambda m: b"", raw)  # QR header; its payload is checked elsewhere
        raw = re.sub(rb"\x1b[aEd].|\x1d[!BV].|\x1c[&.]|\x1b@", b"", raw, flags=re.DOTALL)
        out.append(raw)
    return out


@pytest.mark.parametrize("width", [58, 80])
def test_service_name_is_gb18030_inside_chinese_mode(width: int) -> None:
    data = render(ticket_slip(ticket()), "text", width)
    assert data.startswith(b"\x1b@")
    assert FS_ON + "社保医保".encode("gb18030") + FS_OFF in data
    assert FS_ON + "市民服务中心".encode("gb18030") + FS_OFF in data
    assert "社保医保".encode() not in data


@pytest.mark.parametrize("width", [58, 80])
def test_qr_command_carries_exactly_the_status_url(width: int) -> None:
    data = render(ticket_slip(ticket()), "text", width)
    body = URL.encode()
    n = len(body) + 3
    store = b"\x1d(k" + bytes((n & 0xFF, n >> 8)) + b"1P0" + body
    assert store in data
    assert b"\x1d(k\x04\x001A2\x00" in data  # model 2
    assert b"\x1d(k\x03\x001C\x06" in data  # module size 6
    assert b"\x1d(k\x03\x001E1" in data  # error correction M
    assert data.index(b"\x1d(k\x03\x001Q0") > data.index(store)  # print after store


@pytest.mark.parametrize("width", [58, 80])
def test_slip_ends_with_feed_and_cut(width: int) -> None:
    data = render(ticket_slip(ticket()), "text", width)
    assert data.endswith(b"\x1bd\x04" + CUT)
    assert render_text(Slip(), width) == b"\x1b@\x1bd\x04" + CUT


def test_yen_sign_is_printed_full_width() -> None:
    data = render_text(Slip([Text("工本费 ¥20 · 现场缴纳")]), 58)
    assert FS_ON + "工本费 ￥20 · 现场缴纳".encode("gb18030") + FS_OFF in data
    assert "¥".encode("gb18030") not in data
    # and the other known offenders
    data = render_text(Slip([Text("• 身份证 © ✓")]), 58)
    assert "· 身份证 (C) √".encode("gb18030") in data


def test_ascii_lines_stay_out_of_chinese_mode() -> None:
    data = render_text(Slip([Text("C023", size=6, align="center", bold=True)]), 80)
    assert FS_ON not in data
    # centre, bold, 6× width and height, then the number
    assert b"\x1ba\x01\x1bE\x01\x1dB\x00\x1d!\x55C023\n" in data


def test_number_stays_on_one_line_by_shrinking() -> None:
    # 8 characters at 6× need 48 columns: full size on 80 mm, 4× on 58 mm (32 columns)
    slip = Slip([Text("AB123456", size=6, fit=True)])
    assert b"\x1d!\x55AB123456\n" in render_text(slip, 80)
    assert b"\x1d!\x33AB123456\n" in render_text(slip, 58)


@pytest.mark.parametrize("width", [58, 80])
def test_long_chinese_text_wraps_within_the_paper(width: int) -> None:
    text = "请携带本人有效身份证件原件及复印件，到窗口办理社会保险参保登记和医疗保险关系转移手续。"
    data = render_text(Slip([Text(text)]), width)
    lines = [line for line in printed_lines(data) if line.strip(b"\x00")]
    assert len(lines) > 1
    for line in lines:
        assert len(line) <= COLUMNS[width]  # GB18030: 2 bytes = 2 columns per Chinese character
    assert b"".join(lines).decode("gb18030") == text
    # no line starts with closing punctuation
    assert not any(line.decode("gb18030").startswith(("，", "。")) for line in lines)
    # every wrapped line is in Chinese mode on its own
    assert data.count(FS_ON) == len(lines) == data.count(FS_OFF)


def test_double_size_text_wraps_at_half_the_columns() -> None:
    data = render_text(Slip([Text("不动产登记与房屋交易综合受理", size=2)]), 58)  # 14 characters
    lines = [line for line in printed_lines(data) if line]
    assert [len(line) for line in lines] == [16, 12]  # 8 characters × 2 columns × 2 = 32


def test_control_characters_cannot_inject_commands() -> None:
    data = render_text(Slip([Text("大厅\x1b@\x1dV\x00名")]), 58)
    assert FS_ON + "大厅@V名".encode("gb18030") + FS_OFF in data
    assert data.count(CUT) == 1


def test_rule_and_feed() -> None:
    assert b"-" * 32 + b"\n" in render_text(Slip([Rule()]), 58)
    assert b"-" * 48 + b"\n" in render_text(Slip([Rule()]), 80)
    assert render_text(Slip([Feed(3)]), 58) == b"\x1b@\x1bd\x03\x1bd\x04" + CUT


def test_priority_ticket_has_an_inverted_banner() -> None:
    data = render(ticket_slip(ticket(priority=True)), "text", 58)
    assert b"\x1dB\x01" + b"\x1d!\x11" + FS_ON + " 绿色通道 ".encode("gb18030") + FS_OFF in data
    assert "绿色通道".encode("gb18030") not in render(ticket_slip(ticket()), "text", 58)


def test_ticket_wording() -> None:
    data = render(ticket_slip(ticket()), "text", 80)
    for text in ("您前面还有 5 人等候", "预计等待约 15 分钟", "2025年6月3日 星期二 09:41", DEFAULT_FOOTER):
        assert text.encode("gb18030") in data, text
    data = render(ticket_slip(ticket(people_ahead=0, estimated_wait_s=0, footer="")), "text", 80)
    assert "您前面没有人等候，请留意叫号".encode("gb18030") in data
    assert "预计".encode("gb18030") not in data
    assert DEFAULT_FOOTER.encode("gb18030") not in data
    data = render(
        ticket_slip(ticket(people_ahead=None, estimated_wait_s=None, footer="请保管好本票")), "text", 58
    )
    assert "您前面".encode("gb18030") not in data
    assert "请保管好本票".encode("gb18030") in data


def test_wait_text_rounds_up_and_uses_hours() -> None:
    assert wait_text(30) == "预计等待约 1 分钟"
    assert wait_text(3600) == "预计等待约 1 小时"
    assert wait_text(5000) == "预计等待约 1 小时 24 分钟"
    assert wait_text(None) is None


def test_ticket_time_must_be_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ticket(issued_at=datetime(2025, 6, 3, 9, 41))
    # printed as given: the caller converts to the hall's timezone
    utc = ticket(issued_at=datetime(2025, 6, 3, 1, 41, tzinfo=UTC))
    assert b"01:41" in render(ticket_slip(utc), "text", 58)


def test_bad_mode_and_width_are_named() -> None:
    slip = ticket_slip(ticket())
    with pytest.raises(ValueError, match="58 or 80"):
        render(slip, "text", 76)
    with pytest.raises(ValueError, match="'text' or 'raster'"):
        render(slip, "pdf", 58)


def test_blocks_validate() -> None:
    with pytest.raises(ValueError, match="1 to 8"):
        Text("x", size=9)
    with pytest.raises(ValueError, match="align"):
        Text("x", align="middle")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="1 to 16"):
        Qr(URL, size=0)
    with pytest.raises(ValueError, match="empty"):
        Qr("")
    with pytest.raises(TypeError):
        Slip().add("text")  # type: ignore[arg-type]
