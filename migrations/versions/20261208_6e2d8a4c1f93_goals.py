"""goals: intermediate goals per indicator, area and round, with their history

Revision ID: 6e2d8a4c1f93
Revises: 3a6c9e1d5b48
Create Date: 2026-12-08 10:00:00

A goal is a target for one indicator (an index, or an item's % favourable) in an area by one
round. Goals are never edited: a new one supersedes the old, which is kept.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '6e2d8a4c1f93'
down_revision = '3a6c9e1d5b48'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'goals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('area_code', sa.String(length=32), nullable=False),
        sa.Column('indicator', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('target', sa.Float(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by', sa.String(length=255), nullable=False),
        sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_goals_round_id_rounds')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_goals')),
    )
    op.create_index(op.f('ix_goals_round_id'), 'goals', ['round_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_goals_round_id'), table_name='goals')
    op.drop_table('goals')
