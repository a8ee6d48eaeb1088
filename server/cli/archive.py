"""`hallq archive`: move closed days' events and print jobs out of the hot tables
(server/services/archive.py does the work; domain/retention.py decides which days)."""

from __future__ import annotations

from datetime import date
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
        "hallq archive --dry-run                       # what would move, changing nothing",
        "hallq archive                                 # days older than HALLQ_ARCHIVE_AFTER_DAYS (62)",
        "hallq archive --before 2026-01-01             # only days before 2026 (never today)",
        "HALLQ_ARCHIVE_AFTER_DAYS=31 hallq archive     # keep one month hot",
    )
)
@click.option(
    "--before",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Only days before this one (YYYY-MM-DD); the policy's hot window still stays.",
)
@click.option("--dry-run", is_flag=True, help="Count what would move; change nothing.")
@database_option
@click.pass_obj
def archive(obj: dict[str, Any], before: Any, dry_run: bool) -> None:
    """Move closed days' events and print jobs to the archive tables, one hall-day per
    transaction (stop it any time; running it again goes on where it stopped). Reports still
    read the archived days."""
    from ..domain.retention import Policy
    from ..services import archive as service
    from ..services.core.context import Context
    from ..storage.db import Database

    require_database(obj)
    settings = load_settings(obj)
    try:
        policy = Policy(int(settings["ARCHIVE_AFTER_DAYS"]))
    except (TypeError, ValueError) as err:
        raise UserError(f"HALLQ_ARCHIVE_AFTER_DAYS must be a whole number of days, 0 or more: {err}") from err
    until: date | None = before.date() if before is not None else None
    # the database alone (no web app to build: that costs seconds and nothing here needs it)
    ctx = Context(db=Database(settings["DATABASE_URL"]))
    try:
        with progress_bar("counting" if dry_run else "archiving") as bar:
            moved = service.run(ctx, policy, until, dry_run=dry_run, progress=progress_callback(bar))
    finally:
        ctx.db.dispose()
    verb = "would move" if dry_run else "moved"
    click.echo(
        f"{verb} {moved.events:,} events and {moved.print_jobs:,} print jobs of {moved.days:,} hall-days "
        f"(keeping {policy.archive_after_days} days hot)"
        + (f"; {moved.held} closed days stay hot for open complaints" if moved.held else "")
    )


COMMANDS = [archive]
