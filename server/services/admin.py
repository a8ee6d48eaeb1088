"""Administration: halls, services, windows, users (and their photos) and device tokens."""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from .. import event_names as names
from ..domain import posts as post_rules
from ..domain.announce import normalise_zone
from ..domain.commitments import hall_commitments
from ..domain.complaints import complaint_channel
from ..domain.disclosure import public_pause_phrases
from ..domain.grants import Grantor, GrantRefused, Person, check_grant
from ..domain.numbering import validate_prefix
from ..domain.photos import image_type
from ..storage.models import ApiToken, Hall, Service, User, UserPhoto, Window
from .core.context import Context
from .core.credentials import add_token, create_user, hash_token
from .core.duty import cover_info
from .core.errors import bad_field, not_found
from .core.events import record
from .core.principal import Forbidden, Principal, require_hall, require_role
from .core.readmodels import window_full_view
from .core.rows import load_hall
from .core.voice import check_speaker_free

_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")


def _hall_view(h: Hall) -> dict[str, Any]:
    return {
        "code": h.code,
        "name": h.name,
        "name_en": h.name_en,
        "timezone": h.timezone,
        "rollover_hour": h.rollover_hour,
        "opening_hours": h.opening_hours,
        # a 调休 make-up workday opens with this weekday's hours (None: Monday's)
        "makeup_weekday": h.makeup_weekday,
        # the pause reasons boards may show (domain.disclosure); any other stays with staff
        "public_pause_reasons": list(public_pause_phrases(h.public_pause_reasons)),
        # the hall's public promise (挂牌上岗), shown on every window board
        "commitments": h.commitments,
        # how citizens complain (12345, the supervision office): public, on the phone pages
        "complaint_channel": h.complaint_channel,
        # the evaluation's wait target (None: domain.evaluation's default) and the board's
        # public satisfaction rate (公开监督) switch
        "wait_target_minutes": h.wait_target_minutes,
        "show_satisfaction": bool(h.show_satisfaction),
        "commitments_en": h.commitments_en,
        # numbers for a service no window serves now: issued after the kiosk's warning, or refused
        "queue_when_unserved": h.queue_when_unserved is not False,
    }


def _english(value: Any, max_len: int) -> str | None:
    """A configured name's English (trimmed; None when empty: English mode shows the Chinese)."""
    text = str(value or "").strip()[:max_len]
    return text or None


def _check_tz(tz: str) -> str:
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise bad_field("timezone", f"未知时区 {tz}", f"unknown timezone {tz}") from err
    return tz


def list_halls(ctx: Context, actor: Principal) -> list[dict[str, Any]]:
    require_role(actor, ("admin", "manager"))
    with ctx.db.read() as s:
        q = select(Hall).order_by(Hall.code)
        if actor.hall_id is not None:
            q = q.where(Hall.id == actor.hall_id)
        return [_hall_view(h) for h in s.scalars(q)]


def create_hall(
    ctx: Context, actor: Principal, code: str, name: str, timezone: str, name_en: str | None = None
) -> dict[str, Any]:
    """Only an admin creates halls."""
    require_role(actor, ("admin",))
    if not _CODE.match(code):
        raise bad_field("code", "代码只能用小写字母、数字、-、_", "code: lower-case letters, digits, - and _")
    _check_tz(timezone)
    with ctx.db.transaction() as s:
        if s.scalar(select(Hall).where(Hall.code == code)) is not None:
            raise bad_field("code", "该代码已存在", "that code exists")
        h = Hall(
            code=code,
            name=name,
            name_en=_english(name_en, 200),
            timezone=timezone,
            rollover_hour=0,
            seq=0,
            created_at=ctx.clock(),
        )
        s.add(h)
        s.flush()
        return _hall_view(h)


