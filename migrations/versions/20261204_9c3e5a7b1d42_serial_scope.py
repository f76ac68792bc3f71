"""serials unique per village or across the round, a round setting enforced by one constraint

Revision ID: 9c3e5a7b1d42
Revises: 7b2e4d9f1a60
Create Date: 2026-12-04 09:00:00

Villages that number their own paper forms from 001 collided when serials had to be unique
across the round. ``rounds.serial_scope`` chooses ("village", the default for new rounds, or
"round"); ``paper_forms.serial_scope_id`` holds the village's id or 0, and the unique
constraint on (round, serial_scope_id, serial) enforces whichever was chosen. Existing rounds
keep the round-wide rule they were keyed under (their forms get 0), so nothing keyed changes
meaning halfway through a round.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9c3e5a7b1d42'
down_revision = '7b2e4d9f1a60'
branch_labels = None
depends_on = None

SERIAL_SCOPE = sa.Enum('village', 'round', name='serialscope', native_enum=False, create_constraint=True, length=20)


def upgrade():
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('serial_scope', SERIAL_SCOPE, server_default='village', nullable=False))
    op.execute("UPDATE rounds SET serial_scope = 'round'")  # as they were keyed
    with op.batch_alter_table('paper_forms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('serial_scope_id', sa.Integer(), server_default='0', nullable=False))
        batch_op.drop_constraint('uq_paper_forms_round_serial', type_='unique')
        batch_op.create_unique_constraint('uq_paper_forms_round_scope_serial',
                                          ['round_id', 'serial_scope_id', 'serial'])


def downgrade():
    # Refused by the database if two villages of one round now share a serial: say so
    # rather than drop forms (the downgrade command asks for that risk to be named).
    with op.batch_alter_table('paper_forms', schema=None) as batch_op:
        batch_op.drop_constraint('uq_paper_forms_round_scope_serial', type_='unique')
        batch_op.create_unique_constraint('uq_paper_forms_round_serial', ['round_id', 'serial'])
        batch_op.drop_column('serial_scope_id')
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_rounds_serialscope'), type_='check')
        batch_op.drop_column('serial_scope')
