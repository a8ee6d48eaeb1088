"""Routing truth on the screens (issue 14 item 1, issue 12 item 2): A on leave and B paused → A's
window board sends nobody to B and the manager console alarms; a service no window serves → the
kiosk is told before issuing, and a hall that disallows queueing refuses the number; no ticket
with people ahead has an estimate of 0."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from server.domain.errors import RuleViolation
from server.services import admin, halls, staff
from server.services import tickets as ts
from server.services import windows as ws
from server.storage.models import Ticket
from tests.helpers import principal


@pytest.fixture
def people(ctx):
    return {
        "kiosk": principal(ctx, "kiosk"),
        "manager": principal(ctx, "manager", "manager"),
        "board": principal(ctx, "board"),
        **{f"c{i}": principal(ctx, "clerk", f"clerk{i:02d}") for i in (1, 2, 3, 12)},
    }


def window_of(snap, number):
    return next(w for w in snap["windows"] if w["number"] == number)


def test_a_on_leave_and_b_paused_sends_nobody_to_b_and_the_console_alarms(ctx, people, clock):
    # window 12 (G, A, C): A post clerk12 on leave; its B post clerk01 sits at window 1 (G)
    today = clock.now.date().isoformat()
    staff.register_leave(ctx, people["c12"], today, today, "病假", "材料在左侧柜子")
    ws.sign_in(ctx, people["c1"], 1)
    board = window_of(halls.snapshot(ctx, people["board"], "demo"), 12)
    assert board["redirect"] == {"kind": "cover", "window": board["cover"]["window"]}
    assert board["cover"]["window"]["number"] == 1

    g = ts.issue_ticket(ctx, people["kiosk"], "G")
    seq = halls.snapshot(ctx, people["board"], "demo")["seq"]
    ws.pause(ctx, people["c1"], 1, "系统维护")

    # the board of window 12 no longer sends citizens to window 1, and learns it live
    board = window_of(halls.snapshot(ctx, people["board"], "demo"), 12)
    assert board["cover"] is None
    assert board["redirect"] == {"kind": "none", "window": None}
    missed = halls.resync(ctx, people["board"], "demo", seq)["events"]
    told = [e for e in missed if e["type"] == "window.updated" and e["data"]["window"]["number"] == 12]
    assert told and told[-1]["data"]["window"]["redirect"]["kind"] == "none"

    # the manager console alarms: the G citizen has no window that can serve them
    snap = halls.snapshot(ctx, people["manager"], "demo")
    assert {"service": "G", "directed_window": None, "waiting": 1} in snap["unserved"]
    g_row = next(s for s in snap["services"] if s["code"] == "G")
    assert g_row["served"] is False
    alarms = [e for e in staff.check_alarms(ctx, "demo") if e["type"] == "window.alarm"]
    assert 12 in [e["data"]["window"]["number"] for e in alarms]
    # the public never gets the list of unserved citizens
    assert "unserved" not in halls.snapshot(ctx, people["board"], "demo")

    # B resumes: the board points to window 1 again, the alarm clears
    ws.resume(ctx, people["c1"], 1)
    board = window_of(halls.snapshot(ctx, people["board"], "demo"), 12)
    assert board["redirect"]["kind"] == "cover" and board["redirect"]["window"]["number"] == 1
    assert halls.snapshot(ctx, people["manager"], "demo")["unserved"] == []
    cleared = staff.check_alarms(ctx, "demo")
    assert any(e["type"] == "window.alarm_cleared" and e["data"]["window"]["number"] == 12 for e in cleared)
    assert ts.get_ticket(ctx, g["id"])["position"] == 0


def test_the_board_of_an_empty_window_points_to_another_serving_its_services(ctx, people):
    # window 3 (A, H) empty, its B post (clerk02) signed in at window 2 but paused; nobody else:
    ws.sign_in(ctx, people["c2"], 2)
    ws.pause(ctx, people["c2"], 2, "系统维护")
    ws.sign_in(ctx, people["c12"], 12)  # window 12 serves A too
    board = window_of(halls.snapshot(ctx, people["board"], "demo"), 3)
    assert board["redirect"]["kind"] == "other" and board["redirect"]["window"]["number"] == 12


def test_the_kiosk_is_told_before_issuing_a_number_no_window_serves(ctx, people, clock):
    ws.sign_in(ctx, people["c2"], 2)  # window 2 serves A only
    info = halls.hall_info(ctx, "demo")
    served = {s["code"]: s["served"] for s in info["services"]}
    assert served["A"] is True and served["G"] is False
    assert info["queue_when_unserved"] is True
    # the hall lets citizens queue for later: the number is issued, flagged for the slip
    t = ts.issue_ticket(ctx, people["kiosk"], "G")
    assert t["served"] is False and t["number"] == "G001"

    admin.update_hall(ctx, people["manager"], "demo", {"queue_when_unserved": False})
    assert halls.hall_info(ctx, "demo")["queue_when_unserved"] is False
    with ctx.db.read() as s:
        before = s.scalar(select(func.count(Ticket.id)))
    with pytest.raises(RuleViolation) as err:
        ts.issue_ticket(ctx, people["kiosk"], "G")
    assert err.value.code == "service_unserved"
    with ctx.db.read() as s:
        assert s.scalar(select(func.count(Ticket.id))) == before, "a refusal changes nothing"
    # a served service is still issued
    assert ts.issue_ticket(ctx, people["kiosk"], "A")["served"] is True
    # once a window serves G, the next number follows on (the refusal took no number)
    ws.sign_in(ctx, people["c1"], 1)
    assert ts.issue_ticket(ctx, people["kiosk"], "G")["number"] == "G002"


def test_no_ticket_with_people_ahead_has_an_estimate_of_0(ctx, people, clock):
    ws.sign_in(ctx, people["c2"], 2)
    ws.sign_in(ctx, people["c3"], 3)
    issued = []
    for i in range(7):
        issued.append(ts.issue_ticket(ctx, people["kiosk"], "A" if i % 3 else "H"))
        clock.advance(seconds=10)
    issued.append(ts.issue_ticket(ctx, people["kiosk"], "G"))  # nobody serves G
    for t in issued:
        assert t["position"] == 0 or t["estimated_wait_s"] > 0, t
        view = ts.get_ticket(ctx, t["id"])
        assert view["position"] == 0 or view["estimated_wait_s"] > 0, view
    info = halls.hall_info(ctx, "demo")
    for s in info["services"]:
        assert s["waiting"] == 0 or s["estimated_wait_s"] > 0, s


def test_people_ahead_follow_the_call_order(ctx, people, clock):
    ws.sign_in(ctx, people["c2"], 2)  # window 2: A only
    a1 = ts.issue_ticket(ctx, people["kiosk"], "A")
    clock.advance(seconds=10)
    a2 = ts.issue_ticket(ctx, people["kiosk"], "A")
    clock.advance(seconds=10)
    green = ts.issue_ticket(ctx, people["kiosk"], "A", priority=True)
    assert green["position"] == 0
    assert ts.get_ticket(ctx, a1["id"])["position"] == 1
    assert ts.get_ticket(ctx, a2["id"])["position"] == 2
    # the window calls in that order
    assert ts.call_next(ctx, people["c2"], 2)["id"] == green["id"]
    assert ts.get_ticket(ctx, a2["id"])["position"] == 1
