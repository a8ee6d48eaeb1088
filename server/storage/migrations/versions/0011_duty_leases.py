"""duty leases: background duties run once across server processes

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 02:30:00
"""
from alembic import op
import sqlalchemy as sa

from server.storage.types import UTCDateTime


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'duty_leases',
        sa.Column('duty', sa.String(length=32), nullable=False),
        sa.Column('holder', sa.String(length=200), nullable=False),
        sa.Column('pid', sa.Integer(), nullable=False),
        sa.Column('since', UTCDateTime(), nullable=False),
        sa.Column('expires_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('duty'),
    )


def downgrade() -> None:
    op.drop_table('duty_leases')
