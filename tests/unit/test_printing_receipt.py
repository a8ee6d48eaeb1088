"""The acceptance receipt (受理回执) in printer bytes: GB18030 text and the QR to the case page."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from server.printing.render import render
from server.printing.slip import ReceiptSlipData, receipt_slip
from server.services.core.print_queue import render_slip

AT = datetime(2026, 9, 30, 10, 5, tzinfo=ZoneInfo("Asia/Shanghai"))
URL = "https://hall.example.gov.cn/c/k3Jx9-Qm2PzR8tLw"


def receipt(**kw: object) -> ReceiptSlipData:
    fields: dict[str, object] = {
        "hall_name": "市民服务中心",
        "service_name": "公积金",
        "case_number": "20260930-F-0001",
        "accepted_at": AT,
        "materials": ["身份证", "购房合同"],
        "due": "2026-10-10",
        "due_note": None,
        "limit_days": 3,
        "owner": "黄丽（工号 0108）",
        "case_url": URL,
    }
    fields.update(kw)
    return ReceiptSlipData(**fields)  # type: ignore[arg-type]


def test_the_receipt_prints_the_case_number_due_date_owner_materials_and_qr():
    data = render(receipt_slip(receipt()), "text", 80)
    text = data.decode("gb18030", errors="replace")
    for part in (
        "受理回执",
        "20260930-F-0001",
        "承诺办结日期：2026-10-10（3 个工作日）",
        "黄丽（工号 0108）",
        "购房合同",
        "公积金",
    ):
        assert part in text, part
    assert URL.encode() in data  # the native QR command carries the case page's URL


def test_a_receipt_without_a_due_date_says_why():
    text = render(receipt_slip(receipt(due=None, due_note="待定（2027 年放假安排公布后确定）")), "text", 80)
    assert "待定（2027 年放假安排公布后确定）" in text.decode("gb18030", errors="replace")


def test_a_stored_receipt_slip_renders_like_the_data():
    slip = {
        "kind": "receipt",
        "hall_name": "市民服务中心",
        "service_name": "公积金",
        "case_number": "20260930-F-0001",
        "accepted_at": AT.isoformat(),
        "materials": ["身份证"],
        "due": "2026-10-10",
        "limit_days": 3,
        "owner": "黄丽",
        "case_url": URL,
    }
    assert "20260930-F-0001" in render_slip(slip, "text", 80).decode("gb18030", errors="replace")


def test_a_receipt_needs_local_time_and_its_page():
    with pytest.raises(ValueError):
        receipt(accepted_at=datetime(2026, 9, 30, 2, 5))
    with pytest.raises(ValueError):
        receipt(case_url="")
