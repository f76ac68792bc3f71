"""consent: the hash of the consent text each response was given under, and the texts by hash

Revision ID: 8a4c2e6f9d31
Revises: 5d3f9b7e2c14
Create Date: 2026-12-12 10:00:00

Responses stored before consent was asked keep NULL: reports count them apart.
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '8a4c2e6f9d31'
down_revision = '5d3f9b7e2c14'
branch_labels = None
depends_on = None


def upgrade():
    # Not in a batch: on SQLite a batch may copy the table, and the table's triggers with it gone.
    op.add_column('responses', sa.Column('consent_hash', sa.String(length=64), nullable=True))
    op.create_table(
        'consent_texts',
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.Column('questionnaire_key', sa.String(length=64), nullable=False),
        sa.Column('text', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
                  nullable=False),
        sa.Column('first_used_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('hash', name=op.f('pk_consent_texts')),
    )


def downgrade():
    op.drop_table('consent_texts')
    # A plain ALTER (SQLite >= 3.35 has DROP COLUMN): a batch would copy the table and lose its triggers.
    op.execute('ALTER TABLE responses DROP COLUMN consent_hash')
