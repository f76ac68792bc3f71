"""Test fixtures: an app on a fresh, migrated database per test.

Every database test runs on SQLite, and again on PostgreSQL when ``TEST_DATABASE_URL`` is
set. The schema comes from the Alembic migrations (never ``create_all``), built once per
backend and run: SQLite copies a migrated template file per test, PostgreSQL truncates
every table after each test in a database of its own per xdist worker.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask, g
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy.engine import URL, make_url

from survey_app import create_app
from survey_app.extensions import db

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def _app_config(url: str, **extra: object) -> dict[str, object]:
    config: dict[str, object] = {
        "SURVEY_ENV": "testing",
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "SQLALCHEMY_DATABASE_URI": url,
        "RATELIMIT_STORAGE_URI": "inline-memory://",
    }
    config.update(extra)
    return config


def _migrate(url: str) -> None:
    from flask_migrate import upgrade

    app = create_app(_app_config(url))
    with app.app_context():
        upgrade()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    _migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgresql_url(xdist_worker: str) -> Iterator[str]:
    base = make_url(os.environ["TEST_DATABASE_URL"]).set(drivername="postgresql+psycopg")
    with _postgresql_database(base, f"{base.database}_{xdist_worker}".replace("-", "_")) as url:
        _migrate(url)
        yield url


@contextmanager
def _postgresql_database(base: URL, name: str) -> Iterator[str]:
    """A new, empty database ``name`` on ``base``'s server, dropped afterwards; yields its URL."""
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database for one test."""
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("postgresql_url")
    yield url
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        tables = [t for t in sa.inspect(conn).get_table_names() if t != "alembic_version"]
        if tables:
            conn.exec_driver_sql(
                "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
            )
    engine.dispose()


@pytest.fixture(autouse=True)
def quick_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap Argon2 parameters for every test: they sign many people in and none measures the
    hash's cost (the production parameters are argon2-cffi's RFC 9106 defaults)."""
    from argon2 import PasswordHasher

    monkeypatch.setattr("survey_app.security._hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def app_config() -> dict[str, object]:
    """Extra config for the ``app`` fixture; override in a test module to change it."""
    return {}


@pytest.fixture
def app(database_url: str, app_config: dict[str, object], tmp_path: Path) -> Iterator[Flask]:
    queue = {"QUEUE_URL": f"sqlite:///{tmp_path / 'queue.sqlite'}", "RESULTS_DIR": str(tmp_path / "results")}
    app = create_app(_app_config(database_url, **{**queue, **app_config}))
    # Test-client requests reuse the app context this fixture keeps open, so ``g``
    # (Flask-Login's user, Flask-WTF's token, Flask-Babel's locale and translations) would
    # leak from one request to the next: give each request an empty ``g``, as in production.
    app.before_request_funcs.setdefault(None, []).insert(0, lambda: g.__dict__.clear())
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_demo_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file with the demo installation, loaded once per session."""
    path = tmp_path_factory.mktemp("demo-template") / "demo.sqlite"
    shutil.copyfile(sqlite_template, path)
    _load_demo(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgresql_demo_rows(postgresql_url: str) -> dict[str, list[dict[str, object]]]:
    """Every row of the demo installation by table, loaded once per session into a database
    of its own (then dropped) and kept in memory to be copied into each test's database."""
    base = make_url(postgresql_url)
    with _postgresql_database(base, f"{base.database}_demo") as url:
        _migrate(url)
        _load_demo(url)
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            rows = {table.name: [dict(row) for row in conn.execute(table.select()).mappings()]
                    for table in db.metadata.sorted_tables}
        engine.dispose()
    return rows


def _load_demo(url: str) -> None:
    app = create_app(_app_config(url))
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["demo", "load"])
        assert result.exit_code == 0, result.output
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def demo_data(app: Flask, database_url: str, request: pytest.FixtureRequest) -> None:
    """The demo installation (``flask demo load``) in this test's database, copied from one
    loaded once per session: SQLite copies the file, PostgreSQL inserts the rows with its
    triggers paused (the trigger-kept tables are copied too) and moves the id sequences on."""
    db.session.remove()
    db.engine.dispose()
    if database_url.startswith("sqlite"):
        shutil.copyfile(request.getfixturevalue("sqlite_demo_template"), str(make_url(database_url).database))
        return
    rows = request.getfixturevalue("postgresql_demo_rows")
    with db.engine.begin() as conn:
        conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        for table in db.metadata.sorted_tables:
            if rows[table.name]:
                conn.execute(table.insert(), rows[table.name])
            if "id" in table.c and isinstance(table.c.id.type, sa.Integer):
                conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
                                     f"coalesce(max(id), 0) + 1, false) FROM {table.name}"))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def xdist_worker() -> str:
    """Overridden by pytest-xdist; 'master' when tests run in one process."""
    return os.environ.get("PYTEST_XDIST_WORKER", "master")
