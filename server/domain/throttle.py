"""Abuse limits as rules: how many events a budget allows, and how long a guesser waits.

Two shapes. A *rate* (`Rate`, written "40/2s": at most 40 at once, refilled evenly over 2 s, a
token bucket) bounds what a socket or an address may send. A *backoff* (`Backoff`) bounds
guessing — passwords, notice codes: a few free failures, then a lock that doubles with every
further failure, up to a ceiling; a quiet spell forgets the failures. Times are seconds
(monotonic or epoch: the caller's clock, as long as it is one clock).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_RATE = re.compile(r"^\s*(\d+)\s*(?:/\s*(\d+(?:\.\d+)?)?\s*(s|m|h)?)?\s*$")
_UNIT = {"s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}


@dataclass(frozen=True)
class Rate:
    """At most `burst` at once; the budget refills `burst` over `per_s` seconds."""

    burst: int
    per_s: float

    @property
    def per_second(self) -> float:
        return self.burst / self.per_s

    def __str__(self) -> str:
        return f"{self.burst}/{self.per_s:g}s"


def parse_rate(text: str) -> Rate:
    """A rate: "40/2s", "5/10s", "100/1m", "20" (per second). ValueError for anything else."""
    m = _RATE.match(str(text))
    if not m or int(m.group(1)) < 1:
        raise ValueError(f"a rate is N/Ts, e.g. 40/2s or 5/10s, got {text!r}")
    per = float(m.group(2) or 1) * _UNIT[m.group(3)]
    if per <= 0:
        raise ValueError(f"a rate's period must be positive, got {text!r}")
    return Rate(int(m.group(1)), per)


@dataclass
class Bucket:
    """A token bucket's state: tokens left at `at`."""

    tokens: float
    at: float


def full_bucket(rate: Rate, now: float) -> Bucket:
    return Bucket(float(rate.burst), now)


def take(rate: Rate, bucket: Bucket, now: float, cost: float = 1.0) -> bool:
    """Spend `cost` from the bucket (refilled up to now); False, and nothing spent, when short."""
    elapsed = max(0.0, now - bucket.at)
    bucket.tokens = min(float(rate.burst), bucket.tokens + elapsed * rate.per_second)
    bucket.at = now
    if bucket.tokens < cost:
        return False
    bucket.tokens -= cost
    return True


@dataclass(frozen=True)
class Backoff:
    """`free` failures cost nothing; each one after locks for `base_s`·2^(n−free−1), at most
    `max_s`; after `forget_s` without a failure (counted from the end of the last lock) the
    count starts again."""

    free: int
    base_s: float
    max_s: float
    forget_s: float

    def lock_after(self, failures: int) -> float:
        """How long the `failures`-th failure in a row locks (0 while still free)."""
        over = failures - self.free
        if over <= 0:
            return 0.0
        return float(min(self.max_s, self.base_s * 2 ** min(over - 1, 30)))


@dataclass(frozen=True)
class Strikes:
    """Failures in a row and until when the next try must wait (`until` ≤ now: not locked;
    it is also when the last failure counted, so quiet spells can be measured from it)."""

    failures: int = 0
    until: float | None = None


def current(policy: Backoff, strikes: Strikes, now: float) -> Strikes:
    """The strikes that still count at `now` (forgotten after a quiet spell)."""
    if strikes.until is not None and now - strikes.until >= policy.forget_s:
        return Strikes()
    return strikes


def wait_s(strikes: Strikes, now: float) -> int:
    """Whole seconds before the next try is allowed (0: now)."""
    if strikes.until is None or strikes.until <= now:
        return 0
    return max(1, math.ceil(strikes.until - now))


def after_failure(policy: Backoff, strikes: Strikes, now: float) -> Strikes:
    """The strikes after one more failure at `now`."""
    failures = current(policy, strikes, now).failures + 1
    return Strikes(failures, now + policy.lock_after(failures))


def locks(policy: Backoff, failures: int) -> bool:
    """Whether the `failures`-th failure starts a lock (the moment to write an audit entry)."""
    return policy.lock_after(failures) > 0


_SPAN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h)?\s*$")


def _seconds(text: str) -> float:
    m = _SPAN.match(text)
    if not m:
        raise ValueError(f"{text!r} is not a duration like 30s, 15m or 1h")
    return float(m.group(1)) * _UNIT[m.group(2)]


def parse_backoff(text: str) -> Backoff:
    """A backoff, "FREE/FIRST/LONGEST" ("5/30s/15m"): 5 free failures, then 30 s doubling up to 15 min;
    failures are forgotten after LONGEST without one. ValueError for anything else."""
    parts = str(text).split("/")
    if len(parts) != 3 or not parts[0].strip().isdigit():
        raise ValueError(f"a backoff is FREE/FIRST/LONGEST, e.g. 5/30s/15m, got {text!r}")
    base, longest = _seconds(parts[1]), _seconds(parts[2])
    if base <= 0 or longest < base:
        raise ValueError(f"a backoff's first lock must be positive and at most the longest: {text!r}")
    return Backoff(int(parts[0]), base, longest, longest)
