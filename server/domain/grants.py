"""Who may hand out access: nobody mints a token or a session for a role or a person above their own.

A token stands for a role in a hall and, for people's roles, for one person (the audit log names
them); setting a person's password or reactivating them is minting a session for them. So both
ask the same question: may this grantor give `role` in `hall_id`, acting as `person`?

* An admin may grant anything (the service still keeps a hall-bound admin token to its hall).
* A manager, only in their own hall: device roles (kiosk, board, pad) that name no person;
  a clerk token or session for a clerk of their hall or for themselves; a manager token or
  session for themselves. Never for an admin, a person of another hall, or another manager.
* The supervisor role (纪检监察) is granted by an admin only.
* Nobody else (clerks, supervisors, devices, anonymous callers) grants anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import RuleViolation

#: roles of devices: they act as no person
DEVICE_ROLES = ("kiosk", "board", "pad")
#: roles of people, highest first
PEOPLE_ROLES = ("admin", "manager", "supervisor", "clerk")


@dataclass(frozen=True)
class Grantor:
    """Who asks: their role, their hall (None: every hall or none) and the person behind them."""

    role: str
    hall_id: int | None
    user_id: int | None


@dataclass(frozen=True)
class Person:
    """The person a token or session would act as."""

    id: int
    role: str
    hall_id: int | None


class GrantRefused(RuleViolation):
    """The grantor may not hand out this access; nothing is made."""


def _refuse(zh: str, en: str) -> GrantRefused:
    return GrantRefused("forbidden", zh, en)


def check_grant(grantor: Grantor, role: str, hall_id: int | None, person: Person | None) -> None:
    """Raise `GrantRefused` unless `grantor` may grant `role` in `hall_id` acting as `person`."""
    if grantor.role == "admin":
        return
    if grantor.role != "manager":
        raise _refuse("无权发放令牌或登录", "only managers and admins grant access")
    if grantor.hall_id is None or hall_id != grantor.hall_id:
        raise _refuse("只能为本大厅发放", "a manager grants access in their own hall only")
    if role in DEVICE_ROLES:
        if person is not None:
            raise _refuse("设备令牌不代表任何人", "a device token acts as no person")
        return
    if role not in PEOPLE_ROLES or role == "admin":
        raise _refuse("经理不能发放管理员权限", "a manager cannot grant the admin role")
    if role == "supervisor" or (person is not None and person.role == "supervisor"):
        raise _refuse("纪检监察权限只能由管理员发放", "only an admin grants the supervisor role")
    if person is None:
        raise _refuse("需要指定用户", "a token for people must name its person")
    if person.hall_id != grantor.hall_id:
        raise _refuse("该用户不属于本大厅", "that person belongs to another hall")
    if person.id == grantor.user_id:
        return  # a manager may act as themselves, as a clerk or as the manager they are
    if role == "clerk" and person.role == "clerk":
        return
    raise _refuse(
        f"不能以 {person.role} 身份的其他人发放",
        f"a manager cannot grant access acting as another {person.role}",
    )
