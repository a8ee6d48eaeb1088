"""The citizen's case page /c/<code>: status, promised date and who follows it, never staff's
internal steps or login names; the A4 receipt; confirming receipt once it was delivered."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from server.storage.models import Case, CaseStep, Hall, Service, User

CODE = "k3Jx9-Qm2PzR8tLw4VbN"


def add_case(ctx, status="accepted"):
    """A case as the window's accept path stores it, with a history a citizen partly sees."""
    at = datetime(2026, 9, 7, 2, 0, tzinfo=UTC)
    with ctx.db.transaction() as s:
        hall = s.scalar(select(Hall).where(Hall.code == "demo"))
        svc = s.scalar(select(Service).where(Service.code == "C"))
        clerk6 = s.scalar(select(User).where(User.username == "clerk06"))
        clerk7 = s.scalar(select(User).where(User.username == "clerk07"))
        case = Case(
            code=CODE,
            number="20260907-C-0001",
            hall_id=hall.id,
            service_id=svc.id,
            owner_id=clerk7.id,
            status=status,
            accepted_at=at,
            accepted_day=date(2026, 9, 7),
            limit_days=5,
            due_day=date(2026, 9, 16),
            materials=[{"name": "身份证"}, {"name": "社保卡"}],
        )
        s.add(case)
        s.flush()
        steps = [
            ("accepted", date(2026, 9, 7), clerk6.id, None),
            ("suspended", date(2026, 9, 9), clerk6.id, "补正：缺少单位证明"),
            ("resumed", date(2026, 9, 11), clerk6.id, None),
            ("reassigned", date(2026, 9, 11), clerk6.id, "clerk06 调岗，交 clerk07 跟进"),
        ]
        if status == "delivered":
            case.delivered_at, case.delivery_method, case.delivery_note = at, "post", "EMS 1234"
            steps += [
                ("completed", date(2026, 9, 15), clerk7.id, None),
                ("delivered", date(2026, 9, 16), clerk7.id, None),
            ]
        for kind, day, by, reason in steps:
            s.add(
                CaseStep(
                    case_id=case.id,
                    kind=kind,
                    at=at,
                    day=day,
                    by_user_id=by,
                    owner_id=clerk7.id,
                    reason=reason,
                )
            )
    return CODE


def csrf(page: str) -> str:
    m = re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', page)
    assert m, "the confirmation form carries the CSRF token"
    return m.group(1)


def test_the_citizen_sees_the_state_the_date_and_who_follows_it(client, ctx):
    code = add_case(ctx)
    page = client.get(f"/c/{code}").get_data(as_text=True)
    assert "20260907-C-0001" in page and "2026-09-16" in page and "已受理" in page
    assert "赵磊" in page and "clerk07" not in page and "clerk06" not in page  # 挂牌上岗, no logins
    assert "补正：缺少单位证明" in page  # what they must bring
    assert "调岗" not in page  # a hand-over between clerks is staff's business
    assert client.get("/c/unknown-code-0000").status_code == 404
    receipt = client.get(f"/c/{code}/receipt").get_data(as_text=True)
    assert "受理回执" in receipt and "20260907-C-0001" in receipt and "身份证" in receipt
    assert "2026-09-16" in receipt and "5 个工作日" in receipt
    assert client.get(f"/c/{code}/qr.svg").status_code == 200


def test_receipt_can_be_confirmed_only_once_it_was_delivered(client, ctx):
    code = add_case(ctx)
    page = client.get(f"/c/{code}").get_data(as_text=True)
    assert "btn-confirm" not in page
    token = csrf(client.get("/login").get_data(as_text=True))
    assert client.post(f"/c/{code}/confirm", data={"csrf_token": token}).status_code == 409


@pytest.mark.parametrize("with_token", [True, False])
def test_a_delivered_case_is_confirmed_by_its_citizen(client, ctx, with_token):
    code = add_case(ctx, status="delivered")
    page = client.get(f"/c/{code}").get_data(as_text=True)
    assert "已送达" in page and "邮寄" in page and "EMS 1234" in page and "btn-confirm" in page
    data = {"csrf_token": csrf(page)} if with_token else {}
    r = client.post(f"/c/{code}/confirm", data=data)
    if not with_token:  # a cross-site form cannot confirm for the citizen
        assert r.status_code == 400
        return
    assert r.status_code == 302
    again = client.post(f"/c/{code}/confirm", data=data)
    assert again.status_code == 302
    page = client.get(f"/c/{code}").get_data(as_text=True)
    assert "您已确认收到办理结果" in page and "btn-confirm" not in page
    with ctx.db.read() as s:
        kinds = [st.kind for st in s.scalars(select(CaseStep).order_by(CaseStep.id))]
    assert kinds.count("confirmed") == 1
