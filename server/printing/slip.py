"""Slips as a small document model, and the ticket layout.

A `Slip` is a list of blocks — `Text`, `Qr`, `Rule`, `Feed` — that knows nothing about paper
width or printer fonts; `render.py` turns it into ESC/POS bytes for a 58 or 80 mm printer (and
always ends it with a cut). A new kind of slip (a notice of missing documents, a window receipt)
is just another builder function returning a `Slip`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Align = Literal["left", "center", "right"]
ALIGNS: tuple[str, ...] = ("left", "center", "right")

# The service commitment most Chinese government halls print on their tickets.
DEFAULT_FOOTER = "一次告知 · 限时办结 · 首问负责"
PRIORITY_MARK = "绿色通道"
WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


@dataclass(frozen=True)
class Text:
    """A paragraph of text.

    `size` is the ESC/POS width and height multiplier (1–8; 1 is the printer's 24-dot font).
    The renderer wraps long text at the paper width; with `fit=True` it first shrinks the size
    (never below 1) so the text stays on one line — for ticket numbers, which must never wrap.
    `invert` prints white on black (a banner such as the priority mark).
    """

    text: str
    size: int = 1
    align: Align = "left"
    bold: bool = False
    invert: bool = False
    fit: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.size, int) or not 1 <= self.size <= 8:
            raise ValueError(f"Text size must be an integer from 1 to 8, got {self.size!r}")
        if self.align not in ALIGNS:
            raise ValueError(f"Text align must be left, center or right, got {self.align!r}")


@dataclass(frozen=True)
class Qr:
    """A QR code of `data`, centred; `size` is the module size in printer dots (1–16)."""

    data: str
    size: int = 6

    def __post_init__(self) -> None:
        if not self.data:
            raise ValueError("Qr data must not be empty")
        if not isinstance(self.size, int) or not 1 <= self.size <= 16:
            raise ValueError(f"Qr module size must be an integer from 1 to 16, got {self.size!r}")


@dataclass(frozen=True)
class Rule:
    """A dashed line across the paper."""


@dataclass(frozen=True)
class Feed:
    """Blank lines (the printer's default line height each)."""

    lines: int = 1

    def __post_init__(self) -> None:
        if not isinstance(self.lines, int) or not 0 <= self.lines <= 255:
            raise ValueError(f"Feed lines must be an integer from 0 to 255, got {self.lines!r}")


Block = Text | Qr | Rule | Feed


@dataclass
class Slip:
    """A printable slip: blocks top to bottom. The renderer adds the final feed and cut."""

    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> Slip:
        """Append blocks; returns the slip so builders can chain."""
        for b in blocks:
            if not isinstance(b, Text | Qr | Rule | Feed):
                raise TypeError(f"not a slip block: {b!r}")
            self.blocks.append(b)
        return self

    def __iter__(self) -> Iterator[Block]:
        return iter(self.blocks)

    def __len__(self) -> int:
        return len(self.blocks)


@dataclass(frozen=True)
class TicketSlipData:
    """Everything printed on a queue ticket."""

    hall_name: str
    service_name: str
    number: str
    people_ahead: int | None
    estimated_wait_s: int | None
    issued_at: datetime  # aware, already in the hall's local timezone
    status_url: str
    priority: bool = False
    footer: str | None = None
    #: the service commitment (服务承诺) from the guide: 法定时限 / 承诺时限 or 即办件 / 收费
    commitment: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # A naive datetime here is almost always UTC from the database: printing it would show
        # the wrong hour to the citizen, so refuse it loudly instead.
        if self.issued_at.tzinfo is None or self.issued_at.utcoffset() is None:
            raise ValueError("issued_at must be timezone-aware (the hall's local time)")
        if not self.number:
            raise ValueError("a ticket slip needs a number")
        if not self.status_url:
            raise ValueError("a ticket slip needs a status URL for its QR code")


def people_ahead_text(people_ahead: int | None) -> str | None:
    """'您前面还有 5 人等候' — or None when unknown."""
    if people_ahead is None:
        return None
    if people_ahead <= 0:
        return "您前面没有人等候，请留意叫号"
    return f"您前面还有 {people_ahead} 人等候"


def wait_text(estimated_wait_s: int | None) -> str | None:
    """'预计等待约 15 分钟' (rounded up to whole minutes) — or None when unknown or zero."""
    if estimated_wait_s is None or estimated_wait_s <= 0:
        return None
    minutes = math.ceil(estimated_wait_s / 60)
    if minutes < 60:
        return f"预计等待约 {minutes} 分钟"
    hours, rest = divmod(minutes, 60)
    return f"预计等待约 {hours} 小时" + (f" {rest} 分钟" if rest else "")


def issued_text(issued_at: datetime) -> str:
    """'2025年6月3日 星期二 09:41' in the datetime's own timezone."""
    d = issued_at
    return f"{d.year}年{d.month}月{d.day}日 {WEEKDAYS[d.weekday()]} {d:%H:%M}"


def ticket_slip(t: TicketSlipData) -> Slip:
    """The queue ticket: hall, service, the number very large, wait, QR of the status page, time,
    the service commitment, footer."""
    slip = Slip()
    if t.priority:
        slip.add(Text(PRIORITY_MARK, size=2, align="center", bold=True, invert=True))
    slip.add(
        Text(t.hall_name, size=1, align="center", bold=True),
        Rule(),
        Text(t.service_name, size=2, align="center", bold=True),
        # The number is what the citizen matches against the board: as large as the paper allows.
        Text(t.number, size=6, align="center", bold=True, fit=True),
    )
    for line in (people_ahead_text(t.people_ahead), wait_text(t.estimated_wait_s)):
        if line:
            slip.add(Text(line, align="center"))
    slip.add(
        Rule(),
        Qr(t.status_url, size=6),
        Text("手机扫码 查看排队进度", align="center"),
        Text(issued_text(t.issued_at), align="center"),
    )
    if t.commitment:
        slip.add(Rule(), Text("服务承诺", align="center", bold=True), *(Text(line) for line in t.commitment))
    footer = DEFAULT_FOOTER if t.footer is None else t.footer.strip()
    if footer:  # an empty footer means none, not a dangling rule
        slip.add(Rule(), Text(footer, align="center"))
    return slip


@dataclass(frozen=True)
class NoticeSlipData:
    """Everything printed on a one-time notice (一次告知单)."""

    hall_name: str
    service_name: str
    code: str
    number: str
    items: list[str]
    note: str | None
    window: str | None
    clerk: str | None
    issued_at: datetime  # aware, in the hall's local timezone
    notice_url: str

    def __post_init__(self) -> None:
        if self.issued_at.tzinfo is None or self.issued_at.utcoffset() is None:
            raise ValueError("issued_at must be timezone-aware (the hall's local time)")


def notice_slip(n: NoticeSlipData) -> Slip:
    """The one-time notice: every missing item at once, the code that gives a fast lane on return."""
    slip = Slip()
    slip.add(
        Text(n.hall_name, align="center", bold=True),
        Text("一次性告知单", size=2, align="center", bold=True),
        Rule(),
        Text(f"事项：{n.service_name}", bold=True),
        Text(f"票号：{n.number}"),
        Rule(),
        Text("请补齐以下材料（一次告知，不再另行要求）：", bold=True),
    )
    for i, item in enumerate(n.items, start=1):
        slip.add(Text(f"{i}. {item}"))
    if n.note:
        slip.add(Text(f"说明：{n.note}"))
    slip.add(
        Rule(),
        Text("告知单编号", align="center"),
        Text(n.code, size=3, align="center", bold=True, fit=True),
        Text("再次来办时在取号机输入编号或扫码，优先叫号", align="center"),
        Qr(n.notice_url, size=5),
        Text(issued_text(n.issued_at), align="center"),
    )
    who = " · ".join(x for x in (n.window, n.clerk) if x)
    if who:
        slip.add(Text(f"经办：{who}", align="center"))
    slip.add(Rule(), Text(DEFAULT_FOOTER, align="center"))
    return slip


@dataclass(frozen=True)
class ReceiptSlipData:
    """Everything printed on an acceptance receipt (受理回执) at the window."""

    hall_name: str
    service_name: str
    case_number: str
    accepted_at: datetime  # aware, in the hall's local timezone
    materials: list[str]
    due: str | None  #: YYYY-MM-DD, or None (why: `due_note`)
    due_note: str | None
    limit_days: int | None
    owner: str | None  #: "name（工号 0105）"
    case_url: str

    def __post_init__(self) -> None:
        if self.accepted_at.tzinfo is None or self.accepted_at.utcoffset() is None:
            raise ValueError("accepted_at must be timezone-aware (the hall's local time)")
        if not self.case_number or not self.case_url:
            raise ValueError("a receipt needs the case number and the URL of its page")


def receipt_slip(r: ReceiptSlipData) -> Slip:
    """The acceptance receipt: the case number, the promised date, who follows it, the materials
    received, and the QR to the citizen's case page."""
    slip = Slip()
    slip.add(
        Text(r.hall_name, align="center", bold=True),
        Text("受理回执", size=2, align="center", bold=True),
        Rule(),
        Text(f"事项：{r.service_name}", bold=True),
        Text("办件编号", align="center"),
        Text(r.case_number, size=2, align="center", bold=True, fit=True),
        Text(f"受理时间：{issued_text(r.accepted_at)}"),
    )
    if r.due:
        limit = f"（{r.limit_days} 个工作日）" if r.limit_days else ""
        slip.add(Text(f"承诺办结日期：{r.due}{limit}", bold=True))
    elif r.due_note:
        slip.add(Text(f"承诺办结日期：{r.due_note}", bold=True))
    if r.owner:
        slip.add(Text(f"首办责任人：{r.owner}"))
    if r.materials:
        slip.add(Text("已收材料：", bold=True))
        for i, m in enumerate(r.materials, start=1):
            slip.add(Text(f"{i}. {m}"))
    slip.add(
        Rule(),
        Text("扫码查看办理进度", align="center"),
        Qr(r.case_url, size=5),
        Text("时限按工作日计算，受理当日不计入", align="center"),
        Rule(),
        Text(DEFAULT_FOOTER, align="center"),
    )
    return slip
