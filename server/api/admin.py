"""Administration API: halls, services, windows, people, device tokens."""

from __future__ import annotations

from typing import Any

from ..auth import current_principal
from ..services import admin
from ..services.core.errors import bad_field
from .blueprint import bp, ctx
from .schemas.admin import (
    Device,
    DeviceIn,
    Devices,
    Hall,
    HallIn,
    HallPatch,
    Halls,
    NewDevice,
    NewWindow,
    People,
    Person,
    PersonIn,
    PersonPatch,
    PhotoIn,
    Service,
    ServiceIn,
    WindowIn,
    WindowPatch,
    Windows,
)
from .schemas.base import SERVICE_CODE, SERVICE_CODE_MESSAGE
from .schemas.common import Empty
from .windows import WINDOW

HALL, PERSON = Hall(), Person()


@bp.get("/halls")
@bp.response(200, Halls())
def halls() -> Any:
    """Every hall (admins); a manager's own hall"""
    return {"halls": admin.list_halls(ctx(), current_principal())}


@bp.post("/halls")
@bp.arguments(HallIn(), example={"code": "east", "name": "东区大厅", "timezone": "Asia/Shanghai"})
@bp.response(201, HALL)
def create_hall(body: dict[str, Any]) -> Any:
    """A new hall (admins)"""
    return admin.create_hall(
        ctx(),
        current_principal(),
        body["code"],
        body["name"],
        body.get("timezone") or "Asia/Shanghai",
        body.get("name_en"),
    )


@bp.patch("/halls/<code>")
@bp.arguments(HallPatch(), example={"opening_hours": {"mon": [["08:30", "12:00"], ["13:30", "17:30"]]}})
@bp.response(200, HALL)
def update_hall(body: dict[str, Any], code: str) -> Any:
    """Name, timezone, opening hours (managers, admins)"""
    return admin.update_hall(ctx(), current_principal(), code, body)


@bp.put("/halls/<code>/services/<service>")
@bp.arguments(ServiceIn(), example={"prefix": "J", "name": "医保报销", "category": "人社医保"})
@bp.response(200, Service())
def put_service(body: dict[str, Any], code: str, service: str) -> Any:
    """Create or change a service (managers, admins)"""
    if not SERVICE_CODE.match(service):  # the path names the row a PUT creates: checked like a field
        raise bad_field("service", *SERVICE_CODE_MESSAGE)
    return admin.upsert_service(ctx(), current_principal(), code, service, body)


@bp.post("/halls/<code>/windows")
@bp.arguments(WindowIn(), example={"number": 12})
@bp.response(201, NewWindow())
def create_window(body: dict[str, Any], code: str) -> Any:
    """A new window, closed (managers, admins)"""
    return admin.create_window(
        ctx(), current_principal(), code, body["number"], body.get("name"), body.get("name_en")
    )


@bp.get("/halls/<code>/windows")
@bp.response(200, Windows())
def windows(code: str) -> Any:
    """The hall's windows with their names (managers, admins)"""
    return {"windows": admin.list_windows(ctx(), current_principal(), code)}


@bp.patch(WINDOW)
@bp.arguments(WindowPatch(), example={"name": "公积金专窗", "name_en": "Housing fund desk"})
@bp.response(200, NewWindow())
def rename_window(body: dict[str, Any], window_id: int) -> Any:
    """A window's name and English name (managers, admins)"""
    return admin.rename_window(ctx(), current_principal(), window_id, body)


@bp.get("/halls/<code>/users")
@bp.response(200, People())
def users(code: str) -> Any:
    """The hall's people (managers, admins)"""
    return {"users": admin.list_users(ctx(), current_principal(), code)}


@bp.post("/halls/<code>/users")
@bp.arguments(PersonIn(), example={"username": "clerk13", "password": "secret-pass", "name": "新同事"})
@bp.response(201, PERSON)
def create_user(body: dict[str, Any], code: str) -> Any:
    """A new clerk (managers) or manager (admins); the password is hashed"""
    return admin.create_person(ctx(), current_principal(), code, body)


@bp.patch("/users/<username>")
@bp.arguments(PersonPatch())
@bp.response(200, PERSON)
def update_user(body: dict[str, Any], username: str) -> Any:
    """Name, badge, active, password (managers: their clerks; admins)"""
    return admin.update_person(ctx(), current_principal(), username, body)


@bp.put("/users/<username>/photo")
@bp.arguments(
    PhotoIn(),
    example={
        "image": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLv"
        "AAAAAElFTkSuQmCC"
    },
)
@bp.response(200, PERSON)
def set_user_photo(body: dict[str, Any], username: str) -> Any:
    """The photo the window board and the rating pad show (挂牌上岗); null removes it (managers:
    their clerks; admins)"""
    return admin.set_photo(ctx(), current_principal(), username, body.get("image"))


@bp.post("/users/<username>/end-sessions")
@bp.arguments(Empty(), required=False)
@bp.response(200, PERSON)
def end_user_sessions(_: dict[str, Any], username: str) -> Any:
    """Log a person out everywhere: every session ends, open console sockets within ~1 s"""
    return admin.end_sessions(ctx(), current_principal(), username)


@bp.get("/halls/<code>/devices")
@bp.response(200, Devices())
def devices(code: str) -> Any:
    """The hall's device tokens, newest first; never the clear token (managers, admins)"""
    return {"devices": admin.list_devices(ctx(), current_principal(), code)}


@bp.post("/halls/<code>/devices")
@bp.arguments(DeviceIn(), example={"role": "kiosk", "label": "东门取号机"})
@bp.response(201, NewDevice())
def issue_device(body: dict[str, Any], code: str) -> Any:
    """A kiosk, board, rating pad (`window`) or clerk token; the clear token is answered once
    (managers, admins)"""
    return admin.issue_device_token(
        ctx(),
        current_principal(),
        code,
        body["role"],
        body.get("label") or "",
        body.get("user"),
        body.get("window"),
        speaker=bool(body.get("speaker")),
        zone=body.get("zone"),
    )


@bp.post("/devices/<id:token_id>/revoke")
@bp.arguments(Empty(), required=False)
@bp.response(200, Device())
def revoke_device(_: dict[str, Any], token_id: int) -> Any:
    """Revoke a device token at once (managers, admins)"""
    return admin.revoke_device_token(ctx(), current_principal(), token_id)
