"""admin console: round schedule and settings, invitations, web durations

Revision ID: f57658468a21
Revises: efccf328f474
Create Date: 2026-11-23 15:09:56.085473

Responses keep how long the form took (``duration_s``) instead of when the resident
started it; existing start times are turned into durations before the column goes.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f57658468a21'
down_revision = 'efccf328f474'
branch_labels = None
depends_on = None


def _durations():
    """started_at -> seconds to submit, computed in Python so both backends agree."""
    conn = op.get_bind()
    responses = sa.table('responses', sa.column('id', sa.Integer), sa.column('started_at', sa.DateTime(timezone=True)),
                         sa.column('submitted_at', sa.DateTime(timezone=True)), sa.column('duration_s', sa.Integer))
    rows = conn.execute(sa.select(responses.c.id, responses.c.started_at, responses.c.submitted_at)
                        .where(responses.c.started_at.is_not(None))).all()
    for id_, started, submitted in rows:
        seconds = max(0, int((submitted - started).total_seconds()))
        conn.execute(responses.update().where(responses.c.id == id_).values(duration_s=seconds))


def upgrade():
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('duration_s', sa.Integer(), nullable=True))
    _durations()
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_column('started_at')
        batch_op.create_check_constraint(batch_op.f('ck_responses_duration_not_negative'), 'duration_s IS NULL OR duration_s >= 0')

    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scheduled', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('paper_after_close', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('target_per_village', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('min_n', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(batch_op.f('ck_rounds_target_positive'), 'target_per_village IS NULL OR target_per_village > 0')
        batch_op.create_check_constraint(batch_op.f('ck_rounds_min_n_positive'), 'min_n IS NULL OR min_n > 0')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('invite_token_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('invite_expires_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_users_invite_token_hash'), ['invite_token_hash'])


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_invite_token_hash'), type_='unique')
        batch_op.drop_column('invite_expires_at')
        batch_op.drop_column('invite_token_hash')
        batch_op.drop_column('must_change_password')

    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_rounds_min_n_positive'), type_='check')
        batch_op.drop_constraint(batch_op.f('ck_rounds_target_positive'), type_='check')
        batch_op.drop_column('min_n')
        batch_op.drop_column('target_per_village')
        batch_op.drop_column('paper_after_close')
        batch_op.drop_column('scheduled')

    # The start times are gone for good; durations cannot give them back.
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_responses_duration_not_negative'), type_='check')
        batch_op.add_column(sa.Column('started_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_column('duration_s')
