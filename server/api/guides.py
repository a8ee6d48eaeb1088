"""Service guide endpoints (办事指南), registered on the API v1 blueprint (docs/api.md, "Service guides").

Reading and searching are public (kiosks, phones); editing, import and export are for the
hall's managers and admins.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request

from ..auth import current_principal
from ..domain.guide import GuideInvalid
from ..i18n import is_english
from ..services import guides as guide_service
from ..services.core.errors import BadInput
from . import bp, ctx
from .errors import error_response, status_of
from .parse import json_body

_MEDIA = {"yaml": "application/yaml; charset=utf-8", "json": "application/json; charset=utf-8"}


@bp.errorhandler(GuideInvalid)
def _guide_invalid(err: GuideInvalid) -> Any:
    # Every bad field at once, so an editor fixes a file in one pass (一次告知).
    en = is_english()
    errors = [{"field": e.field, "message": e.message_en if en else e.message_zh} for e in err.errors]
    return error_response(
        err.code, err.message_zh, err.message_en, status_of(err), field=err.field, errors=errors
    )


def _format() -> str:
    return request.args.get("format", "yaml").strip().lower()


@bp.get("/halls/<hall>/services/<code>/guide")
def get_guide(hall: str, code: str) -> Any:
    return guide_service.get_guide(ctx(), hall, code)


@bp.put("/halls/<hall>/services/<code>/guide")
def put_guide(hall: str, code: str) -> Any:
    p = current_principal()
    return guide_service.update_guide(ctx(), p, hall, code, json_body())


@bp.get("/halls/<hall>/guides/export")
def export_guides(hall: str) -> Any:
    fmt = _format()
    text = guide_service.export_guides(ctx(), current_principal(), hall, fmt)
    resp = Response(text, mimetype=None, content_type=_MEDIA[fmt])
    resp.headers["Content-Disposition"] = f'attachment; filename="guides-{hall}.{fmt}"'
    return resp


@bp.post("/halls/<hall>/guides/import")
def import_guides(hall: str) -> Any:
    p = current_principal()
    try:
        text = request.get_data(as_text=False).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput("bad_request", "文件必须是 UTF-8 编码", "the file must be UTF-8 text") from None
    return guide_service.import_guides(ctx(), p, hall, text, _format())


@bp.get("/halls/<hall>/guides/search")
def search_guides(hall: str) -> Any:
    return guide_service.search_guides(ctx(), hall, request.args.get("q", ""))


def openapi_paths() -> dict[str, Any]:
    """The guide endpoints for the OpenAPI document (merged into its `paths`)."""
    hall = {"name": "hall", "in": "path", "required": True, "schema": {"type": "string"}}
    code = {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}
    fmt = {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["yaml", "json"]}}
    errors = {s: {"$ref": f"#/components/responses/{r}"} for s, r in _ERROR_REFS.items()}
    guide = {"type": "object", "description": "materials, steps, limits, fees, legal basis, keywords"}
    ok = {"description": "the service and its guide (with the windows serving it)"}
    return {
        "/halls/{hall}/services/{code}/guide": {
            "get": {
                "summary": "A service's guide (anyone)",
                "parameters": [hall, code],
                "responses": {"200": ok, **errors},
            },
            "put": {
                "summary": "Replace a service's guide (manager, admin)",
                "parameters": [hall, code],
                "requestBody": {"required": True, "content": {"application/json": {"schema": guide}}},
                "responses": {"200": ok, **errors},
            },
        },
        "/halls/{hall}/guides/export": {
            "get": {
                "summary": "Every guide of the hall as YAML or JSON (manager, admin)",
                "parameters": [hall, fmt],
                "responses": {"200": {"description": "the document"}, **errors},
            }
        },
        "/halls/{hall}/guides/import": {
            "post": {
                "summary": "Replace the guides a YAML/JSON document lists, all or nothing (manager, admin)",
                "parameters": [hall, fmt],
                "requestBody": {
                    "required": True,
                    "content": {"application/yaml": {}, "application/json": {}},
                },
                "responses": {"200": {"description": "updated and unchanged service codes"}, **errors},
            }
        },
        "/halls/{hall}/guides/search": {
            "get": {
                "summary": "Find services by Chinese keyword or pinyin (anyone)",
                "parameters": [hall, {"name": "q", "in": "query", "schema": {"type": "string"}}],
                "responses": {"200": {"description": "results, best first"}, **errors},
            }
        },
    }


_ERROR_REFS = {"400": "BadRequest", "401": "Unauthenticated", "403": "Forbidden", "404": "NotFound"}
