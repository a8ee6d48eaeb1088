"""`hallq archive`: a dry run counts and changes nothing; a run shows its progress, moves the
closed days the policy (HALLQ_ARCHIVE_AFTER_DAYS) allows, and a second run moves nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from server.cli import main
from server.demo_history import seed_demo_month
from server.storage.models import Event, EventArchive


def _counts(ctx):
    with ctx.db.read() as s:
        return (
            s.scalar(select(func.count()).select_from(Event)),
            s.scalar(select(func.count()).select_from(EventArchive)),
        )


def test_dry_run_changes_nothing_and_a_run_moves_the_closed_days(
    ctx, database_url, clock, capsys, monkeypatch
):
    clock.now = datetime(2026, 11, 27, 1, 30, tzinfo=UTC)
    seed_demo_month(ctx, days=5, scale=0.2, seed=5)  # 22–26 November 2026
    hot, archived = _counts(ctx)
    assert hot > 0 and archived == 0
    monkeypatch.setenv("HALLQ_ARCHIVE_AFTER_DAYS", "0")  # only today stays (the real today, later)
    url = ["--database-url", database_url]

    assert main([*url, "archive", "--dry-run", "--before", "2026-11-25"]) == 0
    out = capsys.readouterr()
    assert "counting" in out.err, "progress goes to stderr"
    assert out.out.startswith("would move ") and " events " in out.out
    would = int(out.out.split()[2].replace(",", ""))
    assert 0 < would < hot
    assert _counts(ctx) == (hot, 0), "a dry run changes nothing"

    assert main([*url, "archive", "--before", "2026-11-25"]) == 0
    out = capsys.readouterr()
    assert "archiving" in out.err and out.out.startswith(f"moved {would:,} events ")
    assert _counts(ctx) == (hot - would, would)

    assert main([*url, "archive"]) == 0
    left, moved = _counts(ctx)
    assert left + moved == hot and moved > would
    if left:  # the days of follow-ups still open stay hot, and the run says so
        assert "stay hot for open complaints" in capsys.readouterr().out
    assert main([*url, "archive"]) == 0
    assert capsys.readouterr().out.startswith("moved 0 events and 0 print jobs of 0 hall-days")


def test_a_bad_policy_is_one_line(ctx, database_url, capsys, monkeypatch):
    monkeypatch.setenv("HALLQ_ARCHIVE_AFTER_DAYS", "-3")
    assert main(["--database-url", database_url, "archive"]) == 2
    assert "HALLQ_ARCHIVE_AFTER_DAYS" in capsys.readouterr().err
