"""printed serials: serials reserved when paper forms are printed

Revision ID: 3a6c9e1d5b48
Revises: 8d4b1f2e6a07
Create Date: 2026-12-07 10:00:00

Printed questionnaires carry pre-printed serials ("<village code>-<running number>"). They are
reserved here as they are printed, so two print runs never hand out the same serial, and the
entry screen can tell a printed form not yet keyed from a serial it does not know.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '3a6c9e1d5b48'
down_revision = '8d4b1f2e6a07'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'printed_serials',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('village_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('serial', sa.String(length=32), nullable=False),
        sa.Column('printed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('printed_by', sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_printed_serials_round_id_rounds')),
        sa.ForeignKeyConstraint(['village_id'], ['villages.id'], name=op.f('fk_printed_serials_village_id_villages')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_printed_serials')),
        sa.UniqueConstraint('round_id', 'serial', name='uq_printed_serials_round_serial'),
        sa.UniqueConstraint('round_id', 'village_id', 'number', name='uq_printed_serials_running_number'),
    )


def downgrade():
    op.drop_table('printed_serials')
