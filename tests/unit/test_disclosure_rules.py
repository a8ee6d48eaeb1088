"""Who may see what (domain.disclosure): the rules, field by field."""

from __future__ import annotations

from server.domain import disclosure as d

TICKET = {
    "id": "SECRET-ID",
    "number": "A001",
    "hall": "demo",
    "service": "A",
    "service_name": "户籍办理",
    "status": "called",
    "priority": True,
    "business_day": "2026-11-30",
    "queued_at": "t0",
    "called_at": "t1",
    "recalls": 0,
    "window": {"id": 2, "number": 2, "name": "2号窗口", "extra": "x"},
    "directed_window": None,
    "position": None,
    "estimated_wait_s": None,
    "owner": {"username": "clerk02", "name": "王芳", "badge": "0102"},
    "notice": {"present": True},
    "on_post": {"by": "clerk02"},
}
CLERK = {"username": "clerk02", "name": "王芳", "badge": "0102"}
WINDOW = {
    "id": 2,
    "number": 2,
    "name": "2号窗口",
    "status": "paused",
    "services": ["A"],
    "clerk": CLERK,
    "pause_reason": "去银行",
    "pause_reason_public": False,
    "current": TICKET,
    "posts": {"a": CLERK, "b": None},
    "cover": {"window": {"id": 3, "number": 3, "name": "3号窗口"}, "clerk": CLERK},
}


def test_every_role_has_an_audience_and_strangers_are_the_public():
    assert [d.audience_of(r) for r in ("kiosk", "board", "pad")] == [d.DEVICE] * 3
    assert d.audience_of("clerk") == d.CLERK
    assert d.audience_of("manager") == d.audience_of("admin") == d.MANAGER
    assert d.audience_of(None) == d.audience_of("hacker") == d.PUBLIC


def test_a_ref_is_stable_short_and_not_the_id():
    assert d.ticket_ref("abc") == d.ticket_ref("abc") != d.ticket_ref("abd")
    assert len(d.ticket_ref("tq8Xb3kPq2Lw")) == 12 and "tq8X" not in d.ticket_ref("tq8Xb3kPq2Lw")


def test_only_the_halls_public_phrases_are_public_pause_reasons():
    assert d.is_public_pause_reason("业务培训", None)
    assert d.is_public_pause_reason(" 业务培训 ", None)
    assert not d.is_public_pause_reason("去银行", None)
    assert not d.is_public_pause_reason(None, None) and not d.is_public_pause_reason("", None)
    assert d.is_public_pause_reason("临时离岗，请到 5 号窗口", ["临时离岗，请到 5 号窗口", "", 3])
    assert not d.is_public_pause_reason("业务培训", ["临时离岗，请到 5 号窗口"])
    assert d.public_pause_phrases(["a ", " ", None]) == ("a",)


def test_a_public_ticket_has_a_ref_and_never_the_id_owner_notice_or_priority():
    t = d.public_ticket(TICKET)
    assert t is not None and t["ref"] == d.ticket_ref("SECRET-ID")
    assert not {"id", "owner", "notice", "priority", "on_post"} & set(t)
    assert t["window"] == {"id": 2, "number": 2, "name": "2号窗口"}
    assert d.public_ticket(None) is None
    assert d.public_ticket({**TICKET, "ref": "given"})["ref"] == "given"  # type: ignore[index]


def test_a_public_window_shows_the_badge_not_the_login_and_a_private_reason_not_at_all():
    w = d.public_window(WINDOW)
    assert w["clerk"] == {"name": "王芳", "badge": "0102"}
    assert w["pause_reason"] is None
    assert w["posts"] == {"a": {"name": "王芳", "badge": "0102"}, "b": None}
    assert w["cover"] == {
        "window": {"id": 3, "number": 3, "name": "3号窗口"},
        "clerk": {"name": "王芳", "badge": "0102"},
    }
    assert "id" not in w["current"]
    shown = d.public_window({**WINDOW, "pause_reason": "业务培训", "pause_reason_public": True})
    assert shown["pause_reason"] == "业务培训"
    bare = d.public_window({"id": 1, "number": 1})
    assert bare == {"id": 1, "number": 1}
    assert d.public_clerk(None) is None and d.public_posts(None) is None and d.public_cover(None) is None


def test_unknown_events_reach_the_public_with_no_data_and_managers_whole():
    data = {"leave": {"reason": "病假", "handover_note": "4711", "user": CLERK}}
    assert d.shape_event("leave.registered", data, d.PUBLIC) == {}
    assert d.shape_event("leave.registered", data, d.DEVICE) == {}
    assert d.shape_event("something.new", {"x": 1}, d.PUBLIC) == {}
    assert d.shape_event("leave.registered", data, d.MANAGER) == data
    assert d.shape_event("leave.registered", data, d.CLERK) == {"leave": {"user": CLERK}}
    assert d.shape_event("leave.registered", {}, d.CLERK) == {}
    assert d.shape_event("trip.repeated", {"history": []}, d.CLERK) == {"history": []}


def test_ticket_events_carry_the_public_ticket_and_the_counts():
    out = d.shape_event("ticket.called", {"ticket": TICKET, "waiting": {"A": 1}}, d.PUBLIC)
    assert out == {"ticket": d.public_ticket(TICKET), "waiting": {"A": 1}}


