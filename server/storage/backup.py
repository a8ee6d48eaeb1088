"""`hallq backup` and `hallq restore`: a consistent copy of the whole database while the hall
runs, and the way back from one.

* SQLite: the online backup API (sqlite3's `Connection.backup`), page by page, so servers keep
  writing meanwhile (WAL); the copy is a plain SQLite file, private (0600) like the database.
* PostgreSQL: `pg_dump --format=custom` (one consistent snapshot), restored with
  `pg_restore --clean --if-exists --single-transaction`: all of it or nothing.

A restore takes only a hallq backup (it has `alembic_version`); a backup older than the code
is restored as it is and `hallq db upgrade` brings it forward. Progress goes to a callback:
(done, total) in pages for SQLite, in tables for PostgreSQL.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from .db import PRIVATE_FILE_MODE, create_private, make_private, sqlite_file

Progress = Callable[[int, int], None]

#: pages copied per step of the SQLite online backup (4 KiB pages: 4 MiB a step)
PAGES_PER_STEP = 1024
#: the first bytes of every SQLite 3 file
SQLITE_MAGIC = b"SQLite format 3\x00"
#: the first bytes of a pg_dump custom-format archive
PGDUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot be done, in words the operator can act on."""


@dataclass(frozen=True)
class Result:
    path: Path
    kind: str  # "sqlite" or "postgresql"
    size: int
    #: the schema revision the copy holds (alembic_version)
    revision: str | None


def kind_of(url: str) -> str:
    if sqlite_file(url) is not None:
        return "sqlite"
    if make_url(url).get_backend_name() == "postgresql":
        return "postgresql"
    raise BackupError(f"backup supports SQLite files and PostgreSQL, not {make_url(url).get_backend_name()}")


def default_name(url: str, stamp: str) -> str:
    return f"hallq-{stamp}.sqlite3" if kind_of(url) == "sqlite" else f"hallq-{stamp}.pgdump"


def backup(url: str, out: Path, progress: Progress | None = None) -> Result:
    """Write a consistent copy of the database at `url` to `out` (refusing to overwrite)."""
    if out.exists():
        raise BackupError(f"{out} exists: choose another file (a backup never overwrites)")
    if kind_of(url) == "sqlite":
        return _backup_sqlite(url, out, progress)
    return _backup_postgres(url, out, progress)


def restore(url: str, src: Path, progress: Progress | None = None) -> Result:
    """Replace the database at `url` with the backup `src` (all or nothing)."""
    if not src.is_file():
        raise BackupError(f"no backup at {src}")
    if kind_of(url) == "sqlite":
        return _restore_sqlite(url, src, progress)
    return _restore_postgres(url, src, progress)


# -- SQLite


def _revision_sqlite(conn: sqlite3.Connection) -> str | None:
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    return str(row[0]) if row else None


def _copy_sqlite(src: sqlite3.Connection, dst: sqlite3.Connection, progress: Progress | None) -> None:
    def step(_status: int, remaining: int, total: int) -> None:
        if progress is not None:
            progress(total - remaining, total)

    src.backup(dst, pages=PAGES_PER_STEP, progress=step)


def _backup_sqlite(url: str, out: Path, progress: Progress | None) -> Result:
    path = sqlite_file(url)
    assert path is not None
    if not path.exists():
        raise BackupError(f"no database at {path}")
    create_private(out)
    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    dst = sqlite3.connect(out)
    try:
        _copy_sqlite(src, dst, progress)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        revision = _revision_sqlite(dst)
    finally:
        dst.close()
        src.close()
    make_private(out)
    return Result(out, "sqlite", out.stat().st_size, revision)


def _restore_sqlite(url: str, src: Path, progress: Progress | None) -> Result:
    with src.open("rb") as f:
        if f.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise BackupError(f"{src} is not a SQLite backup")
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    try:
        revision = _revision_sqlite(source)
        if revision is None:
            raise BackupError(f"{src} is not a hallq backup (no alembic_version table)")
        path = sqlite_file(url)
        assert path is not None
        create_private(path)
        target = sqlite3.connect(path, timeout=30)
        try:
            _copy_sqlite(source, target, progress)  # replaces every page, under SQLite's own lock
        finally:
            target.close()
    finally:
        source.close()
    make_private(path)
    return Result(path, "sqlite", path.stat().st_size, revision)


# -- PostgreSQL


def _libpq(url: str) -> str:
    """The URL as libpq reads it (no SQLAlchemy driver suffix)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} not found: install PostgreSQL's client tools (apt-get install postgresql-client)"
        )
    return found


def _tables(url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            n = conn.execute(
                text("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()")
            ).scalar_one()
            return int(n)
    finally:
        engine.dispose()


def _revision_pg(url: str) -> str | None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import DBAPIError

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:
        return None
    finally:
        engine.dispose()


_TABLE_LINE = re.compile(r"(dumping contents of table|processing data for table)")


def _run_counting(cmd: list[str], total: int, progress: Progress | None) -> None:
    """Run a pg tool with --verbose, counting the tables it reports as progress."""
    done = 0
    lines: list[str] = []
    with subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) as proc:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line.rstrip())
            if _TABLE_LINE.search(line):
                done += 1
                if progress is not None:
                    progress(min(done, total), total)
        code = proc.wait()
    if code != 0:
        errors = [x for x in lines if "error" in x.lower()] or lines[-3:]
        raise BackupError(f"{Path(cmd[0]).name} failed: " + " | ".join(errors[-3:]))
    if progress is not None:
        progress(total, total)


def _backup_postgres(url: str, out: Path, progress: Progress | None) -> Result:
    revision = _revision_pg(url)
    if revision is None:
        raise BackupError("the database has no hallq tables (alembic_version): nothing to back up")
    total = _tables(url)
    create_private(out)
    try:
        _run_counting(
            [_tool("pg_dump"), "--format=custom", "--no-owner", "--verbose", "--file", str(out), _libpq(url)],
            total,
            progress,
        )
    except BackupError:
        out.unlink(missing_ok=True)
        raise
    out.chmod(PRIVATE_FILE_MODE)
    return Result(out, "postgresql", out.stat().st_size, revision)


def _restore_postgres(url: str, src: Path, progress: Progress | None) -> Result:
    with src.open("rb") as f:
        if f.read(len(PGDUMP_MAGIC)) != PGDUMP_MAGIC:
            raise BackupError(f"{src} is not a pg_dump backup (hallq backup of a PostgreSQL database)")
    listing = subprocess.run(
        [_tool("pg_restore"), "--list", str(src)], capture_output=True, text=True, check=False
    )
    if listing.returncode != 0 or " alembic_version " not in listing.stdout:
        raise BackupError(f"{src} is not a hallq backup (no alembic_version table)")
    total = sum(1 for line in listing.stdout.splitlines() if " TABLE DATA " in line)
    _run_counting(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--verbose",
            "--dbname",
            _libpq(url),
            str(src),
        ],
        total,
        progress,
    )
    return Result(src, "postgresql", src.stat().st_size, _revision_pg(url))
