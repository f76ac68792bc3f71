"""covering index for the progress dashboard's per-village counts

Revision ID: b3c1d2e4f5a6
Revises: f57658468a21
Create Date: 2026-11-23 16:20:00

It replaces ix_responses_round_village, whose columns it starts with, so inserts keep
maintaining one index on these columns, not two.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b3c1d2e4f5a6'
down_revision = 'f57658468a21'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.create_index('ix_responses_progress', ['round_id', 'village_id', 'deleted_at', 'mode',
                                                        'duration_s', 'submitted_at'], unique=False)
        batch_op.drop_index('ix_responses_round_village')


def downgrade():
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.create_index('ix_responses_round_village', ['round_id', 'village_id'], unique=False)
        batch_op.drop_index('ix_responses_progress')
