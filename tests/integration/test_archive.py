"""Retention and archive (`hallq archive`, services/archive.py) on SQLite and PostgreSQL: closed
days' events and finished print jobs move to the archive tables, one hall-day per transaction;
every report reads the same figures after the move as before; a second run moves nothing; a
stopped run goes on where it stopped; today and days an open complaint reads stay hot; a board
that resyncs from an archived seq gets a snapshot.

The seeded week is played once per database (a module's template) and each test archives its own
copy of it (a SQLite file copy, or CREATE DATABASE … TEMPLATE), on a fresh app at the week's end."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from server.demo_history import seed_demo_month
from server.domain.business_day import business_day
from server.domain.retention import Policy
from server.services import appraisal, audit, evaluation, figures, halls, simulation
from server.services import archive as service
from server.services.core.followups import evidence_of
from server.storage.models import (
    Complaint,
    Event,
    EventArchive,
    Hall,
    Printer,
    PrintJob,
    PrintJobArchive,
    Ticket,
)
from tests.conftest import _fresh_postgres, _make_app
from tests.helpers import FakeClock, principal

#: 7 days of history before Friday 27 November 2026 (09:30 in the hall): 20–26 November
NOW = datetime(2026, 11, 27, 1, 30, tzinfo=UTC)
#: keeps 25 and 26 November hot; 20–24 November are archivable
POLICY = Policy(archive_after_days=2)


def _seed_week(url: str) -> None:
    """Play the week into the database at `url` (a copy of the seeded demo hall)."""
    app = _make_app(url, FakeClock(NOW))
    try:
        assert seed_demo_month(app.extensions["hallq"], days=7, scale=0.3, seed=13) > 20
    finally:
        app.extensions["hallq"].db.dispose()


@pytest.fixture(scope="module")
def week_sqlite(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeded week on SQLite, played once for this module; tests copy the file."""
    path = tmp_path_factory.mktemp("week") / "hallq.db"
    shutil.copy(sqlite_template, path)
    _seed_week(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="module")
def week_postgres(postgres_template: str) -> Iterator[str]:
    """The seeded week on PostgreSQL, played once for this module: the template of each test's
    database (dropped after the module)."""
    with contextmanager(_fresh_postgres)(postgres_template) as url:
        _seed_week(url)
        yield url.rpartition("/")[2]


@pytest.fixture(params=["sqlite", "postgres"])
def week_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """This test's own copy of the seeded week (the tests archive it)."""
    if request.param == "sqlite":
        shutil.copy(request.getfixturevalue("week_sqlite"), tmp_path / "hallq.db")
        yield f"sqlite:///{tmp_path}/hallq.db"
        return
    yield from _fresh_postgres(request.getfixturevalue("week_postgres"))


@pytest.fixture
def week(week_url: str, clock: FakeClock) -> Iterator[Any]:
    """A fresh app on this test's copy of the week, its clock at the week's end (NOW)."""
    clock.now = NOW
    app = _make_app(week_url, clock)
    yield app.extensions["hallq"]
    app.extensions["hallq"].db.dispose()


def _counts(ctx):
    with ctx.db.read() as s:
        return {
            m.__tablename__: s.scalar(select(func.count()).select_from(m))
            for m in (Event, EventArchive, PrintJob, PrintJobArchive)
        }


def _reports(ctx):
    """Every report over the seeded week, as JSON text (so equal means the same figures)."""
    manager = principal(ctx, "manager")
    out = {
        "evaluation": evaluation.evaluate(ctx, manager, "demo", "2026-11-20", "2026-11-26"),
        "by_clerk": evaluation.evaluate(ctx, manager, "demo", "2026-11-20", "2026-11-26", by="clerk"),
        "appraisal": appraisal.month_scores(ctx, manager, "demo", "2026-11"),
        "audit_day": audit.audit_page(ctx, manager, "demo", day="2026-11-23"),
        "audit_all": audit.audit_page(ctx, manager, "demo", limit=300),
        "audit_page_2": audit.audit_page(ctx, manager, "demo", limit=50, before=200),
        "figures": figures.hall_figures(ctx, manager, "demo", days=30),
        "trips": figures.repeat_trips(ctx, manager, "demo", days=30),
        "learned": repr(simulation.learned_scenario(ctx, "demo", days=30)),
    }
    with ctx.db.read() as s:
        out["evidence"] = [evidence_of(s, c) for c in s.scalars(select(Complaint).order_by(Complaint.id))]
    return json.dumps(out, sort_keys=True, default=str)


def test_reports_over_an_archived_week_are_the_same_as_before(week):
    ctx = week
    before = _reports(ctx)
    hot = _counts(ctx)

    moved = service.run(ctx, POLICY)

    after = _counts(ctx)
    assert moved.events > 0 and after["events_archive"] == moved.events
    assert after["events"] + after["events_archive"] == hot["events"]
    with ctx.db.read() as s:
        hall = s.scalar(select(Hall).where(Hall.code == "demo"))
        # events go by the day they happened (a rating or a complaint's answer may come days later)
        days = {business_day(at, "Asia/Shanghai") for at in s.scalars(select(Event.at))}
        # what stays hot: the policy's window (25, 26 Nov) and today, and days of open complaints
        open_days = set(
            s.scalars(
                select(Ticket.business_day)
                .join(Complaint, Complaint.ticket_id == Ticket.id)
                .where(Complaint.status != "answered")
            )
        )
        assert all(d >= date(2026, 11, 25) or d in open_days for d in days), days
        assert s.scalar(select(func.min(EventArchive.at))) < datetime(2026, 11, 21, tzinfo=UTC)
        assert hall.seq == s.scalar(select(func.max(Event.seq)).where(Event.hall_id == hall.id))
    assert _reports(ctx) == before, "an archived week must report the same figures"

    again = service.run(ctx, POLICY)
    assert (again.events, again.print_jobs) == (0, 0) and _counts(ctx) == after, "idempotent"


