"""per-village answer counts kept by triggers, and indexes, for the progress dashboard

Revision ID: 7b2e4d9f1a60
Revises: 5e1f0a9c3d27
Create Date: 2026-12-03 12:10:00

The dashboard counted every response of a round on every page view (about a second at the
national shape). These counts are kept exact by the database itself, whichever code path
writes: an insert adds one; a change to a counted column (deleted, moved, mode, time) or a
hard delete recounts the (round, village) pairs it touched from their own rows. The
"very fast" count depends on a setting, so it stays a query, served by its own index: fast
answers are few. Waiting paper forms get an index of their own for the same reason.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7b2e4d9f1a60'
down_revision = '5e1f0a9c3d27'
branch_labels = None
depends_on = None

WATCHED = 'deleted_at, round_id, village_id, mode, submitted_at'
"""The response columns a count depends on."""

_COUNTS = ("SUM(CASE WHEN mode = 'web' THEN 1 ELSE 0 END), SUM(CASE WHEN mode = 'paper' THEN 1 ELSE 0 END), "
           "MAX(submitted_at)")

_ADD = """INSERT INTO village_counts (round_id, village_id, web, paper, last_at)
    SELECT NEW.round_id, NEW.village_id, CASE WHEN NEW.mode = 'web' THEN 1 ELSE 0 END,
           CASE WHEN NEW.mode = 'paper' THEN 1 ELSE 0 END, NEW.submitted_at
    WHERE NEW.deleted_at IS NULL
    ON CONFLICT (round_id, village_id) DO UPDATE SET
        web = village_counts.web + excluded.web,
        paper = village_counts.paper + excluded.paper,
        last_at = CASE WHEN excluded.last_at > village_counts.last_at
                       THEN excluded.last_at ELSE village_counts.last_at END"""


def _recount(row):
    """Statements that count one (round, village) again from its rows."""
    where = f"round_id = {row}.round_id AND village_id = {row}.village_id"
    return (f"DELETE FROM village_counts WHERE {where}; "
            f"INSERT INTO village_counts (round_id, village_id, web, paper, last_at) "
            f"SELECT round_id, village_id, {_COUNTS} FROM responses WHERE {where} AND deleted_at IS NULL "
            f"GROUP BY round_id, village_id")


SQLITE_TRIGGERS = (
    f"CREATE TRIGGER responses_count_insert AFTER INSERT ON responses BEGIN {_ADD}; END",
    f"CREATE TRIGGER responses_count_update AFTER UPDATE OF {WATCHED} ON responses "
    f"BEGIN {_recount('OLD')}; {_recount('NEW')}; END",
    f"CREATE TRIGGER responses_count_delete AFTER DELETE ON responses BEGIN {_recount('OLD')}; END",
)

POSTGRESQL_TRIGGERS = (
    f"""CREATE FUNCTION village_count_response() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN {_ADD}; RETURN NULL; END IF;
        {_recount('OLD')};
        IF TG_OP = 'UPDATE' THEN {_recount('NEW')}; END IF;
        RETURN NULL;
    END $$""",
    f"CREATE TRIGGER responses_count AFTER INSERT OR DELETE OR UPDATE OF {WATCHED} ON responses "
    "FOR EACH ROW EXECUTE FUNCTION village_count_response()",
)

SQLITE_DROPS = (
    "DROP TRIGGER IF EXISTS responses_count_insert",
    "DROP TRIGGER IF EXISTS responses_count_update",
    "DROP TRIGGER IF EXISTS responses_count_delete",
)
POSTGRESQL_DROPS = (
    "DROP TRIGGER IF EXISTS responses_count ON responses",
    "DROP FUNCTION IF EXISTS village_count_response()",
)


def upgrade():
    op.create_table(
        'village_counts',
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('village_id', sa.Integer(), nullable=False),
        sa.Column('web', sa.Integer(), nullable=False),
        sa.Column('paper', sa.Integer(), nullable=False),
        sa.Column('last_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('round_id', 'village_id', name=op.f('pk_village_counts')),
    )
    # Not in batch mode: recreating the table on SQLite would drop its triggers.
    op.create_index('ix_responses_fast', 'responses', ['round_id', 'mode', 'duration_s', 'village_id', 'deleted_at'])
    op.create_index('ix_paper_forms_round_village', 'paper_forms', ['round_id', 'village_id', 'status'])
    triggers = POSTGRESQL_TRIGGERS if op.get_bind().dialect.name == 'postgresql' else SQLITE_TRIGGERS
    for statement in triggers:
        op.execute(statement)
    op.execute(f"INSERT INTO village_counts (round_id, village_id, web, paper, last_at) "
               f"SELECT round_id, village_id, {_COUNTS} FROM responses WHERE deleted_at IS NULL "
               f"GROUP BY round_id, village_id")


def downgrade():
    drops = POSTGRESQL_DROPS if op.get_bind().dialect.name == 'postgresql' else SQLITE_DROPS
    for statement in drops:
        op.execute(statement)
    op.drop_index('ix_paper_forms_round_village', table_name='paper_forms')
    op.drop_index('ix_responses_fast', table_name='responses')
    op.drop_table('village_counts')
