"""What the socket handlers of this process share: who each connected socket is, the services'
context, the error ack, and the hooks run when a socket goes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app

from ..i18n import is_english
from ..services.core.context import Context
from ..services.core.principal import Principal

#: principal of each connected socket of this process
principals: dict[str, Principal] = {}
#: called with the sid of every socket that disconnects
on_disconnect_hooks: list[Callable[[str], None]] = []


def ctx() -> Context:
    return current_app.extensions["hallq"]  # type: ignore[no-any-return]


def error(code: str, zh: str, en: str) -> dict[str, Any]:
    """An error ack: `{"error": {"code", "message"}}` in the client's language."""
    return {"error": {"code": code, "message": en if is_english() else zh}}
