"""round weighting: whether a round's reports weight respondents to the population

Revision ID: 5d3f9b7e2c14
Revises: 4c8e2a6f1b37
Create Date: 2026-12-11 10:00:00

Off for every existing round: turning weights on changes every figure of its reports, so
an administrator does it once population targets are imported.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5d3f9b7e2c14'
down_revision = '4c8e2a6f1b37'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('weighted', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_column('weighted')
