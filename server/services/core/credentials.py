"""Secrets and keyed hashes: device tokens (only their hash is stored), people's passwords,
citizens' phone numbers (never stored in clear)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from ...storage.models import ApiToken, Hall, User, Window
from .errors import bad_field, not_found
from .principal import ROLES

TOKEN_PREFIX = "hq_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    name: str,
    hall: Hall | None,
    badge: str | None = None,
) -> User:
    if role not in ("admin", "manager", "clerk", "supervisor"):
        raise bad_field(
            "role",
            "角色必须是 admin/manager/clerk/supervisor",
            "role must be admin, manager, clerk or supervisor",
        )
    if role != "admin" and hall is None:
        raise bad_field("hall", "经理和工作人员必须属于一个大厅", "managers and clerks belong to a hall")
    if len(password) < 8:
        raise bad_field("password", "密码至少 8 位", "passwords have at least 8 characters")
    user = User(
        username=username,
        password_hash=generate_password_hash(password),
        role=role,
        name=name,
        badge=badge,
        hall_id=hall.id if hall else None,
        active=True,
    )
    session.add(user)
    return user


def citizen_key(secret: bytes, phone: str) -> str:
    """Keyed hash of a phone number: lets us recognise a returning citizen, never reveals them."""
    return hmac.new(secret, phone.encode(), hashlib.sha256).hexdigest()


def add_token(
    s: Session,
    now: datetime,
    role: str,
    hall_code: str | None,
    username: str | None = None,
    label: str = "",
    window_id: int | None = None,
) -> str:
    """Add a bearer token in the caller's transaction; the clear token is returned once, only its
    hash is stored. A rating pad's token names its window (of its hall); no other role's does."""
    if role not in ROLES:
        raise bad_field("role", f"未知角色 {role}", f"unknown role {role}")
    hall = None
    if hall_code:
        hall = s.scalar(select(Hall).where(Hall.code == hall_code))
        if hall is None:
            raise not_found("大厅", "hall")
    elif role != "admin":
        raise bad_field("hall", "该角色的令牌必须指定大厅", "tokens of this role need --hall")
    user = None
    if username:
        user = s.scalar(select(User).where(User.username == username))
        if user is None:
            raise not_found("用户", "user")
        if user.role != role and not (role == "clerk" and user.role in ("manager", "admin")):
            raise bad_field("user", f"用户 {username} 的角色是 {user.role}", f"{username} is a {user.role}")
        if hall is not None and user.hall_id not in (None, hall.id):
            raise bad_field("user", "用户不属于该大厅", "the user belongs to another hall")
    elif role == "clerk":
        raise bad_field(
            "user", "工作人员令牌必须指定用户（--user）", "a clerk token must name its user (--user)"
        )
    if role == "pad":
        if window_id is None:
            raise bad_field(
                "window", "评价器令牌必须指定窗口（--window）", "a pad token names its window (--window)"
            )
        window = s.get(Window, window_id)
        if window is None or hall is None or window.hall_id != hall.id:
            raise bad_field("window", "该大厅没有此窗口", "no such window in this hall")
    elif window_id is not None:
        raise bad_field("window", "只有评价器令牌绑定窗口", "only a pad token is bound to a window")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    s.add(
        ApiToken(
            token_hash=hash_token(token),
            role=role,
            hall_id=hall.id if hall else None,
            user_id=user.id if user else None,
            window_id=window_id,
            label=label or f"{role}@{hall_code or '*'}",
            created_at=now,
        )
    )
    return token
