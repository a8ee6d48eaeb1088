"""Service guides (办事指南): the guide as sent and answered, import/export, search.

A guide body is checked by the domain (server/domain/guide.py), which names every bad field at
once (`materials[1].copies`, 一次告知); the request schema documents its shape and hands the
body over unchanged.
"""

from __future__ import annotations

from typing import Any

from marshmallow import fields

from .base import Choice, In, Out, Query, Str, say

FORMS = ["original", "copy", "original_and_copy", "electronic"]
#: an English text of a guide: English mode shows it, the Chinese where it is empty (left out then)
_EN = {"description": "English mode shows it; absent or empty: the Chinese"}
_LIMIT = {
    "description": "working days; null: none; 0: done on the spot (即办)",
    "minimum": 0,
    "maximum": 3650,
}


class MaterialIn(In):
    id = fields.String(
        metadata={"pattern": "^[A-Za-z0-9_-]{1,16}$", "description": "stable; omit for a new one"}
    )
    name = fields.String(required=True, metadata={"maxLength": 100})
    form = fields.String(metadata={"enum": FORMS})
    copies = fields.Integer(metadata={"minimum": 1, "maximum": 99})
    required = fields.Boolean()
    notes = fields.String(metadata={"maxLength": 500})
    name_en = fields.String(metadata={"maxLength": 100, **_EN})
    notes_en = fields.String(metadata={"maxLength": 500, **_EN})


class GuideIn(In):
    """A whole guide: missing (or null) fields become empty; `windows` is derived and ignored."""

    materials = fields.List(fields.Nested(MaterialIn), allow_none=True, metadata={"maxItems": 60})
    steps = fields.List(
        fields.String(metadata={"maxLength": 300}), allow_none=True, metadata={"maxItems": 30}
    )
    legal_limit_days = fields.Integer(allow_none=True, metadata=_LIMIT)
    promised_limit_days = fields.Integer(
        allow_none=True, metadata={**_LIMIT, "description": "not longer than the legal limit"}
    )
    warn_days = fields.Integer(
        allow_none=True,
        metadata={
            **_LIMIT,
            "description": "预警: yellow when this many working days remain; not above the promised "
            "(else the legal) limit",
        },
    )
    fees = fields.String(allow_none=True, metadata={"maxLength": 500})
    legal_basis = fields.String(allow_none=True, metadata={"maxLength": 2000})
    keywords = fields.List(
        fields.String(metadata={"maxLength": 30}), allow_none=True, metadata={"maxItems": 30}
    )
    steps_en = fields.List(
        fields.String(metadata={"maxLength": 300}), allow_none=True, metadata={"maxItems": 30, **_EN}
    )
    fees_en = fields.String(allow_none=True, metadata={"maxLength": 500, **_EN})
    legal_basis_en = fields.String(allow_none=True, metadata={"maxLength": 2000, **_EN})
    keywords_en = fields.List(
        fields.String(metadata={"maxLength": 30}),
        allow_none=True,
        metadata={"maxItems": 30, "description": "the kiosk's English chips; empty: the Chinese"},
    )
    windows = fields.Raw(metadata={"description": "ignored"})

    def load(self, data: Any, **_: Any) -> Any:
        return data  # the domain checks it, every bad field at once


class Material(Out):
    id = fields.String(required=True)
    name = fields.String(required=True)
    form = fields.String(required=True, metadata={"enum": FORMS})
    copies = fields.Integer(required=True)
    required = fields.Boolean(required=True)
    notes = fields.String(required=True)
    name_en = fields.String(metadata=_EN)
    notes_en = fields.String(metadata=_EN)


class Guide(Out):
    materials = fields.List(fields.Nested(Material), required=True)
    steps = fields.List(fields.String(), required=True)
    legal_limit_days = fields.Integer(required=True, allow_none=True)
    promised_limit_days = fields.Integer(required=True, allow_none=True)
    warn_days = fields.Integer(required=True, allow_none=True)
    fees = fields.String(required=True)
    legal_basis = fields.String(required=True)
    keywords = fields.List(fields.String(), required=True)
    steps_en = fields.List(fields.String(), metadata=_EN)
    fees_en = fields.String(metadata=_EN)
    legal_basis_en = fields.String(metadata=_EN)
    keywords_en = fields.List(fields.String(), metadata=_EN)


class GuideWindow(Out):
    id = fields.Integer(required=True)
    number = fields.Integer(required=True)
    name = fields.String(required=True)
    name_en = fields.String(allow_none=True, metadata=_EN)
    status = fields.String(required=True)


class GuideWithWindows(Guide):
    windows = fields.List(fields.Nested(GuideWindow), required=True, metadata={"description": "derived"})


class GuideService(Out):
    code = fields.String(required=True)
    prefix = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(required=True, allow_none=True)
    category = fields.String(required=True)
    category_en = fields.String(allow_none=True, metadata=_EN)
    active = fields.Boolean(required=True)


class ServiceGuide(Out):
    service = fields.Nested(GuideService, required=True)
    has_guide = fields.Boolean(required=True)
    guide = fields.Nested(GuideWithWindows, required=True)


class FormatQuery(Query):
    format = Choice(
        ("yaml", "json"),
        load_default="yaml",
        message=say("格式只能是 yaml 或 json", "format must be yaml or json"),
    )


class Imported(Out):
    updated = fields.List(fields.String(), required=True)
    unchanged = fields.List(fields.String(), required=True)


class SearchQuery(Query):
    q = Str(50, load_default="", too_long=say("搜索词最多 50 字", "the query is longer than 50 characters"))


class Hit(Out):
    code = fields.String(required=True)
    prefix = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(required=True, allow_none=True)
    category = fields.String(required=True)
    category_en = fields.String(allow_none=True, metadata=_EN)
    match = fields.String(required=True, metadata={"enum": ["name", "keyword", "material", "pinyin"]})
    matched = fields.String(required=True)


class SearchResults(Out):
    query = fields.String(required=True)
    results = fields.List(fields.Nested(Hit), required=True)
