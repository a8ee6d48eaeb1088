"""The abuse-limit rules (server/domain/throttle.py) and the client address rule."""

from __future__ import annotations

import pytest

from server.domain.throttle import (
    Backoff,
    Strikes,
    after_failure,
    current,
    full_bucket,
    locks,
    parse_backoff,
    parse_rate,
    take,
    wait_s,
)
from server.web.client_address import client_address, parse_proxies


def test_a_rate_is_a_burst_refilled_over_a_period() -> None:
    rate = parse_rate("10/10s")
    assert (rate.burst, rate.per_s, rate.per_second) == (10, 10.0, 1.0)
    assert parse_rate("100/1m").per_s == 60 and parse_rate("20").per_second == 20
    for bad in ("", "0/1s", "ten/1s", "5/0s", "5/1d"):
        with pytest.raises(ValueError):
            parse_rate(bad)


def test_a_bucket_allows_its_burst_then_refills_evenly() -> None:
    rate = parse_rate("3/3s")
    b = full_bucket(rate, 0.0)
    assert [take(rate, b, 0.0) for _ in range(4)] == [True, True, True, False]
    assert take(rate, b, 0.5) is False  # half a token
    assert take(rate, b, 1.0) is True and take(rate, b, 1.0) is False
    assert [take(rate, b, 100.0) for _ in range(4)] == [True, True, True, False]  # never above the burst


def test_a_backoff_has_free_failures_then_doubling_locks_up_to_a_ceiling() -> None:
    policy = parse_backoff("5/30s/15m")
    assert policy == Backoff(5, 30.0, 900.0, 900.0)
    assert [policy.lock_after(n) for n in range(1, 11)] == [0, 0, 0, 0, 0, 30, 60, 120, 240, 480]
    assert policy.lock_after(40) == 900 and locks(policy, 6) and not locks(policy, 5)
    for bad in ("5/30s", "x/30s/15m", "5/0s/15m", "5/30m/15s"):
        with pytest.raises(ValueError):
            parse_backoff(bad)


def test_strikes_lock_wait_and_are_forgotten_after_a_quiet_spell() -> None:
    policy = Backoff(free=2, base_s=10, max_s=100, forget_s=100)
    s = Strikes()
    for t in (0.0, 1.0):
        s = after_failure(policy, s, t)
        assert wait_s(s, t) == 0
    s = after_failure(policy, s, 2.0)
    assert s.failures == 3 and wait_s(s, 2.0) == 10 and wait_s(s, 11.5) == 1 and wait_s(s, 12.0) == 0
    s = after_failure(policy, s, 12.0)
    assert wait_s(s, 12.0) == 20  # doubled
    assert current(policy, s, 131.0).failures == 4 and current(policy, s, 132.0) == Strikes()


def test_x_forwarded_for_counts_only_from_trusted_proxies() -> None:
    proxies = parse_proxies("127.0.0.1, 10.0.0.0/8")
    env = {"REMOTE_ADDR": "198.51.100.9", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    assert client_address(env, proxies) == "198.51.100.9"  # not a proxy: the header is made up
    env = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.7, 10.0.0.5"}
    assert client_address(env, proxies) == "203.0.113.7"  # right-most hop that is not a proxy
    assert client_address({"REMOTE_ADDR": "127.0.0.1"}, proxies) == "127.0.0.1"
    env = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "garbage, 203.0.113.7"}
    assert client_address(env, proxies) == "203.0.113.7"
    env = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.7, garbage"}
    assert client_address(env, proxies) == "127.0.0.1"  # a garbled hop: do not guess
    assert client_address(env, ()) == "127.0.0.1"
    with pytest.raises(ValueError, match="nginx.local"):
        parse_proxies("nginx.local")
