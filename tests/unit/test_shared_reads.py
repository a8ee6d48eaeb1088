"""services/core/shared_reads.py: a reconnect storm's identical asks are read once, a few at a time,
and no answer is older than its ask."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from server.services.core.shared_reads import SharedReads


def _ask(reads: SharedReads, key: Any, fn: Any, out: list[Any]) -> threading.Thread:
    def run() -> None:
        try:
            out.append(reads.read(key, fn))
        except Exception as err:  # noqa: BLE001 — the test looks at what each asker got
            out.append(err)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def _until(condition: Any) -> None:
    deadline = time.monotonic() + 5
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def _occupy(reads: SharedReads) -> tuple[threading.Event, threading.Thread]:
    """Hold the only slot with a read of another key until the returned event is set."""
    release, started = threading.Event(), threading.Event()

    def blocker() -> str:
        started.set()
        release.wait(5)
        return "other"

    t = _ask(reads, "other", blocker, [])
    assert started.wait(5)
    return release, t


def test_identical_asks_waiting_for_a_slot_share_one_read() -> None:
    reads = SharedReads(slots=1)
    release, blocker = _occupy(reads)
    calls: list[int] = []

    def read() -> dict[str, int]:
        calls.append(1)
        return {"seq": 7}

    out: list[Any] = []
    askers = [_ask(reads, ("resync", "demo", 5), read, out) for _ in range(20)]
    _until(lambda: reads.asks == 21)
    release.set()
    for t in [blocker, *askers]:
        t.join(5)
    assert calls == [1], "twenty identical asks, one read"
    assert out == [{"seq": 7}] * 20
    assert (reads.reads, reads.asks) == (2, 21)


def test_an_ask_made_after_a_read_started_gets_a_read_of_its_own() -> None:
    """The answer is never older than the ask: an event committed between the first read's start
    and the second ask would be missing from the first answer."""
    reads = SharedReads(slots=4)
    inside, go_on = threading.Event(), threading.Event()
    state = {"seq": 1}

    def read() -> int:
        seen = state["seq"]
        inside.set()
        go_on.wait(5)
        return seen

    first: list[Any] = []
    t1 = _ask(reads, "k", read, first)
    assert inside.wait(5)  # the first read has started (it saw seq 1)
    state["seq"] = 2  # an event commits; then the second socket asks
    second: list[Any] = []
    t2 = _ask(reads, "k", read, second)
    _until(lambda: reads.reads == 2)
    go_on.set()
    t1.join(5)
    t2.join(5)
    assert first == [1] and second == [2]


def test_different_keys_are_not_shared() -> None:
    reads = SharedReads(slots=2)
    assert reads.read(("resync", "demo", 1), lambda: "a") == "a"
    assert reads.read(("resync", "demo", 2), lambda: "b") == "b"
    assert reads.reads == 2


def test_every_asker_of_a_failed_read_gets_its_error() -> None:
    reads = SharedReads(slots=1)
    release, blocker = _occupy(reads)

    def fail() -> None:
        raise LookupError("no such hall")

    out: list[Any] = []
    askers = [_ask(reads, "bad", fail, out) for _ in range(5)]
    _until(lambda: reads.asks == 6)
    release.set()
    for t in [blocker, *askers]:
        t.join(5)
    assert len(out) == 5 and all(isinstance(e, LookupError) for e in out)
    assert reads.reads == 2
    # and the key is free again: the next ask reads anew
    assert reads.read("bad", lambda: "fine now") == "fine now"


def test_no_more_reads_run_at_once_than_there_are_slots() -> None:
    reads = SharedReads(slots=3)
    lock = threading.Lock()
    running, most = [0], [0]

    def read() -> None:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.02)
        with lock:
            running[0] -= 1

    out: list[Any] = []
    threads = [_ask(reads, i, read, out) for i in range(12)]  # all different: none shared
    for t in threads:
        t.join(5)
    assert len(out) == 12
    assert most[0] == 3


def test_a_reader_needs_a_slot() -> None:
    with pytest.raises(ValueError):
        SharedReads(slots=0)
