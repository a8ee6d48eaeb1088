"""The address a request or socket comes from, for per-address limits (HTTP and Socket.IO alike).

Behind nginx every peer is 127.0.0.1, so the client is in X-Forwarded-For — but anyone can send
that header. It counts only when the direct peer is one of the configured TRUSTED_PROXIES
(addresses or networks); then the client is the right-most address in it that is not itself a
trusted proxy. Otherwise the peer is the client and the header is ignored.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_proxies(value: Any) -> tuple[Network, ...]:
    """TRUSTED_PROXIES as networks: a list, or text with commas or spaces ("127.0.0.1, 10.0.0.0/8").
    ValueError names an entry that is not an address or network."""
    if value is None or value == "":
        return ()
    items: Iterable[Any] = value.replace(",", " ").split() if isinstance(value, str) else value
    out = []
    for item in items:
        try:
            out.append(ipaddress.ip_network(str(item).strip(), strict=False))
        except ValueError as err:
            raise ValueError(f"TRUSTED_PROXIES: {item!r} is not an address or network") from err
    return tuple(out)


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def _trusted(address: str, proxies: tuple[Network, ...]) -> bool:
    ip = _ip(address)
    return ip is not None and any(ip in net for net in proxies)


def client_address(environ: Mapping[str, Any], proxies: tuple[Network, ...]) -> str:
    """The client's address of a WSGI environ (a request's, or a socket's handshake)."""
    peer = str(environ.get("REMOTE_ADDR") or "unknown")
    if not proxies or not _trusted(peer, proxies):
        return peer
    hops = [h.strip() for h in str(environ.get("HTTP_X_FORWARDED_FOR") or "").split(",") if h.strip()]
    for hop in reversed(hops):
        ip = _ip(hop)
        if ip is None:
            return peer  # a garbled header: do not guess
        if not _trusted(str(ip), proxies):
            return str(ip)
    return str(_ip(hops[0])) if hops else peer


def request_address() -> str:
    """The client address of the current Flask request (TRUSTED_PROXIES from the app config)."""
    from flask import current_app, request

    proxies = current_app.extensions.get("hallq.proxies")
    if proxies is None:
        proxies = current_app.extensions["hallq.proxies"] = parse_proxies(
            current_app.config.get("TRUSTED_PROXIES")
        )
    return client_address(request.environ, proxies)
