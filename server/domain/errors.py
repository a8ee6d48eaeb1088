"""The one error type rules raise: a user-caused refusal with a code and a bilingual message."""

from __future__ import annotations


class RuleViolation(Exception):
    """A rule refused an action. Nothing has changed; the caller reports it as a 4xx."""

    def __init__(self, code: str, message_zh: str, message_en: str) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en
        #: the request field the refusal is about (an API answer names it), when there is one
        self.field: str | None = None
