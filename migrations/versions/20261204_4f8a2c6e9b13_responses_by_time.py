"""an index for the submissions table: a round's responses by time

Revision ID: 4f8a2c6e9b13
Revises: 9c3e5a7b1d42
Create Date: 2026-12-04 10:00:00

The submissions table shows a round's responses newest first, 50 a page, filtered. Without
an index on (round, time) every page sorted the whole round (257,000 rows at the province
shape) to keep fifty.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '4f8a2c6e9b13'
down_revision = '9c3e5a7b1d42'
branch_labels = None
depends_on = None


def upgrade():
    # Not in a batch: on SQLite a batch may copy the table, and the table's triggers with it gone.
    op.create_index('ix_responses_round_submitted', 'responses', ['round_id', 'submitted_at'], unique=False)


def downgrade():
    op.drop_index('ix_responses_round_submitted', table_name='responses')
