"""Retention and archive (`hallq archive`): closed days' events and print jobs leave the hot
tables, and stay readable for reports.

What moves, and why tickets stay:

* `events` (the seq log: board replay, audit, evaluation, appraisal) and `print_jobs` (the
  slips) grow with every action and are read by the live hall only for the current day. A
  closed day's rows move to `events_archive` / `print_jobs_archive`, same columns and ids.
* `tickets` stay hot. They are the register of record: cases, ratings, complaints, notices,
  transfers, appraisal records, escalations, bookings and events all point at a ticket by
  foreign key, and the citizen's phone page finds it by its public id. Moving them would mean
  dropping those foreign keys (or moving every accountable record along), on SQLite and
  PostgreSQL alike. The live hall's ticket queries go by (hall_id, business_day, status) or
  (window_id, status), so the table's size barely matters to them (bench/data_queries.py
  measures it at 1, 2.5 and 5 M tickets).

The rule of which days may go is the domain's (domain/retention.py): closed (before the hall's
today), older than HALLQ_ARCHIVE_AFTER_DAYS (default 62: this month and the last stay hot),
never a day whose ticket has a complaint still open (its evidence is read from the ticket's
events). Cases and bookings read neither events nor print jobs, so they hold nothing back.

One hall-day per transaction: INSERT … SELECT into the archive, then DELETE from the hot table,
by the (hall_id, at) / (hall_id, created_at) indexes. So a run can be stopped at any time and
started again (a committed day is done; the interrupted one rolled back), it never holds a lock
for longer than one day's rows, and a second run finds nothing left to move. Print jobs still
queued or being sent stay (the print worker owns them), and so does a finished job that a
staying reprint points at (`reprint_of_id`).

Reading: server/storage/archive.py runs the report queries over both tables. A board that
resyncs with a seq whose day was archived gets a snapshot (core/events.events_since sees the
gap). A reprint of an archived day's slip is no longer offered (the kiosk reprints today's).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import ColumnElement, and_, delete, func, insert, select
from sqlalchemy.orm import Session

from ..domain import retention as rules
from ..domain.business_day import business_day
from ..storage.archive import EVENTS, EVENTS_ARCHIVE, PRINT_JOBS, PRINT_JOBS_ARCHIVE
from ..storage.models import Complaint, Hall, Ticket
from .core.context import Context

Progress = Callable[[int, int], None]

#: print jobs in these states are done with; the others still belong to the print worker
FINISHED = ("printed", "failed")


@dataclass(frozen=True)
class HallDay:
    """One closed day of one hall: the unit the archive moves in one transaction."""

    hall_id: int
    hall: str
    day: date
    timezone: str
    rollover_hour: int

    def bounds(self) -> tuple[datetime, datetime]:
        start, end = rules.day_bounds(self.day, self.timezone, self.rollover_hour)
        return start.astimezone(UTC), end.astimezone(UTC)


@dataclass
class Moved:
    """What a run moved (or, with dry_run, would move)."""

    days: int = 0
    events: int = 0
    print_jobs: int = 0
    #: closed days an open complaint keeps hot this time
    held: int = 0


def _first_hot_day(s: Session, hall: Hall) -> date | None:
    firsts = [
        s.scalar(select(func.min(EVENTS.c.at)).where(EVENTS.c.hall_id == hall.id)),
        s.scalar(select(func.min(PRINT_JOBS.c.created_at)).where(PRINT_JOBS.c.hall_id == hall.id)),
    ]
    days = [business_day(at, hall.timezone, hall.rollover_hour) for at in firsts if at is not None]
    return min(days, default=None)


def _held_days(s: Session, hall: Hall) -> set[date]:
    """Days whose ticket an open complaint (being verified or answered) still reads."""
    return set(
        s.scalars(
            select(Ticket.business_day)
            .join(Complaint, Complaint.ticket_id == Ticket.id)
            .where(Complaint.hall_id == hall.id, Complaint.status != "answered")
            .distinct()
        )
    )


def plan(ctx: Context, policy: rules.Policy, before: date | None = None) -> tuple[list[HallDay], int]:
    """The hall-days the archive may move now, oldest first per hall, and how many closed days
    open complaints hold back."""
    now = ctx.clock()
    out: list[HallDay] = []
    held_back = 0
    with ctx.db.read() as s:
        for hall in s.scalars(select(Hall).order_by(Hall.id)):
            today = business_day(now, hall.timezone, hall.rollover_hour)
            first = _first_hot_day(s, hall)
            held = _held_days(s, hall)
            days = rules.archivable_days(first, today, policy, held, before)
            if first is not None:
                last = rules.cutoff(today, policy, before)
                held_back += sum(1 for d in held if first <= d < last)
            out += [HallDay(hall.id, hall.code, d, hall.timezone, hall.rollover_hour) for d in days]
    return out, held_back


def _events_of(hd: HallDay) -> ColumnElement[bool]:
    lo, hi = hd.bounds()
    return and_(EVENTS.c.hall_id == hd.hall_id, EVENTS.c.at >= lo, EVENTS.c.at < hi)


def _movable_jobs(s: Session, hd: HallDay) -> list[int]:
    """The day's finished print jobs that no staying job points at as its original."""
    lo, hi = hd.bounds()
    rows = s.execute(
        select(PRINT_JOBS.c.id, PRINT_JOBS.c.status).where(
            PRINT_JOBS.c.hall_id == hd.hall_id, PRINT_JOBS.c.created_at >= lo, PRINT_JOBS.c.created_at < hi
        )
    ).all()
    movable = {i for i, status in rows if status in FINISHED}
    while movable:
        # a reprint (of a later day, or still queued) keeps its original hot: reprint_of_id is a
        # foreign key of print_jobs; the chain may be long, so repeat until nothing changes
        kept = set(
            s.scalars(
                select(PRINT_JOBS.c.reprint_of_id).where(
                    PRINT_JOBS.c.reprint_of_id.in_(movable), PRINT_JOBS.c.id.not_in(movable)
                )
            )
        )
        if not kept:
            break
        movable -= kept
    return sorted(movable)


