"""Login throttling for the login form: per user name (accounts: in the database, across processes;
names that do not exist: in memory, so a lock never tells which names exist) and per client
address (in memory). Each has a backoff (LIMIT_LOGIN_USER, LIMIT_LOGIN_ADDRESS)."""

from __future__ import annotations

import logging

from flask import current_app

from ..services import logins
from ..services.core.context import Context
from ..web.client_address import request_address
from ..web.throttle import guessing, limits_on

log = logging.getLogger("hallq.logins")


def _ctx() -> Context:
    return current_app.extensions["hallq"]  # type: ignore[no-any-return]


def wait(username: str) -> int:
    """Seconds before this client may try `username` again (0: now)."""
    if not limits_on():
        return 0
    g = guessing()
    assert g.login_address is not None and g.unknown_users is not None
    return max(
        g.login_address.wait(request_address()),
        g.unknown_users.wait(username),
        logins.login_wait(_ctx(), g.login_user, username),
    )


def failed(username: str) -> int:
    """Count a failed try; the seconds the client must now wait (0: it may try again)."""
    if not limits_on():
        return 0
    g = guessing()
    assert g.login_address is not None and g.unknown_users is not None
    address = request_address()
    by_address = g.login_address.fail(address)
    if by_address.failures == g.login_address.policy.free + 1:
        log.warning("logins from one address locked after %d failed tries", by_address.failures)
    by_user = logins.login_failed(_ctx(), g.login_user, username)
    if by_user is None:
        g.unknown_users.fail(username)
        by_user = g.unknown_users.wait(username)
    return max(g.login_address.wait(address), by_user)


def succeeded(username: str) -> None:
    """A good login forgets the account's failures (the address's stay: a guesser has none)."""
    if limits_on():
        logins.login_succeeded(_ctx(), username)
