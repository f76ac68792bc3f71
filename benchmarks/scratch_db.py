"""Scratch databases for the benchmarks: a fresh one per run, so tables left by tests
cannot skew the figures, removed afterwards; other databases are untouched."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.engine import make_url

BACKENDS = ("sqlite", "postgresql")


@contextlib.contextmanager
def scratch_database(backend: str, server_url: str, name: str) -> Iterator[str]:
    """Yield the URL of an empty database ``name`` (a temporary file for SQLite, a new
    database on ``server_url``'s PostgreSQL server) and drop it afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix=f"{name}-") as folder:
            yield f"sqlite:///{folder}/bench.sqlite"
        return
    admin = sa.create_engine(make_url(server_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(drop)
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(drop)
        admin.dispose()