def update_hall(ctx: Context, actor: Principal, code: str, data: dict[str, Any]) -> dict[str, Any]:
    """Name, timezone, opening hours, public pause phrases, the public commitments, the wait
    target (admin, or the hall's manager); the board's satisfaction switch (admin only)."""
    require_role(actor, ("admin", "manager"))
    with ctx.db.transaction() as s:
        h = load_hall(s, code)
        require_hall(actor, h.id)
        if "name" in data:
            h.name = str(data["name"])[:200]
        if "name_en" in data:
            h.name_en = _english(data["name_en"], 200)
        if "timezone" in data:
            h.timezone = _check_tz(str(data["timezone"]))
        if "opening_hours" in data:
            post_rules.check_opening_hours(data["opening_hours"])
            h.opening_hours = data["opening_hours"]
        if "makeup_weekday" in data:
            post_rules.check_makeup_weekday(data["makeup_weekday"])
            h.makeup_weekday = data["makeup_weekday"]
        if "public_pause_reasons" in data:
            phrases = data["public_pause_reasons"]
            h.public_pause_reasons = None if phrases is None else list(public_pause_phrases(phrases))
        if "commitments" in data:
            h.commitments = hall_commitments(data["commitments"])
        if "complaint_channel" in data:
            h.complaint_channel = complaint_channel(data["complaint_channel"])
        if "wait_target_minutes" in data:
            h.wait_target_minutes = data["wait_target_minutes"]
        if "show_satisfaction" in data and bool(data["show_satisfaction"]) != bool(h.show_satisfaction):
            # public supervision is switched by the administrator, not by the managers it judges
            require_role(actor, ("admin",))
            h.show_satisfaction = bool(data["show_satisfaction"])
        if "commitments_en" in data:
            h.commitments_en = hall_commitments(data["commitments_en"], "commitments_en")
        if "queue_when_unserved" in data:
            h.queue_when_unserved = bool(data["queue_when_unserved"])
        view = _hall_view(h)
        event = record(s, h, names.HALL_UPDATED, {"hall": view}, ctx.clock(), actor)
    ctx.publish([event])
    return view


def upsert_service(
    ctx: Context, actor: Principal, hall_code: str, code: str, data: dict[str, Any]
) -> dict[str, Any]:
    """Create or change a service (prefix letters, names, category, order, active)."""
    require_role(actor, ("admin", "manager"))
    with ctx.db.transaction() as s:
        h = load_hall(s, hall_code)
        require_hall(actor, h.id)
        svc = s.scalar(select(Service).where(Service.hall_id == h.id, Service.code == code))
        if svc is None:
            if "name" not in data:
                raise bad_field("name", "新事项需要名称", "a new service needs a name")
            svc = Service(
                hall_id=h.id, code=code, prefix=data.get("prefix", code), name="", category="", sort=99
            )
            s.add(svc)
        if "prefix" in data:
            try:
                svc.prefix = validate_prefix(str(data["prefix"]))
            except ValueError as err:
                raise bad_field(
                    "prefix", "前缀是一到两个大写字母", "prefix: one or two capital letters"
                ) from err
        else:
            try:
                validate_prefix(svc.prefix)
            except ValueError as err:
                raise bad_field(
                    "prefix", "前缀是一到两个大写字母", "prefix: one or two capital letters"
                ) from err
        for field in ("name", "name_en", "category"):
            if field in data:
                setattr(svc, field, str(data[field])[:100])
        if "category_en" in data:
            svc.category_en = _english(data["category_en"], 50)
        if "sort" in data:
            svc.sort = int(data["sort"])
        if "active" in data:
            svc.active = bool(data["active"])
        with s.no_autoflush:  # check before the new row meets the unique constraint
            clash = s.scalar(
                select(Service).where(
                    Service.hall_id == h.id, Service.prefix == svc.prefix, Service.code != code
                )
            )
        if clash is not None:
            raise bad_field(
                "prefix", f"前缀 {svc.prefix} 已被 {clash.name} 使用", f"prefix {svc.prefix} is taken"
            )
        s.flush()
        view = {
            k: getattr(svc, k)
            for k in ("code", "prefix", "name", "name_en", "category", "category_en", "sort", "active")
        }
        event = record(s, h, names.SERVICE_UPDATED, {"service": view}, ctx.clock(), actor)
    ctx.publish([event])
    return view


