"""HTTP JSON API v1 (docs/api.md). Handlers parse (schema), authorise, call one service, answer.

Each route module declares its operations with their request and response schemas
(`schemas/`); the OpenAPI document at `/api/v1/openapi.json` is generated from them.
"""

from __future__ import annotations

from flask import Flask

from ..web.input_limits import DEFAULT_MAX_CONTENT_LENGTH, DEFAULT_MAX_JSON_DEPTH
from . import (  # noqa: F401  (their routes join bp)
    admin,
    appraisal,
    bookings,
    calendars,
    cases,
    complaints,
    escalations,
    evaluation,
    guides,
    halls,
    ratings,
    reports,
    simulation,
    staff,
    tickets,
    windows,
)
from .blueprint import bp
from .docs import IdConverter, make_api
from .errors import register_error_handlers
from .schemas.base import Out


def init_api(app: Flask) -> None:
    from ..extensions import csrf
    from . import voice  # noqa: F401  (voice calls: their routes join bp before it is registered)

    # every body is bounded (413 past it; guide imports have their own, larger limit) and so is
    # the nesting of JSON bodies (server/web/input_limits.py)
    if app.config.get("MAX_CONTENT_LENGTH") is None:  # Flask's default: None, no limit
        app.config["MAX_CONTENT_LENGTH"] = DEFAULT_MAX_CONTENT_LENGTH
    app.config.setdefault("MAX_JSON_DEPTH", DEFAULT_MAX_JSON_DEPTH)
    app.url_map.converters["id"] = IdConverter  # before the routes that use it are added
    csrf.exempt(bp)  # bearer calls need no CSRF; session calls are checked in current_principal
    make_api(app)
    register_error_handlers(app)
    if app.testing:
        Out.check = True  # a response key no schema declares fails the test instead of vanishing
