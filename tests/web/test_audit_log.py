"""The audit log says what happened (issue 15 §3): every event type has its action in words with
its details, in Chinese and English; the JSON pages by cursor; the exports carry the whole range."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from server import event_names
from server.services import audit
from tests.helpers import bearer, gen_token

AUDIT = "/api/v1/halls/demo/audit"


def every_event_type() -> list[str]:
    return sorted(
        {v for k, v in vars(event_names).items() if k.isupper() and isinstance(v, str) and "." in v}
    )


def test_every_event_type_has_an_audit_description_in_both_languages():
    missing = [t for t in every_event_type() if t not in audit.DESCRIPTIONS]
    assert not missing, (
        f"event types with no audit description: {missing}. Add a line for each to DESCRIPTIONS in "
        "server/services/audit.py, e.g. "
        '"complaint.filed": said("投诉登记", "complaint filed", _details)'
    )
    for type_ in every_event_type():
        line = audit.describe(audit.Event(type=type_, data={}, seq=1), audit.Looked({}, {}))
        zh, en = line.action
        assert zh and en and zh != type_ and en != type_, f"{type_}: the action has no words ({line})"


def rows(client, manager, query=""):
    return client.get(f"{AUDIT}?{query}", headers=manager).get_json()["events"]


def test_sign_in_pause_with_its_reason_and_resume_are_named(client, ctx):
    clerk = bearer(gen_token(ctx, "clerk", "clerk08"))
    manager = bearer(gen_token(ctx, "manager", "manager"))
    client.post("/api/v1/windows/8/sign-in", headers=clerk)
    client.post("/api/v1/windows/8/pause", json={"reason": "系统故障"}, headers=clerk)
    client.post("/api/v1/windows/8/resume", headers=clerk)
    client.post("/api/v1/windows/8/sign-out", headers=clerk)
    got = [(r["action"], r["action_en"]) for r in reversed(rows(client, manager, "user=clerk08"))]
    assert got == [("签到", "signed in"), ("暂停", "paused"), ("恢复服务", "resumed"), ("签退", "signed out")]
    pause = [r for r in rows(client, manager, "user=clerk08") if r["action"] == "暂停"][0]
    assert "系统故障" in pause["summary"] and "8号窗口" in pause["summary"]
    assert "reason: 系统故障" in pause["summary_en"] and "window 8" in pause["summary_en"]


def test_a_notice_row_carries_its_code_and_missing_items(client, ctx):
    kiosk = bearer(gen_token(ctx, "kiosk"))
    c6 = bearer(gen_token(ctx, "clerk", "clerk06"))
    manager = bearer(gen_token(ctx, "manager", "manager"))
    client.post("/api/v1/windows/6/sign-in", headers=c6)
    t = client.post("/api/v1/tickets", json={"service": "C"}, headers=kiosk).get_json()
    client.post("/api/v1/windows/6/call-next", headers=c6)
    body = {"missing": [{"name": "单位出具的证明"}, {"name": "户口簿原件"}]}
    notice = client.post(f"/api/v1/tickets/{t['id']}/notice", json=body, headers=c6).get_json()
    row = [r for r in rows(client, manager) if r["type"] == "notice.created"][0]
    assert row["action"] == "出具一次告知单" and row["action_en"] == "one-time notice issued"
    for text in (row["summary"], row["summary_en"]):
        assert notice["code"] in text and "单位出具的证明" in text and "户口簿原件" in text


def many_events(ctx, n):
    """n recorded events in the demo hall (as the services record them)."""
    from sqlalchemy import select

    from server.services.core.events import record
    from server.storage.models import Hall

    at = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
    with ctx.db.transaction() as s:
        hall = s.scalar(select(Hall).where(Hall.code == "demo"))
        for i in range(n):
            record(s, hall, event_names.TRIP_REPEATED, {"service": "A", "visits": 3 + i}, at)


def test_the_json_pages_on_with_a_cursor_and_the_exports_carry_every_row(client, ctx, monkeypatch):
    manager = bearer(gen_token(ctx, "manager", "manager"))
    many_events(ctx, 620)
    seqs, before = [], None
    while True:
        page = client.get(f"{AUDIT}?limit=250" + (f"&before={before}" if before else ""), headers=manager)
        assert page.status_code == 200, page.get_json()
        body = page.get_json()
        seqs += [r["seq"] for r in body["events"]]
        before = body["next_before"]
        if before is None:
            break
    assert len(seqs) >= 620 and seqs == sorted(set(seqs), reverse=True)
    too_many = client.get(f"{AUDIT}?limit=5001", headers=manager)
    assert too_many.status_code == 400 and "before" in too_many.get_json()["error"]["message"]

    monkeypatch.setattr(audit, "EXPORT_PAGE", 100)  # so the export reads several pages
    r = client.get(f"{AUDIT}?format=csv", headers=manager)
    assert r.status_code == 200 and r.mimetype == "text/csv" and r.is_streamed
    table = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert [int(row[0]) for row in table[1:]] == seqs
    assert table[1][3] == "多次往返" and table[1][4] == "repeated trip"

    from openpyxl import load_workbook

    x = client.get(f"{AUDIT}?format=xlsx", headers=manager)
    assert x.status_code == 200
    sheet = load_workbook(io.BytesIO(x.get_data())).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == seqs
