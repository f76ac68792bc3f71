"""paper consent: the consent text printed on each numbered form, and the one each keyed form was given under

Revision ID: 3b7d1f5a9c62
Revises: 8a4c2e6f9d31
Create Date: 2026-12-13 10:00:00

Forms printed or keyed before consent was asked keep NULL.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '3b7d1f5a9c62'
down_revision = '8a4c2e6f9d31'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('printed_serials', sa.Column('consent_hash', sa.String(length=64), nullable=True))
    op.add_column('paper_forms', sa.Column('consent_hash', sa.String(length=64), nullable=True))


def downgrade():
    op.execute('ALTER TABLE paper_forms DROP COLUMN consent_hash')
    op.execute('ALTER TABLE printed_serials DROP COLUMN consent_hash')