def test_a_stopped_archive_goes_on_where_it_stopped(week):
    ctx = week
    total = _counts(ctx)["events"]
    days, _ = service.plan(ctx, POLICY)
    assert len(days) >= 3 and days == sorted(days, key=lambda d: d.day)
    expected = sum(service.count_day(ctx, d)[0] for d in days)
    first, _ = service.archive_day(ctx, days[0])  # the run was stopped after its first day
    assert first > 0 and service.archive_day(ctx, days[0]) == (0, 0)
    moved = service.run(ctx, POLICY)  # started again
    assert moved.events == expected - first
    counts = _counts(ctx)
    assert counts["events_archive"] == expected and counts["events"] + expected == total
    assert service.run(ctx, POLICY).events == 0


def test_today_and_the_days_of_open_complaints_stay_hot(week):
    ctx = week
    with ctx.db.read() as s:
        c = s.scalar(select(Complaint).where(Complaint.ticket_id.is_not(None)).order_by(Complaint.id))
        assert c is not None
        ticket_day = s.get(Ticket, c.ticket_id).business_day
        ticket_id = c.ticket_id
    with ctx.db.transaction() as s:
        s.execute(update(Complaint).where(Complaint.id == c.id).values(status="open"))
    kiosk = principal(ctx, "kiosk")
    from server.services import tickets as ts

    ts.issue_ticket(ctx, kiosk, "A")  # today's ticket
    moved = service.run(ctx, Policy(0), before=date(2027, 1, 1))  # as much as may ever go
    assert moved.held >= 1
    with ctx.db.read() as s:
        hall = s.scalar(select(Hall).where(Hall.code == "demo"))
        hot_days = {business_day(at, "Asia/Shanghai") for at in s.scalars(select(Event.at))}
        assert hot_days <= {ticket_day, date(2026, 11, 27)} and date(2026, 11, 27) in hot_days
        assert s.scalar(select(func.count()).select_from(Event).where(Event.ticket_id == ticket_id)) > 0
        assert hall.seq == s.scalar(select(func.max(Event.seq)).where(Event.hall_id == hall.id))


def test_a_board_resyncing_from_an_archived_seq_gets_a_snapshot(week):
    ctx = week
    board = principal(ctx, "board")
    with ctx.db.read() as s:
        seq = s.scalar(select(Hall.seq).where(Hall.code == "demo"))
    since = seq - 5  # a board that missed the last five events (of yesterday)
    replay = halls.resync(ctx, board, "demo", since)
    assert [e["seq"] for e in replay["events"]] == list(range(since + 1, seq + 1))

    service.run(ctx, Policy(0))  # everything before today goes
    with ctx.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Event).where(Event.seq > since)) == 0
    assert "snapshot" in halls.resync(ctx, board, "demo", since), "an archived seq cannot be replayed"
    assert halls.resync(ctx, board, "demo", seq) == {"seq": seq, "events": []}

    kiosk = principal(ctx, "kiosk")
    from server.services import tickets as ts

    ts.issue_ticket(ctx, kiosk, "A")  # today goes on: today's events replay as before
    replay = halls.resync(ctx, board, "demo", seq)
    assert [e["seq"] for e in replay["events"]][0] == seq + 1


def _job(s, hall_id, printer_id, at, status, reprint_of=None):
    j = PrintJob(
        public_id=f"j{at.timestamp():.0f}{status}{reprint_of or ''}",
        hall_id=hall_id,
        printer_id=printer_id,
        kind="ticket",
        slip={"number": "A001"},
        status=status,
        attempts=1,
        reprint_of_id=reprint_of,
        created_at=at,
    )
    s.add(j)
    s.flush()
    return j.id


def test_finished_print_jobs_move_and_the_print_workers_stay(ctx, clock):
    clock.now = NOW
    old = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)  # 1 September, 10:00 in the hall
    with ctx.db.transaction() as s:
        hall = s.scalar(select(Hall).where(Hall.code == "demo"))
        printer = Printer(hall_id=hall.id, name="p", spec="file:/dev/null")
        s.add(printer)
        s.flush()
        printed = _job(s, hall.id, printer.id, old, "printed")
        failed = _job(s, hall.id, printer.id, old + timedelta(minutes=1), "failed")
        queued = _job(s, hall.id, printer.id, old + timedelta(minutes=2), "queued")
        original = _job(s, hall.id, printer.id, old + timedelta(minutes=3), "printed")
        reprint = _job(s, hall.id, printer.id, old + timedelta(minutes=4), "printed", reprint_of=original)
        kept = _job(s, hall.id, printer.id, old + timedelta(minutes=5), "printed")
        # a reprint the next day, still queued: its original must stay (a foreign key)
        _job(s, hall.id, printer.id, old + timedelta(days=1), "queued", reprint_of=kept)
    hd = service.HallDay(hall.id, "demo", date(2026, 9, 1), "Asia/Shanghai", 0)
    assert service.count_day(ctx, hd)[1] == 4
    assert service.archive_day(ctx, hd) == (0, 4)
    with ctx.db.read() as s:
        archived = set(s.scalars(select(PrintJobArchive.id)))
        hot = set(s.scalars(select(PrintJob.id)))
    assert archived == {printed, failed, original, reprint}
    assert {queued, kept} <= hot
    assert service.archive_day(ctx, hd) == (0, 0)
