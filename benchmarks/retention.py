"""Benchmark: deleting a province round under its retention period (issue 17).

    .venv/bin/python benchmarks/retention.py [--backend sqlite|postgresql|both] [--per-village 30]

One round of trust-safety v2 over the 8,563 villages of Jawa Tengah (33), ``--per-village``
answers each (about 257,000 at 30), built as ``scale.py`` builds it, then closed four years
ago with its deletion confirmed. Measured, each in a fresh process:

- **purge**: ``apply_retention`` deleting the round's responses (each village reduced to its
  kept sums first, the summary sums and progress counts kept as they were), then
  ``reclaim_space``; seconds and peak RSS. Baseline in the same run, on the same rows: a bare
  ``DELETE FROM responses WHERE round_id = ...`` (the triggers included), rolled back.
- **village workbook** before and after the purge: 30 downloads each (the test client, as in
  ``scale.py``); after the purge the round's figures come from the kept sums.
- **figures**: the village tables of 40 villages before and after, every value, interval and
  change compared (to 1e-9).

Prints the figures and PASS/FAIL: the figures must be the same and the workbook's p95 after
the purge no worse than 300 ms (the scale target). The purge's time is reported against its
floor, with no target: it runs once a round, from cron.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import secrets
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from scale import (
    ADMIN,
    DEFAULT_DATA,
    DEFAULT_POSTGRESQL,
    ROUND,
    add_responses,
    analyse,
    in_fresh_process,
    make_app,
    p95,
    peak_rss_mb,
    serve_like_gunicorn,
    setup,
)
from scratch_db import BACKENDS, scratch_database

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

WORKBOOK_MS = 300.0
SAMPLE_VILLAGES = 40


def close_long_ago(url: str) -> None:
    """Close the round, as if four years ago, and confirm its deletion as an administrator would."""
    from survey_app import clock
    from survey_app.extensions import db
    from survey_app.models import Round
    from survey_app.operations.rounds import close_round

    app = make_app(url)
    with app.app_context():
        round_ = db.session.scalar(sa.select(Round).where(Round.name == ROUND))
        close_round(round_, actor="benchmark")
        round_.closed_at = datetime.now(UTC) - timedelta(days=4 * 366)
        round_.retention_confirmed_on = clock.today()
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def measure_figures(url: str) -> dict[str, object]:
    """Every figure of the sample villages' tables, as JSON-friendly lists."""
    from survey_app.extensions import db
    from survey_app.models import Round, Village
    from survey_app.reporting.service import report_options, village_tables

    app = make_app(url)
    found: dict[str, object] = {}
    with app.app_context():
        round_ = db.session.scalar(sa.select(Round).where(Round.name == ROUND))
        villages = list(db.session.scalars(sa.select(Village).order_by(Village.code)))
        for village in random.Random(5).sample(villages, SAMPLE_VILLAGES):  # noqa: S311
            tables = village_tables(round_, village, report_options(round_))
            for trend in (*tables.indices, *tables.items):
                for round_id, value in trend.values.items():
                    if value is not None:
                        found[f"{village.code} {trend.key} {round_id}"] = [value.value, value.ci_low, value.ci_high,
                                                                          value.n]
            for section in tables.sections:
                for item in section.items:
                    for block in item.blocks:
                        for dist in block.rounds:
                            found[f"{village.code} {item.id} counts"] = [dist.total, dist.valid_n,
                                                                         sorted(dist.counts.items())]
        db.session.remove()
        db.engine.dispose()
    return found


def measure_workbook(url: str) -> dict[str, object]:
    from survey_app.extensions import db
    from survey_app.models import Round, Village

    app = make_app(url)
    rng = random.Random(11)  # noqa: S311
    with app.app_context():
        slug = db.session.scalar(sa.select(Round.slug).where(Round.name == ROUND))
        codes = list(db.session.scalars(sa.select(Village.code)))
        db.session.remove()
    client = app.test_client()
    assert client.post("/auth/login", data={"email": ADMIN[0], "password": ADMIN[1]}).status_code == 302  # noqa: S101
    serve_like_gunicorn()
    times = []
    for _ in range(31):
        start = time.perf_counter()
        response = client.get(f"/downloads/{slug}/village/{rng.choice(codes)}.xlsx")
        assert response.status_code == 200 and response.get_data()[:2] == b"PK"  # noqa: S101
        times.append((time.perf_counter() - start) * 1000)
    with app.app_context():
        db.engine.dispose()
    return {"cold": times[0], "warm": times[1:]}


