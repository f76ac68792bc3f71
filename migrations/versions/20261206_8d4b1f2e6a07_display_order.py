"""display order: the order of questions and options a response was shown, where drawn

Revision ID: 8d4b1f2e6a07
Revises: 2d8b6f4a1c95
Create Date: 2026-12-06 10:00:00

A questionnaire may show a section's questions or a question's options in an order drawn
for each response, to spread order effects; the order shown is stored with the response so
they can be studied. Existing responses were shown the file's order: NULL.
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '8d4b1f2e6a07'
down_revision = '2d8b6f4a1c95'
branch_labels = None
depends_on = None


def upgrade():
    # Not in a batch: on SQLite a batch may copy the table, and the table's triggers with it gone.
    json = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), 'postgresql')
    op.add_column('responses', sa.Column('display_order', json, nullable=True))


def downgrade():
    # A plain ALTER (SQLite >= 3.35 has DROP COLUMN): a batch would copy the table and lose its triggers.
    op.execute('ALTER TABLE responses DROP COLUMN display_order')
