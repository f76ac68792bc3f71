"""SQLite must take concurrent writers from several processes without lock errors."""

import multiprocessing

import pytest
import sqlalchemy as sa

from survey_app import create_app
from survey_app.database import read_only
from survey_app.extensions import db
from survey_app.models import AuditEvent

WRITERS = 4
COMMITS_PER_WRITER = 30


# These tests are about SQLite's connection settings: run them on SQLite only.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def test_pragmas_are_set(app):
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def _driver_sql(engine):
    captured: list[str] = []

    def capture(conn, cursor, statement, *args):
        captured.append(statement)

    sa.event.listen(engine, "before_cursor_execute", capture)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
            conn.commit()
        with read_only(), engine.connect() as conn:
            conn.exec_driver_sql("SELECT 2")
            conn.commit()
    finally:
        sa.event.remove(engine, "before_cursor_execute", capture)
    return captured


def test_begin_is_immediate_for_writes_and_deferred_when_read_only(app):
    sql = _driver_sql(db.engine)
    assert sql[: sql.index("SELECT 1")][-1] == "BEGIN IMMEDIATE"
    assert sql[: sql.index("SELECT 2")][-1] == "BEGIN"


def _writer(url: str, worker: int, queue) -> None:  # pragma: no cover - runs in a child
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SURVEY_ENV": "testing"})
    errors = 0
    with app.app_context():
        for i in range(COMMITS_PER_WRITER):
            try:
                # Read, then write in the same transaction: the pattern that fails
                # with a deferred BEGIN when another process commits in between.
                db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
                db.session.add(AuditEvent(actor=f"w{worker}", action="test.write", details={"i": i}))
                db.session.commit()
            except Exception:  # noqa: BLE001 - counted and reported by the parent
                db.session.rollback()
                errors += 1
        db.engine.dispose()
    queue.put(errors)


def test_concurrent_writers_from_several_processes_never_fail(app, database_url):
    db.engine.dispose()
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(database_url, n, queue)) for n in range(WRITERS)]
    for proc in procs:
        proc.start()
    errors = [queue.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
    assert errors == [0] * WRITERS
    stored = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "test.write"))
    assert stored == WRITERS * COMMITS_PER_WRITER


def test_a_connection_that_failed_to_write_is_not_handed_out_again(app, tmp_path):
    """Opened while the file was read-only (here: a read-only open), a pooled connection would
    stay read-only after the storage recovered; the failure empties the pool instead."""
    from survey_app.database import configure_engine

    path = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
    engine = sa.create_engine(f"sqlite:///file:{path}?mode=ro&uri=true", pool_size=2)
    configure_engine(engine)
    try:
        with engine.connect() as connection:
            raw = connection.connection.dbapi_connection
            with pytest.raises(sa.exc.OperationalError, match="readonly"):
                connection.exec_driver_sql("DELETE FROM audit_events")
            assert connection.invalidated
        with engine.connect() as again:
            assert again.connection.dbapi_connection is not raw  # a fresh connection
    finally:
        engine.dispose()
