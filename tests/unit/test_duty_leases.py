"""Background duties run once across processes: the lease rule (domain/leases.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.domain import leases

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def test_a_free_duty_may_be_taken_by_anyone() -> None:
    assert leases.may_take(None, None, "a:5001", NOW)


def test_the_holder_renews_its_own_lease_even_after_it_lapsed() -> None:
    assert leases.may_take("a:5001", NOW + timedelta(seconds=5), "a:5001", NOW)
    assert leases.may_take("a:5001", NOW - timedelta(seconds=5), "a:5001", NOW)


def test_another_process_waits_until_the_lease_lapsed() -> None:
    assert not leases.may_take("a:5001", NOW + timedelta(seconds=1), "a:5002", NOW)
    assert leases.may_take("a:5001", NOW, "a:5002", NOW)
    assert leases.may_take("a:5001", NOW - timedelta(seconds=1), "a:5002", NOW)


def test_a_holder_stops_acting_a_renewal_before_anyone_may_take_over() -> None:
    ttl = 9.0
    assert leases.renew_every(ttl) == 3.0
    assert leases.held_for(ttl) == 6.0 < ttl
    assert leases.expiry(NOW, ttl) == NOW + timedelta(seconds=9)
