"""`hallq backup` and `hallq restore` (server/storage/backup.py does the work)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import click

from .base import (
    UserError,
    database_option,
    examples,
    load_settings,
    progress_bar,
    progress_callback,
    require_database,
)


@click.command(
    epilog=examples(
        "hallq backup                                  # ./hallq-YYYYMMDD-HHMMSS.sqlite3 of ./hallq.db",
        "hallq backup --out /srv/backup/hall.sqlite3",
        "HALLQ_DATABASE_URL=postgresql://hallq@db/hallq hallq backup   # pg_dump, custom format",
    )
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="The file to write (never overwritten)."
)
@database_option
@click.pass_obj
def backup(obj: dict[str, Any], out: Path | None) -> None:
    """A consistent copy of the whole database, taken while the hall runs."""
    from ..storage import backup as store

    require_database(obj)
    url = load_settings(obj)["DATABASE_URL"]
    try:
        target = out or Path(store.default_name(url, datetime.now().strftime("%Y%m%d-%H%M%S")))
        with progress_bar("backing up") as bar:
            result = store.backup(url, target, progress_callback(bar))
    except store.BackupError as err:
        raise UserError(str(err)) from err
    click.echo(f"backup of schema {result.revision} written to {result.path} ({result.size:,} bytes)")


@click.command(
    epilog=examples(
        "hallq restore hallq-20261201-180000.sqlite3 --yes",
        "HALLQ_DATABASE_URL=postgresql://hallq@db/hallq hallq restore hall.pgdump",
    )
)
@click.argument("src", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace the database without asking.")
@database_option
@click.pass_obj
def restore(obj: dict[str, Any], src: Path, yes: bool) -> None:
    """Replace the database with a backup (all of it or nothing); then run `hallq db upgrade`."""
    from ..storage import backup as store

    url = load_settings(obj)["DATABASE_URL"]
    if not yes:
        click.confirm(f"Replace everything in {url} with {src}?", abort=True, err=True)
    try:
        with progress_bar("restoring") as bar:
            result = store.restore(url, src, progress_callback(bar))
    except store.BackupError as err:
        raise UserError(str(err)) from err
    click.echo(f"restored {src} (schema {result.revision}); run `hallq db upgrade` if this code is newer")


COMMANDS = [backup, restore]
