"""A/B posts, leave and cover, the unstaffed alarm, and the manager re-routing the hall."""

from __future__ import annotations

from datetime import timedelta

import pytest

from server.domain.errors import RuleViolation
from server.services import audit, halls, rerouting, staff, transfers
from server.services import tickets as ts
from server.services import windows as ws
from tests.helpers import gen_hall, principal


@pytest.fixture
def people(ctx):
    """Demo posts: window 2 has A clerk02 and B clerk03; window 3 has A clerk03 and B clerk02."""
    return {
        "kiosk": principal(ctx, "kiosk"),
        "manager": principal(ctx, "manager", "manager"),
        **{f"c{i}": principal(ctx, "clerk", f"clerk{i:02d}") for i in (2, 3, 4, 5, 6, 8)},
    }


def snapshot_window(ctx, number):
    snap = halls.snapshot(ctx, principal(ctx, "board"), "demo")
    return next(w for w in snap["windows"] if w["number"] == number)


def test_when_a_signs_out_b_serves_as_service_and_a_window_board_points_to_b(ctx, people, clock):
    ws.sign_in(ctx, people["c2"], 2)
    ws.sign_in(ctx, people["c3"], 3)
    # a ticket of H (served only by window 3 among open ones) and one directed to window 3
    h = ts.issue_ticket(ctx, people["kiosk"], "H")
    clock.advance(seconds=5)
    a = ts.issue_ticket(ctx, people["kiosk"], "A")
    t = ts.call_next(ctx, people["c3"], 3)
    assert t["id"] == h["id"]
    ts.act_on_ticket(ctx, people["c3"], h["id"], "start")
    ts.act_on_ticket(ctx, people["c3"], h["id"], "complete")
    # A-post clerk03 leaves window 3
    ws.sign_out(ctx, people["c3"], 3)
    h2 = ts.issue_ticket(ctx, people["kiosk"], "H")

    board = snapshot_window(ctx, 3)
    assert board["status"] == "closed"
    # a board shows who covers by name and badge (挂牌上岗), never by login name
    assert board["cover"]["window"]["number"] == 2 and board["cover"]["clerk"]["name"] == "王芳"
    assert board["posts"]["a"]["name"] == "张伟" and board["posts"]["b"]["name"] == "王芳"
    assert "username" not in board["cover"]["clerk"] and "username" not in board["posts"]["a"]

    called = [ts.call_next(ctx, people["c2"], 2)]
    assert called[0]["id"] == a["id"], "its own earlier A ticket first"
    assert called[0]["on_post"] == {"by": "clerk02", "window": 2, "covering": [3]}
    ts.act_on_ticket(ctx, people["c2"], a["id"], "start")
    ts.act_on_ticket(ctx, people["c2"], a["id"], "complete")
    nxt = ts.call_next(ctx, people["c2"], 2)
    assert nxt["id"] == h2["id"], "B serves A's service (H) while A is away"


def test_tickets_directed_to_a_window_move_to_its_b_post(ctx, people, clock):
    ws.sign_in(ctx, people["c3"], 3)
    ws.sign_in(ctx, people["c6"], 6)
    c = ts.issue_ticket(ctx, people["kiosk"], "C")
    ts.call_next(ctx, people["c6"], 6)
    ts.act_on_ticket(ctx, people["c6"], c["id"], "start")
    moved = transfers.transfer(ctx, people["c6"], c["id"], "户籍问题，请到3号窗口", window_id=3)
    assert moved["directed_window"]["number"] == 3
    ws.sign_out(ctx, people["c3"], 3)
    ws.sign_in(ctx, people["c2"], 2)
    assert ts.call_next(ctx, people["c2"], 2)["id"] == c["id"], "A's directed ticket is at B"


def test_a_on_leave_is_covered_even_before_signing_in(ctx, people, clock):
    today = clock.now.date()
    lv = staff.register_leave(
        ctx, people["c3"], today.isoformat(), today.isoformat(), "病假", "H类业务材料在左侧柜子"
    )
    assert lv["short_notice"] is True, "registered on the day itself"
    handovers = staff.handovers(ctx, people["c2"])
    assert handovers[0]["handover_note"] == "H类业务材料在左侧柜子" and handovers[0]["window"]["number"] == 3


