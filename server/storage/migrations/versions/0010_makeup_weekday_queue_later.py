"""a 调休 workday's weekday per hall; queueing for later when no window serves a service

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 02:15:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('halls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('makeup_weekday', sa.String(length=3), nullable=True))
        batch_op.add_column(
            sa.Column('queue_when_unserved', sa.Boolean(), server_default='1', nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table('halls', schema=None) as batch_op:
        batch_op.drop_column('queue_when_unserved')
        batch_op.drop_column('makeup_weekday')
