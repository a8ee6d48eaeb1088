"""Ticket numbers: the service's letter prefix and a zero-padded counter per business day."""

from __future__ import annotations

import re

_PREFIX = re.compile(r"^[A-Z]{1,2}$")


def validate_prefix(prefix: str) -> str:
    """A service prefix is one or two capital letters (A, B, … , ZA)."""
    if not _PREFIX.match(prefix):
        raise ValueError(f"service prefix must be one or two capital letters, got {prefix!r}")
    return prefix


def format_number(prefix: str, counter: int, width: int = 3) -> str:
    """A001: the prefix, then the counter padded to `width` digits (it grows past 999)."""
    validate_prefix(prefix)
    if counter < 1:
        raise ValueError("ticket counters start at 1")
    return f"{prefix}{counter:0{width}d}"