def count_day(ctx: Context, hd: HallDay) -> tuple[int, int]:
    """(events, print jobs) the archive would move of this hall-day."""
    with ctx.db.read() as s:
        events = s.scalar(select(func.count()).select_from(EVENTS).where(_events_of(hd))) or 0
        return events, len(_movable_jobs(s, hd))


def archive_day(ctx: Context, hd: HallDay) -> tuple[int, int]:
    """Move one hall-day's events and finished print jobs to the archive, in one transaction;
    (events, print jobs) moved. Running it again moves nothing."""
    columns = [c.name for c in EVENTS.columns]
    job_columns = [c.name for c in PRINT_JOBS.columns]
    with ctx.db.transaction() as s:
        conn = s.connection()
        where = _events_of(hd)
        # closed days get no new events (events are written at `now`), so the two statements
        # see the same rows
        conn.execute(
            insert(EVENTS_ARCHIVE).from_select(columns, select(*(EVENTS.c[n] for n in columns)).where(where))
        )
        events = conn.execute(delete(EVENTS).where(where)).rowcount or 0
        jobs = _movable_jobs(s, hd)
        # newest first: a reprint (higher id) leaves before its original, so the foreign key
        # reprint_of_id → print_jobs.id holds after every statement
        newest_first = jobs[::-1]
        for i in range(0, len(newest_first), 500):
            chunk = newest_first[i : i + 500]
            conn.execute(
                insert(PRINT_JOBS_ARCHIVE).from_select(
                    job_columns,
                    select(*(PRINT_JOBS.c[n] for n in job_columns)).where(PRINT_JOBS.c.id.in_(chunk)),
                )
            )
            conn.execute(delete(PRINT_JOBS).where(PRINT_JOBS.c.id.in_(chunk)))
    return events, len(jobs)


def run(
    ctx: Context,
    policy: rules.Policy,
    before: date | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> Moved:
    """Archive every hall-day the policy allows, one transaction each, reporting progress as
    (days done, days to do). With `dry_run` it only counts what would move."""
    days, held = plan(ctx, policy, before)
    moved = Moved(held=held)
    if progress:
        progress(0, len(days))
    for n, hd in enumerate(days, 1):
        events, jobs = count_day(ctx, hd) if dry_run else archive_day(ctx, hd)
        moved.events += events
        moved.print_jobs += jobs
        moved.days += 1 if events or jobs else 0
        if progress:
            progress(n, len(days))
    return moved
