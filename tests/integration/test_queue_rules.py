"""Service-level rules of the queue on a real database."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from server.domain.errors import RuleViolation
from server.services import halls as hs
from server.services import tickets as ts
from server.services import windows as ws
from server.storage.models import Event, Ticket
from tests.helpers import principal


@pytest.fixture
def kiosk(ctx):
    return principal(ctx, "kiosk")


@pytest.fixture
def clerk2(ctx):
    p = principal(ctx, "clerk", "clerk02")
    ws.sign_in(ctx, p, 2)
    return p


def test_numbering_restarts_each_business_day_and_history_stays(ctx, kiosk, clock):
    first = ts.issue_ticket(ctx, kiosk, "A")
    ts.issue_ticket(ctx, kiosk, "A")
    clock.advance(days=1)
    next_day = ts.issue_ticket(ctx, kiosk, "A")
    assert first["number"] == next_day["number"] == "A001"
    assert first["business_day"] != next_day["business_day"]
    with ctx.db.read() as s:
        assert s.scalar(select(func.count(Ticket.id))) == 3


def test_each_service_has_its_own_counter_and_prefix(ctx, kiosk):
    assert ts.issue_ticket(ctx, kiosk, "A")["number"] == "A001"
    assert ts.issue_ticket(ctx, kiosk, "B")["number"] == "B001"
    assert ts.issue_ticket(ctx, kiosk, "A")["number"] == "A002"


def test_people_ahead_counts_earlier_waiting_tickets_of_the_service(ctx, kiosk, clock):
    ts.issue_ticket(ctx, kiosk, "A")
    clock.advance(seconds=1)
    ts.issue_ticket(ctx, kiosk, "B")
    clock.advance(seconds=1)
    third = ts.issue_ticket(ctx, kiosk, "A")
    assert third["position"] == 1
    assert third["estimated_wait_s"] > 0


def test_priority_ticket_is_called_before_earlier_ones(ctx, kiosk, clerk2, clock):
    ts.issue_ticket(ctx, kiosk, "A")
    clock.advance(seconds=5)
    green = ts.issue_ticket(ctx, kiosk, "A", priority=True)
    assert green["position"] == 0
    assert ts.call_next(ctx, clerk2, 2)["id"] == green["id"]


def test_call_next_returns_none_when_nobody_waits(ctx, clerk2):
    assert ts.call_next(ctx, clerk2, 2) is None


def test_window_must_finish_current_number_before_next(ctx, kiosk, clerk2):
    ts.issue_ticket(ctx, kiosk, "A")
    ts.issue_ticket(ctx, kiosk, "A")
    ts.call_next(ctx, clerk2, 2)
    with pytest.raises(RuleViolation) as err:
        ts.call_next(ctx, clerk2, 2)
    assert err.value.code == "window_busy"


def test_refused_action_changes_nothing(ctx, kiosk, clerk2):
    t = ts.issue_ticket(ctx, kiosk, "A")
    with ctx.db.read() as s:
        before = s.scalar(select(func.count(Event.id)))
    with pytest.raises(RuleViolation):
        ts.act_on_ticket(ctx, kiosk, t["id"], "complete")
    with pytest.raises(RuleViolation):
        ts.act_on_ticket(ctx, clerk2, t["id"], "start")  # not at clerk2's window
    with ctx.db.read() as s:
        assert s.scalar(select(func.count(Event.id))) == before
    assert ts.get_ticket(ctx, t["id"])["status"] == "waiting"


def test_events_are_recorded_with_actor_and_window(ctx, kiosk, clerk2):
    t = ts.issue_ticket(ctx, kiosk, "A")
    ts.call_next(ctx, clerk2, 2)
    with ctx.db.read() as s:
        called = s.scalar(select(Event).where(Event.type == "ticket.called"))
        assert called.actor_role == "clerk" and called.actor_user_id == clerk2.user_id
        assert called.window_id == 2
        assert called.data["ticket"]["id"] == t["id"]


def test_published_only_after_commit(ctx, kiosk):
    seen = []

    def publish(events):
        # the event must already be visible to another connection
        with ctx.db.read() as s:
            seen.append(s.scalar(select(func.count(Event.id)).where(Event.seq == events[0]["seq"])))

    ctx.publish = publish
    ts.issue_ticket(ctx, kiosk, "A")
    assert seen == [1]


def test_nothing_is_published_when_the_transaction_fails(ctx, kiosk):
    published = []
    ctx.publish = published.append
    with pytest.raises(RuleViolation):
        ts.issue_ticket(ctx, kiosk, "NOPE")
    assert published == []


def test_resync_replays_missed_events_in_order_or_sends_a_snapshot(ctx, kiosk):
    first = hs.resync(ctx, kiosk, "demo", None)
    assert "snapshot" in first
    seq = first["seq"]
    for _ in range(3):
        ts.issue_ticket(ctx, kiosk, "A")
    again = hs.resync(ctx, kiosk, "demo", seq)
    assert [e["seq"] for e in again["events"]] == [seq + 1, seq + 2, seq + 3]
    assert (
        hs.resync(ctx, kiosk, "demo", seq + 100)["snapshot"]["seq"] == seq + 3
    )  # ahead of the server: snapshot


def test_sign_in_at_two_windows_is_refused(ctx, clerk2):
    with pytest.raises(RuleViolation) as err:
        ws.sign_in(ctx, clerk2, 3)
    assert err.value.code == "signed_in_elsewhere"


def test_phone_number_is_never_stored_in_clear(ctx, kiosk):
    ts.issue_ticket(ctx, kiosk, "A", phone="13800138000")
    with ctx.db.read() as s:
        t = s.scalar(select(Ticket))
        assert t.citizen_key and "13800138000" not in t.citizen_key
        assert all("13800138000" not in str(e.data) for e in s.scalars(select(Event)))
