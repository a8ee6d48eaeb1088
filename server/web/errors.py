"""The JSON error shape every API answer and socket ack uses: `{"error": {"code", "message", ...}}`,
the message in the client's language (Chinese unless it asked for English)."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from ..i18n import is_english


def error_response(code: str, message_zh: str, message_en: str, status: int, **extra: Any) -> tuple[Any, int]:
    body: dict[str, Any] = {"code": code, "message": message_en if is_english() else message_zh}
    body.update(extra)
    return jsonify({"error": body}), status
