"""The migrations and the models describe the same schema, on every backend."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from survey_app.extensions import db


def test_models_match_migrations(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_app_does_not_create_tables_behind_the_migrations(tmp_path):
    """Starting the app on an empty database leaves it empty until `flask db upgrade`."""
    import sqlalchemy as sa

    from survey_app import create_app

    url = f"sqlite:///{tmp_path}/empty.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SURVEY_ENV": "testing"})
    with app.app_context():
        app.test_client().get("/auth/login")
        assert sa.inspect(db.engine).get_table_names() == []
        db.engine.dispose()
