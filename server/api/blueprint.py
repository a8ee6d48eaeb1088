"""The API v1 blueprint (flask-smorest) and how it reads requests.

Route modules declare each operation once: `@bp.arguments(Schema)` validates the body or query
and documents it, `@bp.response(status, Schema)` shapes the answer and documents it. The
OpenAPI document (`/api/v1/openapi.json`) is generated from those declarations.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import flask_smorest
from flask import Request, current_app
from marshmallow import Schema, ValidationError, missing
from webargs.flaskparser import FlaskParser

from ..services.core.context import Context
from ..web.input_limits import DEFAULT_MAX_JSON_DEPTH, not_json, parse_json
from .errors import invalid_input
from .schemas.base import NOT_JSON_OBJECT
from .schemas.common import Error

PREFIX = "/api/v1"
#: operations anyone may call (kiosks, phones): no token needed
PUBLIC: dict[str, Any] = {"security": [{}, {"bearer": []}, {"session": []}]}


def ctx() -> Context:
    return current_app.extensions["hallq"]  # type: ignore[no-any-return]


class Parser(FlaskParser):
    """Bodies as before the schemas: no body is `{}`, a body that is not a JSON object is 400
    `bad_request` (field `body`), one nested deeper than MAX_JSON_DEPTH 400 `invalid_field`
    (field `body`); a body that breaks its schema is 400 `invalid_field` (not webargs' 422)."""

    DEFAULT_VALIDATION_STATUS = 400

    def load_json(self, req: Request, schema: Schema) -> Any:
        raw = req.get_data(cache=True)  # 413 past MAX_CONTENT_LENGTH
        if not raw:
            return missing
        if not req.is_json:
            raise not_json(*NOT_JSON_OBJECT)
        # the depth is counted before the (recursive) parser runs, and before any token is
        # looked at: an anonymous `[[[[…` is a 400 like any other bad body
        data = parse_json(raw, current_app.config.get("MAX_JSON_DEPTH", DEFAULT_MAX_JSON_DEPTH))
        if not isinstance(data, dict):
            raise not_json(*NOT_JSON_OBJECT)
        return data

    def handle_error(self, error: ValidationError, req: Request, schema: Schema, **_: Any) -> Any:
        messages: Any = error.messages
        if isinstance(messages, dict) and len(messages) == 1:  # webargs files them under the location
            ((location, inner),) = messages.items()
            if location in self.__location_map__:
                messages = inner
        raise invalid_input(messages)


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = Parser()


class Api(flask_smorest.Api):
    """flask-smorest's Api without its error handlers (api/errors.py answers every error), and
    with the document built the first time it is asked for, not in every `create_app`."""

    #: the error shape every operation documents (`default` response)
    ERROR_SCHEMA = Error

    def _register_error_handlers(self) -> None:
        return None

    def register_blueprint(self, blp: Any, *, parameters: Any = None, **options: Any) -> None:
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        self._pending = [*getattr(self, "_pending", []), (blp, name, parameters)]

    def document(self) -> str:
        """The OpenAPI document as JSON (built once per app)."""
        with _LOCK:
            if getattr(self, "_document", None) is None:
                for blp, name, parameters in getattr(self, "_pending", []):
                    blp.register_views_in_doc(self, self._app, self.spec, name=name, parameters=parameters)
                    self.spec.tag({"name": name, "description": blp.description})
                self._pending = []
                self._document = json.dumps(self.spec.to_dict(), ensure_ascii=False)
            return self._document


_LOCK = threading.Lock()


bp = Blueprint("api", __name__, url_prefix=PREFIX, description="hallq API v1")
