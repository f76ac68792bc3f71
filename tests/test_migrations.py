"""The migrations and the models describe the same schema, on every backend."""

import json

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from survey_app import questionnaires
from survey_app.extensions import db
from survey_app.quality import straightlined
from tests.factories import village_counts_disagreements


def test_models_match_migrations(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_app_does_not_create_tables_behind_the_migrations(tmp_path):
    """Starting the app on an empty database leaves it empty until `flask db upgrade`."""
    from survey_app import create_app

    url = f"sqlite:///{tmp_path}/empty.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SURVEY_ENV": "testing"})
    with app.app_context():
        app.test_client().get("/auth/login")
        assert sa.inspect(db.engine).get_table_names() == []
        db.engine.dispose()


FIRST_REVISION = "601d24f3c872"


def _counts() -> dict[str, int]:
    with db.engine.connect() as connection:
        return {table: connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608
                for table in ("responses", "rounds", "villages", "users")}


def _head() -> str:
    with db.engine.connect() as connection:
        return str(MigrationContext.configure(connection).get_current_revision())


def test_a_populated_database_goes_down_to_the_first_revision_and_up_again(app, runner):
    """With the demo's data in every table: each downgrade (SQLite batch copies included)
    and each upgrade runs, and the rows of the first revision's tables survive both ways."""
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    db.session.remove()
    head, before = _head(), _counts()
    down = runner.invoke(args=["db", "downgrade", FIRST_REVISION])
    assert down.exit_code == 0, down.output
    assert _head() == FIRST_REVISION and _counts() == before
    up = runner.invoke(args=["db", "upgrade"])
    assert up.exit_code == 0, up.output
    assert _head() == head and _counts() == before
    assert runner.invoke(args=["reports", "refresh"]).exit_code == 0  # the summary marks came back too
    with db.engine.connect() as connection:  # and the answer counts were taken on the way up
        assert connection.execute(sa.text("SELECT count(*) FROM village_counts")).scalar_one() > 0
    assert village_counts_disagreements() == []
    with db.engine.connect() as connection:  # and the straight-lined answers were judged again
        rows = connection.execute(sa.text(
            "SELECT questionnaire_key, questionnaire_version, answers, straightlined FROM responses")).all()
    judged = [straightlined(json.loads(a) if isinstance(a, str) else a, questionnaires.load(k, v))
              for k, v, a, _flag in rows]
    assert [bool(flag) for *_rest, flag in rows] == judged and any(judged)


def test_production_refuses_a_downgrade_that_does_not_name_the_risk(database_url, monkeypatch):
    from survey_app import create_app

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/9")
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SURVEY_ENV": "production",
                      "SECRET_KEY": "x" * 48})
    runner = app.test_cli_runner()
    with app.app_context():
        head = _head()
        refused = runner.invoke(args=["db", "downgrade"])
        assert refused.exit_code != 0 and _head() == head
        confirmed = runner.invoke(args=["db", "downgrade", "-x", "drop-data=yes"])
        assert confirmed.exit_code == 0 and _head() != head
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0 and _head() == head
        db.engine.dispose()
