"""Benchmark: import the full official area list (83,762 villages), then import it again.

    .venv/bin/python benchmarks/village_import.py [--data DIR] [--backend sqlite|postgresql|both]

Each backend gets a fresh, migrated database of its own (a temporary SQLite file; a
``bench_villages`` database on the PostgreSQL server, dropped afterwards). The first run
must add everything and the second must change nothing, both within the target. For scale,
the same village rows are also sent as one bare DB-API ``executemany`` INSERT into a scratch
table without indexes: the floor no importer on that backend can beat.
"""

from __future__ import annotations

import argparse
import csv
import resource
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from scratch_db import BACKENDS, scratch_database

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run as a plain script from any directory

from survey_app import create_app  # noqa: E402
from survey_app.extensions import db  # noqa: E402
from survey_app.models import Village  # noqa: E402
from survey_app.operations.villages import ImportResult, import_villages  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "idn-area-data"
DEFAULT_POSTGRESQL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BENCH_DATABASE = "bench_villages"
TARGET_SECONDS = 60.0  # from the issue: the whole country, well under a minute
# The floor's statement in each driver's DB-API paramstyle (sqlite3: qmark, psycopg: format).
FLOOR_INSERTS = {
    "sqlite": "INSERT INTO bench_floor VALUES (?, ?, ?, ?)",
    "postgresql": "INSERT INTO bench_floor VALUES (%s, %s, %s, %s)",
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="four-file folder (default: %(default)s)")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--postgresql-url",
        default=DEFAULT_POSTGRESQL,
        help="server to create the scratch database on (default: %(default)s)",
    )
    return parser.parse_args()


def migrated_app(url: str) -> Flask:
    from flask_migrate import upgrade

    app = create_app(
        {
            "SURVEY_ENV": "testing",
            "SECRET_KEY": "benchmark-secret-key-0123456789-abcdefghijkl",
            "SQLALCHEMY_DATABASE_URI": url,
        }
    )
    with app.app_context():
        upgrade()
    return app


def timed_import(data: Path) -> tuple[float, ImportResult]:
    """One import as the CLI does it: validate, write, commit."""
    start = time.perf_counter()
    result = import_villages(data, actor="benchmark")
    db.session.commit()
    return time.perf_counter() - start, result


def bare_insert_seconds(rows: list[tuple[str, str, str, None]]) -> float:
    """The floor: the same village rows in one raw ``executemany``, one transaction."""
    dialect = db.engine.dialect.name
    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(
            "CREATE TABLE bench_floor (code VARCHAR(16) NOT NULL, name VARCHAR(120) NOT NULL, "
            "district_code VARCHAR(16) NOT NULL, target_n INTEGER)"
        )
        connection.commit()
        start = time.perf_counter()
        if dialect == "sqlite":
            cursor.execute("BEGIN")  # the app's engine runs pysqlite in autocommit mode
        cursor.executemany(FLOOR_INSERTS[dialect], rows)
        connection.commit()
        elapsed = time.perf_counter() - start
        cursor.execute("DROP TABLE bench_floor")
        connection.commit()
        return elapsed
    finally:
        connection.close()


def village_rows(data: Path) -> list[tuple[str, str, str, None]]:
    with (data / "villages.csv").open(encoding="utf-8", newline="") as handle:
        return [(row["code"], row["name"], row["district_code"], None) for row in csv.DictReader(handle)]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run_backend(backend: str, data: Path, server_url: str) -> bool:
    """Import twice into a fresh database and print the figures; True when within target."""
    rows = village_rows(data)
    with scratch_database(backend, server_url, BENCH_DATABASE) as url:
        app = migrated_app(url)
        with app.app_context():
            loaded_mb = peak_rss_mb()
            first_seconds, first = timed_import(data)
            again_seconds, again = timed_import(data)
            stored = db.session.scalar(sa.select(sa.func.count()).select_from(Village))
            db.session.remove()  # end its transaction: on SQLite it holds the write lock
            floor_seconds = bare_insert_seconds(rows)
            db.engine.dispose()
    added = first.counts["village"].added
    idle = all(c.added == 0 and c.updated == 0 for c in again.counts.values())
    correct = added == stored == len(rows) and idle
    fast = max(first_seconds, again_seconds) < TARGET_SECONDS
    print(f"\n== {backend} ==")
    print(f"villages           {len(rows):,} in file, {added:,} added, {stored:,} stored")
    print(f"first run          {first_seconds:7.2f} s   {len(rows) / first_seconds:9,.0f} villages/s")
    print(f"re-run             {again_seconds:7.2f} s   {len(rows) / again_seconds:9,.0f} villages/s", end="")
    print("   (nothing changed)" if idle else "   (CHANGED ROWS: not idempotent)")
    print(f"bare executemany   {floor_seconds:7.2f} s   first run = {first_seconds / floor_seconds:.1f}x this floor")
    print(f"peak RSS           {peak_rss_mb():7.0f} MB   (app and rows loaded, before importing: {loaded_mb:.0f} MB)")
    verdict = "PASS" if correct and fast else "FAIL"
    print(f"result             {verdict} (target: each run under {TARGET_SECONDS:.0f} s, all villages stored once)")
    return correct and fast


def main() -> int:
    args = parse_args()
    if not (args.data / "villages.csv").is_file():
        print(f"No villages.csv in {args.data}; pass --data DIR.", file=sys.stderr)
        return 2
    if args.backend != "both":
        return 0 if run_backend(args.backend, args.data, args.postgresql_url) else 1
    # One process per backend, so each peak RSS is that backend's own.
    codes = [
        subprocess.call(
            [sys.executable, __file__, "--data", str(args.data), "--backend", backend,
             "--postgresql-url", args.postgresql_url]
        )
        for backend in BACKENDS
    ]
    return max(codes)


if __name__ == "__main__":
    sys.exit(main())
