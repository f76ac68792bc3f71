"""Benchmark: the progress dashboard on a province-sized round.

    .venv/bin/python benchmarks/progress_dashboard.py [--data DIR] [--province 33] [--backend sqlite|postgresql|both]
    .venv/bin/python benchmarks/progress_dashboard.py --province all --per-village 5-7   # issue 11's national shape

For each backend, in a fresh database (a temporary SQLite file; a ``bench_progress_<pid>_<token>``
database on the PostgreSQL server, dropped afterwards):

1. import the villages of one province from the official list (default 33, Jawa Tengah:
   8,563 villages), open a round over the whole province with about 10 synthetic responses per
   village (``survey_app.demo.synthetic``: 30% paper, web durations with a few very fast
   ones), paper forms waiting for a second entry or in reconciliation in one village of five,
   and a target of 12 per village; plus a small round over one district, the baseline;
2. sign in as an admin with the Flask test client, freeze the app's objects as gunicorn.conf.py
   does in production, and time whole requests (to the last byte),
   warm (two unmeasured requests first), ``--requests`` times each: the default page, a
   filtered, searched and sorted page, a deep page sorted by % reached, the CSV of the whole
   province (fewer times), the same default page for the small round (the baseline: what the
   page costs when the data costs nothing), and the dashboard's SQL alone (totals, the page of
   rows, the quality inputs) without the web stack;
3. the same for the round's submissions table (issue 13): newest first, filtered (a regency,
   web, a date, very fast answers), straight-lined answers, and page 100 sorted by village.

Prints median and p95 per variant and PASS/FAIL: every dashboard page's p95 must be under
500 ms and every submissions page's under 300 ms (the CSV is reported, not judged). The exit
code is non-zero on FAIL. The submissions table's target is for the province shape:
``--per-village 28-32`` (about 257,000 responses).
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from report_build import DEFAULT_DATA, make_app, province_folder
from scale import serve_like_gunicorn
from scratch_db import BACKENDS, scratch_database

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run as a plain script from any directory

DEFAULT_POSTGRESQL = os.environ.get("BENCH_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BENCH_DATABASE = "bench_progress"
DEFAULT_PROVINCE = "33"  # Jawa Tengah: 8,563 villages
PER_VILLAGE = (7, 13)  # about 10 responses per village
TARGET = 12
PAGE_TARGET_MS = 500.0
TABLE_TARGET_MS = 300.0
ADMIN = ("bench@example.org", "benchmark password 0123")
BIG, SMALL = "Bench province 2027", "Bench district 2027"
OPENS, CLOSES = date(2027, 3, 1), date(2027, 4, 15)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="four-file folder (default: %(default)s)")
    parser.add_argument("--province", default=DEFAULT_PROVINCE, help="province code (default: %(default)s)")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--postgresql-url", default=DEFAULT_POSTGRESQL,
                        help="server (default: $BENCH_POSTGRESQL_URL or %(default)s)")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page variant (default: 20)")
    parser.add_argument("--csv-requests", type=int, default=5, help="timed CSV downloads (default: 5)")
    parser.add_argument("--per-village", default=f"{PER_VILLAGE[0]}-{PER_VILLAGE[1]}",
                        help="responses per village, LOW-HIGH (default: %(default)s)")
    return parser.parse_args()


# --- the dataset ---------------------------------------------------------------------------------------


def load_dataset(url: str, data: Path, province: str, per_village: tuple[int, int] = PER_VILLAGE,
                 ) -> dict[str, int | str]:
    """Migrate, import the province, create both rounds and their data; returns what was made."""
    from flask_migrate import upgrade

    from survey_app import questionnaires
    from survey_app.demo.synthetic import VillageMood, generate_responses
    from survey_app.extensions import db
    from survey_app.models import FormStatus, PaperForm, Response, Role, Village
    from survey_app.operations.rounds import create_round, open_round
    from survey_app.operations.users import create_user
    from survey_app.operations.villages import import_villages

    app = make_app(url)
    with app.app_context():
        upgrade()
        with tempfile.TemporaryDirectory(prefix="bench-province-") as folder:
            if province != "all":
                province_folder(data, province, Path(folder))
            import_villages(data if province == "all" else Path(folder), actor="benchmark")
        db.session.commit()
        villages = list(db.session.scalars(sa.select(Village).order_by(Village.code)))
        district = villages[0].district_code
        rng = random.Random(20270301)  # noqa: S311 - reproducible synthetic data
        moods = {v.id: VillageMood(0.3 + 0.5 * rng.random(), 0.3 + 0.5 * rng.random()) for v in villages}
        made: dict[str, int | str] = {"villages": len(villages), "district": district}
        for number, (name, scope, chosen) in enumerate((
            (BIG, [] if province == "all" else [province], villages),
            (SMALL, [district], [v for v in villages if v.district_code == district]),
        )):
            round_ = create_round(name, "trust-safety@2", OPENS, CLOSES, scope_codes=scope, actor="benchmark")
            round_.target_per_village = TARGET
            open_round(round_, actor="benchmark")
            questionnaire = questionnaires.load(round_.questionnaire_key, round_.questionnaire_version)
            rows = generate_responses(questionnaire, round_, chosen, moods, per_village, seed=number)
            for start in range(0, len(rows), 5000):
                db.session.execute(sa.insert(Response), rows[start : start + 5000])
            forms = [
                {"round_id": round_.id, "village_id": village.id, "serial": f"{village.code}-{n}",
                 "status": rng.choice((FormStatus.AWAITING_SECOND, FormStatus.RECONCILIATION)),
                 "needs_second": True}
                for village in chosen[::5] for n in range(rng.randint(1, 3))
            ]
            db.session.execute(sa.insert(PaperForm), forms)
            made[f"{name} villages"], made[f"{name} responses"], made[f"{name} forms"] = (
                len(chosen), len(rows), len(forms))
        create_user(ADMIN[0], Role.ADMIN, ADMIN[1], [])
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return made


# --- the measurements ------------------------------------------------------------------------------------


def timed(call: Callable[[], None], repeats: int, warm: int = 2) -> list[float]:
    """Milliseconds of ``repeats`` calls after ``warm`` unmeasured ones."""
    for _ in range(warm):
        call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return times


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(url: str, args: argparse.Namespace, district: str) -> dict[str, list[float]]:
    from survey_app import quality
    from survey_app.admin import progress_data
    from survey_app.database import read_only
    from survey_app.extensions import db
    from survey_app.models import Round

    app = make_app(url)
    with app.app_context():
        slugs = {r.name: r.slug for r in db.session.scalars(sa.select(Round))}
        big = db.session.scalar(sa.select(Round).where(Round.name == BIG))
        big_id = big.id
        scope = progress_data.Scope(big.id, big.scope_prefixes, [], big.target_per_village,
                                    int(app.config["FAST_COMPLETION_SECONDS"]))
        db.session.remove()
    client = app.test_client()
    response = client.post("/auth/login", data={"email": ADMIN[0], "password": ADMIN[1]})
    assert response.status_code == 302, response.status_code  # noqa: S101
    serve_like_gunicorn()
    regency = ".".join(district.split(".")[:2])

    def get(path: str, kind: str = "text/html") -> Callable[[], None]:
        def call() -> None:
            response = client.get(path)
            body = response.get_data()  # the last byte
            assert response.status_code == 200 and response.mimetype == kind.split(";")[0], path  # noqa: S101
            assert body  # noqa: S101

        return call

    def sql_only() -> None:
        with app.app_context(), read_only(), db.engine.connect() as connection:
            page = progress_data.page(connection, scope, progress_data.Filters(), 1)
            rows = progress_data.responses_of(connection, scope, [r.village_id for r in page.rows])
            quality.assess(rows, scope.fast_seconds)
            db.session.remove()

    base = f"/admin/rounds/{slugs[BIG]}/progress"
    table = f"/entry/{big_id}/responses"
    variants = {
        "default page": get(base),
        "filtered+search+sort": get(f"{base}?regency={regency}&q=an&sort=last_at&dir=desc"),
        "deep page, sort % reached": get(f"{base}?sort=reached&dir=desc&page=100"),
        "baseline: small round": get(f"/admin/rounds/{slugs[SMALL]}/progress"),
        "submissions, newest first": get(table),
        "submissions, filtered": get(f"{table}?area={regency}&mode=web&date_from=2027-03-01&flag=fast"),
        "submissions, straight-lined": get(f"{table}?flag=straight"),
        "submissions, page 100 by village": get(f"{table}?sort=village&dir=asc&page=100"),
        "SQL only (default page)": sql_only,
    }
    figures = {name: timed(call, args.requests) for name, call in variants.items()}
    figures["CSV, whole province"] = timed(get(f"{base}.csv", "text/csv"), args.csv_requests, warm=1)
    return figures


# --- driver ----------------------------------------------------------------------------------------------


JUDGED = {"default page": PAGE_TARGET_MS, "filtered+search+sort": PAGE_TARGET_MS,
          "deep page, sort % reached": PAGE_TARGET_MS, "submissions, newest first": TABLE_TARGET_MS,
          "submissions, filtered": TABLE_TARGET_MS, "submissions, straight-lined": TABLE_TARGET_MS,
          "submissions, page 100 by village": TABLE_TARGET_MS}
"""Variant -> its p95 target: the dashboard's 500 ms (issue 11), the submissions table's 300 ms (issue 13)."""


def run_backend(backend: str, args: argparse.Namespace) -> bool:
    name = f"{BENCH_DATABASE}_{os.getpid()}_{secrets.token_hex(3)}"  # runs never collide
    low, high = (int(part) for part in args.per_village.split("-"))
    with scratch_database(backend, args.postgresql_url, name) as url:
        start = time.perf_counter()
        made = load_dataset(url, args.data, args.province, (low, high))
        load_seconds = time.perf_counter() - start
        # A live database has planner statistics (PostgreSQL's autovacuum analyses tables after
        # large inserts); a freshly bulk-loaded one has none and gets plans no site would see.
        engine = sa.create_engine(url)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")
        engine.dispose()
        figures = measure(url, args, str(made["district"]))
    print(f"\n== {backend}: province {args.province}, {made['villages']:,} villages; "
          f"round '{BIG}': {made[f'{BIG} villages']:,} villages, {made[f'{BIG} responses']:,} responses, "
          f"{made[f'{BIG} forms']:,} paper forms waiting; baseline '{SMALL}': {made[f'{SMALL} villages']} villages "
          f"(data loaded in {load_seconds:.0f} s) ==")
    passed = True
    baseline = statistics.median(figures["baseline: small round"])
    for name, times in figures.items():
        median = statistics.median(times)
        verdict = ""
        if name in JUDGED:
            ok = p95(times) < JUDGED[name]
            passed &= ok
            verdict = f"{'PASS' if ok else 'FAIL'} (p95 < {JUDGED[name]:.0f} ms)"
        print(f"{name:28} median {median:7.1f} ms   p95 {p95(times):7.1f} ms   "
              f"x{median / baseline:5.1f} baseline   n={len(times):<3} {verdict}")
    print(f"result                       {'PASS' if passed else 'FAIL'}; load average {os.getloadavg()[0]:.1f}")
    return passed


def main() -> int:
    args = parse_args()
    if not (args.data / "villages.csv").is_file():
        print(f"No villages.csv in {args.data}; pass --data DIR.", file=sys.stderr)
        return 2
    backends = list(BACKENDS) if args.backend == "both" else [args.backend]
    results = [run_backend(backend, args) for backend in backends]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