def measure_floor(url: str) -> dict[str, float]:
    """A bare DELETE of the round's responses, rolled back: the least a purge must do."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        round_id = connection.scalar(sa.text("SELECT id FROM rounds WHERE name = :n"), {"n": ROUND})
        start = time.perf_counter()
        deleted = connection.execute(sa.text("DELETE FROM responses WHERE round_id = :r"), {"r": round_id}).rowcount
        seconds = time.perf_counter() - start
        connection.rollback()
    engine.dispose()
    return {"seconds": seconds, "rows": deleted}


def measure_purge(url: str) -> dict[str, object]:
    from survey_app.extensions import db
    from survey_app.operations.retention import apply_retention, reclaim_space

    app = make_app(url)
    with app.app_context():
        start = time.perf_counter()
        applied = apply_retention("benchmark")
        db.session.commit()
        seconds = time.perf_counter() - start
        counts = [counts for _due, counts in applied.deleted]
        start = time.perf_counter()
        reclaim_space()
        reclaim = time.perf_counter() - start
        db.engine.dispose()
    return {"seconds": seconds, "reclaim": reclaim, "counts": counts, "rss_mb": peak_rss_mb()}


PARTS = {"figures": measure_figures, "workbook": measure_workbook, "floor": measure_floor, "purge": measure_purge}


def fresh(part: str, url: str) -> dict:  # type: ignore[type-arg]
    return in_fresh_process(part, url, __file__)


def same(before: dict, after: dict) -> bool:  # type: ignore[type-arg]
    if before.keys() != after.keys():
        return False
    for key, values in before.items():
        for one, other in zip(values, after[key], strict=True):
            if not _equal(one, other):
                return False
    return True


def _equal(one: object, other: object) -> bool:
    """Equal, floats to 1e-9 (the kept scores are summed in another order), NaN equal to NaN."""
    if isinstance(one, float) and isinstance(other, float):
        return (math.isnan(one) and math.isnan(other)) or math.isclose(one, other, rel_tol=1e-9, abs_tol=1e-9)
    return one == other


def workbook_line(label: str, book: dict) -> tuple[str, float]:  # type: ignore[type-arg]
    warm = book["warm"]
    worst = p95(warm)
    return (f"   village workbook {label}: cold {book['cold']:.0f} ms, warm median {statistics.median(warm):.0f} ms, "
            f"p95 {worst:.0f} ms", worst)


def run(backend: str, args: argparse.Namespace) -> bool:
    name = f"bench_retention_{os.getpid()}_{secrets.token_hex(3)}"
    with scratch_database(backend, args.postgresql_url, name) as url:
        start = time.perf_counter()
        setup(url, args.data, "33")
        total = add_responses(url, args.per_village)
        if backend == "postgresql":
            analyse(url)
        in_fresh_process("refresh", url)
        print(f"\n== {backend}: {total:,} responses in 8,563 villages, built in {time.perf_counter() - start:.0f} s",
              flush=True)
        figures_before = fresh("figures", url)
        line, before_p95 = workbook_line("before", fresh("workbook", url))
        print(line, flush=True)
        close_long_ago(url)
        floor = fresh("floor", url)
        purge = fresh("purge", url)
        [counts] = purge["counts"]
        ratio = purge["seconds"] / floor["seconds"]
        print(f"   purge: {counts['responses']:,} responses deleted, {counts['villages_kept']:,} villages kept, "
              f"in {purge['seconds']:.1f} s (peak RSS {purge['rss_mb']:.0f} MB); "
              f"reclaiming space {purge['reclaim']:.1f} s")
        print(f"   floor: bare DELETE of {floor['rows']:,} rows {floor['seconds']:.1f} s; purge / floor {ratio:.1f}x")
        line, after_p95 = workbook_line("after ", fresh("workbook", url))
        fast = after_p95 <= WORKBOOK_MS
        print(f"{line}  {'PASS' if fast else 'FAIL'} (<= {WORKBOOK_MS:.0f} ms)")
        equal = same(figures_before, fresh("figures", url))
        verdict = "the same  PASS" if equal else "DIFFER  FAIL"
        print(f"   figures of {SAMPLE_VILLAGES} villages before and after: {verdict} (before p95 {before_p95:.0f} ms)")
        return fast and equal


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--measure", nargs=2, metavar=("PART", "URL"), help=argparse.SUPPRESS)
    parser.add_argument("--backend", choices=(*BACKENDS, "both"), default="both")
    parser.add_argument("--per-village", type=int, default=30)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--postgresql-url", default=DEFAULT_POSTGRESQL)
    args = parser.parse_args()
    if args.measure:
        part, url = args.measure
        print(json.dumps(PARTS[part](url), default=str))
        return 0
    backends = BACKENDS if args.backend == "both" else (args.backend,)
    ok = all([run(backend, args) for backend in backends])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
