"""First-contact responsibility and one-time notification on a real database."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from server.domain.errors import RuleViolation
from server.services import figures, notices, transfers
from server.services import tickets as ts
from server.services import windows as ws
from server.storage.models import Service
from tests.helpers import principal

GUIDE_C = {
    "materials": [
        {"id": "m1", "name": "居民身份证", "form": "original", "copies": 1, "required": True, "notes": ""},
        {"id": "m2", "name": "社会保障卡", "form": "original", "copies": 1, "required": True, "notes": ""},
        {"id": "m3", "name": "户口簿复印件", "form": "copy", "copies": 1, "required": False, "notes": ""},
    ]
}


@pytest.fixture
def hall(ctx, clock):
    """Clerks at window 6 (社保医保 C) and window 8 (公积金 F); a kiosk; C has a guide."""
    with ctx.db.transaction() as s:
        s.scalar(select(Service).where(Service.code == "C")).guide = GUIDE_C
    c6, c8 = principal(ctx, "clerk", "clerk06"), principal(ctx, "clerk", "clerk08")
    ws.sign_in(ctx, c6, 6)
    ws.sign_in(ctx, c8, 8)
    return {
        "kiosk": principal(ctx, "kiosk"),
        "c6": c6,
        "c8": c8,
        "manager": principal(ctx, "manager", "manager"),
    }


def take(ctx, hall, clock, service, **kw):
    clock.advance(seconds=30)
    return ts.issue_ticket(ctx, hall["kiosk"], service, **kw)


def serve(ctx, clerk, window):
    t = ts.call_next(ctx, clerk, window)
    ts.act_on_ticket(ctx, clerk, t["id"], "start")
    return t


def test_transfer_keeps_the_number_and_its_place_in_time(ctx, hall, clock):
    sb = take(ctx, hall, clock, "C")
    later_gjj = take(ctx, hall, clock, "F")  # came after the 社保 citizen, before the transfer
    serve(ctx, hall["c6"], 6)
    moved = transfers.transfer(ctx, hall["c6"], sb["id"], "应办理公积金提取", service_code="F")
    assert (moved["number"], moved["service"], moved["status"]) == ("C001", "F", "waiting")
    assert moved["queued_at"] == sb["queued_at"]
    assert ts.call_next(ctx, hall["c8"], 8)["id"] == sb["id"], "called before the later 公积金 ticket"
    assert later_gjj["id"] != sb["id"]
    assert moved["message"]["zh"] == "C001 请到 7、8 号窗口" or "8" in moved["message"]["zh"]


def test_transfer_to_a_window_directs_the_ticket_there_first(ctx, hall, clock):
    sb = take(ctx, hall, clock, "C")
    take(ctx, hall, clock, "F")
    serve(ctx, hall["c6"], 6)
    moved = transfers.transfer(ctx, hall["c6"], sb["id"], "公积金窗口办理", window_id=8)
    assert moved["directed_window"]["number"] == 8 and moved["message"]["zh"] == "C001 请到 8 号窗口"
    assert ts.call_next(ctx, hall["c8"], 8)["id"] == sb["id"]


def test_transfer_keeps_first_contact_owner(ctx, hall, clock):
    sb = take(ctx, hall, clock, "C")
    serve(ctx, hall["c6"], 6)
    transfers.transfer(ctx, hall["c6"], sb["id"], "转公积金", service_code="F")
    serve(ctx, hall["c8"], 8)
    t = ts.get_ticket(ctx, sb["id"])
    # the holder's view names the owner as 挂牌上岗 does: name and badge, not the login
    assert t["owner"]["name"] == "杨帆", "the second clerk does not take the matter over"
    assert [x["to_service"] for x in t["transfers"]] == ["F"]


def test_owner_follow_up_list_empties_when_another_window_completes(ctx, hall, clock):
    sb = take(ctx, hall, clock, "C")
    serve(ctx, hall["c6"], 6)
    transfers.transfer(ctx, hall["c6"], sb["id"], "转公积金", service_code="F")
    assert [t["id"] for t in transfers.follow_ups(ctx, hall["c6"])] == [sb["id"]]
    published = []
    ctx.publish = published.extend
    serve(ctx, hall["c8"], 8)
    ts.act_on_ticket(ctx, hall["c8"], sb["id"], "complete")
    done = [e for e in published if e["type"] == "ticket.done"][0]
    assert done["data"]["ticket"]["owner"]["username"] == "clerk06", "the owner's console is told"
    assert transfers.follow_ups(ctx, hall["c6"]) == []


def test_transfer_to_a_service_no_open_window_serves_is_refused_unless_a_manager_overrides(ctx, hall, clock):
    sb = take(ctx, hall, clock, "C")
    serve(ctx, hall["c6"], 6)
    with pytest.raises(RuleViolation) as err:
        transfers.transfer(ctx, hall["c6"], sb["id"], "转税务", service_code="E")
    assert err.value.code == "no_open_window"
    assert ts.get_ticket(ctx, sb["id"])["status"] == "serving", "refused: nothing changed"
    with pytest.raises(RuleViolation):
        transfers.transfer(ctx, hall["c6"], sb["id"], "转税务", service_code="E", override=True)
    moved = transfers.transfer(ctx, hall["manager"], sb["id"], "经理安排", service_code="E", override=True)
    assert moved["service"] == "E"


def test_transfer_needs_a_reason_and_the_clerk_at_the_window(ctx, hall, clock):
    sb = take(ctx, hall, clock, "C")
    serve(ctx, hall["c6"], 6)
    with pytest.raises(RuleViolation):
        transfers.transfer(ctx, hall["c6"], sb["id"], "  ", service_code="F")
    with pytest.raises(RuleViolation) as err:
        transfers.transfer(ctx, hall["c8"], sb["id"], "不是我的窗口", service_code="F")
    assert err.value.code == "window_not_signed_in"


def test_notice_lists_every_missing_item_and_its_code_gives_a_priority_ticket(ctx, hall, clock):
    first = take(ctx, hall, clock, "C")
    take(ctx, hall, clock, "C")
    serve(ctx, hall["c6"], 6)
    n = notices.create_notice(ctx, hall["c6"], first["id"], ["m2", {"name": "单位证明"}], note="下次带齐")
    assert [m["name"] for m in n["missing"]] == ["社会保障卡", "单位证明"]
    assert len(n["code"]) == 6
    back = ts.issue_ticket(ctx, hall["kiosk"], None, notice_code=n["code"].lower())
    assert back["service"] == "C" and back["priority"] is True and back["position"] == 0
    ts.act_on_ticket(ctx, hall["c6"], first["id"], "complete")
    called = ts.call_next(ctx, hall["c6"], 6)
    assert called["id"] == back["id"], "the fast lane goes first"
    assert called["notice"]["code"] == n["code"], "the next clerk sees the earlier notice"


def test_asking_for_an_item_the_notice_did_not_list_requires_a_reason(ctx, hall, clock):
    first = take(ctx, hall, clock, "C")
    serve(ctx, hall["c6"], 6)
    n = notices.create_notice(ctx, hall["c6"], first["id"], ["m2"])
    ts.act_on_ticket(ctx, hall["c6"], first["id"], "complete")
    back = ts.issue_ticket(ctx, hall["kiosk"], None, notice_code=n["code"])
    serve(ctx, hall["c6"], 6)
    with pytest.raises(RuleViolation) as err:
        notices.create_notice(ctx, hall["c6"], back["id"], ["m2", "m3"])
    assert err.value.code == "reason_required" and "户口簿复印件" in err.value.message_zh
    again = notices.create_notice(ctx, hall["c6"], back["id"], ["m2", "m3"], reasons={"m3": "政策调整后新增"})
    assert again["previous"] == n["code"]
    assert [m["reason"] for m in again["missing"]] == [None, "政策调整后新增"]


def test_notice_refuses_unknown_materials_and_empty_notices(ctx, hall, clock):
    first = take(ctx, hall, clock, "C")
    serve(ctx, hall["c6"], 6)
    with pytest.raises(RuleViolation) as err:
        notices.create_notice(ctx, hall["c6"], first["id"], ["m9"])
    assert err.value.field == "missing[0]"
    with pytest.raises(RuleViolation):
        notices.create_notice(ctx, hall["c6"], first["id"], [])


def test_a_third_trip_for_the_same_matter_is_flagged(ctx, hall, clock):
    t1 = take(ctx, hall, clock, "C", phone="13800138000")
    serve(ctx, hall["c6"], 6)
    n1 = notices.create_notice(ctx, hall["c6"], t1["id"], ["m1"])
    ts.act_on_ticket(ctx, hall["c6"], t1["id"], "complete")
    clock.advance(days=1)
    t2 = ts.issue_ticket(ctx, hall["kiosk"], None, notice_code=n1["code"])
    assert "repeat_trip" not in t2
    serve(ctx, hall["c6"], 6)
    n2 = notices.create_notice(ctx, hall["c6"], t2["id"], ["m1"])
    ts.act_on_ticket(ctx, hall["c6"], t2["id"], "complete")
    clock.advance(days=1)
    t3 = ts.issue_ticket(ctx, hall["kiosk"], None, notice_code=n2["code"])
    assert t3["repeat_trip"] == 3
    [flag] = figures.repeat_trips(ctx, hall["manager"], "demo")
    assert flag["visits"] == 3 and [h["number"] for h in flag["history"]] == ["C001", "C001", "C001"]
    assert "13800138000" not in str(flag)


def test_a_matter_done_without_a_notice_resets_the_trip_count(ctx, hall, clock):
    for _ in range(2):
        t = take(ctx, hall, clock, "C", phone="13900139000")
        serve(ctx, hall["c6"], 6)
        ts.act_on_ticket(ctx, hall["c6"], t["id"], "complete")
    t3 = take(ctx, hall, clock, "C", phone="13900139000")
    assert "repeat_trip" not in t3


def test_figures_count_transfers_per_pair_and_notices_per_service(ctx, hall, clock):
    for _ in range(2):
        t = take(ctx, hall, clock, "C")
        serve(ctx, hall["c6"], 6)
        transfers.transfer(ctx, hall["c6"], t["id"], "走错窗口", service_code="F")
        serve(ctx, hall["c8"], 8)
        ts.act_on_ticket(ctx, hall["c8"], t["id"], "complete")
    t = take(ctx, hall, clock, "C")
    serve(ctx, hall["c6"], 6)
    notices.create_notice(ctx, hall["c6"], t["id"], ["m1"])
    f = figures.hall_figures(ctx, hall["manager"], "demo")
    assert f["transfers"] == [{"from": "C", "to": "F", "count": 2}]
    assert f["notices"][0]["service"] == "C" and f["notices"][0]["count"] == 1
    with pytest.raises(RuleViolation):
        figures.hall_figures(ctx, hall["c6"], "demo")


def test_notice_codes_never_reach_the_public_hall_stream(ctx, hall, clock):
    published = []
    ctx.publish = published.extend
    first = take(ctx, hall, clock, "C")
    serve(ctx, hall["c6"], 6)
    n = notices.create_notice(ctx, hall["c6"], first["id"], ["m2"], note="带社保卡")
    ts.act_on_ticket(ctx, hall["c6"], first["id"], "complete")
    ts.issue_ticket(ctx, hall["kiosk"], None, notice_code=n["code"])
    called = ts.call_next(ctx, hall["c6"], 6)
    assert called["notice"]["code"] == n["code"], "the clerk sees it"
    from server.services import halls as hs

    snap = hs.snapshot(ctx, principal(ctx, "board"), "demo")
    assert n["code"] not in str(published) and n["code"] not in str(snap)
    assert "带社保卡" not in str(published)


def test_a_reloaded_board_still_shows_where_transferred_citizens_go(ctx, hall, clock):
    from server.services import halls as hs

    sb = take(ctx, hall, clock, "C")
    serve(ctx, hall["c6"], 6)
    transfers.transfer(ctx, hall["c6"], sb["id"], "转公积金", window_id=8)
    snap = hs.snapshot(ctx, principal(ctx, "board"), "demo")
    assert [d["message"]["zh"] for d in snap["transfers"]] == ["C001 请到 8 号窗口"]
    ts.call_next(ctx, hall["c8"], 8)
    assert hs.snapshot(ctx, principal(ctx, "board"), "demo")["transfers"] == [], "gone once called"


def test_a_notice_code_gives_one_ticket_at_a_time_and_one_trip(ctx, hall, clock):
    """The fast lane is for the citizen's return: while its ticket waits or is being served, the
    same code gives no other (the tester had F006, F007 and F008 of one citizen waiting at once),
    and once the return is served the code is used up."""
    t1 = take(ctx, hall, clock, "C", phone="13700137000")
    serve(ctx, hall["c6"], 6)
    n1 = notices.create_notice(ctx, hall["c6"], t1["id"], ["m1"])
    ts.act_on_ticket(ctx, hall["c6"], t1["id"], "complete")
    clock.advance(days=1)
    back = ts.issue_ticket(ctx, hall["kiosk"], None, notice_code=n1["code"])
    for _ in range(2):  # waiting, then being served: the code gives nothing more
        with pytest.raises(RuleViolation) as err:
            ts.issue_ticket(ctx, hall["kiosk"], None, notice_code=n1["code"])
        assert err.value.code == "notice_in_use" and err.value.field == "notice"
        assert back["number"] in err.value.message_zh
        if ts.get_ticket(ctx, back["id"])["status"] == "waiting":
            serve(ctx, hall["c6"], 6)
    # still missing something: a new notice, with its own code, for the next return
    n2 = notices.create_notice(ctx, hall["c6"], back["id"], ["m1"])
    ts.act_on_ticket(ctx, hall["c6"], back["id"], "complete")
    with pytest.raises(RuleViolation) as err:
        ts.issue_ticket(ctx, hall["kiosk"], None, notice_code=n1["code"])
    assert err.value.code == "notice_used"
    clock.advance(days=1)
    third = ts.issue_ticket(ctx, hall["kiosk"], None, notice_code=n2["code"])
    assert third["priority"] and third["repeat_trip"] == 3
    # a return that never reached a clerk may be taken again, and the same day is not another trip
    ts.act_on_ticket(ctx, hall["kiosk"], third["id"], "cancel")
    fourth = ts.issue_ticket(ctx, hall["kiosk"], None, notice_code=n2["code"])
    assert fourth["priority"] and "repeat_trip" not in fourth
    [flag] = figures.repeat_trips(ctx, hall["manager"], "demo")
    assert flag["visits"] == 3, "one citizen, three trips: typing a code again is not a trip"
