"""The URLs printed on slips, as the web layer builds them (services only pass them on)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import has_request_context, request


@dataclass(frozen=True)
class WebLinks:
    """Absolute URLs under the configured public base, else the host of the request that caused
    the print (a kiosk's); outside a request and without a base, paths only."""

    base: str | None = None

    def _root(self) -> str:
        if self.base:
            return self.base.rstrip("/")
        return request.host_url.rstrip("/") if has_request_context() else ""

    def ticket(self, public_id: str) -> str:
        return f"{self._root()}/t/{public_id}"

    def notice(self, code: str) -> str:
        return f"{self._root()}/n/{code}"
