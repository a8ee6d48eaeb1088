"""archive tables for closed days, and the indexes the reports need

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 05:30:00

`hallq archive` (server/services/archive.py) moves closed days' events and finished print jobs
into `events_archive` and `print_jobs_archive`, same columns and ids; tickets stay hot (the
register every accountable record points at). Reports read both (server/storage/archive.py).

Indexes, and the query each serves (EXPLAIN on PostgreSQL: /work/notes/perf-archive.md):

* ix_events_ticket (events.ticket_id): the month evaluation's join of ticket events to the
  month's tickets (services/core/evaluation_rows.py), a complaint's evidence (the ticket's
  events, core/followups.py), the clerk of a no-show (services/tickets.py), the appraisal's
  "flagged repeat trip" check. Before it, each of these read every event of the hall.
* ix_events_hall_at (events.hall_id, at): the audit log of one day, the month evaluation's
  ticket events (it now also bounds them by time, so an archived month reads only its own
  span of the archive), the simulation's learned history, and the archive's selection of one
  hall-day.
* ix_events_trips (events.hall_id, at WHERE type = 'trip.repeated'): the repeat trips of a
  month (evaluation, appraisal, figures). Partial: other events never write to it. On 1.5 M
  events the month's trips went from a scan of the month's 180 000 events (140 ms) to an
  index scan of its 80 flags.
* ix_print_jobs_ticket (print_jobs.ticket_id): a ticket's latest slip — the phone page and the
  ticket view it polls (`ticket_print_state`: a scan of every print job without it, 321 ms at
  1 M tickets), and the kiosk's reprint.
* ix_print_jobs_hall_created (print_jobs.hall_id, created_at): the archive's hall-day.
* ix_print_jobs_reprints (print_jobs.reprint_of_id WHERE NOT NULL): deleting a print job checks
  the self foreign key reprint_of_id; PostgreSQL does not index a referencing column, so each
  deleted job scanned the table (500 jobs of 300 000: over 20 s; with it, a few ms).
* ix_cases_hall_accepted (cases.hall_id, accepted_day): the evaluation's month of cases.
* ix_notices_hall_created (notices.hall_id, created_at): the evaluation's month of notices.
* The archive tables carry the same ticket / (hall_id, at) indexes, and events_archive keeps
  (hall_id, seq) unique like events.
"""
from alembic import op
import sqlalchemy as sa

from server.storage.types import UTCDateTime


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

EVENT_COLUMNS = (
    'id', 'hall_id', 'seq', 'type', 'at', 'actor_user_id', 'actor_role', 'window_id', 'ticket_id', 'data',
)
#: a partial index: only the repeat-trip flags (a handful among millions of events)
TRIPS_ONLY = {
    'postgresql_where': sa.text("type = 'trip.repeated'"),
    'sqlite_where': sa.text("type = 'trip.repeated'"),
}
PRINT_JOB_COLUMNS = (
    'id', 'public_id', 'hall_id', 'printer_id', 'ticket_id', 'kind', 'slip', 'status', 'attempts',
    'error_kind', 'error', 'reprint_of_id', 'requested_by_role', 'created_at', 'sent_at', 'finished_at',
)


def upgrade() -> None:
    op.create_table(
        'events_archive',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('hall_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('type', sa.String(length=40), nullable=False),
        sa.Column('at', UTCDateTime(), nullable=False),
        sa.Column('actor_user_id', sa.Integer(), nullable=True),
        sa.Column('actor_role', sa.String(length=16), nullable=True),
        sa.Column('window_id', sa.Integer(), nullable=True),
        sa.Column('ticket_id', sa.Integer(), nullable=True),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['actor_user_id'], ['users.id']),
        sa.ForeignKeyConstraint(['hall_id'], ['halls.id']),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id']),
        sa.ForeignKeyConstraint(['window_id'], ['windows.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('hall_id', 'seq', name='uq_events_archive_hall_seq'),
    )
    op.create_index('ix_events_archive_ticket', 'events_archive', ['ticket_id'])
    op.create_index('ix_events_archive_hall_at', 'events_archive', ['hall_id', 'at'])
    op.create_index('ix_events_archive_trips', 'events_archive', ['hall_id', 'at'], **TRIPS_ONLY)
    op.create_table(
        'print_jobs_archive',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('public_id', sa.String(length=24), nullable=False),
        sa.Column('hall_id', sa.Integer(), nullable=False),
        sa.Column('printer_id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('slip', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=8), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('error_kind', sa.String(length=16), nullable=True),
        sa.Column('error', sa.String(length=300), nullable=True),
        sa.Column('reprint_of_id', sa.Integer(), nullable=True),
        sa.Column('requested_by_role', sa.String(length=16), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('sent_at', UTCDateTime(), nullable=True),
        sa.Column('finished_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['hall_id'], ['halls.id']),
        sa.ForeignKeyConstraint(['printer_id'], ['printers.id']),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('public_id'),
    )
    op.create_index('ix_print_jobs_archive_ticket', 'print_jobs_archive', ['ticket_id'])
    op.create_index('ix_print_jobs_archive_hall_created', 'print_jobs_archive', ['hall_id', 'created_at'])
    op.create_index('ix_events_ticket', 'events', ['ticket_id'])
    op.create_index('ix_events_hall_at', 'events', ['hall_id', 'at'])
    op.create_index('ix_events_trips', 'events', ['hall_id', 'at'], **TRIPS_ONLY)
    op.create_index('ix_print_jobs_ticket', 'print_jobs', ['ticket_id'])
    op.create_index('ix_print_jobs_hall_created', 'print_jobs', ['hall_id', 'created_at'])
    op.create_index(
        'ix_print_jobs_reprints',
        'print_jobs',
        ['reprint_of_id'],
        postgresql_where=sa.text('reprint_of_id IS NOT NULL'),
        sqlite_where=sa.text('reprint_of_id IS NOT NULL'),
    )
    op.create_index('ix_cases_hall_accepted', 'cases', ['hall_id', 'accepted_day'])
    op.create_index('ix_notices_hall_created', 'notices', ['hall_id', 'created_at'])


def downgrade() -> None:
    # archived rows go back to the hot tables first: a downgrade loses no history
    for hot, archived, columns in (
        ('events', 'events_archive', EVENT_COLUMNS),
        ('print_jobs', 'print_jobs_archive', PRINT_JOB_COLUMNS),
    ):
        names = ', '.join(columns)
        op.execute(f'INSERT INTO {hot} ({names}) SELECT {names} FROM {archived}')
    op.drop_index('ix_notices_hall_created', table_name='notices')
    op.drop_index('ix_cases_hall_accepted', table_name='cases')
    op.drop_index('ix_print_jobs_reprints', table_name='print_jobs')
    op.drop_index('ix_print_jobs_hall_created', table_name='print_jobs')
    op.drop_index('ix_print_jobs_ticket', table_name='print_jobs')
    op.drop_index('ix_events_trips', table_name='events')
    op.drop_index('ix_events_hall_at', table_name='events')
    op.drop_index('ix_events_ticket', table_name='events')
    op.drop_table('print_jobs_archive')
    op.drop_table('events_archive')
