"""Abuse limits on Socket.IO: per socket, per client address, on every event.

`install` runs once per app, after Flask-SocketIO built its python-socketio server, and puts
two things in front of every event, so nothing has to remember to decorate a new handler:

* the gate: the Engine.IO `message` hook (`eio.on`), which sees every Socket.IO packet of a
  connection in the connection's reader, before python-socketio decodes it or starts a
  handler — the event name is peeked from the packet text. A flooding socket is cut at the
  frame that goes over, not after thousands of handler greenlets were started;
* the handler table: every handler of the default namespace (hall events, agent events, any
  added later) plus a catch-all for names nobody handles is wrapped. It counts the sockets the
  gate never saw (Flask-SocketIO's in-process test client skips Engine.IO) and drops the
  events of a cut socket still in flight (tests/web/test_limits.py checks the table).

What counts:

* Per socket: a token bucket for all events (LIMIT_SOCKET_EVENTS) and a stricter one for
  `subscribe` (LIMIT_SOCKET_SUBSCRIBES), since each may cost a snapshot. A socket over either is
  cut: logged once, its further frames dropped without an ack, and its connection closed.
* Per client address (web.client_address: X-Forwarded-For only from TRUSTED_PROXIES):
  connections open at once (LIMIT_ADDRESS_SOCKETS) and opened (LIMIT_ADDRESS_CONNECTS); after
  a few of its sockets were cut it may not connect for a while (LIMIT_ADDRESS_CUTS, doubling).
  Over any: the handshake is refused, so a cut socket cannot simply come back. And buckets for
  all events and for `subscribe` of all its sockets together (LIMIT_ADDRESS_EVENTS,
  LIMIT_ADDRESS_SUBSCRIBES; over: the event gets a `rate_limited` error ack, nothing runs).

Checks run under one lock held for microseconds, before any database work.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from socketio import packet

from ..domain.throttle import (
    Backoff,
    Bucket,
    Rate,
    Strikes,
    after_failure,
    current,
    full_bucket,
    parse_backoff,
    parse_rate,
    take,
    wait_s,
)
from ..web.client_address import Network, client_address, parse_proxies

log = logging.getLogger("hallq.limits")

NAMESPACE = "/"
SUBSCRIBE = "subscribe"
#: never limited: the server calls them itself (a cut socket must still be cleaned up)
_PASS = ("disconnect",)
#: marks a handler already wrapped (python-socketio's table is rebuilt per app; this guards misuse)
_WRAPPED = "__hallq_limited__"
#: addresses without sockets keep their buckets this long (reconnecting does not refill them)
_IDLE_S = 120.0


@dataclass(frozen=True)
class SocketLimits:
    socket_events: Rate
    socket_subscribes: Rate
    address_events: Rate
    address_subscribes: Rate
    address_sockets: int
    address_connects: Rate
    address_cuts: Backoff
    proxies: tuple[Network, ...]


def socket_limits(config: Any) -> SocketLimits:
    """The LIMIT_* and TRUSTED_PROXIES settings, parsed (ConfigError naming a bad one)."""
    from ..config import ConfigError

    def rate(key: str) -> Rate:
        try:
            return parse_rate(str(config[key]))
        except ValueError as err:
            raise ConfigError(f"HALLQ_{key}: {err}") from None

    def backoff(key: str) -> Backoff:
        try:
            return parse_backoff(str(config[key]))
        except ValueError as err:
            raise ConfigError(f"HALLQ_{key}: {err}") from None

    try:
        proxies = parse_proxies(config.get("TRUSTED_PROXIES"))
    except ValueError as err:
        raise ConfigError(f"HALLQ_{err}") from None
    sockets = config.get("LIMIT_ADDRESS_SOCKETS")
    if not isinstance(sockets, int) or isinstance(sockets, bool) or sockets < 1:
        raise ConfigError(f"HALLQ_LIMIT_ADDRESS_SOCKETS must be a positive whole number, got {sockets!r}")
    return SocketLimits(
        socket_events=rate("LIMIT_SOCKET_EVENTS"),
        socket_subscribes=rate("LIMIT_SOCKET_SUBSCRIBES"),
        address_events=rate("LIMIT_ADDRESS_EVENTS"),
        address_subscribes=rate("LIMIT_ADDRESS_SUBSCRIBES"),
        address_sockets=sockets,
        address_connects=rate("LIMIT_ADDRESS_CONNECTS"),
        address_cuts=backoff("LIMIT_ADDRESS_CUTS"),
        proxies=proxies,
    )


@dataclass
class _Socket:
    address: str
    events: Bucket
    subscribes: Bucket
    english: bool = False
    cut: bool = False
    #: opened through Engine.IO, so every frame is counted at the gate (in the reader, before
    #: python-socketio decodes it or starts a handler); else counted by the handler wrapper
    gated: bool = False
    #: events let through so far, and how many of them were subscribes (for the cut's log line)
    ran: int = 0
    subscribes_ran: int = 0


@dataclass
class _Address:
    events: Bucket
    subscribes: Bucket
    connects: Bucket
    #: sockets of this address cut for flooding: past a few, it may not connect for a while
    cuts: Strikes = field(default_factory=Strikes)
    open: int = 0
    seen: float = 0.0


#: what to do with one event: run it, refuse it (error ack), drop it (its socket is cut already),
#: or cut its socket now
RUN, REFUSE, DROP, CUT = "run", "refuse", "drop", "cut"


@dataclass
class Limiter:
    """The per-socket and per-address state of this process (keyed by Engine.IO session)."""

    limits: SocketLimits
    clock: Callable[[], float] = time.monotonic
    _sockets: dict[str, _Socket] = field(default_factory=dict)
    _addresses: dict[str, _Address] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _swept: float = 0.0

    def opened(self, eio_sid: str, environ: dict[str, Any]) -> bool:
        """A new connection: False (refuse it) when its address holds too many already."""
        address = client_address(environ, self.limits.proxies)
        with self._lock:
            refused = not self._open(eio_sid, address, environ, self.clock())
            if not refused:
                self._sockets[eio_sid].gated = True
        if refused:
            log.warning("socket refused: %s holds too many connections or opens them too fast", address)
        return not refused

    def _open(self, eio_sid: str, address: str, environ: dict[str, Any], now: float) -> bool:
        self._sweep(now)
        a = self._addresses.get(address)
        if a is None:
            a = self._addresses[address] = _Address(
                full_bucket(self.limits.address_events, now),
                full_bucket(self.limits.address_subscribes, now),
                full_bucket(self.limits.address_connects, now),
            )
        a.seen = now
        if wait_s(current(self.limits.address_cuts, a.cuts, now), now):
            return False
        if a.open >= self.limits.address_sockets or not take(self.limits.address_connects, a.connects, now):
            return False
        a.open += 1
        self._sockets[eio_sid] = _Socket(
            address,
            full_bucket(self.limits.socket_events, now),
            full_bucket(self.limits.socket_subscribes, now),
            english=_english(environ),
        )
        return True

    def closed(self, eio_sid: str, gated_too: bool = True) -> None:
        with self._lock:
            s = self._sockets.get(eio_sid)
            if s is None or (s.gated and not gated_too):
                return
            del self._sockets[eio_sid]
            if s is not None and (a := self._addresses.get(s.address)) is not None:
                a.open = max(0, a.open - 1)
                a.seen = self.clock()

    def check(
        self, eio_sid: str, event: str, environ: Callable[[], dict[str, Any]], at_gate: bool = False
    ) -> str:
        """Spend the budgets of one event of this connection. Sockets opened through Engine.IO
        are counted at the gate, once; the handler wrapper then only drops a cut socket's events.
        A connection this limiter did not see open (Flask-SocketIO's test client skips Engine.IO)
        is counted by the handler wrapper from its first event."""
        now = self.clock()
        with self._lock:
            s = self._sockets.get(eio_sid)
            if s is not None and s.gated and not at_gate:
                return DROP if s.cut else RUN
            if s is None:
                env = environ()
                if not env:  # gone already (cut, or closed meanwhile)
                    return DROP
                if not self._open(eio_sid, client_address(env, self.limits.proxies), env, now):
                    return REFUSE
                s = self._sockets[eio_sid]
            if s.cut:
                return DROP
            ok = take(self.limits.socket_events, s.events, now)
            if ok and event == SUBSCRIBE:
                ok = take(self.limits.socket_subscribes, s.subscribes, now)
            if not ok:
                s.cut = True
                a = self._addresses[s.address]
                a.cuts = after_failure(self.limits.address_cuts, a.cuts, now)
            else:
                a = self._addresses[s.address]
                a.seen = now
                if take(self.limits.address_events, a.events, now) and (
                    event != SUBSCRIBE or take(self.limits.address_subscribes, a.subscribes, now)
                ):
                    s.ran += 1
                    s.subscribes_ran += event == SUBSCRIBE
                    return RUN
                return REFUSE
        log.warning(
            "socket cut: %s from %s after %d events (%d subscribe): over its budget at a %r event",
            eio_sid,
            s.address,
            s.ran,
            s.subscribes_ran,
            event,
        )
        return CUT

    def english(self, eio_sid: str) -> bool:
        s = self._sockets.get(eio_sid)
        return bool(s and s.english)

    def _sweep(self, now: float) -> None:
        if now - self._swept < 30:
            return
        self._swept = now
        idle = [
            k
            for k, a in self._addresses.items()
            if a.open == 0
            and now - a.seen > _IDLE_S
            and current(self.limits.address_cuts, a.cuts, now).failures == 0
        ]
        for key in idle:
            del self._addresses[key]


def _english(environ: dict[str, Any]) -> bool:
    from urllib.parse import parse_qs

    from werkzeug.http import parse_cookie

    from ..i18n import COOKIE

    langs = parse_qs(str(environ.get("QUERY_STRING", ""))).get("lang")
    asked = langs[0] if langs else None
    if asked is None:
        asked = parse_cookie(str(environ.get("HTTP_COOKIE", ""))).get(COOKIE)
    return bool(asked and str(asked).startswith("en"))


_EVENT = re.compile(r'^2(?:/[^,]*,)?(\d*)\["((?:[^"\\]|\\.)*)"')
_KINDS = {"0": "connect", "1": "disconnect", "3": "ack", "4": "error", "5": "binary", "6": "binary"}


def _peek(data: Any) -> tuple[str, int | None]:
    """The event name and ack id of an encoded Socket.IO packet, without decoding its payload
    (other packets: their kind, no ack; binary attachments: "binary")."""
    if not isinstance(data, str) or not data:
        return "binary", None
    if data[0] == "2":
        m = _EVENT.match(data)
        if m:
            return m.group(2), int(m.group(1)) if m.group(1) else None
        return "event", None
    return _KINDS.get(data[0], "other"), None


def _refusal(english: bool) -> dict[str, Any]:
    message = "too many requests, try again later" if english else "请求过于频繁，请稍后再试"
    return {"error": {"code": "rate_limited", "message": message}}


def install(server: Any, app: Flask) -> Limiter | None:
    """Put the limits in front of every handler of `server` (python-socketio) for this app."""
    if not app.config.get("RATE_LIMITS", True):
        return None
    limiter = Limiter(socket_limits(app.config))
    app.extensions["hallq.socket_limiter"] = limiter

    def cut(sid: str, eio_sid: str) -> None:
        server.disconnect(sid, namespace=NAMESPACE, ignore_queue=True)  # runs the disconnect handlers
        try:
            server.eio.disconnect(eio_sid)  # and closes the transport
        except Exception:  # gone already (or never Engine.IO: the in-process test client)
            log.debug("cut socket %s was gone already", eio_sid)

    def guard(event: str | None, handler: Callable[..., Any]) -> Callable[..., Any]:
        """`event` None: the catch-all, whose first argument is the event's name."""

        def limited(*args: Any) -> Any:
            name, sid = (args[0], args[1]) if event is None else (event, args[0])
            eio_sid = server.manager.eio_sid_from_sid(sid, NAMESPACE)
            if eio_sid is None:  # not connected (any more)
                return False if name == "connect" else server.not_handled
            verdict = limiter.check(eio_sid, str(name), lambda: server.environ.get(eio_sid) or {})
            if verdict == RUN:
                return handler(*args)
            if verdict == REFUSE:
                return False if name == "connect" else _refusal(limiter.english(eio_sid))
            if verdict == CUT:
                cut(sid, eio_sid)
            return False if name == "connect" else server.not_handled

        setattr(limited, _WRAPPED, True)
        return limited

    table = server.handlers.setdefault(NAMESPACE, {})
    for event, handler in list(table.items()):
        if event in _PASS or getattr(handler, _WRAPPED, False):
            continue
        table[event] = guard(None if event == "*" else event, handler)
    if "disconnect" in table:
        on_disconnect = table["disconnect"]

        def disconnected(sid: str, *rest: Any) -> Any:
            try:
                return on_disconnect(sid, *rest)
            finally:  # gated sockets are forgotten when their transport closes
                limiter.closed(server.manager.eio_sid_from_sid(sid, NAMESPACE) or "", gated_too=False)

        table["disconnect"] = disconnected
    if "*" not in table:
        table["*"] = guard(None, lambda *_: server.not_handled)  # unknown names count too

    eio_connect = server.eio.handlers["connect"]
    eio_disconnect = server.eio.handlers["disconnect"]
    eio_message = server.eio.handlers["message"]

    def on_eio_message(eio_sid: str, data: Any, *rest: Any) -> Any:
        """The gate: every Socket.IO packet of a connection, counted in the connection's reader
        before python-socketio decodes it or starts a handler for it."""
        name, ack = _peek(data)
        verdict = limiter.check(eio_sid, name, lambda: server.environ.get(eio_sid) or {}, at_gate=True)
        if verdict == RUN:
            return eio_message(eio_sid, data, *rest)
        if verdict == REFUSE:
            if ack is not None:
                refusal = server.packet_class(
                    packet.ACK, namespace=NAMESPACE, id=ack, data=[_refusal(limiter.english(eio_sid))]
                )
                server.eio.send(eio_sid, refusal.encode())
            return None
        if verdict == CUT:
            sid = server.manager.sid_from_eio_sid(eio_sid, NAMESPACE)
            if sid is not None:
                cut(sid, eio_sid)
            else:
                server.eio.disconnect(eio_sid)
        return None

    def on_eio_connect(eio_sid: str, environ: dict[str, Any], *rest: Any) -> Any:
        if not limiter.opened(eio_sid, environ):
            return False
        return eio_connect(eio_sid, environ, *rest)

    def on_eio_disconnect(eio_sid: str, *rest: Any) -> Any:
        limiter.closed(eio_sid)
        return eio_disconnect(eio_sid, *rest)

    server.eio.on("connect", on_eio_connect)
    server.eio.on("disconnect", on_eio_disconnect)
    server.eio.on("message", on_eio_message)
    return limiter


def limited_events(server: Any) -> dict[str, bool]:
    """Every event of the default namespace and whether the limits guard it (for tests)."""
    return {e: bool(getattr(h, _WRAPPED, False)) for e, h in server.handlers.get(NAMESPACE, {}).items()}
