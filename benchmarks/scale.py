"""Benchmark: reports and exports at province and national scale (issue 11).

    .venv/bin/python benchmarks/scale.py [--backend sqlite|postgresql|both] [--shape province|national|both]

Shapes, each one open round of trust-safety v2 in a fresh scratch database:

- **province**: the 8,563 villages of Jawa Tengah (33), built up to 2, then 8, then 30
  responses per village (about 257,000), measuring the village workbook at each step;
- **national**: all 83,762 villages, 6 responses each (about 500,000).

Answers are drawn from a pool of synthetic respondents (``survey_app.demo.synthetic``, each
checked by the questionnaire engine), so loading half a million rows takes a minute, not ten.
The rows are bulk inserted, so the triggers mark every village; the first measurement is
``flask reports refresh`` rebuilding every village's summary sums (once per data load).

Measured, each in a fresh process where memory matters:

- **village workbook** (test client, request to last byte, an admin signed in, the app's
  objects frozen as gunicorn.conf.py freezes them in production): the first
  download in a fresh process (cold), 40 more (warm), and 20 downloads each right after 5
  new answers arrived in random villages (the summary sums of those villages are rebuilt by
  the download). Target: p95 <= 300 ms in each group, not growing with the round's size.
- **CSV export** (``flask export responses``, a subprocess) against a bare streaming
  read-and-write of the same rows (DB-API cursor, ``fetchmany``, ``json.loads``, ``csv``) in
  its own subprocess. Target: <= 1.5x the floor's time, peak RSS < 150 MB.
- **XLSX export** (the same command) against bare openpyxl ``write_only`` writing the same
  cells (read back from our CSV before the clock starts). Target: <= 1.5x. Both exports are
  measured on the province shape only.

Scratch databases are named with the process id and a random token, so two runs never collide.
Prints the figures and PASS/FAIL; the exit code is non-zero on FAIL.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import random
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from scratch_db import BACKENDS, scratch_database

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DEFAULT_DATA = REPO.parent / "shared" / "data" / "idn-area-data"
DEFAULT_POSTGRESQL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ROUND = "Skala 1 2026"
ADMIN = ("bench@example.org", "benchmark password 0123")
SHAPES = {"province": ("33", (2, 8, 30)), "national": (None, (6,))}
POOL = 3_000
WORKBOOK_MS = 300.0
EXPORT_RATIO = 1.5
CSV_RSS_MB = 150.0


def make_app(url: str):  # type: ignore[no-untyped-def]
    from survey_app import create_app

    return create_app({"SURVEY_ENV": "testing", "SECRET_KEY": "benchmark-secret-key-0123456789-abcdefghijkl",
                       "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


# --- the dataset ------------------------------------------------------------------------------------


def setup(url: str, data: Path, province: str | None) -> None:
    """Migrate, import the villages (one province or all), create the open round and the admin."""
    from flask_migrate import upgrade

    from survey_app.extensions import db
    from survey_app.models import Role
    from survey_app.operations.rounds import create_round, open_round
    from survey_app.operations.users import create_user
    from survey_app.operations.villages import import_villages

    app = make_app(url)
    with app.app_context():
        upgrade()
        with tempfile.TemporaryDirectory(prefix="bench-scale-") as folder:
            for name in ("provinces.csv", "regencies.csv", "districts.csv", "villages.csv"):
                with (data / name).open(encoding="utf-8", newline="") as source, \
                        (Path(folder) / name).open("w", encoding="utf-8", newline="") as target:
                    reader = csv.DictReader(source)
                    writer = csv.DictWriter(target, fieldnames=reader.fieldnames or [])
                    writer.writeheader()
                    writer.writerows(row for row in reader
                                     if province is None or next(iter(row.values())).split(".")[0] == province)
            import_villages(Path(folder), actor="benchmark")
        round_ = create_round(ROUND, "trust-safety@2", date(2026, 1, 1), date(2026, 12, 31), actor="benchmark")
        open_round(round_, actor="benchmark")
        create_user(ADMIN[0], Role.ADMIN, ADMIN[1], [])
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def add_responses(url: str, per_village: int) -> int:
    """Add ``per_village`` responses to every village, drawn from a pool of synthetic respondents."""
    from survey_app import questionnaires
    from survey_app.demo.synthetic import VillageMood, generate_responses
    from survey_app.extensions import db
    from survey_app.models import Response, Round, Village
    from survey_app.operations.responses import answers_digest

    app = make_app(url)
    with app.app_context():
        round_ = db.session.scalar(sa.select(Round).where(Round.name == ROUND))
        questionnaire = questionnaires.load("trust-safety", 2)
        village_ids = list(db.session.scalars(sa.select(Village.id).order_by(Village.id)))
        rng = random.Random(per_village)  # noqa: S311 - reproducible synthetic data
        sample = list(db.session.scalars(sa.select(Village).limit(30)))
        moods = {v.id: VillageMood(rng.uniform(0.3, 0.8), rng.uniform(0.3, 0.8)) for v in sample}
        pool = [row["answers"] for row in generate_responses(questionnaire, round_, sample, moods,
                                                             (POOL // 30, POOL // 30), seed=7)]
        digests = [answers_digest(a) for a in pool]
        start = datetime(2026, 1, 2, 8, tzinfo=UTC)
        rows = []
        for village_id in village_ids:
            for _ in range(per_village):
                pick = rng.randrange(len(pool))
                at = start + timedelta(minutes=rng.randrange(300 * 24 * 60))
                rows.append({"submission_key": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                             "round_id": round_.id, "village_id": village_id, "questionnaire_key": "trust-safety",
                             "questionnaire_version": 2, "mode": "web" if rng.random() < 0.7 else "paper",
                             "answers": pool[pick], "answers_digest": digests[pick], "duration_s": None,
                             "submitted_at": at, "updated_at": at})
        for start_row in range(0, len(rows), 10_000):
            db.session.execute(sa.insert(Response), rows[start_row : start_row + 10_000])
        db.session.commit()
        total = db.session.scalar(sa.select(sa.func.count()).select_from(Response))
        db.session.remove()
        db.engine.dispose()
    return int(total or 0)


# --- measurements (each run in a fresh process: ``python scale.py --measure PART URL``) ---------------


def measure_refresh(url: str) -> dict[str, float]:
    from survey_app import questionnaires
    from survey_app.extensions import db
    from survey_app.reporting import summaries

    app = make_app(url)
    with app.app_context():
        start = time.perf_counter()
        villages = summaries.refresh_all(db.engine, questionnaires.load)
        seconds = time.perf_counter() - start
        db.engine.dispose()
    return {"villages": villages, "seconds": seconds, "rss_mb": peak_rss_mb()}


def serve_like_gunicorn() -> None:
    """Do what gunicorn.conf.py does in the master before forking workers: collect, then
    freeze the built app's objects. Without it every full collection in this process walks
    the whole app (Flask, SQLAlchemy, pandas, openpyxl: 176,000 objects) and took 110-190 ms,
    every fifth to eighth download, which production workers do not pay."""
    gc.collect()
    gc.freeze()


def measure_workbook(url: str) -> dict[str, object]:
    from survey_app import questionnaires
    from survey_app.extensions import db
    from survey_app.models import Mode, Round, Village
    from survey_app.operations.responses import insert_response

    app = make_app(url)
    rng = random.Random(11)  # noqa: S311
    with app.app_context():
        round_ = db.session.scalar(sa.select(Round).where(Round.name == ROUND))
        slug, round_id = round_.slug, round_.id
        villages = list(db.session.execute(sa.select(Village.id, Village.code)).tuples())
        answers = db.session.scalar(sa.text("SELECT answers FROM responses LIMIT 1"))
        db.session.remove()
    client = app.test_client()
    assert client.post("/auth/login", data={"email": ADMIN[0], "password": ADMIN[1]}).status_code == 302  # noqa: S101
    serve_like_gunicorn()

    def download() -> float:
        code = rng.choice(villages)[1]
        start = time.perf_counter()
        response = client.get(f"/downloads/{slug}/village/{code}.xlsx")
        body = response.get_data()
        assert response.status_code == 200 and body[:2] == b"PK", response.status_code  # noqa: S101
        return (time.perf_counter() - start) * 1000

    cold = download()
    warm = [download() for _ in range(40)]
    fresh = []
    with app.app_context():
        questionnaire = questionnaires.load("trust-safety", 2)
    answers = answers if isinstance(answers, dict) else json.loads(answers)
    for _ in range(20):
        with app.app_context():
            for _ in range(5):
                village_id = rng.choice(villages)[0]
                insert_response(_Ref(round_id), _Ref(village_id), questionnaire, answers, str(uuid.uuid4()), Mode.WEB)
            db.session.commit()
            db.session.remove()
        fresh.append(download())
    with app.app_context():
        db.engine.dispose()
    return {"cold": cold, "warm": warm, "fresh": fresh}


class _Ref:
    def __init__(self, id_: int) -> None:
        self.id = id_


FLOOR_CSV = """
import csv, json, sys
import sqlalchemy as sa
engine = sa.create_engine(sys.argv[1])
with engine.connect() as conn, open(sys.argv[2], "w", newline="", encoding="utf-8") as out:
    raw = conn.connection.dbapi_connection
    cursor = raw.cursor(name="floor") if engine.dialect.name == "postgresql" else raw.cursor()
    cursor.execute("SELECT r.id, r.round_id, v.code, r.mode, r.questionnaire_version, r.submitted_at, "
                   "CAST(r.answers AS TEXT) FROM responses r JOIN villages v ON v.id = r.village_id "
                   "WHERE r.deleted_at IS NULL ORDER BY r.id")
    writer = csv.writer(out)
    columns = None
    while rows := cursor.fetchmany(1000):
        for row in rows:
            answers = json.loads(row[6])
            if columns is None:
                columns = sorted(answers)
                writer.writerow(["id", "round", "village", "mode", "version", "submitted", *columns])
            writer.writerow([*row[:6], *(answers.get(c) for c in columns)])
