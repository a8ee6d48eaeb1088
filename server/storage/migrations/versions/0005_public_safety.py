"""public safety: public pause phrases, session epochs, login throttling, notice page tokens

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 20:05:00
"""
import secrets

from alembic import op
import sqlalchemy as sa
import server.storage.types


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('halls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_pause_reasons', sa.JSON(), nullable=True))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_epoch', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('locked_until', server.storage.types.UTCDateTime(), nullable=True))
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token', sa.String(length=24), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_notices_token'), ['token'])
    # notices printed before this revision get a page token too (their QR still carries the code,
    # which the kiosk keeps accepting)
    conn = op.get_bind()
    notices = sa.table('notices', sa.column('id', sa.Integer), sa.column('token', sa.String))
    for (nid,) in conn.execute(sa.select(notices.c.id).where(notices.c.token.is_(None))).all():
        conn.execute(
            notices.update().where(notices.c.id == nid).values(token=secrets.token_urlsafe(12))
        )


def downgrade() -> None:
    with op.batch_alter_table('notices', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_notices_token'), type_='unique')
        batch_op.drop_column('token')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')
        batch_op.drop_column('session_epoch')
    with op.batch_alter_table('halls', schema=None) as batch_op:
        batch_op.drop_column('public_pause_reasons')
