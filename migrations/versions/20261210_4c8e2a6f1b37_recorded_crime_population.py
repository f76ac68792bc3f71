"""recorded crime and population: incidents per area, month and category; residents per
area, age band and sex

Revision ID: 4c8e2a6f1b37
Revises: 7b1e4c9d2a68
Create Date: 2026-12-10 10:00:00

Reports put recorded incidents per 1,000 residents beside the perception trend; the
population table gives the residents (and, later, the targets for weighting).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '4c8e2a6f1b37'
down_revision = '7b1e4c9d2a68'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'recorded_crime',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('area_code', sa.String(length=32), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('category', sa.String(length=40), nullable=False),
        sa.Column('incidents', sa.Integer(), nullable=False),
        sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recorded_crime')),
        sa.UniqueConstraint('area_code', 'month', 'category', name='uq_recorded_crime_cell'),
    )
    op.create_index(op.f('ix_recorded_crime_area_code'), 'recorded_crime', ['area_code'], unique=False)
    op.create_table(
        'population_counts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('area_code', sa.String(length=32), nullable=False),
        sa.Column('age_band', sa.String(length=16), nullable=False),
        sa.Column('sex', sa.String(length=8), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_population_counts')),
        sa.UniqueConstraint('area_code', 'age_band', 'sex', name='uq_population_cell'),
    )
    op.create_index(op.f('ix_population_counts_area_code'), 'population_counts', ['area_code'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_population_counts_area_code'), table_name='population_counts')
    op.drop_table('population_counts')
    op.drop_index(op.f('ix_recorded_crime_area_code'), table_name='recorded_crime')
    op.drop_table('recorded_crime')
