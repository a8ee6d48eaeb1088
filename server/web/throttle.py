"""Guessing limits of this process (HTTP): failed logins per address, unknown notice codes per
address and per kiosk token, and failed logins for user names that do not exist (so a lock does
not tell which names do). Failed logins of real accounts are counted in the database instead
(services.logins), so they hold across processes.

The rules are domain.throttle's backoffs; the settings are LIMIT_* of server/config.py.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NoReturn

from flask import Flask, abort, current_app

from ..domain.throttle import Backoff, Strikes, after_failure, current, parse_backoff, wait_s
from .errors import error_response

#: more keys than this (spoofed names, many addresses): the oldest are dropped first
MAX_KEYS = 50_000


@dataclass
class StrikeBook:
    """Strikes per key (an address, a token's hash, a user name), in memory."""

    policy: Backoff
    _strikes: dict[Hashable, Strikes] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait(self, key: Hashable, now: float | None = None) -> int:
        """Seconds `key` must wait before its next try (0: go ahead)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            strikes = self._strikes.get(key)
            return wait_s(current(self.policy, strikes, now), now) if strikes else 0

    def fail(self, key: Hashable, now: float | None = None) -> Strikes:
        """Count one failure of `key`; returns its strikes (a lock starts when they say so)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            strikes = after_failure(self.policy, self._strikes.pop(key, Strikes()), now)
            self._strikes[key] = strikes  # re-inserted: the dict stays oldest-first
            while len(self._strikes) > MAX_KEYS:
                del self._strikes[next(iter(self._strikes))]
            return strikes

    def clear(self, key: Hashable) -> None:
        with self._lock:
            self._strikes.pop(key, None)


@dataclass
class Guessing:
    """The guessing limits of one app (None books: limits are off)."""

    login_user: Backoff
    login_address: StrikeBook | None
    unknown_users: StrikeBook | None
    code_address: StrikeBook | None
    code_token: StrikeBook | None


def init_guessing(app: Flask) -> Guessing:
    """Parse the LIMIT_* settings once (a bad value stops the start with a clear message)."""
    from ..config import ConfigError

    def backoff(key: str) -> Backoff:
        try:
            return parse_backoff(str(app.config[key]))
        except ValueError as err:
            raise ConfigError(f"HALLQ_{key}: {err}") from None

    on = bool(app.config.get("RATE_LIMITS", True))
    user = backoff("LIMIT_LOGIN_USER")
    g = Guessing(
        login_user=user,
        login_address=StrikeBook(backoff("LIMIT_LOGIN_ADDRESS")) if on else None,
        unknown_users=StrikeBook(user) if on else None,
        code_address=StrikeBook(backoff("LIMIT_CODE_ADDRESS")) if on else None,
        code_token=StrikeBook(backoff("LIMIT_CODE_TOKEN")) if on else None,
    )
    app.extensions["hallq.guessing"] = g
    return g


def guessing() -> Guessing:
    g = current_app.extensions.get("hallq.guessing")
    return g if isinstance(g, Guessing) else init_guessing(current_app)


def limits_on() -> bool:
    return bool(current_app.config.get("RATE_LIMITS", True))


def too_many_message(seconds: int) -> tuple[str, str]:
    return f"尝试次数过多，请 {seconds} 秒后再试", f"too many tries, try again in {seconds} seconds"


def too_many(seconds: int, field: str | None = None) -> NoReturn:
    """Stop the request: 429 `rate_limited` with Retry-After, in the client's language."""
    zh, en = too_many_message(seconds)
    extra: dict[str, Any] = {}  # the error shape is fixed (ErrorBody): the wait is in Retry-After
    if field:
        extra["field"] = field
    body, status = error_response("rate_limited", zh, en, 429, **extra)
    body.status_code = status
    body.headers["Retry-After"] = str(seconds)
    abort(body)


@contextmanager
def notice_code_lookup(code: str | None, kind: str = "notice") -> Iterator[None]:
    """Around a look-up by a typed notice (or booking) code (a kiosk taking a priority number,
    checking in an appointment): refuse with 429 while this address or kiosk token must wait,
    and count the try if the code is unknown. Both kinds share one budget."""
    if not code or not limits_on():
        yield
        return
    from flask import request

    from ..domain.errors import RuleViolation
    from .client_address import request_address

    g = guessing()
    assert g.code_address is not None and g.code_token is not None
    address = request_address()
    header = request.headers.get("Authorization", "")
    token = hashlib.sha256(header.encode()).hexdigest() if header.lower().startswith("bearer ") else None
    wait = max(g.code_address.wait(address), g.code_token.wait(token) if token else 0)
    if wait:
        too_many(wait, field=kind)
    try:
        yield
    except RuleViolation as err:
        if err.code == f"{kind}_not_found":
            g.code_address.fail(address)
            if token:
                g.code_token.fail(token)
        raise


def complaint_filed() -> None:
    """Before a public complaint is filed: refuse with 429 while this address must wait; every
    filing counts (the backoff of unknown notice codes, HALLQ_LIMIT_CODE_ADDRESS)."""
    if not limits_on():
        return
    from .client_address import request_address

    book = current_app.extensions.get("hallq.complaints")
    if not isinstance(book, StrikeBook):
        g = guessing()
        assert g.code_address is not None  # limits are on
        book = StrikeBook(g.code_address.policy)
        current_app.extensions["hallq.complaints"] = book
    address = request_address()
    wait = book.wait(address)
    if wait:
        too_many(wait)
    book.fail(address)


@contextmanager
def booking_attempt() -> Iterator[None]:
    """Around booking an appointment (anyone, no captcha): every try counts against the client
    address (LIMIT_BOOKING_ADDRESS: a few free, then a doubling wait); 429 while it must wait."""
    if not limits_on():
        yield
        return
    from .client_address import request_address

    book = current_app.extensions.get("hallq.booking_limit")
    if not isinstance(book, StrikeBook):
        from ..config import ConfigError

        try:
            policy = parse_backoff(str(current_app.config.get("LIMIT_BOOKING_ADDRESS", "10/1m/1h")))
        except ValueError as err:
            raise ConfigError(f"HALLQ_LIMIT_BOOKING_ADDRESS: {err}") from None
        book = current_app.extensions["hallq.booking_limit"] = StrikeBook(policy)
    address = request_address()
    wait = book.wait(address)
    if wait:
        too_many(wait, field="phone")
    try:
        yield
    finally:
        book.fail(address)
