"""Service guide endpoints (办事指南), docs/api.md "Service guides".

Reading and searching are public (kiosks, phones); editing, import and export are for the
hall's managers and admins.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, request

from ..auth import current_principal
from ..services import guides as guide_service
from ..services.core.errors import BadInput
from ..services.guides import MAX_IMPORT_BYTES
from ..web.input_limits import check_document_depth
from .blueprint import PUBLIC, bp, ctx
from .schemas.guides import FormatQuery, GuideIn, Imported, SearchQuery, SearchResults, ServiceGuide

_MEDIA = {"yaml": "application/yaml; charset=utf-8", "json": "application/json; charset=utf-8"}
SERVICE_GUIDE, FORMAT = ServiceGuide(), FormatQuery()
#: an export or import document: {"version": 1, "hall", "services": {CODE: {"name", guide fields}}}
_DOCUMENT_SCHEMA = {
    "type": "object",
    "required": ["services"],
    "properties": {
        "version": {"type": "integer", "enum": [1]},
        "hall": {"type": "string"},
        "services": {"type": "object", "additionalProperties": {"type": "object"}},
    },
}
_DOCUMENT = {
    "application/yaml": {"schema": _DOCUMENT_SCHEMA},
    "application/json": {"schema": _DOCUMENT_SCHEMA},
}


@bp.get("/halls/<hall>/services/<code>/guide")
@bp.response(200, SERVICE_GUIDE, description="the service and its guide, with the windows serving it")
@bp.doc(**PUBLIC)
def get_guide(hall: str, code: str) -> Any:
    """A service's guide (anyone)"""
    return guide_service.get_guide(ctx(), hall, code)


@bp.put("/halls/<hall>/services/<code>/guide")
@bp.arguments(GuideIn())
@bp.response(200, SERVICE_GUIDE)
def put_guide(body: dict[str, Any], hall: str, code: str) -> Any:
    """Replace a service's guide; every bad field is named at once (managers, admins)"""
    return guide_service.update_guide(ctx(), current_principal(), hall, code, body)


@bp.get("/halls/<hall>/guides/export")
@bp.arguments(FORMAT, location="query")
@bp.doc(responses={200: {"description": "the document, as an attachment", "content": _DOCUMENT}})
def export_guides(query: dict[str, Any], hall: str) -> Any:
    """Every guide of the hall as one YAML or JSON document (managers, admins)"""
    fmt = query["format"]
    text = guide_service.export_guides(ctx(), current_principal(), hall, fmt)
    resp = Response(text, mimetype=None, content_type=_MEDIA[fmt])
    resp.headers["Content-Disposition"] = f'attachment; filename="guides-{hall}.{fmt}"'
    return resp


@bp.post("/halls/<hall>/guides/import")
@bp.arguments(FORMAT, location="query")
@bp.response(200, Imported())
@bp.doc(requestBody={"required": True, "content": _DOCUMENT, "description": "the document (UTF-8)"})
def import_guides(query: dict[str, Any], hall: str) -> Any:
    """Replace the guides a document lists, all or nothing (managers, admins)"""
    # a whole hall's guides may be larger than other bodies: the guide service's own limit
    # (a larger file still ends as a clean 413), checked before a byte is read
    request.max_content_length = max(current_app.config["MAX_CONTENT_LENGTH"], MAX_IMPORT_BYTES + 4096)
    try:
        text = request.get_data(as_text=False).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput("bad_request", "文件必须是 UTF-8 编码", "the file must be UTF-8 text") from None
    check_document_depth(text, query["format"], current_app.config["MAX_JSON_DEPTH"])
    return guide_service.import_guides(ctx(), current_principal(), hall, text, query["format"])


@bp.get("/halls/<hall>/guides/search")
@bp.arguments(SearchQuery(), location="query")
@bp.response(200, SearchResults(), description="results, best first")
@bp.doc(**PUBLIC)
def search_guides(query: dict[str, Any], hall: str) -> Any:
    """Find services by Chinese keyword or pinyin (anyone)"""
    return guide_service.search_guides(ctx(), hall, query["q"])
