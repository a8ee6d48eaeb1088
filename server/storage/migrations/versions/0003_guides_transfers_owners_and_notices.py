"""guides, transfers, owners and notices

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 10:16:39.701055
"""
from alembic import op
import sqlalchemy as sa
import server.storage.types


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


# gives SQLite's unnamed unique constraint of 0001 a name batch mode can drop
_NAMES = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def upgrade() -> None:
    op.create_table('notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=False),
    sa.Column('hall_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('missing', sa.JSON(), nullable=False),
    sa.Column('note', sa.String(length=1000), nullable=True),
    sa.Column('by_user_id', sa.Integer(), nullable=True),
    sa.Column('window_id', sa.Integer(), nullable=True),
    sa.Column('citizen_key', sa.String(length=64), nullable=True),
    sa.Column('previous_id', sa.Integer(), nullable=True),
    sa.Column('created_at', server.storage.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['by_user_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['hall_id'], ['halls.id'], ),
    sa.ForeignKeyConstraint(['previous_id'], ['notices.id'], ),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ),
    sa.ForeignKeyConstraint(['window_id'], ['windows.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.create_table('ticket_transfers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('hall_id', sa.Integer(), nullable=False),
    sa.Column('from_service_id', sa.Integer(), nullable=False),
    sa.Column('to_service_id', sa.Integer(), nullable=False),
    sa.Column('from_window_id', sa.Integer(), nullable=True),
    sa.Column('to_window_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('by_user_id', sa.Integer(), nullable=True),
    sa.Column('overridden', sa.Boolean(), nullable=False),
    sa.Column('at', server.storage.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['by_user_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['from_service_id'], ['services.id'], ),
    sa.ForeignKeyConstraint(['from_window_id'], ['windows.id'], ),
    sa.ForeignKeyConstraint(['hall_id'], ['halls.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], ),
    sa.ForeignKeyConstraint(['to_service_id'], ['services.id'], ),
    sa.ForeignKeyConstraint(['to_window_id'], ['windows.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ticket_transfers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_transfers_ticket_id'), ['ticket_id'], unique=False)

    with op.batch_alter_table('printers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('window_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_printers_window_id', 'windows', ['window_id'], ['id'])

    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.add_column(sa.Column('guide', sa.JSON(), nullable=True))

    # numbers stay unique per *numbering* service: a transferred ticket keeps its number
    op.add_column('tickets', sa.Column('counter_service_id', sa.Integer(), nullable=True))
    op.execute('UPDATE tickets SET counter_service_id = service_id')
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_constraint('tickets_service_id_business_day_counter_key', 'tickets', type_='unique')
    with op.batch_alter_table('tickets', schema=None, naming_convention=_NAMES) as batch_op:
        if op.get_bind().dialect.name != 'postgresql':
            batch_op.drop_constraint('uq_tickets_service_id', type_='unique')
        batch_op.alter_column('counter_service_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key('fk_tickets_counter_service_id', 'services', ['counter_service_id'], ['id'])
        batch_op.create_unique_constraint('uq_tickets_number', ['counter_service_id', 'business_day', 'counter'])

    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('notice_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_tickets_notice_id', 'notices', ['notice_id'], ['id'])
        batch_op.create_foreign_key('fk_tickets_owner_id', 'users', ['owner_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_constraint('fk_tickets_owner_id', type_='foreignkey')
        batch_op.drop_constraint('fk_tickets_notice_id', type_='foreignkey')
        batch_op.drop_column('notice_id')
        batch_op.drop_column('owner_id')
        batch_op.drop_constraint('uq_tickets_number', type_='unique')
        batch_op.drop_constraint('fk_tickets_counter_service_id', type_='foreignkey')
        batch_op.drop_column('counter_service_id')
        # the names 0001 ended up with on each database
        name = 'tickets_service_id_business_day_counter_key'
        if op.get_bind().dialect.name != 'postgresql':
            name = 'uq_tickets_service_id'
        batch_op.create_unique_constraint(name, ['service_id', 'business_day', 'counter'])

    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.drop_column('guide')

    with op.batch_alter_table('printers', schema=None) as batch_op:
        batch_op.drop_constraint('fk_printers_window_id', type_='foreignkey')
        batch_op.drop_column('window_id')

    with op.batch_alter_table('ticket_transfers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_transfers_ticket_id'))

    op.drop_table('ticket_transfers')
    op.drop_table('notices')
