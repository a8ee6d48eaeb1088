"""Who is asking: a device token, a logged-in person, or an anonymous board."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ...domain.errors import RuleViolation

ROLES = ("admin", "manager", "clerk", "supervisor", "kiosk", "board", "pad")


@dataclass(frozen=True)
class Principal:
    role: str  # one of ROLES, or "anonymous"
    hall_id: int | None = None  # None: every hall (admin) or none (anonymous)
    hall_code: str | None = None
    user_id: int | None = None
    username: str | None = None
    via: str = "token"  # token | session | anonymous
    #: the device token's row (kiosks: which printer prints their tickets)
    token_id: int | None = None
    #: a session's `users.session_epoch` when it was built: a newer epoch ends it (open sockets too)
    epoch: int | None = None
    #: a rating pad's window (the only window whose tickets it may rate)
    window_id: int | None = None

    @property
    def is_anonymous(self) -> bool:
        return self.role == "anonymous"


ANONYMOUS = Principal(role="anonymous", via="anonymous")


class Forbidden(RuleViolation):
    pass


class Unauthenticated(RuleViolation):
    pass


def require_role(p: Principal, roles: Iterable[str]) -> None:
    """Refuse a principal whose role is not one of `roles`."""
    roles = tuple(roles)
    if p.is_anonymous:
        raise Unauthenticated("unauthenticated", "请先登录或提供设备令牌", "log in or send a device token")
    if p.role not in roles:
        raise Forbidden(
            "forbidden",
            f"角色 {p.role} 无权执行此操作（需要：{'/'.join(roles)}）",
            f"the {p.role} role may not do this (needs {'/'.join(roles)})",
        )


def require_hall(p: Principal, hall_id: int) -> None:
    """Refuse a principal bound to another hall (admins reach every hall)."""
    if p.role == "admin" and p.hall_id is None:
        return
    if p.hall_id != hall_id:
        raise Forbidden("forbidden", "无权操作其他大厅", "this token or user belongs to another hall")


def user_of(p: Principal) -> int:
    """The person behind the principal; a device or anonymous principal is refused."""
    if p.user_id is None:
        raise Forbidden("forbidden", "此操作需要工作人员身份", "this needs a member of staff")
    return p.user_id
