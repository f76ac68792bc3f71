"""goal baseline: a change goal may be measured over several rounds, from a named round

Revision ID: 7b1e4c9d2a68
Revises: 6e2d8a4c1f93
Create Date: 2026-12-09 10:00:00

Empty for every existing goal: a change goal without a baseline is measured from the
previous comparable round, as before.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7b1e4c9d2a68'
down_revision = '6e2d8a4c1f93'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('goals') as batch:
        batch.add_column(sa.Column('baseline_round_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f('fk_goals_baseline_round_id_rounds'), 'rounds', ['baseline_round_id'],
                                 ['id'])


def downgrade():
    with op.batch_alter_table('goals') as batch:
        batch.drop_constraint(op.f('fk_goals_baseline_round_id_rounds'), type_='foreignkey')
        batch.drop_column('baseline_round_id')
