"""Absolute URLs of what citizens open (ticket and notice pages): the web layer's job, never a
service's. API answers build them in their schemas (`Link`), pages for their QR codes
(`helpers.public_url`), printed slips through `ctx.links` (set by `create_app`)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, has_request_context, request


def absolute_url(path: str, base: str | None = None) -> str:
    """`path` under the configured public base (behind a proxy), else under the request's host
    (outside a request, with neither: the path alone)."""
    if base is None and has_request_context():
        environ = request.environ  # worked out once per request: a snapshot has many tickets
        base = environ.get(_BASE)
        if base is None:
            base = environ[_BASE] = current_app.extensions["hallq"].base_url or request.host_url.rstrip("/")
    return f"{base or ''}{path}"


_BASE = "hallq.base_url"


@dataclass(frozen=True)
class RequestLinks:
    """`ctx.links` for the services: the URLs a slip's QR code carries."""

    base: str | None = None

    def ticket(self, public_id: str) -> str:
        return absolute_url(f"/t/{public_id}", self.base)

    def notice(self, token: str) -> str:
        return absolute_url(f"/n/{token}", self.base)

    def case(self, code: str) -> str:
        return absolute_url(f"/c/{code}", self.base)
