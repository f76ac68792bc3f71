"""retention: per-round retention of free text and individual responses, and what is kept after

Revision ID: 9e4b2d7c5a18
Revises: 3b7d1f5a9c62
Create Date: 2026-12-14 10:00:00

Rounds closed before this keep the time they were closed from the audit trail (their last
"round.closed" or "round.paper_entry_ended" event), else their closing date.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '9e4b2d7c5a18'
down_revision = '3b7d1f5a9c62'
branch_labels = None
depends_on = None

_COLUMNS = (
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('free_text_months', sa.Integer(), server_default='12', nullable=False),
    sa.Column('responses_months', sa.Integer(), server_default='36', nullable=False),
    sa.Column('retention_confirmed_on', sa.Date(), nullable=True),
    sa.Column('free_text_purged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('responses_purged_at', sa.DateTime(timezone=True), nullable=True),
)


def upgrade():
    for column in _COLUMNS:
        op.add_column('rounds', column)
    op.create_table(
        'retained_sums',
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('village_id', sa.Integer(), nullable=False),
        sa.Column('sums', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_retained_sums_round_id_rounds')),
        sa.ForeignKeyConstraint(['village_id'], ['villages.id'], name=op.f('fk_retained_sums_village_id_villages')),
        sa.PrimaryKeyConstraint('round_id', 'village_id', name=op.f('pk_retained_sums')),
    )
    op.execute(
        "UPDATE rounds SET closed_at = (SELECT max(e.occurred_at) FROM audit_events e"
        " WHERE e.object_type = 'round' AND e.object_id = CAST(rounds.id AS VARCHAR(64))"
        " AND e.action IN ('round.closed', 'round.paper_entry_ended')) WHERE status = 'closed'"
    )


def downgrade():
    op.drop_table('retained_sums')
    for column in reversed(_COLUMNS):
        op.execute(f'ALTER TABLE rounds DROP COLUMN {column.name}')
