"""Shared reads: identical reads asked at the same moment are read once, and reads wait their
turn for a slot instead of each holding a pooled database connection.

A reconnect storm is thousands of sockets asking the same two things at once: "who is this
token" and "what happened in this hall since seq S". Read one by one, every ask takes a pooled
connection and, under gevent, keeps it while every other runnable greenlet runs first: the pool
(10 + 20 per process) runs dry and asks fail after 30 s (docs/performance.md, "Reconnect
storm"). Here:

* at most `slots` reads run at once per process; an ask waiting for a slot holds no connection;
* an ask joins a read of the same key that has *not started yet* and gets its answer. A read
  starts only when it takes its slot, and from then on new asks of that key wait for the next
  read. So an answer is never older than its ask: a socket that joined its hall's room before
  asking misses no event (an event committed before the read started is in the answer; one
  committed after it is pushed to the room), exactly as when it reads alone.

The threading primitives are cooperative under gevent and eventlet (`hallq serve` monkey-patches
them) and real under the threading mode.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")

#: reads at once per process: a few more than the cores, far fewer than the pool's connections
DEFAULT_SLOTS = 8


class _Read:
    __slots__ = ("done", "result", "error", "askers")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None
        self.askers = 1


class SharedReads:
    def __init__(self, slots: int = DEFAULT_SLOTS) -> None:
        if slots < 1:
            raise ValueError("a shared reader needs at least one slot")
        self._slots = threading.BoundedSemaphore(slots)
        self._lock = threading.Lock()
        self._waiting: dict[Hashable, _Read] = {}  # reads asked for but not started, by key
        #: reads done, and asks answered by them (the difference was saved), for the tests and
        #: the benchmark's log
        self.reads = 0
        self.asks = 0

    def read(self, key: Hashable, fn: Callable[[], T]) -> T:
        """`fn()`'s answer, shared with every ask of `key` that came before `fn` started; its
        exception, raised to each of them. The answer is shared, not copied: callers must not
        change it."""
        with self._lock:
            self.asks += 1
            pending = self._waiting.get(key)
            if pending is None:
                pending = self._waiting[key] = _Read()
                leader = True
            else:
                pending.askers += 1
                leader = False
        if not leader:
            pending.done.wait()
            if pending.error is not None:
                raise pending.error
            return pending.result  # type: ignore[no-any-return]
        with self._slots:
            with self._lock:
                del self._waiting[key]  # from here on, an ask of this key waits for the next read
                self.reads += 1
            try:
                pending.result = fn()
            except BaseException as err:
                pending.error = err
                raise
            finally:
                pending.done.set()
        return pending.result  # type: ignore[no-any-return]