def test_leave_registered_the_day_before_is_not_short_notice(ctx, people, clock):
    tomorrow = (clock.now + timedelta(days=1)).date().isoformat()
    lv = staff.register_leave(
        ctx, people["manager"], tomorrow, tomorrow, "培训", "交接给B岗", username="clerk03"
    )
    assert lv["short_notice"] is False and lv["user"]["username"] == "clerk03"
    with pytest.raises(RuleViolation):
        staff.register_leave(ctx, people["c2"], tomorrow, tomorrow, "x", "y", username="clerk03")
    with pytest.raises(RuleViolation):
        staff.register_leave(ctx, people["c2"], tomorrow, tomorrow, "x", "   ")


def test_alarm_when_neither_a_nor_b_is_present_and_citizens_wait(ctx, people, clock):
    # window 3 serves A and H; nobody at 2 or 3; an H citizen waits for window 3
    ts.issue_ticket(ctx, people["kiosk"], "H")
    started = clock.now
    clock.advance(seconds=20)
    events = staff.check_alarms(ctx, "demo")
    alarms = [e for e in events if e["type"] == "window.alarm"]
    numbers = sorted(e["data"]["window"]["number"] for e in alarms)
    assert 3 in numbers
    alarm3 = next(e for e in alarms if e["data"]["window"]["number"] == 3)
    assert alarm3["data"]["b"]["username"] == "clerk02" and alarm3["data"]["waiting"] == 1
    assert clock.now - started <= timedelta(minutes=1)
    assert any(a["window"]["number"] == 3 for a in staff.active_alarms(ctx, people["manager"], "demo"))
    assert staff.check_alarms(ctx, "demo") == [], "an alarm is raised once"
    ws.sign_in(ctx, people["c2"], 2)  # B arrives and covers
    cleared = staff.check_alarms(ctx, "demo")
    assert any(e["type"] == "window.alarm_cleared" and e["data"]["window"]["number"] == 3 for e in cleared)


def test_no_alarm_outside_opening_hours(ctx, people, clock):
    from server.storage.models import Hall

    with ctx.db.transaction() as s:
        s.query(Hall).filter(Hall.code == "demo").one().opening_hours = {"mon": [["08:30", "17:30"]]}
    ts.issue_ticket(ctx, people["kiosk"], "H")
    # 2026-11-27 is a Friday: closed by these hours
    assert [e for e in staff.check_alarms(ctx, "demo") if e["type"] == "window.alarm"] == []


def test_manager_moves_a_service_between_windows(ctx, people, clock):
    """Service H from window 3 to window 5: the next call at 5 gets H, at 3 it does not."""
    ws.sign_in(ctx, people["c3"], 3)
    ws.sign_in(ctx, people["c5"], 5)
    published = []
    ctx.publish = published.extend
    rerouting.set_window_services(ctx, people["manager"], 3, ["A"])
    rerouting.set_window_services(ctx, people["manager"], 5, ["B", "H"])
    h = ts.issue_ticket(ctx, people["kiosk"], "H")
    assert ts.call_next(ctx, people["c3"], 3) is None
    assert ts.call_next(ctx, people["c5"], 5)["id"] == h["id"]
    updated = [e for e in published if e["type"] == "window.updated"]
    assert updated[-1]["data"]["window"]["services"] == ["B", "H"], "boards get the new services"
    log = audit.audit_log(ctx, people["manager"], "demo", user="manager")
    change = [r for r in log if r["type"] == "window.updated" and r["window"]["number"] == 5][0]
    assert change["actor"]["username"] == "manager" and "H" in change["summary"] and change["at"]


def test_moving_waiting_citizens_asks_for_confirmation_first(ctx, people, clock):
    for _ in range(3):
        clock.advance(seconds=1)
        ts.issue_ticket(ctx, people["kiosk"], "E")
    preview = rerouting.move_waiting(
        ctx, people["manager"], "demo", {"service": "E"}, {"service": "D"}, False
    )
    assert preview == {"moved": 0, "confirm_required": True, "count": 3, "numbers": ["E001", "E002", "E003"]}
    assert halls.snapshot(ctx, people["manager"], "demo")["waiting"]["E"] == 3, "nothing moved yet"
    done = rerouting.move_waiting(
        ctx, people["manager"], "demo", {"service": "E"}, {"service": "D"}, True, "税务窗口故障"
    )
    assert done["moved"] == 3
    snap = halls.snapshot(ctx, people["manager"], "demo")
    assert snap["waiting"]["E"] == 0 and snap["waiting"]["D"] == 3


