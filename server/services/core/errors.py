"""Refusals the service layer raises besides the domain's rule violations."""

from __future__ import annotations

from ...domain.errors import RuleViolation
from ...storage.db import StorageUnavailable

__all__ = ["BadInput", "NotFound", "StorageUnavailable", "bad_field", "not_found"]


class NotFound(RuleViolation):
    pass


class BadInput(RuleViolation):
    pass


def not_found(what_zh: str, what_en: str) -> NotFound:
    return NotFound("not_found", f"{what_zh}不存在", f"no such {what_en}")


def bad_field(field: str, message_zh: str, message_en: str) -> BadInput:
    err = BadInput("invalid_field", message_zh, message_en)
    err.field = field
    return err
