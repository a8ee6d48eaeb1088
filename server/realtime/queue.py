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
"""

from __future__ import annotations

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

log = logging.getLogger("hallq.realtime")

#: connect and write timeout of a publish: the most a down Redis costs one request
PUBLISH_TIMEOUT_S = 0.5
#: after a failed publish, events are not offered to Redis for this long (they stay in the log)
RETRY_AFTER_S = 1.0
#: how often a listener that lost Redis tries to subscribe again
LISTEN_RETRY_S = 1.0


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


def _quick(**extra: Any) -> dict[str, Any]:
    return {"retry": Retry(NoBackoff(), 0), "socket_connect_timeout": PUBLISH_TIMEOUT_S, **extra}


class ResilientRedisManager(socketio.RedisManager):
    """python-socketio's RedisManager with the behaviour described in the module docstring."""

    def __init__(self, url: str, health: RealtimeHealth, channel: str = "flask-socketio") -> None:
        super().__init__(url, channel=channel)
        self.health = health

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
