"""The hall's public commitments (服务承诺, 挂牌上岗): the promise every window board shows beside
the clerk's name and badge. Public by nature: it is what the hall promises the public."""

from __future__ import annotations

from .errors import RuleViolation

MAX_HALL_COMMITMENTS = 2000


def hall_commitments(value: object, field: str = "commitments") -> str | None:
    """The text as stored (the Chinese, or `commitments_en`): trimmed, None when empty; refused
    when not text or too long."""
    if value is None:
        return None
    if not isinstance(value, str):
        err = RuleViolation("invalid_field", "服务承诺必须是文字", "commitments must be text")
        err.field = field
        raise err
    text = value.strip().replace("\r\n", "\n")
    if len(text) > MAX_HALL_COMMITMENTS:
        err = RuleViolation(
            "invalid_field",
            f"服务承诺最多 {MAX_HALL_COMMITMENTS} 字",
            f"commitments are longer than {MAX_HALL_COMMITMENTS} characters",
        )
        err.field = field
        raise err
    return text or None
