"""Engine tuning per backend.

SQLite serves several gunicorn workers in development and small installs. Measured on the
project machine, a deferred ``BEGIN`` made up to half of concurrent commits fail with
"database is locked": two readers both try to upgrade to writers and one must give up.
Starting every transaction with ``BEGIN IMMEDIATE`` takes the write lock up front, so
writers queue on the busy timeout instead of failing. WAL keeps readers from blocking
writers. Pure reads that must not queue (reports, exports, the download pages) opt out with
``read_only()``; a write they make (the audit event) goes in its own short ``writing()`` block.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

from sqlalchemy import Engine, event

SQLITE_BUSY_TIMEOUT_MS = 30_000

# True inside read_only(), False inside writing(), None elsewhere: then the request decides.
_read_only: contextvars.ContextVar[bool | None] = contextvars.ContextVar("sqlite_read_only", default=None)


@contextlib.contextmanager
def read_only() -> Iterator[None]:
    """Start SQLite transactions inside this block as deferred (shared) reads."""
    token = _read_only.set(True)
    try:
        yield
    finally:
        _read_only.reset(token)


def read_only_request() -> None:
    """Make the rest of the current request ``read_only()`` (a flag on ``flask.g``, so it ends
    with the request however the response is sent or dropped)."""
    from flask import g

    g.sqlite_read_only = True


def end_read_only_request() -> None:
    """Undo ``read_only_request`` (tests keep one app context, and so one ``g``, across requests)."""
    from flask import g

    g.pop("sqlite_read_only", None)


def _reads_only() -> bool:
    flag = _read_only.get()
    if flag is not None:
        return flag
    from flask import g, has_app_context

    return has_app_context() and bool(g.get("sqlite_read_only", False))


@contextlib.contextmanager
def writing() -> Iterator[None]:
    """Inside a ``read_only()`` block, start SQLite transactions with ``BEGIN IMMEDIATE`` again:
    a deferred read that later writes fails at once when another writer committed meanwhile."""
    token = _read_only.set(False)
    try:
        yield
    finally:
        _read_only.reset(token)


STORAGE_FAILURES = ("readonly database", "read-only", "disk is full", "disk i/o error", "no space left")
"""Errors after which a pooled connection may stay broken although the storage has recovered."""


def configure_engine(engine: Engine) -> None:
    """Install the per-backend connection settings on ``engine``."""
    event.listen(engine, "handle_error", _discard_after_storage_failure)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)


def _discard_after_storage_failure(context) -> None:  # type: ignore[no-untyped-def]
    """A SQLite connection opened while its file system was read-only stays read-only after a
    remount, and the pool would keep handing it out: half the posts failed until a restart.
    Treat such a failure as a lost connection, so the pool is emptied and refilled."""
    if any(text in str(context.original_exception).lower() for text in STORAGE_FAILURES):
        context.is_disconnect = True


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # Let SQLAlchemy's "begin" event below emit BEGIN itself; pysqlite's own
        # implicit BEGIN is always deferred.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN" if _reads_only() else "BEGIN IMMEDIATE")
