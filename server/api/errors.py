"""JSON errors for the API: `{"error": {"code", "message", "field"?, "errors"?}}` with a 4xx status,
never a 500 for bad input.

Schema validation (marshmallow, through webargs) answers like every other refusal: 400
`invalid_field` naming the first bad field in `field` and every one in `errors[]`, in Chinese or
English (`?lang=en`), not the libraries' 422.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask import Flask, request
from werkzeug.exceptions import HTTPException

from ..domain.errors import RuleViolation
from ..i18n import is_english
from ..services.core.errors import BadInput, NotFound
from ..services.core.principal import Forbidden, Unauthenticated
from ..web.errors import error_response
from .schemas.base import UNKNOWN, split_message

#: status of rule violations whose code says more than "conflict"
_STATUS_BY_CODE = {
    "window_not_signed_in": 403,
    "forbidden": 403,
    "invalid_field": 400,
    "bad_request": 400,
    "notice_not_found": 400,
    "booking_not_found": 400,
}

#: what the routing layer says, in both languages
_HTTP_MESSAGES = {
    404: ("地址不存在", "no such address"),
    405: ("不支持该请求方法", "method not allowed"),
    413: ("请求体过大", "the body is too large"),
    415: ("不支持该内容类型", "unsupported content type"),
}


@dataclass(frozen=True)
class FieldError:
    """One bad field of a request: its path and what is wrong, in both languages."""

    field: str
    message_zh: str
    message_en: str


class InvalidInput(BadInput):
    """A request that does not fit its schema; `field` is the first bad path, `errors` every one."""

    def __init__(self, errors: list[FieldError]) -> None:
        first = errors[0]
        more_zh = f"（另有 {len(errors) - 1} 处错误）" if len(errors) > 1 else ""
        more_en = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__("invalid_field", first.message_zh + more_zh, first.message_en + more_en)
        self.field = first.field
        self.errors = errors


def _flatten(messages: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(path, message) of marshmallow's nested error messages: `missing[0]`, `from.service`."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key == "_schema":
                sub = path
            elif isinstance(key, int):
                sub = f"{path}[{key}]"
            else:
                sub = f"{path}.{key}" if path else str(key)
            yield from _flatten(value, sub)
    elif isinstance(messages, list | tuple):
        for m in messages:
            if isinstance(m, dict | list | tuple):
                yield from _flatten(m, path)
            else:
                yield path, str(m)
    else:
        yield path, str(messages)


def invalid_input(messages: Any) -> InvalidInput:
    """The refusal for marshmallow's `ValidationError.messages`; unknown fields come first."""
    found = list(_flatten(messages))
    found.sort(key=lambda pm: pm[1] != UNKNOWN)
    errors = []
    for path, message in found:
        zh, en = split_message(message, path)
        errors.append(FieldError(path, zh, en))
    return InvalidInput(errors or [FieldError("body", "请求无效", "invalid request")])


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
        extra: dict[str, Any] = {"field": err.field} if err.field else {}
        errors = getattr(err, "errors", None)
        if errors:  # every bad field at once (schemas, guides)
            en = is_english()
            extra["errors"] = [
                {"field": e.field, "message": e.message_en if en else e.message_zh} for e in errors
            ]
        return error_response(err.code, err.message_zh, err.message_en, status_of(err), **extra)

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException) -> Any:
        if not request.path.startswith("/api/"):
            return err
        code = (err.name or "error").lower().replace(" ", "_")
        zh, en = _HTTP_MESSAGES.get(err.code or 0, (err.description or err.name,) * 2)
        extra: dict[str, Any] = {}
        if err.code == 413:
            extra["field"] = "body"
            limit = request.max_content_length
            if limit:
                zh, en = f"{zh}（最多 {limit // 1024} KB）", f"{en} (at most {limit // 1024} KB)"
        body, status = error_response(code, zh, en, err.code or 400, **extra)
        # what the exception says besides its page: `Allow` of a 405, `Retry-After`, …
        headers = [(k, v) for k, v in err.get_headers() if k.lower() != "content-type"]
        return body, status, headers
