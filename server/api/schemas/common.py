"""Small shapes many answers share: a window reference, a clerk, a bilingual message, the error."""

from __future__ import annotations

from marshmallow import fields

from .base import In, Out

DATE = {"format": "date", "example": "2026-11-27"}
DATETIME = {"format": "date-time", "example": "2026-11-27T01:02:03.123456+00:00"}


class Empty(In):
    """No body, or `{}`: the action needs nothing more."""


#: an English field a hall may leave empty (English mode then shows the Chinese)
EN_FIELD = {"description": "English mode shows it; null or empty: the Chinese"}


class WindowRef(Out):
    id = fields.Integer(required=True)
    number = fields.Integer(required=True)
    name = fields.String(required=True)
    name_en = fields.String(allow_none=True, metadata=EN_FIELD)


class WindowNumber(Out):
    """A window as the audit log names it."""

    id = fields.Integer(required=True)
    number = fields.Integer(required=True)


class Clerk(Out):
    username = fields.String(required=True)
    name = fields.String(required=True)
    badge = fields.String(required=True, allow_none=True)
    photo_url = fields.String(metadata={"description": "挂牌上岗: the clerk's photo, when there is one"})


STAFF_ONLY = "staff only (clerks, managers, admins); never sent to anonymous listeners or devices"


class BoardClerk(Clerk):
    """挂牌上岗: the public, devices and a ticket's holder get the display name and badge, never
    the login name."""

    username = fields.String(metadata={"description": STAFF_ONLY})


class Message(Out):
    """Where the citizen goes, in both languages ("C012 请到 8 号窗口")."""

    zh = fields.String(required=True)
    en = fields.String(required=True)


class HallRef(Out):
    code = fields.String(required=True)
    name = fields.String(required=True)


class Counts(fields.Dict):
    """Waiting tickets per service code: `{"A": 3, "B": 0}`."""

    def __init__(self, **kw: object) -> None:
        super().__init__(keys=fields.String(), values=fields.Integer(), **kw)  # type: ignore[arg-type]


class FieldProblem(Out):
    field = fields.String(required=True, metadata={"example": "materials[1].copies"})
    message = fields.String(required=True)


class ErrorBody(Out):
    code = fields.String(required=True, metadata={"example": "invalid_field"})
    message = fields.String(required=True, metadata={"description": "in Chinese, or English with ?lang=en"})
    field = fields.String(metadata={"description": "the first bad field (400)"})
    errors = fields.List(fields.Nested(FieldProblem), metadata={"description": "every bad field (400)"})


class Error(Out):
    """Every error: a 4xx status and `{"error": {"code", "message", "field"?, "errors"?}}`."""

    error = fields.Nested(ErrorBody, required=True)
