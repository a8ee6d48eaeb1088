"""Hall events leave a process in seq order (server/realtime/queue.py: SeqOrder and the manager).

Two processes commit a hall's events one after the other; each hands its own to its sockets at
once and the other's through Redis, a little later. Without the order kept per room, a board got
seq 11 before seq 10, saw a gap and subscribed again, and under load it did so until the
per-socket subscribe budget cut it (found by tests/e2e/test_fault_worker_kill.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from socketio.manager import Manager

from server.realtime.queue import HOLD_S, RealtimeHealth, ResilientRedisManager, SeqOrder

PUBLIC, DEVICE = "hall:demo:public", "hall:demo:device"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_events_in_order_go_out_at_once() -> None:
    order = SeqOrder(clock=Clock())
    assert order.offer(PUBLIC, 7, "e7") == ["e7"], "a room's first event sets where it stands"
    assert order.offer(PUBLIC, 8, "e8") == ["e8"]
    assert order.offer(PUBLIC, 8, "e8 again") == ["e8 again"], "older ones too: the boards drop them"
    assert order.offer(PUBLIC, 3, "e3") == ["e3"]
    assert not order.holding()


def test_an_event_that_skips_a_seq_waits_for_the_missing_one() -> None:
    order = SeqOrder(clock=Clock())
    order.offer(PUBLIC, 10, "e10")
    assert order.offer(PUBLIC, 12, "e12") == []
    assert order.offer(PUBLIC, 13, "e13") == []
    assert order.offer(DEVICE, 12, "d12") == ["d12"], "each room keeps its own order"
    assert order.offer(PUBLIC, 11, "e11") == ["e11", "e12", "e13"]
    assert not order.holding()
    assert order.offer(PUBLIC, 14, "e14") == ["e14"]


def test_what_waited_hold_s_goes_out_in_seq_order_and_the_late_one_after_it() -> None:
    clock = Clock()
    order = SeqOrder(clock=clock)
    order.offer(PUBLIC, 1, "e1")
    assert order.offer(PUBLIC, 4, "e4") == []
    clock.now += HOLD_S / 2
    assert order.offer(PUBLIC, 3, "e3") == []
    assert order.due() == [], "not yet"
    clock.now += HOLD_S / 2
    assert order.due() == ["e3", "e4"], "its process died between commit and publish: go on"
    assert not order.holding()
    assert order.offer(PUBLIC, 2, "e2") == ["e2"], "nothing is dropped; the board resynced already"
    assert order.offer(PUBLIC, 5, "e5") == ["e5"]


def test_without_holding_an_event_goes_out_at_once() -> None:
    order = SeqOrder(clock=Clock())
    order.offer(PUBLIC, 1, "e1")
    assert order.offer(PUBLIC, 3, "e3", hold=False) == ["e3"]
    assert order.offer(PUBLIC, 4, "e4") == ["e4"]


class FakeServer:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.tasks: list[Callable[[], None]] = []

    def start_background_task(self, target: Callable[[], None]) -> None:
        self.tasks.append(target)

    def sleep(self, seconds: float) -> None:
        self.clock.now += seconds


@pytest.fixture
def manager(monkeypatch: pytest.MonkeyPatch) -> tuple[ResilientRedisManager, list[tuple[str, Any, Any]]]:
    sent: list[tuple[str, Any, Any]] = []

    def emit(_self: Any, event: str, data: Any, namespace: Any = None, room: Any = None, **_: Any) -> None:
        sent.append((event, data.get("seq") if isinstance(data, dict) else data, room))

    monkeypatch.setattr(Manager, "emit", emit)  # what hands a packet to the sockets
    clock = Clock()
    m = ResilientRedisManager("redis://127.0.0.1:1/0", RealtimeHealth(clock))
    m.order = SeqOrder(clock=clock)
    m.server = FakeServer(clock)
    m.health.set_listening(True)
    return m, sent


def message(seq: int, to: Any = (PUBLIC, DEVICE), event: str = "ticket.called") -> dict[str, Any]:
    return {
        "method": "emit",
        "event": event,
        "data": [{"seq": seq, "hall": "demo", "type": event}],
        "binary": False,
        "namespace": "/",
        "room": list(to) if isinstance(to, tuple) else to,
        "skip_sid": None,
        "callback": None,
        "host_id": "other",
    }


def test_the_manager_hands_hall_events_to_each_room_in_seq_order(manager: Any) -> None:
    m, sent = manager
    m._handle_emit(message(10))
    m._handle_emit(message(12))  # this process's own, before the other's 11 came through Redis
    assert [(seq, room) for _, seq, room in sent] == [(10, PUBLIC), (10, DEVICE)]
    m._handle_emit(message(11))
    assert [(seq, room) for _, seq, room in sent][2:] == [
        (11, PUBLIC),
        (12, PUBLIC),
        (11, DEVICE),
        (12, DEVICE),
    ]


def test_the_manager_sends_what_waited_too_long_from_a_background_task(manager: Any) -> None:
    m, sent = manager
    m._handle_emit(message(1))
    m._handle_emit(message(3))
    m._handle_emit(message(4))
    assert len(m.server.tasks) == 1, "one task while anything is held"
    m.server.tasks[0]()  # its sleeps advance the clock
    for room in (PUBLIC, DEVICE):
        assert [seq for _, seq, to in sent if to == room] == [1, 3, 4]
    assert not m.order.holding()


def test_the_manager_holds_nothing_while_the_queue_is_broken_or_for_other_emits(manager: Any) -> None:
    m, sent = manager
    m._handle_emit(message(1))
    m.health.set_listening(False)  # the other processes' events cannot come: do not wait for them
    m._handle_emit(message(3))
    assert [seq for _, seq, _ in sent] == [1, 1, 3, 3]
    m._handle_emit(message(9, to="printer:4", event="agent.job"))
    m._handle_emit(message(9, to=None, event="realtime.resync"))
    assert [room for _, _, room in sent][-2:] == ["printer:4", None]
    assert not m.server.tasks