def create_window(
    ctx: Context,
    actor: Principal,
    hall_code: str,
    number: int,
    name: str | None,
    name_en: str | None = None,
) -> dict[str, Any]:
    require_role(actor, ("admin", "manager"))
    with ctx.db.transaction() as s:
        h = load_hall(s, hall_code)
        require_hall(actor, h.id)
        if s.scalar(select(Window).where(Window.hall_id == h.id, Window.number == number)) is not None:
            raise bad_field("number", f"{number} 号窗口已存在", f"window {number} exists")
        w = Window(
            hall_id=h.id,
            number=number,
            name=name or f"{number}号窗口",
            name_en=_english(name_en, 100),
            status="closed",
        )
        s.add(w)
        s.flush()
        return {"id": w.id, "number": w.number, "name": w.name, "name_en": w.name_en}


def list_windows(ctx: Context, actor: Principal, hall_code: str) -> list[dict[str, Any]]:
    """The hall's windows with their names (managers, admins)."""
    require_role(actor, ("admin", "manager"))
    with ctx.db.read() as s:
        h = load_hall(s, hall_code)
        require_hall(actor, h.id)
        rows = s.scalars(select(Window).where(Window.hall_id == h.id).order_by(Window.number))
        return [{"id": w.id, "number": w.number, "name": w.name, "name_en": w.name_en} for w in rows]