def test_clerk_cannot_change_posts_or_move_services(ctx, people):
    with pytest.raises(RuleViolation) as err:
        staff.set_posts(ctx, people["c2"], 2, "clerk02", "clerk04")
    assert err.value.code == "forbidden"
    with pytest.raises(RuleViolation):
        rerouting.set_window_services(ctx, people["c2"], 2, ["A", "H"])
    with pytest.raises(RuleViolation):
        rerouting.move_waiting(ctx, people["c2"], "demo", {"service": "E"}, {"service": "D"}, True)


def test_manager_of_one_hall_cannot_touch_another_hall(ctx, people, clock):

    gen_hall(ctx, name="另一大厅", people=(("boss2", "manager", "别处经理"),))
    foreign = principal(ctx, "manager", "boss2", hall="other")
    for action in (
        lambda: staff.set_posts(ctx, foreign, 2, "clerk02", "clerk03"),
        lambda: rerouting.set_window_services(ctx, foreign, 3, ["A"]),
        lambda: rerouting.move_waiting(ctx, foreign, "demo", {"service": "E"}, {"service": "D"}, True),
        lambda: audit.audit_log(ctx, foreign, "demo"),
    ):
        with pytest.raises(RuleViolation) as err:
            action()
        assert err.value.code == "forbidden"


def test_posts_are_set_by_the_manager_and_a_and_b_differ(ctx, people):
    view = staff.set_posts(ctx, people["manager"], 4, "clerk04", "clerk06")
    assert view["a"]["username"] == "clerk04" and view["b"]["username"] == "clerk06"
    with pytest.raises(RuleViolation):
        staff.set_posts(ctx, people["manager"], 4, "clerk04", "clerk04")
    with pytest.raises(RuleViolation) as err:
        staff.set_posts(ctx, people["manager"], 4, "manager", "clerk06")
    assert err.value.field == "a"


def test_attendance_log_records_sign_in_pause_and_sign_out(ctx, people):
    ws.sign_in(ctx, people["c4"], 4)
    ws.pause(ctx, people["c4"], 4, "午休")
    ws.resume(ctx, people["c4"], 4)
    ws.sign_out(ctx, people["c4"], 4)
    log = staff.attendance_log(ctx, people["manager"], "demo")
    assert [r["kind"] for r in reversed(log)] == ["sign_in", "pause", "resume", "sign_out"]
    assert log[2]["reason"] == "午休" and log[0]["user"]["username"] == "clerk04"


def test_audit_csv_has_who_what_when(ctx, people):
    ws.sign_in(ctx, people["c4"], 4)
    rows = audit.audit_log(ctx, people["manager"], "demo", window=4)
    text = audit.audit_csv(rows)
    assert text.startswith("\ufeff") and "window.updated" in text and "刘洋" in text


def test_no_alarm_on_a_holiday_and_alarms_on_a_makeup_workday_by_the_named_weekdays_hours(ctx, people, clock):
    from datetime import UTC, datetime

    from server.storage.models import Hall

    with ctx.db.transaction() as s:
        hall = s.query(Hall).filter(Hall.code == "demo").one()
        hall.opening_hours = {d: [["08:30", "17:30"]] for d in ("mon", "tue", "wed", "thu", "fri")}
    clock.now = datetime(2026, 10, 1, 2, 0, tzinfo=UTC)  # 国庆, a Thursday, 10:00 in Shanghai
    ts.issue_ticket(ctx, people["kiosk"], "H")
    assert [e for e in staff.check_alarms(ctx, "demo") if e["type"] == "window.alarm"] == []
    clock.now = datetime(2026, 10, 10, 2, 0, tzinfo=UTC)  # the 调休 Saturday, 10:00 in Shanghai
    ts.issue_ticket(ctx, people["kiosk"], "H")
    clock.advance(seconds=20)
    assert any(e["type"] == "window.alarm" for e in staff.check_alarms(ctx, "demo"))
