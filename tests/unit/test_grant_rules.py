"""Who may mint a token or a session: nobody for a role or a person above their own."""

from __future__ import annotations

import pytest

from server.domain.grants import Grantor, GrantRefused, Person, check_grant

HALL, OTHER = 1, 2
MANAGER = Grantor("manager", HALL, 10)
ADMIN_USER = Person(1, "admin", None)
CLERK = Person(20, "clerk", HALL)
OTHER_CLERK = Person(21, "clerk", OTHER)
OTHER_MANAGER = Person(11, "manager", HALL)
MYSELF = Person(10, "manager", HALL)


@pytest.mark.parametrize("role", ["kiosk", "board", "pad"])
def test_manager_mints_device_tokens_of_their_hall(role: str) -> None:
    check_grant(MANAGER, role, HALL, None)


@pytest.mark.parametrize("role", ["kiosk", "board", "clerk"])
def test_manager_mints_nothing_for_another_hall(role: str) -> None:
    with pytest.raises(GrantRefused):
        check_grant(MANAGER, role, OTHER, None if role != "clerk" else OTHER_CLERK)


def test_manager_cannot_mint_a_clerk_token_acting_as_the_admin() -> None:
    with pytest.raises(GrantRefused) as refused:
        check_grant(MANAGER, "clerk", HALL, ADMIN_USER)
    assert refused.value.code == "forbidden"


def test_manager_cannot_act_as_an_admin_bound_to_their_hall() -> None:
    with pytest.raises(GrantRefused):
        check_grant(MANAGER, "clerk", HALL, Person(2, "admin", HALL))
    with pytest.raises(GrantRefused):
        check_grant(MANAGER, "admin", HALL, Person(2, "admin", HALL))


def test_manager_cannot_grant_the_admin_role() -> None:
    with pytest.raises(GrantRefused):
        check_grant(MANAGER, "admin", HALL, None)


def test_manager_cannot_act_as_another_manager() -> None:
    with pytest.raises(GrantRefused):
        check_grant(MANAGER, "clerk", HALL, OTHER_MANAGER)
    with pytest.raises(GrantRefused):
        check_grant(MANAGER, "manager", HALL, OTHER_MANAGER)


def test_manager_mints_for_clerks_of_their_hall_and_for_themselves() -> None:
    check_grant(MANAGER, "clerk", HALL, CLERK)
    check_grant(MANAGER, "clerk", HALL, MYSELF)
    check_grant(MANAGER, "manager", HALL, MYSELF)


def test_manager_cannot_act_as_a_clerk_of_another_hall() -> None:
    with pytest.raises(GrantRefused):
        check_grant(MANAGER, "clerk", HALL, Person(21, "clerk", OTHER))


def test_a_manager_token_without_a_person_is_not_themselves() -> None:
    with pytest.raises(GrantRefused):
        check_grant(Grantor("manager", HALL, None), "manager", HALL, MYSELF)
    with pytest.raises(GrantRefused):
        check_grant(MANAGER, "manager", HALL, None)


def test_a_device_token_names_no_person() -> None:
    with pytest.raises(GrantRefused):
        check_grant(MANAGER, "kiosk", HALL, CLERK)


def test_a_manager_bound_to_no_hall_grants_nothing() -> None:
    with pytest.raises(GrantRefused):
        check_grant(Grantor("manager", None, 10), "kiosk", None, None)


@pytest.mark.parametrize("role", ["clerk", "kiosk", "board", "pad", "anonymous"])
def test_only_managers_and_admins_grant(role: str) -> None:
    with pytest.raises(GrantRefused):
        check_grant(Grantor(role, HALL, 20), "kiosk", HALL, None)


@pytest.mark.parametrize(
    ("role", "hall", "person"),
    [
        ("clerk", HALL, ADMIN_USER),
        ("manager", OTHER, OTHER_MANAGER),
        ("admin", None, ADMIN_USER),
        ("kiosk", OTHER, None),
    ],
)
def test_admin_grants_anything(role: str, hall: int | None, person: Person | None) -> None:
    check_grant(Grantor("admin", None, 1), role, hall, person)


def test_only_an_admin_grants_the_supervisor_role() -> None:
    supervisor = Person(30, "supervisor", HALL)
    check_grant(Grantor("admin", None, 1), "supervisor", HALL, supervisor)
    with pytest.raises(GrantRefused):
        check_grant(MANAGER, "supervisor", HALL, supervisor)
    with pytest.raises(GrantRefused):  # nor a clerk token acting as the supervisor
        check_grant(MANAGER, "clerk", HALL, supervisor)
    with pytest.raises(GrantRefused):
        check_grant(Grantor("supervisor", HALL, 30), "kiosk", HALL, None)
