"""Alembic, driven from code: `hallq db upgrade` and the test fixtures call `upgrade`."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser interpolation: a literal % in a URL (escaped passwords) must be doubled.
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` to `revision` (creating the tables on an empty one)."""
    from .db import create_private, sqlite_file

    path = sqlite_file(url)
    if path is not None:
        create_private(path)  # a new SQLite file is private (0600) from its first byte
    command.upgrade(alembic_config(url), revision)
