"""The Redis message queue between server processes, made to survive Redis going away.

What python-socketio's own RedisManager (5.18, redis-py 6) does when Redis stops:

* `emit` handles the event in this process first (its own sockets get it), then publishes it;
  a failed publish is logged and swallowed — the request never sees an exception. But redis-py
  6 retries a refused connection three times with a jittered backoff of up to 1, 2 and 4 s, and
  the manager tries twice: one emit could hold the request for many seconds.
* the listener reconnects by itself, but after 1, 2, 4 … 60 s: a 30 s outage could leave this
  process deaf for another 30 s after Redis is back, and whatever the other processes published
  in the meantime is gone for good (Redis pub/sub keeps nothing).

So this manager: one publish attempt, no redis-py retries, short timeouts (a down Redis costs a
request at most PUBLISH_TIMEOUT_S, and after a failure publishing is not even tried for
RETRY_AFTER_S: the events are in the database's event log anyway); a listener that retries
every LISTEN_RETRY_S; a per-process `RealtimeHealth` that says "degraded" while either side is
broken; and when Redis is back, every socket of every process is told to resync (`realtime.resync`),
so boards fetch what they missed from the stored event log by `seq` (the existing resync).

And hall events go out to this process's sockets in seq order (`SeqOrder`). Two processes commit
a hall's events one after the other (the hall row orders them), but each process hands its own
events to its sockets at once and the other's a little later, through Redis: without the order
kept here, a board on process A would often get seq 11 (A's) before seq 10 (B's), see a gap and
subscribe again. Under load every board of the hall did so several times a second, which the
per-socket `subscribe` budget (realtime/limits.py) punishes by cutting the socket. An event that
skips a seq now waits up to HOLD_S for the missing ones (held only while the queue works both
ways); if they never come (their process died between its commit and its publish) it goes out
anyway and the board resyncs from the event log, as before.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import socketio
from redis import Redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from .. import event_names as names
from . import rooms

log = logging.getLogger("hallq.realtime")

#: connect and write timeout of a publish: the most a down Redis costs one request
PUBLISH_TIMEOUT_S = 0.5
#: after a failed publish, events are not offered to Redis for this long (they stay in the log)
RETRY_AFTER_S = 1.0
#: how often a listener that lost Redis tries to subscribe again
LISTEN_RETRY_S = 1.0
#: how long a hall event that skips a seq waits for the missing ones before it goes out anyway
HOLD_S = 0.5


class SeqOrder:
    """Per room, what may go out now so that the room's hall events leave in seq order.

    `offer` takes one event for one room: it goes out at once when it is the next seq (or older,
    or the room's first), together with any held ones it makes consecutive; one that skips a seq
    is held. `due` releases, in seq order, everything a room holds once its oldest hold is
    HOLD_S old. Nothing is ever dropped: the worst is a delay of HOLD_S.
    """

    def __init__(self, hold_s: float = HOLD_S, clock: Callable[[], float] = time.monotonic) -> None:
        self.hold_s, self._clock = hold_s, clock
        self._last: dict[str, int] = {}
        self._held: dict[str, list[tuple[int, int, Any]]] = {}  # a heap of (seq, arrival, item)
        self._since: dict[str, float] = {}  # when the room's oldest held event came
        self._arrival = itertools.count()

    def offer(self, room: str, seq: int, item: Any, hold: bool = True) -> list[Any]:
        last = self._last.get(room)
        if hold and last is not None and seq > last + 1:
            if room not in self._held:
                self._since[room] = self._clock()
            heapq.heappush(self._held.setdefault(room, []), (seq, next(self._arrival), item))
            return []
        out = [item]
        last = seq if last is None else max(last, seq)
        held = self._held.get(room)
        while held and held[0][0] <= last + 1:
            s, _, waiting = heapq.heappop(held)
            out.append(waiting)
            last = max(last, s)
        self._last[room] = last
        if held is not None and not held:
            del self._held[room], self._since[room]
        return out

    def holding(self) -> bool:
        return bool(self._held)

    def due(self) -> list[Any]:
        """What has waited long enough, room by room in seq order (the missing seqs are lost:
        the boards fetch them from the event log when they see the gap)."""
        out: list[Any] = []
        now = self._clock()
        for room in [r for r, since in self._since.items() if now - since >= self.hold_s]:
            held = self._held.pop(room)
            del self._since[room]
            while held:
                s, _, item = heapq.heappop(held)
                out.append(item)
                self._last[room] = max(self._last[room], s)
        return out


class RealtimeHealth:
    """Whether this process's events reach the other processes and theirs reach it."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self.publish_failed_at: float | None = None
        #: None until the listener starts (python-socketio starts it at the process's first
        #: socket: a process nobody is connected to has no board to keep informed)
        self.listening: bool | None = None

    def state(self) -> str:
        """`ok`, or `degraded` while a publish failed last or the listener is not subscribed."""
        with self._lock:
            return "ok" if self.listening is not False and self.publish_failed_at is None else "degraded"

    def publish_failed(self) -> None:
        with self._lock:
            self.publish_failed_at = self._clock()

    def publish_ok(self) -> bool:
        """Record a publish that went through; True when it ends a run of failures."""
        with self._lock:
            recovered = self.publish_failed_at is not None
            self.publish_failed_at = None
            return recovered

    def may_publish(self) -> bool:
        """False for RETRY_AFTER_S after a failed publish: a down Redis costs one request, not all."""
        with self._lock:
            failed = self.publish_failed_at
            return failed is None or self._clock() - failed >= RETRY_AFTER_S

    def set_listening(self, listening: bool) -> bool | None:
        """Record the listener's state; returns the state it had before."""
        with self._lock:
            before = self.listening
            self.listening = listening
            return before


def channel_for(url: str, configured: str | None = None) -> str:
    """The pub/sub channel of this installation: `configured` when set, else one per database
    index of the Redis URL (``redis://host/3`` → ``hallq-db3``). Redis pub/sub channels ignore the
    database index, so without this two installations on one Redis (staging and production, two
    cities) would hear each other's halls."""
    if configured:
        return configured
    from urllib.parse import parse_qs, urlsplit

    parts = urlsplit(url)
    path = "" if parts.scheme == "unix" else parts.path.strip("/")  # unix: the path is the socket's
    index = path or parse_qs(parts.query).get("db", ["0"])[0]
    return f"hallq-db{int(index) if index.isdigit() else 0}"


def _quick(**extra: Any) -> dict[str, Any]:
    return {"retry": Retry(NoBackoff(), 0), "socket_connect_timeout": PUBLISH_TIMEOUT_S, **extra}


class ResilientRedisManager(socketio.RedisManager):
    """python-socketio's RedisManager with the behaviour described in the module docstring."""

    def __init__(self, url: str, health: RealtimeHealth, channel: str = "hallq-db0") -> None:
        super().__init__(url, channel=channel)
        self.health = health
        self.order = SeqOrder()
        self._order_lock = threading.Lock()
        self._flushing = False

    def _handle_emit(self, message: dict[str, Any]) -> None:
        """Hands an emit to this process's sockets (its own at once, the others' from the
        listener): a hall event room by room in seq order (SeqOrder), anything else as it comes."""
        data = message.get("data")
        payload = data[0] if isinstance(data, list) and len(data) == 1 else None
        seq = payload.get("seq") if isinstance(payload, dict) else None
        to = message.get("room")
        targets = [to] if isinstance(to, str) else to
        if (
            not isinstance(seq, int)
            or message.get("callback") is not None
            or not targets
            or not all(isinstance(r, str) and rooms.is_hall_room(r) for r in targets)
        ):
            super()._handle_emit(message)
            return
        # holding is worth it only while the other processes' events can arrive
        hold = self.health.listening is True and self.health.publish_failed_at is None
        with self._order_lock:  # handing over only queues packets: held for microseconds
            for room in targets:
                for ready in self.order.offer(room, seq, {**message, "room": room}, hold):
                    super()._handle_emit(ready)
            start = self.order.holding() and not self._flushing
            self._flushing = self._flushing or start
        if start:
            self.server.start_background_task(self._flush_held)

    def _flush_held(self) -> None:
        """Sends what waited HOLD_S for a seq that did not come, while anything is held."""
        while True:
            self.server.sleep(self.order.hold_s / 5)
            with self._order_lock:
                late = self.order.due()
                for ready in late:
                    super()._handle_emit(ready)
                if late:
                    log.warning(
                        "realtime: %d hall event(s) sent after waiting %.1f s for an earlier seq that "
                        "never came (its process died before publishing?); boards resync by seq",
                        len(late),
                        self.order.hold_s,
                    )
                if not self.order.holding():
                    self._flushing = False
                    return

    def _redis_connect(self) -> None:
        """The publishing client: one quick attempt, a short write timeout."""
        self.redis = Redis.from_url(self.redis_url, **_quick(socket_timeout=PUBLISH_TIMEOUT_S))
        self.connected = True

    def state(self) -> str:
        """`ok` or `degraded`; after a failed publish, a ping (at most every RETRY_AFTER_S) finds
        out whether Redis is back even when no event was published since."""
        if self.health.publish_failed_at is not None and self.health.may_publish():
            try:
                if not self.connected:
                    self._redis_connect()
                self.redis.ping()
            except Exception:
                self.connected = False
                self.health.publish_failed()
            else:
                self._published_again()
        return self.health.state()

    def _publish(self, data: Any) -> Any:
        if not self.health.may_publish():
            return None  # the event is in the stored log: boards fetch it when told to resync
        try:
            if not self.connected:
                self._redis_connect()
            sent = self.redis.publish(self.channel, self.json.dumps(data))
        except Exception as exc:  # whatever Redis does, the request that emitted goes on
            self.connected = False
            self.health.publish_failed()
            log.error("realtime degraded: cannot publish to Redis (%s); boards will resync", exc)
            return None
        self._published_again()
        return sent

    def _published_again(self) -> None:
        if self.health.publish_ok():
            # through the queue: the other processes' boards missed what this one could not send
            log.warning("realtime: publishing to Redis again; telling every board to resync")
            self.emit(names.REALTIME_RESYNC, {"reason": "message_queue"}, namespace="/")

    def _redis_listen_with_retries(self) -> Any:
        while True:
            listener = None
            try:
                listener = Redis.from_url(self.redis_url, **_quick(socket_keepalive=True))
                pubsub = listener.pubsub(ignore_subscribe_messages=False)  # type: ignore[no-untyped-call]
                pubsub.subscribe(self.channel)
                for message in pubsub.listen():
                    if message.get("type") == "subscribe":
                        self._subscribed()
                    else:
                        yield message
            except Exception as exc:
                if self.health.set_listening(False) is not False:
                    log.error(
                        "realtime degraded: cannot receive from Redis (%s); retrying every %.0f s",
                        exc,
                        LISTEN_RETRY_S,
                    )
            finally:
                if listener is not None:
                    listener.close()
            time.sleep(LISTEN_RETRY_S)

    def _subscribed(self) -> None:
        if self.health.set_listening(True) is False:
            # what the other processes published while this one was deaf is only in the event
            # log: this process's sockets fetch it by seq
            log.warning("realtime: receiving from Redis again; telling this process's boards to resync")
            self.emit(names.REALTIME_RESYNC, {"reason": "message_queue"}, namespace="/", ignore_queue=True)
