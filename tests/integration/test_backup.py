"""Backup and restore (`hallq backup`, `hallq restore`) on SQLite and PostgreSQL: a copy taken
while the hall runs brings back exactly the tickets of that moment; a file that is not a hallq
backup, or a backup that would overwrite a file, is refused with one line and changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from server.cli import main
from server.services import tickets as ts
from server.storage.models import Ticket
from tests.helpers import principal


def numbers(ctx):
    with ctx.db.read() as s:
        return sorted(s.scalars(select(Ticket.number)).all())


def test_a_restored_backup_holds_exactly_the_tickets_of_its_moment(ctx, database_url, tmp_path, capsys):
    kiosk = principal(ctx, "kiosk")
    for code in ("A", "B", "A"):
        ts.issue_ticket(ctx, kiosk, code)
    at_backup = numbers(ctx)
    out = tmp_path / "hall.backup"
    assert main(["--database-url", database_url, "backup", "--out", str(out)]) == 0
    assert "backup of schema" in capsys.readouterr().out
    assert out.stat().st_mode & 0o077 == 0, "a backup holds citizens' data: private to its owner"

    ts.issue_ticket(ctx, kiosk, "B")  # the hall goes on after the backup
    assert numbers(ctx) != at_backup
    ctx.db.dispose()
    assert main(["--database-url", database_url, "restore", str(out), "--yes"]) == 0
    assert numbers(ctx) == at_backup
    ts.issue_ticket(ctx, kiosk, "A")  # numbering goes on from the restored counters
    assert len(set(numbers(ctx))) == len(numbers(ctx)) == len(at_backup) + 1


def test_backup_never_overwrites_and_restore_takes_only_a_hallq_backup(ctx, database_url, tmp_path, capsys):
    taken = tmp_path / "taken"
    taken.write_bytes(b"keep me")
    assert main(["--database-url", database_url, "backup", "--out", str(taken)]) == 2
    assert "exists" in capsys.readouterr().err and taken.read_bytes() == b"keep me"

    before = numbers(ctx)
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a database at all")
    assert main(["--database-url", database_url, "restore", str(junk), "--yes"]) == 2
    assert "not a" in capsys.readouterr().err
    assert main(["--database-url", database_url, "restore", str(tmp_path / "missing"), "--yes"]) == 2
    assert "no backup at" in capsys.readouterr().err
    assert numbers(ctx) == before


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_sqlite_file_that_is_not_hallqs_is_refused(ctx, database_url, tmp_path, capsys):
    import sqlite3

    other = tmp_path / "other.sqlite3"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    assert main(["--database-url", database_url, "restore", str(other), "--yes"]) == 2
    assert "not a hallq backup" in capsys.readouterr().err
    assert Path(database_url.removeprefix("sqlite:///")).exists()
