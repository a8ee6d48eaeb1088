"""Realtime health of one process (server/realtime/queue.py): 'degraded' while its pushes
through the message queue fail or its listener lost the queue, 'ok' again when both work."""

from __future__ import annotations

from server.realtime.queue import RETRY_AFTER_S, RealtimeHealth, channel_for


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_process_nobody_connected_to_is_ok_until_a_publish_fails() -> None:
    health = RealtimeHealth(Clock())
    assert health.listening is None and health.state() == "ok"
    health.publish_failed()
    assert health.state() == "degraded"


def test_a_failed_publish_is_not_retried_for_a_second_and_a_later_success_ends_the_outage() -> None:
    clock = Clock()
    health = RealtimeHealth(clock)
    health.publish_failed()
    assert not health.may_publish(), "a down Redis costs one request, not every request"
    clock.now += RETRY_AFTER_S
    assert health.may_publish()
    assert health.publish_ok() is True, "the first success after failures says so (boards resync)"
    assert health.publish_ok() is False
    assert health.state() == "ok"


def test_a_listener_that_lost_the_queue_is_degraded_until_it_subscribes_again() -> None:
    health = RealtimeHealth(Clock())
    assert health.set_listening(True) is None, "the first subscribe: nothing was missed"
    assert health.state() == "ok"
    assert health.set_listening(False) is True
    assert health.state() == "degraded"
    assert health.set_listening(False) is False, "still down: logged once, not every retry"
    assert health.set_listening(True) is False, "back after an outage: this process's boards resync"
    assert health.state() == "ok"


def test_each_redis_database_index_is_its_own_channel_because_pubsub_ignores_the_index() -> None:

    assert channel_for("redis://127.0.0.1:6379") == "hallq-db0"
    assert channel_for("redis://127.0.0.1:6379/0") == "hallq-db0"
    assert channel_for("redis://127.0.0.1:6379/13") == "hallq-db13"
    assert channel_for("redis://:secret@redis.city.local:6380/2?socket_timeout=1") == "hallq-db2"
    assert channel_for("unix:///run/redis.sock?db=5") == "hallq-db5"
    assert channel_for("redis://127.0.0.1/13", "city-a") == "city-a"  # set by HALLQ_REALTIME_CHANNEL