def test_a_transfer_says_where_to_go_never_why():
    data = {
        "ticket": TICKET,
        "from": {"service": "A", "window": {"id": 2, "number": 2, "name": "2"}},
        "to": {"service": "F", "window": None, "windows": [7, 8]},
        "reason": "身份证 110101…",
        "message": {"zh": "A001 请到 7、8 号窗口", "en": "…"},
        "waiting": {"A": 0},
    }
    out = d.shape_event("ticket.transferred", data, d.PUBLIC)
    assert "reason" not in out and out["to"]["windows"] == [7, 8] and out["message"] == data["message"]
    assert d.shape_event("ticket.transferred", {"ticket": TICKET}, d.PUBLIC) == {
        "ticket": d.public_ticket(TICKET)
    }


def test_window_posts_and_queue_events_drop_staff_text():
    w = d.shape_event(
        "window.updated", {"window": WINDOW, "change": {"closed_by_manager": True, "reason": "x"}}, d.PUBLIC
    )
    assert w["change"] == {"closed_by_manager": True} and w["window"]["pause_reason"] is None
    assert d.shape_event("window.updated", {}, d.PUBLIC) == {}
    posts = d.shape_event(
        "posts.updated", {"window": {"id": 2, "number": 2, "name": "x"}, "a": CLERK, "b": None}, d.PUBLIC
    )
    assert posts == {
        "window": {"id": 2, "number": 2, "name": "x"},
        "a": {"name": "王芳", "badge": "0102"},
        "b": None,
    }
    moved = d.shape_event(
        "queue.moved",
        {"from": {}, "to": {}, "reason": "r", "count": 2, "numbers": ["A1"], "waiting": {}},
        d.PUBLIC,
    )
    assert "reason" not in moved and moved["count"] == 2
    assert d.shape_event("hall.updated", {"hall": {"code": "demo"}}, d.PUBLIC) == {"hall": {"code": "demo"}}


def test_devices_see_their_printers_and_jobs_by_ref_the_public_does_not():
    printer = {"printer": {"id": 1, "name": "P", "spec": "tcp://10.0.0.5:9100", "status": "ok"}}
    assert d.shape_event("printer.status", printer, d.PUBLIC) == {}
    assert d.shape_event("printer.status", printer, d.DEVICE) == {
        "printer": {"id": 1, "name": "P", "status": "ok"}
    }
    job = {"job": {"id": "J", "ticket": "SECRET-ID", "number": "A001", "status": "printed"}}
    shaped = d.shape_event("print.updated", job, d.DEVICE)["job"]
    assert shaped["ref"] == d.ticket_ref("SECRET-ID") and "ticket" not in shaped
    assert (
        d.shape_event("print.updated", {"job": {"id": "J", "ticket": None}}, d.DEVICE)["job"]["ref"] is None
    )


def test_envelopes_and_snapshots_are_shaped_by_audience():
    env = {"seq": 3, "hall": "demo", "type": "ticket.issued", "at": "t", "data": {"ticket": TICKET}}
    assert d.shape_envelope(env, d.PUBLIC) == {**env, "data": {"ticket": d.public_ticket(TICKET)}}
    snap = {
        "seq": 3,
        "transfers": [{"ticket": TICKET, "reason": "r"}],
        "now_calling": [TICKET],
        "recent_calls": [TICKET],
        "windows": [WINDOW],
        "waiting": {"A": 1},
    }
    public = d.shape_snapshot(snap, d.PUBLIC)
    assert "reason" not in public["transfers"][0] and public["now_calling"] == [d.public_ticket(TICKET)]
    assert public["windows"][0]["clerk"] == {"name": "王芳", "badge": "0102"} and public["waiting"] == {
        "A": 1
    }
    assert d.shape_snapshot(snap, d.CLERK) == snap == d.shape_snapshot(snap, d.MANAGER)


def test_a_holder_sees_their_ticket_whole_but_the_owner_by_badge():
    view = d.holder_view(TICKET)
    assert view["id"] == "SECRET-ID" and view["owner"] == {"name": "王芳", "badge": "0102"}
    assert d.holder_view({"id": "x"}) == {"id": "x"}


def test_the_public_learns_where_to_go_but_not_who_waits_unserved():
    snapshot = {
        "windows": [
            {
                "id": 12,
                "number": 12,
                "name": "12号窗口",
                "status": "closed",
                "services": ["G"],
                "redirect": {"kind": "none", "window": None, "why": "B post paused"},
            }
        ],
        "services": [
            {
                "code": "G",
                "prefix": "G",
                "name": "综合咨询",
                "waiting": 2,
                "estimated_wait_s": 600,
                "served": False,
                "internal": 1,
            }
        ],
        "unserved": [{"service": "G", "directed_window": None, "waiting": 2}],
    }
    public = d.shape_snapshot(snapshot, d.PUBLIC)
    assert "unserved" not in public
    assert public["windows"][0]["redirect"] == {"kind": "none", "window": None}
    assert public["services"][0] == {
        "code": "G",
        "prefix": "G",
        "name": "综合咨询",
        "waiting": 2,
        "estimated_wait_s": 600,
        "served": False,
    }
    assert d.shape_snapshot(snapshot, d.MANAGER)["unserved"] == snapshot["unserved"]
    to = {"kind": "cover", "window": {"id": 1, "number": 1, "name": "1号窗口", "clerk_id": 7}}
    assert d.public_redirect(to) == {"kind": "cover", "window": {"id": 1, "number": 1, "name": "1号窗口"}}
