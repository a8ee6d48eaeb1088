"""Hot and archived rows read as one: the one place reports, evaluation, audit and appraisal get
`events` (and `print_jobs`) from.

`hallq archive` moves closed days' events and finished print jobs into `events_archive` and
`print_jobs_archive` with their ids and columns (server/services/archive.py). A query that may
reach back past the hot window is built once per source — `for E in event_sources(): …` — and
runs on the hot table and on the archive, each with its own indexes (ticket_id, (hall_id, at),
(hall_id, seq)); the rows are `Event` objects either way. Two plain queries rather than one
UNION ALL subquery: SQLite cannot push a join condition into a compound subquery, so a month's
evaluation joined to its tickets would read the hall's whole history there. An id lives in one
table only (the move deletes in the transaction that inserts), so nothing is counted twice.

Queries of the live hall (the queue, the print worker, a board's replay, the kiosk's reprint)
keep reading the hot tables: they never need a closed day.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar, cast

from sqlalchemy import Select, Table
from sqlalchemy.orm import Session, aliased

from .models import Event, EventArchive, PrintJob, PrintJobArchive

EVENTS = cast(Table, Event.__table__)
EVENTS_ARCHIVE = cast(Table, EventArchive.__table__)
PRINT_JOBS = cast(Table, PrintJob.__table__)
PRINT_JOBS_ARCHIVE = cast(Table, PrintJobArchive.__table__)

#: `Event` mapped onto events_archive: its rows load as Event objects
ArchivedEvent = cast(type[Event], aliased(Event, EVENTS_ARCHIVE, adapt_on_names=True))
#: `PrintJob` mapped onto print_jobs_archive
ArchivedPrintJob = cast(type[PrintJob], aliased(PrintJob, PRINT_JOBS_ARCHIVE, adapt_on_names=True))

T = TypeVar("T")


def event_sources() -> tuple[type[Event], type[Event]]:
    """The hot events, then the archived ones: build the query once per source."""
    return (Event, ArchivedEvent)


def print_job_sources() -> tuple[type[PrintJob], type[PrintJob]]:
    """The hot print jobs, then the archived ones."""
    return (PrintJob, ArchivedPrintJob)


def execute_both(s: Session, build: Callable[[type[Event]], Select[Any]]) -> list[Any]:
    """The rows of `build(E)` over hot and archived events (hot first; sort them if order matters)."""
    rows: list[Any] = []
    for source in event_sources():
        rows.extend(s.execute(build(source)).all())
    return rows


def scalars_both(s: Session, build: Callable[[type[Event]], Select[Any]]) -> list[Any]:
    """Like `execute_both`, the first column of each row (an `Event` for `select(E)`)."""
    rows: list[Any] = []
    for source in event_sources():
        rows.extend(s.scalars(build(source)).all())
    return rows


def merged(rows: Iterable[T], key: Callable[[T], Any], reverse: bool = False) -> Sequence[T]:
    """Hot and archived rows in one order (by seq, say)."""
    return sorted(rows, key=key, reverse=reverse)
