"""straight-lined responses: a flag stored with the answers, for the submissions filter

Revision ID: 2d8b6f4a1c95
Revises: 4f8a2c6e9b13
Create Date: 2026-12-05 10:00:00

The submissions table filters on straight-lining (the same answer all down a battery). Judged
at read time it meant reading every answer of a round for a page's count; now it is decided
where answers are written (``survey_app.quality.straightlined``) and stored. Existing rows are
judged here, on their own questionnaire version, a few thousand at a time.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '2d8b6f4a1c95'
down_revision = '4f8a2c6e9b13'
branch_labels = None
depends_on = None

_CHUNK = 5000
RESPONSES = sa.table(
    'responses',
    sa.column('id', sa.Integer),
    sa.column('questionnaire_key', sa.String),
    sa.column('questionnaire_version', sa.Integer),
    sa.column('answers', sa.JSON),
    sa.column('straightlined', sa.Boolean),
)


def upgrade():
    # Not in a batch: on SQLite a batch may copy the table, and the table's triggers with it gone.
    op.add_column('responses', sa.Column('straightlined', sa.Boolean(), server_default=sa.false(), nullable=False))
    _judge_existing(op.get_bind())
    op.create_index('ix_responses_straightlined', 'responses', ['round_id', 'submitted_at'], unique=False,
                    sqlite_where=sa.text('straightlined = 1'), postgresql_where=sa.text('straightlined'))


def _judge_existing(connection):
    # The catalogue, not ``questionnaires.load``: that also reads the version pins through the
    # app's session, a second connection whose open read would outlive this migration.
    from survey_app import questionnaires
    from survey_app.quality import straightlined

    catalog = questionnaires.catalog()

    last = 0
    while True:
        rows = connection.execute(
            sa.select(RESPONSES.c.id, RESPONSES.c.questionnaire_key, RESPONSES.c.questionnaire_version,
                      RESPONSES.c.answers)
            .where(RESPONSES.c.id > last).order_by(RESPONSES.c.id).limit(_CHUNK)
        ).all()
        if not rows:
            return
        last = rows[-1].id
        flagged = [row.id for row in rows
                   if straightlined(row.answers or {}, catalog.get(row.questionnaire_key, row.questionnaire_version))]
        if flagged:
            connection.execute(sa.update(RESPONSES).where(RESPONSES.c.id.in_(flagged)).values(straightlined=True))


def downgrade():
    op.drop_index('ix_responses_straightlined', table_name='responses',
                  sqlite_where=sa.text('straightlined = 1'), postgresql_where=sa.text('straightlined'))
    # A plain ALTER (SQLite >= 3.35 has DROP COLUMN): a batch would copy the table and lose its triggers.
    op.execute('ALTER TABLE responses DROP COLUMN straightlined')
