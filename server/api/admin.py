"""Administration API: halls, services, windows, users, device tokens."""

from __future__ import annotations

from typing import Any

from ..auth import current_principal
from ..services import admin
from ..services.core.errors import bad_field
from . import bp, ctx
from .parse import json_body, only_fields, string


@bp.get("/halls")
def halls() -> Any:
    return {"halls": admin.list_halls(ctx(), current_principal())}


@bp.post("/halls")
def create_hall() -> Any:
    p = current_principal()
    data = json_body()
    only_fields(data, {"code", "name", "timezone"})
    made = admin.create_hall(
        ctx(),
        p,
        string(data, "code", required=True, max_len=32) or "",
        string(data, "name", required=True) or "",
        string(data, "timezone", max_len=64) or "Asia/Shanghai",
    )
    return made, 201


@bp.patch("/halls/<code>")
def update_hall(code: str) -> Any:
    p = current_principal()
    data = json_body()
    only_fields(data, {"name", "timezone", "opening_hours"})
    return admin.update_hall(ctx(), p, code, data)


@bp.put("/halls/<code>/services/<service>")
def put_service(code: str, service: str) -> Any:
    p = current_principal()
    data = json_body()
    only_fields(data, {"prefix", "name", "name_en", "category", "sort", "active"})
    if "sort" in data and (not isinstance(data["sort"], int) or isinstance(data["sort"], bool)):
        raise bad_field("sort", "sort 必须是整数", "sort must be an integer")
    return admin.upsert_service(ctx(), p, code, service, data)


@bp.post("/halls/<code>/windows")
def create_window(code: str) -> Any:
    p = current_principal()
    data = json_body()
    only_fields(data, {"number", "name"})
    number = data.get("number")
    if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= 999:
        raise bad_field("number", "窗口号是 1-999 的整数", "number is an integer 1..999")
    return admin.create_window(ctx(), p, code, number, string(data, "name")), 201


@bp.get("/halls/<code>/users")
def users(code: str) -> Any:
    return {"users": admin.list_users(ctx(), current_principal(), code)}


@bp.post("/halls/<code>/users")
def create_user(code: str) -> Any:
    p = current_principal()
    data = json_body()
    only_fields(data, {"username", "password", "name", "badge", "role"})
    return admin.create_person(ctx(), p, code, data), 201


@bp.patch("/users/<username>")
def update_user(username: str) -> Any:
    p = current_principal()
    data = json_body()
    only_fields(data, {"name", "badge", "active", "password"})
    return admin.update_person(ctx(), p, username, data)


@bp.get("/halls/<code>/devices")
def devices(code: str) -> Any:
    return {"devices": admin.list_devices(ctx(), current_principal(), code)}


@bp.post("/halls/<code>/devices")
def issue_device(code: str) -> Any:
    p = current_principal()
    data = json_body()
    only_fields(data, {"role", "label", "user"})
    made = admin.issue_device_token(
        ctx(),
        p,
        code,
        string(data, "role", required=True, max_len=16) or "",
        string(data, "label", max_len=100) or "",
        string(data, "user", max_len=64),
    )
    return made, 201


@bp.post("/devices/<int:token_id>/revoke")
def revoke_device(token_id: int) -> Any:
    return admin.revoke_device_token(ctx(), current_principal(), token_id)
