"""The OpenAPI document of API v1, generated from the routes' schemas (flask-smorest/apispec)."""

from __future__ import annotations

from typing import Any

from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask, current_app
from flask_smorest.spec.plugins import FlaskPlugin
from werkzeug.routing import IntegerConverter

from ..version import __version__
from .blueprint import PREFIX, PUBLIC, Api, bp
from .schemas.base import MAX_INT, SERVICE_CODE, SERVICE_CODE_LEN

OPENAPI_VERSION = "3.1.0"
DESCRIPTION = (
    "Queue ticketing for government service halls (docs/api.md). Every error is "
    '`{"error": {"code", "message", "field"?, "errors"?}}` with a 4xx status; messages are in '
    "Chinese, or English with `?lang=en`."
)


#: path parameters of the demo hall (`hallq demo`), for readers and for tools that try the API
PATH_EXAMPLES = {
    "code": "demo",
    "hall": "demo",
    "service": "J",
    "window_id": 2,
    "token_id": 1,
    "username": "clerk02",
}


#: what a path parameter that names a new row may be (others only look one up: anything is a 404)
PATH_SCHEMAS: dict[str, dict[str, Any]] = {
    "service": {
        "maxLength": SERVICE_CODE_LEN,
        "pattern": "^" + SERVICE_CODE.pattern.removesuffix(r"\Z") + "$",
    },
}


class _Paths(FlaskPlugin):
    """Paths relative to the server URL `/api/v1`, as clients write them (`/tickets`)."""

    def rule_to_params(self, rule: Any) -> list[dict[str, Any]]:
        params: list[dict[str, Any]] = super().rule_to_params(rule)
        for p in params:
            if p["name"] in PATH_EXAMPLES:
                p["example"] = PATH_EXAMPLES[p["name"]]
            if p["name"] in PATH_SCHEMAS:
                p["schema"] = {**p["schema"], **PATH_SCHEMAS[p["name"]]}
            if p["name"] == "code" and "<hall>" in rule.rule:
                p["example"] = "A"  # under <hall>, `code` is a service's
        return params

    def path_helper(self, rule: Any, operations: Any, parameters: Any, **kwargs: Any) -> str:
        path: str = super().path_helper(rule, operations, parameters, **kwargs)
        return path.removeprefix(PREFIX) or "/"


class IdConverter(IntegerConverter):
    """`<id:…>`: a database id in a path. More than 10 digits match no route (404); up to 10 but
    past the columns' range (32-bit) it names no row, as 0 does, and the operation answers as for
    any missing row, for every method (werkzeug's `int(max=…)` made that a 405 for the methods of
    the neighbouring rules), never a database error."""

    regex = r"[0-9]{1,10}"

    def to_python(self, value: str) -> int:
        number = int(value)
        return number if number <= MAX_INT else 0


def _id_schema(_: Any) -> dict[str, Any]:
    return {"type": "integer", "minimum": 0, "maximum": MAX_INT}


def _schema_name(schema: Any) -> str:
    cls = schema if isinstance(schema, type) else type(schema)
    return cls.__name__


def make_api(app: Flask) -> Api:
    """The flask-smorest Api of this app: registers the blueprint and documents its routes."""
    api = Api(
        app,
        spec_kwargs={
            "title": "hallq API",
            "version": __version__,
            "openapi_version": OPENAPI_VERSION,
            "flask_plugin": _Paths(),
            "marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=_schema_name),
            "servers": [{"url": PREFIX}],
            "info": {"description": DESCRIPTION},
            "security": [{"bearer": []}, {"session": []}],
        },
    )
    api.spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "description": "a device or script token: hq_…"}
    )
    api.spec.components.security_scheme(
        "session",
        {"type": "apiKey", "in": "cookie", "name": "session", "description": "consoles; send X-CSRFToken"},
    )
    api.register_converter(IdConverter, _id_schema)
    api.register_blueprint(bp)
    return api


@bp.get("/openapi.json")
@bp.doc(
    **PUBLIC,
    responses={
        200: {"description": "this document", "content": {"application/json": {"schema": {"type": "object"}}}}
    },
)
def openapi() -> Any:
    """The OpenAPI document of API v1"""
    api = current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    return current_app.response_class(api.document(), mimetype="application/json")
