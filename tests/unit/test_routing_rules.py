"""Routing truth (issue 14, item 1): where a citizen can be served right now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from server.domain.choose_next import Candidate
from server.domain.errors import RuleViolation
from server.domain.routing import (
    Desk,
    check_can_queue,
    cover_of,
    is_served,
    next_opening,
    redirect,
    routes,
    servers,
    serves_now,
    unserved,
)

T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
A_USER, B_USER, C_USER, D_USER = 10, 20, 30, 40


def desk(wid, number, status="open", services=("A",), clerk=None, a=None, b=None):
    return Desk(wid, number, status, tuple(services), clerk, a, b)


def ticket(tid, service="A", directed=None, minutes=0):
    return Candidate(tid, service, T0 + timedelta(minutes=minutes), directed_window_id=directed)


def test_a_paused_or_closed_window_serves_nobody_now():
    assert serves_now(desk(1, 1, "open", clerk=B_USER))
    assert not serves_now(desk(1, 1, "paused", clerk=B_USER))
    assert not serves_now(desk(1, 1, "closed"))
    assert not serves_now(desk(1, 1, "open", clerk=None))


def test_b_post_covers_a_window_whose_a_is_away():
    # window 12 (A away, empty), its B post signed in at window 1
    desks = [desk(12, 12, "closed", ("X",), a=A_USER, b=B_USER), desk(1, 1, "open", ("Y",), clerk=B_USER)]
    assert cover_of(desks, on_leave=[A_USER]) == {12: 1}
    (r,) = routes(desks, [A_USER])
    assert r.window_id == 1 and r.covering == (12,) and r.services == ("Y", "X")
    assert is_served([r], ticket(1, "X", directed=12))


def test_a_b_post_who_is_paused_covers_nobody_now():
    desks = [desk(12, 12, "closed", ("X",), a=A_USER, b=B_USER), desk(1, 1, "paused", ("Y",), clerk=B_USER)]
    rs = routes(desks, [A_USER])
    assert rs == []
    assert unserved(rs, [ticket(1, "X"), ticket(2, "X", directed=12)]) == [
        ticket(1, "X"),
        ticket(2, "X", directed=12),
    ]


def test_cover_follows_the_chain_of_b_posts():
    # 12: A away, B (20) away too; 20 is A at window 5, whose B post (30) sits at window 7
    desks = [
        desk(12, 12, "closed", ("X",), a=A_USER, b=B_USER),
        desk(5, 5, "closed", ("Y",), a=B_USER, b=C_USER),
        desk(7, 7, "open", ("Z",), clerk=C_USER),
    ]
    assert cover_of(desks, on_leave=[A_USER, B_USER]) == {12: 7, 5: 7}
    (r,) = routes(desks, [A_USER, B_USER])
    assert r.covering == (5, 12)
    assert is_served([r], ticket(1, "X", directed=12))


def test_a_chain_of_cover_that_comes_back_on_itself_ends():
    desks = [
        desk(1, 1, "closed", ("X",), a=A_USER, b=B_USER),
        desk(2, 2, "closed", ("Y",), a=B_USER, b=A_USER),
    ]
    assert cover_of(desks, on_leave=[A_USER, B_USER]) == {}


def test_a_b_post_on_leave_does_not_cover_even_if_signed_in():
    desks = [desk(12, 12, "closed", ("X",), a=A_USER, b=B_USER), desk(1, 1, "open", ("Y",), clerk=B_USER)]
    assert cover_of(desks, on_leave=[B_USER]) == {}


def test_a_window_without_an_a_post_is_not_covered():
    desks = [desk(12, 12, "closed", ("X",), b=B_USER), desk(1, 1, "open", ("Y",), clerk=B_USER)]
    assert cover_of(desks, on_leave=[]) == {}


def test_a_ticket_directed_to_a_window_is_served_only_there_or_by_its_cover():
    desks = [desk(12, 12, "closed", ("A",)), desk(1, 1, "open", ("A",), clerk=B_USER)]
    rs = routes(desks, [])
    assert is_served(rs, ticket(1))
    assert not is_served(rs, ticket(2, directed=12))
    assert [r.window_id for r in servers(rs, "A")] == [1]
    assert servers(rs, "A", directed_window_id=12) == []


def test_a_service_no_window_has_is_unserved():
    rs = routes([desk(1, 1, "open", ("A",), clerk=B_USER)], [])
    assert unserved(rs, [ticket(1, "B")]) == [ticket(1, "B")]


def test_a_board_never_points_to_a_paused_window():
    # the case: A of window 12 on leave, its B post paused at window 1
    desks = [desk(12, 12, "closed", ("X",), a=A_USER, b=B_USER), desk(1, 1, "paused", ("Y",), clerk=B_USER)]
    r = redirect(12, desks, routes(desks, [A_USER]), [A_USER])
    assert r is not None and r.kind == "none" and r.window_id is None


def test_a_board_points_to_its_covering_window_while_it_serves():
    desks = [desk(12, 12, "closed", ("X",), a=A_USER, b=B_USER), desk(1, 1, "open", ("Y",), clerk=B_USER)]
    r = redirect(12, desks, routes(desks, [A_USER]), [A_USER])
    assert r is not None and (r.kind, r.window_id, r.number, r.clerk) == ("cover", 1, 1, B_USER)


def test_a_board_points_to_another_window_serving_its_services_when_nobody_covers():
    desks = [
        desk(12, 12, "closed", ("X",), a=A_USER, b=B_USER),
        desk(1, 1, "paused", ("Y",), clerk=B_USER),
        desk(3, 3, "open", ("X",), clerk=C_USER),
    ]
    r = redirect(12, desks, routes(desks, [A_USER]), [A_USER])
    assert r is not None and (r.kind, r.window_id) == ("other", 3)


def test_a_serving_window_needs_no_redirect():
    desks = [desk(1, 1, "open", ("Y",), clerk=B_USER)]
    assert redirect(1, desks, routes(desks, []), []) is None


def test_the_hall_opens_next_at_its_next_span():
    tz = ZoneInfo("Asia/Shanghai")
    hours = {"mon": [["08:30", "12:00"], ["13:30", "17:30"]], "tue": [["08:30", "12:00"]]}
    monday_lunch = datetime(2026, 11, 30, 12, 30, tzinfo=tz)
    assert next_opening(hours, monday_lunch) == datetime(2026, 11, 30, 13, 30, tzinfo=tz)
    monday_night = datetime(2026, 11, 30, 20, 0, tzinfo=tz)
    assert next_opening(hours, monday_night) == datetime(2026, 12, 1, 8, 30, tzinfo=tz)
    tuesday_night = datetime(2026, 12, 1, 20, 0, tzinfo=tz)
    assert next_opening(hours, tuesday_night) == datetime(2026, 12, 7, 8, 30, tzinfo=tz)
    assert next_opening(None, monday_night) is None
    assert next_opening({}, monday_night) is None


def test_a_day_off_is_skipped_when_the_hall_opens_next():
    tz = ZoneInfo("Asia/Shanghai")
    hours = {"mon": [["08:30", "12:00"]], "tue": [["08:30", "12:00"]]}
    monday_night = datetime(2026, 11, 30, 20, 0, tzinfo=tz)
    off = {datetime(2026, 12, 1).date(): False}
    assert next_opening(hours, monday_night, off) == datetime(2026, 12, 7, 8, 30, tzinfo=tz)


def test_a_hall_that_refuses_unserved_numbers_refuses_them():
    check_can_queue(True, False)
    check_can_queue(False, True)
    with pytest.raises(RuleViolation) as err:
        check_can_queue(False, False)
    assert err.value.code == "service_unserved"
    assert "没有窗口办理" in err.value.message_zh
