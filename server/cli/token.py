"""`hallq token create`."""

from __future__ import annotations

from typing import Any

import click

from .base import database_option, examples, overrides, require_database

ROLES = ("admin", "manager", "clerk", "supervisor", "kiosk", "board", "pad")


@click.group(
    epilog=examples(
        "hallq token create --role kiosk --hall demo",
        "hallq token create --role clerk --hall demo --user clerk02 --label 'test script'",
    )
)
def token() -> None:
    """Device and script tokens."""


@token.command(
    epilog=examples(
        "hallq token create --role kiosk --hall demo   # → the kiosk page's ?token=",
        "hallq token create --role board --hall demo",
        "hallq token create --role pad --hall demo --window 3   # the rating pad of window id 3",
        "hallq token create --role clerk --hall demo --user clerk02",
        "hallq token create --role admin --label 'backup script'",
    )
)
@click.option("--role", required=True, type=click.Choice(ROLES), help="What the token may do.")
@click.option("--hall", metavar="CODE", help="Hall code (all roles but admin).")
@click.option("--user", metavar="NAME", help="The user a clerk or manager token acts as.")
@click.option("--window", "window_id", type=int, metavar="ID", help="The window a pad rates (pad only).")
@click.option("--label", help="A note to recognise the token by.")
@database_option
@click.pass_obj
def create(
    obj: dict[str, Any],
    role: str,
    hall: str | None,
    user: str | None,
    window_id: int | None,
    label: str | None,
) -> None:
    """Create a bearer token and print it (it is shown once, never stored in clear)."""
    require_database(obj)
    from .. import create_app
    from ..services.accounts import create_token

    app = create_app(overrides(obj))
    click.echo(create_token(app.extensions["hallq"], role, hall, user, label or "", window_id))


COMMANDS = [token]