def rename_window(ctx: Context, actor: Principal, window_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """A window's name and English name (managers, admins); the boards follow at once."""
    require_role(actor, ("admin", "manager"))
    with ctx.db.transaction() as s:
        w = s.get(Window, window_id)
        if w is None:
            raise not_found("窗口", "window")
        require_hall(actor, w.hall_id)
        h = w.hall
        if data.get("name"):
            w.name = str(data["name"]).strip()[:100] or w.name
        if "name_en" in data:
            w.name_en = _english(data["name_en"], 100)
        s.flush()
        s.refresh(w, ["clerk", "service_links"])
        view = window_full_view(s, w, cover_info(s, h, ctx.clock()))
        event = record(s, h, names.WINDOW_UPDATED, {"window": view}, ctx.clock(), actor, window_id=w.id)
    ctx.publish([event])
    return {"id": w.id, "number": w.number, "name": w.name, "name_en": w.name_en}


def user_view(u: User) -> dict[str, Any]:
    view = {"username": u.username, "name": u.name, "badge": u.badge, "role": u.role, "active": u.active}
    view["photo_url"] = f"/photos/{u.photo_key}" if u.photo_key else None
    return view


def list_users(ctx: Context, actor: Principal, hall_code: str) -> list[dict[str, Any]]:
    require_role(actor, ("admin", "manager"))
    with ctx.db.read() as s:
        h = load_hall(s, hall_code)
        require_hall(actor, h.id)
        return [
            user_view(u) for u in s.scalars(select(User).where(User.hall_id == h.id).order_by(User.username))
        ]


def create_person(ctx: Context, actor: Principal, hall_code: str, data: dict[str, Any]) -> dict[str, Any]:
    """A manager adds clerks to their hall; an admin adds managers too."""
    require_role(actor, ("admin", "manager"))
    role = data.get("role", "clerk")
    if role not in ("clerk", "manager", "supervisor"):
        raise bad_field("role", "角色是 clerk、manager 或 supervisor", "role is clerk, manager or supervisor")
    if role == "manager" and actor.role != "admin":
        raise Forbidden("forbidden", "只有管理员可以添加经理", "only an admin adds managers")
    if role == "supervisor" and actor.role != "admin":  # 纪检监察: domain/grants.py
        raise Forbidden("forbidden", "只有管理员可以添加纪检监察人员", "only an admin adds supervisors")
    username = str(data.get("username", ""))
    if not re.match(r"^[A-Za-z0-9_.-]{2,64}$", username):
        raise bad_field("username", "用户名 2-64 位字母数字", "username: 2-64 letters or digits")
    with ctx.db.transaction() as s:
        h = load_hall(s, hall_code)
        require_hall(actor, h.id)
        if s.scalar(select(User).where(User.username == username)) is not None:
            raise bad_field("username", "用户名已存在", "that username exists")
        u = create_user(
            s,
            username,
            str(data.get("password", "")),
            role,
            str(data.get("name", username)),
            h,
            badge=data.get("badge"),
        )
        s.flush()
        return user_view(u)


def update_person(ctx: Context, actor: Principal, username: str, data: dict[str, Any]) -> dict[str, Any]:
    require_role(actor, ("admin", "manager"))
    with ctx.db.transaction() as s:
        u = s.scalar(select(User).where(User.username == username))
        if u is None or u.hall_id is None:
            raise not_found("用户", "user")
        require_hall(actor, u.hall_id)
        if u.role == "manager" and actor.role != "admin" and u.username != actor.username:
            raise Forbidden("forbidden", "只有管理员可以修改经理", "only an admin changes managers")
        # a new password or a reactivation is a session for that person: the grant rule decides
        _check_grant(actor, u.role, u.hall_id, u)
        for field in ("name", "badge"):
            if field in data:
                setattr(u, field, str(data[field])[:100])
        ends_sessions = False
        if "active" in data:
            ends_sessions = u.active and not bool(data["active"])
            u.active = bool(data["active"])
        if "password" in data:
            if len(str(data["password"])) < 8:
                raise bad_field("password", "密码至少 8 位", "passwords have at least 8 characters")
            u.password_hash = generate_password_hash(str(data["password"]))
            ends_sessions = True
        if ends_sessions:  # every session of theirs ends; open console sockets within ~1 s
            u.session_epoch += 1
        return user_view(u)


def end_sessions(ctx: Context, actor: Principal, username: str) -> dict[str, Any]:
    """End every session of a person at once (their console sockets close within ~1 s); their
    device tokens stay, revoke those one by one."""
    require_role(actor, ("admin", "manager"))
    with ctx.db.transaction() as s:
        u = s.scalar(select(User).where(User.username == username))
        if u is None:
            raise not_found("用户", "user")
        if u.hall_id is not None:
            require_hall(actor, u.hall_id)
        _check_grant(actor, u.role, u.hall_id, u)
        u.session_epoch += 1
        return user_view(u)


def _check_grant(actor: Principal, role: str, hall_id: int | None, user: User | None) -> None:
    """The domain's grant rule, refused as 403 forbidden."""
    person = Person(user.id, user.role, user.hall_id) if user is not None else None
    try:
        check_grant(Grantor(actor.role, actor.hall_id, actor.user_id), role, hall_id, person)
    except GrantRefused as err:
        raise Forbidden(err.code, err.message_zh, err.message_en) from err


def token_view(t: ApiToken) -> dict[str, Any]:
    return {
        "id": t.id,
        "role": t.role,
        "label": t.label,
        "user": t.user.username if t.user else None,
        "window": t.window_id,
        "created_at": t.created_at.isoformat(),
        "revoked": t.revoked_at is not None,
        "speaker": bool(t.speaker),
        "zone": t.zone,
    }


def list_devices(ctx: Context, actor: Principal, hall_code: str) -> list[dict[str, Any]]:
    require_role(actor, ("admin", "manager"))
    with ctx.db.read() as s:
        h = load_hall(s, hall_code)
        require_hall(actor, h.id)
        rows = s.scalars(select(ApiToken).where(ApiToken.hall_id == h.id).order_by(ApiToken.id.desc())).all()
        return [token_view(t) for t in rows]


def issue_device_token(
    ctx: Context,
    actor: Principal,
    hall_code: str,
    role: str,
    label: str,
    user: str | None,
    window: int | None = None,
    speaker: bool = False,
    zone: str | None = None,
) -> dict[str, Any]:
    """A kiosk, board, rating pad (bound to `window`) or script token for this hall; the clear
    token is shown once. Nobody mints one for a role or a person above their own
    (domain/grants.py). A board may be its zone's speaker (voice calls): a second speaker in a
    zone is refused, 409 `speaker_taken`."""
    require_role(actor, ("admin", "manager"))
    if role not in ("kiosk", "board", "pad", "clerk"):
        raise bad_field(
            "role", "设备角色是 kiosk、board、pad 或 clerk", "device role is kiosk, board, pad or clerk"
        )
    with ctx.db.transaction() as s:
        hall = load_hall(s, hall_code)
        require_hall(actor, hall.id)
        person = None
        if role == "clerk" and not user:
            raise bad_field("user", "工作人员令牌必须指定用户", "a clerk token must name its user")
        if user is not None:
            person = s.scalar(select(User).where(User.username == user))
            if person is None:
                raise not_found("用户", "user")
        _check_grant(actor, role, hall.id, person)
        z = normalise_zone(zone)
        if speaker:
            if role != "board":
                raise bad_field("speaker", "只有大屏可以播报语音", "only boards speak")
            check_speaker_free(s, hall.id, z)
        token = add_token(s, ctx.clock(), role, hall_code, user, label, window)
        if speaker or z:
            row = s.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
            assert row is not None
            row.speaker, row.zone = speaker, z or None
    return {
        "token": token,
        "role": role,
        "label": label,
        "window": window,
        "speaker": speaker,
        "zone": z or None,
    }


def revoke_device_token(ctx: Context, actor: Principal, token_id: int) -> dict[str, Any]:
    require_role(actor, ("admin", "manager"))
    with ctx.db.transaction() as s:
        t = s.get(ApiToken, token_id)
        if t is None or t.hall_id is None:
            raise not_found("设备令牌", "token")
        require_hall(actor, t.hall_id)
        t.revoked_at = ctx.clock()
        ctx.cache.clear()  # this process forgets it at once; others within their 10 s cache
        return token_view(t)


def set_photo(ctx: Context, actor: Principal, username: str, image: str | None) -> dict[str, Any]:
    """A person's photo (挂牌上岗), base64 of a JPEG, PNG or WebP picture; None removes it. The
    photo gets a new unguessable key (old copies in caches stay where they are, unlinked); the
    windows where the person is signed in show it at once (`window.updated`)."""
    require_role(actor, ("admin", "manager"))
    data: bytes | None = None
    kind = ""
    if image is not None:
        raw = image.split(",", 1)[1] if image.startswith("data:") else image  # a data: URL
        try:
            data = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise bad_field(
                "image", "照片须为 base64 编码的图片", "image is a base64-encoded picture"
            ) from None
        kind = image_type(data)
    now = ctx.clock()
    with ctx.db.transaction() as s:
        u = s.scalar(select(User).where(User.username == username))
        if u is None or u.hall_id is None:
            raise not_found("用户", "user")
        require_hall(actor, u.hall_id)
        if u.role == "manager" and actor.role != "admin" and u.username != actor.username:
            raise Forbidden("forbidden", "只有管理员可以修改经理", "only an admin changes managers")
        photo = s.get(UserPhoto, u.id)
        if data is None:
            if photo is not None:
                s.delete(photo)
            u.photo_key = None
        else:
            if photo is None:
                photo = UserPhoto(user_id=u.id)
                s.add(photo)
            photo.content_type, photo.data, photo.updated_at = kind, data, now
            u.photo_key = secrets.token_urlsafe(12)  # 96 bits
        s.flush()
        windows = s.scalars(select(Window).where(Window.clerk_id == u.id)).all()
        cover = cover_info(s, windows[0].hall, now) if windows else {}
        events = [
            record(
                s,
                w.hall,
                names.WINDOW_UPDATED,
                {"window": window_full_view(s, w, cover)},
                now,
                actor,
                window_id=w.id,
            )
            for w in windows
        ]
        view = user_view(u)
    ctx.publish(events)
    return view


def photo(ctx: Context, key: str) -> tuple[bytes, str] | None:
    """The bytes and content type of the photo with this key (None: no such photo)."""
    if not key or len(key) > 24:
        return None
    with ctx.db.read() as s:
        u = s.scalar(select(User).where(User.photo_key == key))
        p = s.get(UserPhoto, u.id) if u is not None else None
        if p is None:
            return None
        return p.data, p.content_type
