"""summary sums per round and place, and triggers that mark changed villages

Revision ID: c4a7e19b2d30
Revises: b3c1d2e4f5a6
Create Date: 2026-12-02 18:10:00

The triggers live in the database so that no write path (resident door, paper entry,
corrections, deletions, imports, a hand-written UPDATE) can change answers without marking
its (round, village) for a rebuild of its sums. Every village that already has responses
starts marked, so existing rounds are summed on first use.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4a7e19b2d30'
down_revision = 'b3c1d2e4f5a6'
branch_labels = None
depends_on = None

LEVELS = ('village', 'district', 'regency', 'province', 'round')
WATCHED = 'answers, deleted_at, round_id, village_id'
"""The response columns a summary depends on."""

_MARK = """INSERT INTO summary_dirty (round_id, village_id, revision) {source}
    ON CONFLICT (round_id, village_id) DO UPDATE SET revision = summary_dirty.revision + 1"""


def _mark(row):
    return _MARK.format(source=f"VALUES ({row}.round_id, {row}.village_id, 1)")


# An update marks the old (round, village) too when the response moved to another one.
_MARK_OLD_ELSEWHERE = _MARK.format(
    source="SELECT OLD.round_id, OLD.village_id, 1 "
           "WHERE OLD.round_id <> NEW.round_id OR OLD.village_id <> NEW.village_id")

# A village moved to another district: its sums must be rebuilt under the new parent.
_MOVED = _MARK.format(source="SELECT DISTINCT round_id, village_id, 1 FROM responses WHERE village_id = NEW.id")

SQLITE_TRIGGERS = (
    f"CREATE TRIGGER responses_summary_insert AFTER INSERT ON responses BEGIN {_mark('NEW')}; END",
    f"CREATE TRIGGER responses_summary_update AFTER UPDATE OF {WATCHED} ON responses "
    f"BEGIN {_MARK_OLD_ELSEWHERE}; {_mark('NEW')}; END",
    f"CREATE TRIGGER responses_summary_delete AFTER DELETE ON responses BEGIN {_mark('OLD')}; END",
    "CREATE TRIGGER villages_summary_move AFTER UPDATE OF district_code ON villages "
    f"WHEN OLD.district_code IS NOT NEW.district_code BEGIN {_MOVED}; END",
)

POSTGRESQL_TRIGGERS = (
    f"""CREATE FUNCTION summary_mark_response() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN {_mark('OLD')}; RETURN NULL; END IF;
        IF TG_OP = 'UPDATE' THEN {_MARK_OLD_ELSEWHERE}; END IF;
        {_mark('NEW')};
        RETURN NULL;
    END $$""",
    f"CREATE TRIGGER responses_summary AFTER INSERT OR DELETE OR UPDATE OF {WATCHED} ON responses "
    "FOR EACH ROW EXECUTE FUNCTION summary_mark_response()",
    f"""CREATE FUNCTION summary_mark_village() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {_MOVED};
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER villages_summary_move AFTER UPDATE OF district_code ON villages FOR EACH ROW "
    "WHEN (OLD.district_code IS DISTINCT FROM NEW.district_code) EXECUTE FUNCTION summary_mark_village()",
)

SQLITE_DROPS = (
    "DROP TRIGGER IF EXISTS responses_summary_insert",
    "DROP TRIGGER IF EXISTS responses_summary_update",
    "DROP TRIGGER IF EXISTS responses_summary_delete",
    "DROP TRIGGER IF EXISTS villages_summary_move",
)
POSTGRESQL_DROPS = (
    "DROP TRIGGER IF EXISTS responses_summary ON responses",
    "DROP TRIGGER IF EXISTS villages_summary_move ON villages",
    "DROP FUNCTION IF EXISTS summary_mark_response()",
    "DROP FUNCTION IF EXISTS summary_mark_village()",
)


def upgrade():
    op.create_table(
        'summaries',
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('level', sa.Enum(*LEVELS, name='summarylevel', native_enum=False, create_constraint=True,
                                   length=20), nullable=False),
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('parent', sa.String(length=32), nullable=False),
        sa.Column('responses', sa.Integer(), nullable=False),
        sa.Column('sums', sa.Text(), nullable=False),
        sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_summaries_round_id_rounds')),
        sa.PrimaryKeyConstraint('round_id', 'level', 'code', name=op.f('pk_summaries')),
    )
    with op.batch_alter_table('summaries', schema=None) as batch_op:
        batch_op.create_index('ix_summaries_children', ['round_id', 'level', 'parent'], unique=False)
    op.create_table(
        'summary_dirty',
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('village_id', sa.Integer(), nullable=False),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('round_id', 'village_id', name=op.f('pk_summary_dirty')),
    )
    triggers = POSTGRESQL_TRIGGERS if op.get_bind().dialect.name == 'postgresql' else SQLITE_TRIGGERS
    for statement in triggers:
        op.execute(statement)
    op.execute("INSERT INTO summary_dirty (round_id, village_id, revision) "
               "SELECT DISTINCT round_id, village_id, 1 FROM responses")


def downgrade():
    drops = POSTGRESQL_DROPS if op.get_bind().dialect.name == 'postgresql' else SQLITE_DROPS
    for statement in drops:
        op.execute(statement)
    op.drop_table('summary_dirty')
    with op.batch_alter_table('summaries', schema=None) as batch_op:
        batch_op.drop_index('ix_summaries_children')
    op.drop_table('summaries')
