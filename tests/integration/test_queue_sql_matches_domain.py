"""The queue's SQL agrees with the domain's rules, over random hall states (Hypothesis).

`domain.choose_next` decides the call order and the people ahead; the services fetch rows with
SQL for speed. These properties prove that the fetch never changes what the domain decides:

* the window calls the ticket the domain would pick from *every* waiting ticket, although the
  SQL fetches only the directed tickets and the first few undirected ones;
* the hall's plan (people ahead, the wait) is computed from exactly the waiting tickets the
  domain sees, appointment slots included.

Random states mix priorities, equal queued times (ties), tickets directed to this window, to a
window it covers and to another window, services it serves and does not serve, tickets
that are no longer waiting, and appointment tickets whose slot has begun or not yet. Runs on
SQLite and, when configured, on PostgreSQL.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from server.domain.choose_next import Candidate, call_order
from server.domain.estimate import WindowNow, hall_plan
from server.services.core import estimates, queue
from server.storage.models import Booking, Event, Hall, PrintJob, Service, Ticket, Transfer, Window

DAY = date(2026, 11, 27)
T0 = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)

ticket_st = st.fixed_dictionaries(
    {
        "service": st.integers(0, 3),  # 0, 1: the window's own; 2: the covered window's; 3: neither
        "priority": st.booleans(),
        "minute": st.integers(0, 2),  # few distinct times: many ties
        "directed": st.sampled_from([None, None, "here", "covered", "other"]),
        "status": st.sampled_from(["waiting", "waiting", "waiting", "called", "done"]),
        # an appointment ticket: its slot began before NOW, or begins after it (checked in early)
        "slot": st.sampled_from([None, None, None, -5, 0, 30]),
    }
)
NOW = T0 + timedelta(minutes=1)
state_st = st.fixed_dictionaries({"tickets": st.lists(ticket_st, max_size=30), "fetch": st.integers(1, 4)})


def _fixture_rows(ctx: Any) -> dict[str, Any]:
    with ctx.db.read() as s:
        hall = s.scalar(select(Hall).where(Hall.code == "demo"))
        assert hall is not None
        services = s.scalars(select(Service).where(Service.hall_id == hall.id).order_by(Service.id)).all()
        windows = s.scalars(select(Window).where(Window.hall_id == hall.id).order_by(Window.number)).all()
        return {
            "hall_id": hall.id,
            "services": [(sv.id, sv.code, sv.prefix) for sv in services[:4]],
            "here": windows[0].id,
            "covered": windows[1].id,
            "other": windows[2].id,
        }


def _load_state(ctx: Any, rows: dict[str, Any], state: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    """Replace the hall's tickets with the generated ones; answer (id, spec) per ticket."""
    made = []
    with ctx.db.transaction() as s:
        for model in (PrintJob, Transfer, Event):
            s.execute(delete(model))
        s.execute(delete(Ticket))
        s.execute(delete(Booking))
        for i, spec in enumerate(state["tickets"], start=1):
            sid, _, prefix = rows["services"][spec["service"]]
            booking = None
            if spec.get("slot") is not None:
                start = NOW + timedelta(minutes=spec["slot"])
                booking = Booking(
                    code=f"C{i:07d}",
                    token=secrets.token_urlsafe(12),
                    hall_id=rows["hall_id"],
                    service_id=sid,
                    day=DAY,
                    starts_at=start,
                    ends_at=start + timedelta(minutes=30),
                    citizen_key="k",
                    status="checked_in",
                    created_at=T0,
                )
                s.add(booking)
                s.flush()
            t = Ticket(
                public_id=secrets.token_urlsafe(9),
                hall_id=rows["hall_id"],
                service_id=sid,
                counter_service_id=sid,
                business_day=DAY,
                counter=i,
                number=f"{prefix}{i:03d}",
                priority=spec["priority"],
                status=spec["status"],
                queued_at=T0 + timedelta(minutes=spec["minute"]),
                directed_window_id=rows[spec["directed"]] if spec["directed"] else None,
                booking_id=booking.id if booking is not None else None,
            )
            s.add(t)
            s.flush()
            made.append((t.id, spec))
    return made


def _candidate(rows: dict[str, Any], tid: int, spec: dict[str, Any]) -> Candidate:
    return Candidate(
        ticket_id=tid,
        service_code=rows["services"][spec["service"]][1],
        queued_at=T0 + timedelta(minutes=spec["minute"]),
        priority=spec["priority"],
        directed_window_id=rows[spec["directed"]] if spec["directed"] else None,
        slot_start=NOW + timedelta(minutes=spec["slot"]) if spec.get("slot") is not None else None,
    )


@pytest.fixture
def rows(any_db_app: Any) -> dict[str, Any]:
    return _fixture_rows(any_db_app.extensions["hallq"])


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(state=state_st)
@example(  # a tie on time broken by the window's service order, beyond the first row fetched
    state={
        "fetch": 1,
        "tickets": [
            {"service": 1, "priority": False, "minute": 0, "directed": None, "status": "waiting"},
            {"service": 0, "priority": False, "minute": 0, "directed": None, "status": "waiting"},
        ],
    }
)
def test_the_window_calls_the_ticket_the_domain_picks_from_every_waiting_ticket(
    any_db_app: Any, rows: dict[str, Any], state: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = any_db_app.extensions["hallq"]
    monkeypatch.setattr(queue, "_CANDIDATES", state["fetch"])  # a small fetch exercises the limit
    made = _load_state(ctx, rows, state)
    own = [rows["services"][0], rows["services"][1], rows["services"][2]]  # window's, then covered's
    codes = [code for _, code, _ in own]
    covering = [rows["covered"]]

    everyone = [_candidate(rows, tid, spec) for tid, spec in made if spec["status"] == "waiting"]
    expected = call_order(rows["here"], codes, everyone, covering, NOW)

    with ctx.db.read() as s:
        hall = s.get(Hall, rows["hall_id"])
        fetched = queue.waiting_candidates(s, hall, DAY, rows["here"], [sid for sid, _, _ in own], covering)
    got = call_order(rows["here"], codes, fetched, covering, NOW)

    assert [c.ticket_id for c in got[:1]] == [c.ticket_id for c in expected[:1]]
    assert {c.ticket_id for c in got} <= {c.ticket_id for c in expected}, "never a ticket the rule refuses"


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(state=state_st)
def test_people_ahead_are_counted_from_exactly_the_tickets_the_domain_sees(
    any_db_app: Any, rows: dict[str, Any], state: dict[str, Any]
) -> None:
    """The hall's plan (people ahead and the wait, services.core.estimates) is the domain's
    `estimate.hall_plan` over the fetched waiting tickets: the fetch is every waiting ticket with
    its priority, direction, queued time and appointment slot — so the plan's people ahead are
    exactly those the domain's call order puts ahead."""
    ctx = any_db_app.extensions["hallq"]
    made = _load_state(ctx, rows, state)
    everyone = [_candidate(rows, tid, spec) for tid, spec in made if spec["status"] == "waiting"]
    with ctx.db.read() as s:
        hall = s.get(Hall, rows["hall_id"])
        assert hall is not None
        fetched = estimates.waiting_candidates_all(s, hall, DAY)
    assert sorted(fetched, key=lambda c: c.ticket_id) == sorted(everyone, key=lambda c: c.ticket_id)
    windows = [
        WindowNow(rows["here"], tuple(code for _, code, _ in rows["services"][:2]), (rows["covered"],))
    ]
    codes = [code for _, code, _ in rows["services"]]
    assert hall_plan(fetched, windows, {}, codes, NOW) == hall_plan(everyone, windows, {}, codes, NOW)
