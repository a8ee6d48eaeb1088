"""Parsing request bodies: anything malformed is a 400 that names the field."""

from __future__ import annotations

from typing import Any

from flask import request

from ..services.core.errors import BadInput, bad_field


def json_body() -> dict[str, Any]:
    if not request.data:
        return {}
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadInput("bad_request", "请求体必须是 JSON 对象", "the body must be a JSON object")
    return data


def string(data: dict[str, Any], name: str, required: bool = False, max_len: int = 200) -> str | None:
    value = data.get(name)
    if value is None:
        if required:
            raise bad_field(name, f"缺少字段 {name}", f"missing field {name}")
        return None
    if not isinstance(value, str) or not value.strip():
        raise bad_field(name, f"字段 {name} 必须是非空字符串", f"{name} must be a non-empty string")
    if len(value) > max_len:
        raise bad_field(name, f"字段 {name} 过长", f"{name} is longer than {max_len} characters")
    return value.strip()


def boolean(data: dict[str, Any], name: str, default: bool = False) -> bool:
    value = data.get(name, default)
    if not isinstance(value, bool):
        raise bad_field(name, f"字段 {name} 必须是 true 或 false", f"{name} must be true or false")
    return value


def only_fields(data: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise bad_field(unknown[0], f"未知字段 {unknown[0]}", f"unknown field {unknown[0]}")
