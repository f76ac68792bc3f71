"""free text review: a per-round choice to keep redacted originals apart for an administrator

Revision ID: 6a1f3c8e2b95
Revises: 9e4b2d7c5a18
Create Date: 2026-12-15 10:00:00

Every existing round redacts at once, as before.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '6a1f3c8e2b95'
down_revision = '9e4b2d7c5a18'
branch_labels = None
depends_on = None

FREE_TEXT_MODE = sa.Enum('redact', 'review', name='freetextmode', native_enum=False, create_constraint=True,
                         length=20)


def upgrade():
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('free_text_mode', FREE_TEXT_MODE, server_default='redact', nullable=False))
    op.create_table(
        'free_text_reviews',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('response_id', sa.Integer(), nullable=False),
        sa.Column('question_id', sa.String(length=64), nullable=False),
        sa.Column('original', sa.Text(), nullable=False),
        sa.Column('kinds', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['response_id'], ['responses.id'], name=op.f('fk_free_text_reviews_response_id_responses'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_free_text_reviews_round_id_rounds')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_free_text_reviews')),
        sa.UniqueConstraint('response_id', 'question_id', name='uq_free_text_reviews_answer'),
    )
    op.create_index(op.f('ix_free_text_reviews_round_id'), 'free_text_reviews', ['round_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_free_text_reviews_round_id'), table_name='free_text_reviews')
    op.drop_table('free_text_reviews')
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_rounds_freetextmode'), type_='check')
        batch_op.drop_column('free_text_mode')
