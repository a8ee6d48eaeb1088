"""`hallq db upgrade`."""

from __future__ import annotations

from typing import Any

import click

from .base import database_option, examples, load_settings


@click.group(
    epilog=examples(
        "hallq db upgrade                              # ./hallq.db, created if missing",
        "hallq --database-url postgresql://hallq@db/hallq db upgrade",
    )
)
def db() -> None:
    """Database schema."""


@db.command(
    epilog=examples(
        "hallq db upgrade",
        "hallq db upgrade --database-url sqlite:////var/lib/hallq/hallq.db",
        "HALLQ_DATABASE_URL=postgresql://hallq@db/hallq hallq db upgrade",
    )
)
@database_option
@click.pass_obj
def upgrade(obj: dict[str, Any]) -> None:
    """Create or upgrade the tables (Alembic)."""
    from ..storage.migrate import upgrade as migrate

    settings = load_settings(obj)
    migrate(settings["DATABASE_URL"])
    click.echo(f"database at {settings['DATABASE_URL']} is up to date")


COMMANDS = [db]