"""


def run_timed(args: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(seconds, peak RSS MB) of a subprocess. The peak comes from GNU time (Debian's ``time``):
    a child's own getrusage figure would include the pages it shared with this large parent
    between fork and exec. NaN when GNU time is missing."""
    with tempfile.NamedTemporaryFile("r") as rss:
        wrapper = ["/usr/bin/time", "-f", "%M", "-o", rss.name] if Path("/usr/bin/time").exists() else []
        start = time.perf_counter()
        result = subprocess.run([*wrapper, *args], env=env, cwd=REPO, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if result.returncode:
            raise RuntimeError(f"{args[:6]} failed: {result.stderr[-2000:]}")
        peak = rss.read().strip().splitlines()[-1] if wrapper else ""
    return seconds, int(peak) / 1024 if peak.isdigit() else float("nan")


def measure_exports(url: str, folder: Path) -> dict[str, float]:
    env = {**os.environ, "DATABASE_URL": url, "SURVEY_ENV": "testing",
           "SECRET_KEY": "benchmark-secret-key-0123456789-abcdefghijkl"}
    flask = [str(Path(sys.executable).parent / "flask"), "--app", "wsgi", "export", "responses", "--round", ROUND]
    figures: dict[str, float] = {}
    figures["csv_floor_s"], figures["csv_floor_rss"] = run_timed(
        [sys.executable, "-c", FLOOR_CSV, url, str(folder / "floor.csv")])
    figures["csv_s"], figures["csv_rss"] = run_timed([*flask, "--format", "csv", "--out", str(folder / "ours.csv")],
                                                     env)
    figures["xlsx_s"], _ = run_timed([*flask, "--format", "xlsx", "--out", str(folder / "ours.xlsx")], env)
    figures["xlsx_floor_s"] = xlsx_floor(folder / "ours.csv", folder / "floor.xlsx")
    return figures


def xlsx_floor(source: Path, target: Path) -> float:
    """Bare openpyxl write_only of the cells of our CSV export (read before the clock starts)."""
    from openpyxl import Workbook

    with source.open(encoding="utf-8-sig", newline="") as stream:
        rows = [[_cell(value) for value in row] for row in csv.reader(stream)]
    start = time.perf_counter()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("responses")
    for row in rows:
        sheet.append(row)
    workbook.save(target)
    return time.perf_counter() - start


def _cell(text: str) -> object:
    if text == "":
        return None
    try:
        return int(text)
    except ValueError:
        return text


# --- the run ------------------------------------------------------------------------------------------


def in_fresh_process(part: str, url: str, script: str = __file__) -> dict:  # type: ignore[type-arg]
    """``script --measure PART URL`` in a new interpreter: its last line of output, as JSON."""
    result = subprocess.run([sys.executable, script, "--measure", part, url], capture_output=True, text=True,
                            cwd=REPO)
    if result.returncode:
        raise RuntimeError(f"{part} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


def analyse(url: str) -> None:
    """Planner statistics after a bulk load, as PostgreSQL's autovacuum gathers them on a live
    server (this machine's server runs without it). Without them a fresh table looks empty and
    index choices are guesses: the village report's read took 15 ms instead of 0.3 ms. SQLite
    gathers none by itself, so its figures stay without."""
    engine = sa.create_engine(url)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("ANALYZE")
    engine.dispose()


def run(backend: str, shape: str, args: argparse.Namespace) -> bool:
    province, steps = SHAPES[shape]
    ok = True
    name = f"bench_scale_{os.getpid()}_{secrets.token_hex(3)}"
    with scratch_database(backend, args.postgresql_url, name) as url:
        start = time.perf_counter()
        setup(url, args.data, province)
        print(f"\n== {backend}, {shape} shape: villages imported in {time.perf_counter() - start:.1f} s", flush=True)
        done = 0
        for per_village in steps:
            start = time.perf_counter()
            total = add_responses(url, per_village - done)
            done = per_village
            print(f"-- {per_village} responses per village: {total:,} responses, "
                  f"loaded in {time.perf_counter() - start:.1f} s", flush=True)
            if backend == "postgresql":
                analyse(url)
            refresh = in_fresh_process("refresh", url)
            print(f"   summary sums rebuilt for {refresh['villages']:,} villages in {refresh['seconds']:.1f} s "
                  f"(peak RSS {refresh['rss_mb']:.0f} MB; once per bulk load)")
            book = in_fresh_process("workbook", url)
            for label, values in (("cold", [book["cold"]]), ("warm", book["warm"]),
                                  ("after 5 new answers", book["fresh"])):
                worst = p95(values)
                passed = worst <= WORKBOOK_MS
                ok &= passed
                print(f"   village workbook, {label}: median {statistics.median(values):.0f} ms, "
                      f"p95 {worst:.0f} ms, max {max(values):.0f} ms  {'PASS' if passed else 'FAIL'} (<= 300 ms)")
        if args.exports and shape == "province":  # the export targets are the province round
            with tempfile.TemporaryDirectory(prefix="bench-export-") as folder:
                fig = measure_exports(url, Path(folder))
            csv_ratio, xlsx_ratio = fig["csv_s"] / fig["csv_floor_s"], fig["xlsx_s"] / fig["xlsx_floor_s"]
            csv_ok = csv_ratio <= EXPORT_RATIO and fig["csv_rss"] < CSV_RSS_MB
            ok &= csv_ok and xlsx_ratio <= EXPORT_RATIO
            print(f"   CSV export {fig['csv_s']:.1f} s, peak RSS {fig['csv_rss']:.0f} MB; bare streaming "
                  f"{fig['csv_floor_s']:.1f} s, {fig['csv_floor_rss']:.0f} MB; ratio {csv_ratio:.2f}  "
                  f"{'PASS' if csv_ok else 'FAIL'} (<= 1.5x, < 150 MB)")
            print(f"   XLSX export {fig['xlsx_s']:.1f} s; bare write_only of the same cells "
                  f"{fig['xlsx_floor_s']:.1f} s; "
                  f"ratio {xlsx_ratio:.2f}  {'PASS' if xlsx_ratio <= EXPORT_RATIO else 'FAIL'} (<= 1.5x)")
    return ok


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--measure":
        part, url = sys.argv[2], sys.argv[3]
        result = measure_refresh(url) if part == "refresh" else measure_workbook(url)
        print(json.dumps(result))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=[*BACKENDS, "both"], default="both")
    parser.add_argument("--shape", choices=[*SHAPES, "both"], default="both")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--postgresql-url", default=DEFAULT_POSTGRESQL)
    parser.add_argument("--no-exports", dest="exports", action="store_false", help="Skip the export measurements.")
    args = parser.parse_args()
    ok = True
    for backend in BACKENDS if args.backend == "both" else (args.backend,):
        for shape in SHAPES if args.shape == "both" else (args.shape,):
            ok &= run(backend, shape, args)
    print("\nPASS" if ok else "\nFAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
