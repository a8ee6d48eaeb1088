"""JSON errors for the API: `{"error": {"code", "message"}}` with a 4xx status, never a 500 for bad input."""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from werkzeug.exceptions import HTTPException

from ..domain.errors import RuleViolation
from ..services.core.errors import BadInput, NotFound
from ..services.core.principal import Forbidden, Unauthenticated
from ..web.errors import error_response

#: status of rule violations whose code says more than "conflict"
_STATUS_BY_CODE = {"window_not_signed_in": 403, "invalid_field": 400, "bad_request": 400}


def status_of(err: RuleViolation) -> int:
    if isinstance(err, NotFound):
        return 404
    if isinstance(err, Unauthenticated):
        return 401
    if isinstance(err, Forbidden):
        return 403
    if isinstance(err, BadInput):
        return 400
    return _STATUS_BY_CODE.get(err.code, 409)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(RuleViolation)
    def _rule(err: RuleViolation) -> tuple[Any, int]:
        extra = {"field": err.field} if err.field else {}
        return error_response(err.code, err.message_zh, err.message_en, status_of(err), **extra)

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException) -> Any:
        if not request.path.startswith("/api/"):
            return err
        code = (err.name or "error").lower().replace(" ", "_")
        return error_response(code, err.description or err.name, err.description or err.name, err.code or 400)
