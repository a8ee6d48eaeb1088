"""Absolute URLs in API answers (ticket pages, notices): the web layer's job, never a service's."""

from __future__ import annotations

from flask import current_app, request


def absolute_url(path: str) -> str:
    """`path` on this server: the configured public base (behind a proxy), else the request's host."""
    base = current_app.extensions["hallq"].base_url or request.host_url.rstrip("/")
    return f"{base}{path}"
