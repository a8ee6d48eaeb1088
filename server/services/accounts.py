"""People (hashed passwords) and device tokens (only their hash is stored)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..storage.models import ApiToken, Hall, User
from .core.context import Context
from .core.errors import bad_field, not_found
from .core.principal import ROLES, Principal

TOKEN_PREFIX = "hq_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Account:
    """A logged-in person, detached from the database (what Flask-Login keeps)."""

    id: int
    username: str
    name: str
    badge: str | None
    role: str
    hall_id: int | None
    hall_code: str | None
    hall_name: str | None

    def principal(self) -> Principal:
        return Principal(
            role=self.role,
            hall_id=self.hall_id,
            hall_code=self.hall_code,
            user_id=self.id,
            username=self.username,
            via="session",
        )


def _account(u: User) -> Account:
    return Account(
        id=u.id,
        username=u.username,
        name=u.name,
        badge=u.badge,
        role=u.role,
        hall_id=u.hall_id,
        hall_code=u.hall.code if u.hall else None,
        hall_name=u.hall.name if u.hall else None,
    )


def create_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    name: str,
    hall: Hall | None,
    badge: str | None = None,
) -> User:
    if role not in ("admin", "manager", "clerk"):
        raise bad_field("role", "角色必须是 admin/manager/clerk", "role must be admin, manager or clerk")
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


def authenticate(ctx: Context, username: str, password: str) -> Account | None:
    """The account for a correct username and password, else None (same answer for both)."""
    with ctx.db.read() as s:
        u = s.scalar(select(User).where(User.username == username))
        if u is None or not u.active:
            # spend the same time as a real check, so usernames cannot be probed by timing
            check_password_hash(_DUMMY_HASH, password)
            return None
        if not check_password_hash(u.password_hash, password):
            return None
        return _account(u)


_DUMMY_HASH = generate_password_hash("not a password")


def load_account(ctx: Context, user_id: int) -> Account | None:
    with ctx.db.read() as s:
        u = s.get(User, user_id)
        return _account(u) if u is not None and u.active else None


def create_token(
    ctx: Context, role: str, hall_code: str | None, username: str | None = None, label: str = ""
) -> str:
    """Issue a bearer token; the clear token is returned once and never stored."""
    if role not in ROLES:
        raise bad_field("role", f"未知角色 {role}", f"unknown role {role}")
    with ctx.db.transaction() as s:
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
                raise bad_field(
                    "user", f"用户 {username} 的角色是 {user.role}", f"{username} is a {user.role}"
                )
            if hall is not None and user.hall_id not in (None, hall.id):
                raise bad_field("user", "用户不属于该大厅", "the user belongs to another hall")
        elif role == "clerk":
            raise bad_field(
                "user", "工作人员令牌必须指定用户（--user）", "a clerk token must name its user (--user)"
            )
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        s.add(
            ApiToken(
                token_hash=hash_token(token),
                role=role,
                hall_id=hall.id if hall else None,
                user_id=user.id if user else None,
                label=label or f"{role}@{hall_code or '*'}",
                created_at=ctx.clock(),
            )
        )
    return token


def principal_for_token(ctx: Context, token: str) -> Principal | None:
    """The principal a bearer token stands for; None for an unknown or revoked token."""
    key = "tok:" + hash_token(token)
    cached = ctx.cache.get(key)
    now = ctx.clock()
    if cached is not None and (now - cached[0]).total_seconds() < 10:
        return cached[1]  # type: ignore[no-any-return]
    with ctx.db.read() as s:
        row = s.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
        principal = None
        if row is not None and row.revoked_at is None:
            if row.user is not None and not row.user.active:
                principal = None
            else:
                principal = Principal(
                    role=row.role,
                    hall_id=row.hall_id,
                    hall_code=row.hall.code if row.hall else None,
                    user_id=row.user_id,
                    username=row.user.username if row.user else None,
                    via="token",
                    token_id=row.id,
                )
    ctx.cache[key] = (now, principal)
    return principal


def revoke_token(ctx: Context, token: str, now: datetime | None = None) -> bool:
    with ctx.db.transaction() as s:
        row = s.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
        if row is None:
            return False
        row.revoked_at = now or ctx.clock()
    ctx.cache.pop("tok:" + hash_token(token), None)
    return True
