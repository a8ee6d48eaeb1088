"""HTTP JSON API v1 (docs/api.md). Handlers parse (schema), authorise, call one service, answer.

Each route module declares its operations with their request and response schemas
(`schemas/`); the OpenAPI document at `/api/v1/openapi.json` is generated from them.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from . import admin, guides, halls, staff, tickets, windows  # noqa: F401  (their routes join bp)
from .blueprint import bp
from .docs import make_api
from .errors import register_error_handlers
from .schemas.base import Out


def init_api(app: Flask) -> None:
    from ..extensions import csrf

    csrf.exempt(bp)  # bearer calls need no CSRF; session calls are checked in current_principal
    make_api(app)
    register_error_handlers(app)
    if app.testing:
        Out.check = True  # a response key no schema declares fails the test instead of vanishing

    @app.get("/healthz")
    def healthz() -> Any:
        try:
            ok = app.extensions["hallq"].db.ping()
        except Exception:  # the probe must answer, whatever the database does
            ok = False
        return (
            ({"status": "ok", "database": "ok"}, 200)
            if ok
            else ({"status": "error", "database": "down"}, 503)
        )
