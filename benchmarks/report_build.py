"""Benchmark: village report workbooks on a province-sized synthetic dataset.

    .venv/bin/python benchmarks/report_build.py [--data DIR] [--province 52] [--backend sqlite|postgresql|both]

For each backend, in a fresh database (a temporary SQLite file; a ``bench_reports_<pid>_<token>``
database on the PostgreSQL server, dropped afterwards):

1. import the villages of one province from the official list (``import_villages``), and
   three rounds (v1, v2, v2) of about 30 synthetic responses per village each
   (``survey_app.demo.synthetic``), bulk inserted;
2. in a fresh process, so memory figures are the measurement's own:
   - **single village**: an admin signed in with the test client downloads village reports
     (``GET /downloads/<round>/village/<code>.xlsx``); time from the request to the last
     byte, cold (the first, which computes the round's shared figures) and the median of
     the warm ones. Target: median at most 300 ms;
   - **bulk**: ``flask reports build`` without the CLI shell: one query for every response,
     then 1,000 village workbooks in ``--processes`` worker processes (default 2), written
     to files. Target: under 60 s, peak memory under 1 GB. Printed: peak RSS of the parent
     and of the largest worker (``getrusage`` RUSAGE_SELF and RUSAGE_CHILDREN; their sum is an
     upper bound, since forked workers share the parent's pages), and the peak of the summed PSS (proportional set
     size, shared pages counted once) sampled from /proc during the run, which is what the
     target is judged on;
   - **weighted**: the single-village downloads and the bulk build again, after a synthetic
     population by age band x sex is stored for every village and the latest round is
     weighted (``flask rounds weights``): what weighting costs, against the unweighted
     figures of the same run. Same targets;
   - **floor**: for a sample of villages, the same cells (values and number formats) and the
     same charts written with bare openpyxl into a new workbook and saved, no statistics;
     our time for the same villages (tables + workbook + save, one process) as a ratio of
     it. Aim: 2x or better.

Prints the figures and PASS/FAIL; the exit code is non-zero on FAIL.

For quick iterations: ``--sqlite-file PATH`` keeps the SQLite dataset and reuses it on later
runs (no 45 s load), ``--parts bulk`` (or ``single``, ``floor``) runs only those measurements
and ``--villages N`` builds fewer workbooks in bulk; report the full 1,000-village figure.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import random
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from scratch_db import BACKENDS, scratch_database

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run as a plain script from any directory

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "idn-area-data"
DEFAULT_POSTGRESQL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BENCH_DATABASE = "bench_reports"
DEFAULT_PROVINCE = "52"  # Nusa Tenggara Barat: 1,166 villages
PER_VILLAGE = (27, 33)  # about 30 responses per village per round
BULK_VILLAGES = 1000
SINGLE_TARGET_MS = 300.0
BULK_TARGET_S = 60.0
MEMORY_TARGET_MB = 1024.0
NAN = float("nan")
RATIO_AIM = 2.0
PARTS = ("single", "bulk", "floor", "weighted")
ADMIN = ("bench@example.org", "benchmark password 0123")
ROUNDS = (
    ("Bench 1 2025", "trust-safety@1", date(2025, 3, 1), date(2025, 4, 15), (0.0, 0.0)),
    ("Bench 2 2025", "trust-safety@2", date(2025, 9, 1), date(2025, 10, 15), (0.08, 0.04)),
    ("Bench 1 2026", "trust-safety@2", date(2026, 3, 1), date(2026, 4, 15), (0.12, 0.06)),
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="four-file folder (default: %(default)s)")
    parser.add_argument("--province", default=DEFAULT_PROVINCE, help="province code (default: %(default)s)")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--postgresql-url", default=DEFAULT_POSTGRESQL, help="server (default: %(default)s)")
    parser.add_argument("--processes", type=int, default=2, help="bulk worker processes (default: 2)")
    parser.add_argument("--requests", type=int, default=21, help="single-village downloads (default: 21)")
    parser.add_argument("--floor-sample", type=int, default=20, help="villages in the floor comparison")
    parser.add_argument("--villages", type=int, default=BULK_VILLAGES,
                        help="villages in the bulk build (default: %(default)s; the target is for 1,000)")
    parser.add_argument("--parts", default=",".join(PARTS),
                        help="measurements to run, comma-separated from %(default)s (quick iterations)")
    parser.add_argument("--sqlite-file", type=Path,
                        help="SQLite only: keep the dataset in this file and reuse it when it exists")
    parser.add_argument("--measure", metavar="URL", help=argparse.SUPPRESS)  # internal: phase 2
    return parser.parse_args()


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux


def make_app(url: str):  # type: ignore[no-untyped-def]
    from survey_app import create_app

    return create_app({
        "SURVEY_ENV": "testing",
        "SECRET_KEY": "benchmark-secret-key-0123456789-abcdefghijkl",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
    })


# --- databases --------------------------------------------------------------------------------


# --- phase 1: the dataset ------------------------------------------------------------------------


def province_folder(data: Path, province: str, into: Path) -> int:
    """The four files cut down to one province; returns its number of villages."""
    keep = {
        "provinces.csv": lambda row: row["code"] == province,
        "regencies.csv": lambda row: row["province_code"] == province,
        "districts.csv": lambda row: row["regency_code"].split(".")[0] == province,
        "villages.csv": lambda row: row["code"].split(".")[0] == province,
    }
    count = 0
    for name, wanted in keep.items():
        with (data / name).open(encoding="utf-8", newline="") as source, \
                (into / name).open("w", encoding="utf-8", newline="") as target:
            reader = csv.DictReader(source)
            writer = csv.DictWriter(target, fieldnames=reader.fieldnames or [])
            writer.writeheader()
            rows = [row for row in reader if wanted(row)]
            writer.writerows(rows)
            if name == "villages.csv":
                count = len(rows)
    return count


def load_dataset(url: str, data: Path, province: str) -> tuple[int, int]:
    """Migrate, import the province, create the rounds and their responses; (villages, responses)."""
    from flask_migrate import upgrade

    from survey_app import questionnaires
    from survey_app.demo.synthetic import VillageMood, generate_responses
    from survey_app.extensions import db
    from survey_app.models import Response, Role, Village
    from survey_app.operations.rounds import close_round, create_round, open_round
    from survey_app.operations.users import create_user
    from survey_app.operations.villages import import_villages

    app = make_app(url)
    with app.app_context():
        upgrade()
        with tempfile.TemporaryDirectory(prefix="bench-province-") as folder:
            province_folder(data, province, Path(folder))
            import_villages(Path(folder), actor="benchmark")
        db.session.commit()
        villages = list(db.session.scalars(sa.select(Village).order_by(Village.code)))
        rng = random.Random(20260101)  # noqa: S311 - reproducible synthetic data
        base = {v.id: (0.35 + 0.3 * rng.random(), 0.4 + 0.3 * rng.random(), rng.choice((-0.5, 1, 1.5)))
                for v in villages}
        total = 0
        for number, (name, ref, opens, closes, (trust_shift, safety_shift)) in enumerate(ROUNDS):
            round_ = create_round(name, ref, opens, closes, actor="benchmark")
            open_round(round_, actor="benchmark")
            questionnaire = questionnaires.load(round_.questionnaire_key, round_.questionnaire_version)
            moods = {vid: VillageMood(min(0.95, t + trust_shift * d), min(0.95, s + safety_shift * d))
                     for vid, (t, s, d) in base.items()}
            rows = generate_responses(questionnaire, round_, villages, moods, PER_VILLAGE, seed=number)
            for start in range(0, len(rows), 5000):
                db.session.execute(sa.insert(Response), rows[start : start + 5000])
            if number < len(ROUNDS) - 1:
                close_round(round_, actor="benchmark")
            total += len(rows)
        create_user(ADMIN[0], Role.ADMIN, ADMIN[1], [])
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return len(villages), total


# --- phase 2: the measurements ---------------------------------------------------------------------


def single_village(app, requests: int) -> tuple[float, list[float]]:  # type: ignore[no-untyped-def]
    """Cold time and warm times (ms) of village report downloads through the whole web stack."""
    from survey_app.extensions import db
    from survey_app.models import Round, Village

    with app.app_context():
        slug = db.session.scalar(sa.select(Round.slug).where(Round.name == ROUNDS[-1][0]))
        codes = list(db.session.scalars(sa.select(Village.code).order_by(Village.code)))
        db.session.remove()
    client = app.test_client()
    response = client.post("/auth/login", data={"email": ADMIN[0], "password": ADMIN[1]})
    assert response.status_code == 302, response.status_code  # noqa: S101
    picks = codes[:: max(1, len(codes) // requests)][:requests]
    times = []
    for code in picks:
        start = time.perf_counter()
        response = client.get(f"/downloads/{slug}/village/{code}.xlsx")
        body = response.get_data()  # the last byte
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200 and body[:2] == b"PK", response.status_code  # noqa: S101
    return times[0], times[1:]


def bulk(app, processes: int, out: Path, count: int) -> tuple[float, float, int, int]:  # type: ignore[no-untyped-def]
    """The CLI's bulk path for the first ``count`` villages: (seconds, CPU seconds, written, failed)."""
    from reports.bulk import build_reports
    from survey_app.database import read_only
    from survey_app.extensions import db
    from survey_app.models import Round
    from survey_app.reporting.service import bulk_inputs, report_options, round_villages

    # Deferred reads, as ``flask reports build`` (@reading) runs: a session read that began as
    # a write would hold the SQLite lock the stored sums' refresh needs.
    with app.app_context(), read_only():
        round_ = db.session.scalar(sa.select(Round).where(Round.name == ROUNDS[-1][0]))
        villages = round_villages(round_)[:count]
        start, cpu_start = time.perf_counter(), cpu_seconds()
        inputs = bulk_inputs(round_, villages, report_options(round_, "id"))
        results = build_reports(inputs, out, processes)
        seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu_start
        db.session.remove()
    return seconds, cpu, sum(r.ok for r in results), sum(not r.ok for r in results)


class PssSampler:
    """Peak of the summed proportional set size (PSS) of this process and its children,
    sampled every 0.2 s: pages shared by forked workers are counted once, not per process."""

    def __init__(self) -> None:
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            pids = [os.getpid(), *self._children()]
            self.peak_mb = max(self.peak_mb, sum(self._pss_kb(pid) for pid in pids) / 1024)

    @staticmethod
    def _children() -> list[int]:
        found = []
        for task in Path(f"/proc/{os.getpid()}/task").iterdir():
            with contextlib.suppress(OSError):
                found += [int(pid) for pid in (task / "children").read_text().split()]
        return found

    @staticmethod
    def _pss_kb(pid: int) -> int:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    return int(line.split()[1])
        return 0


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (user + system)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def ours_and_floor(app, sample: int) -> tuple[list[float], list[float]]:  # type: ignore[no-untyped-def]
    """Per village, in one process: our build (tables, workbook, save) and the bare-openpyxl floor."""
    from survey_app.database import read_only
    from survey_app.extensions import db
    from survey_app.models import Round
    from survey_app.reporting.service import bulk_inputs, report_options, round_villages

    with app.app_context(), read_only():
        round_ = db.session.scalar(sa.select(Round).where(Round.name == ROUNDS[-1][0]))
        villages = round_villages(round_)
        villages = villages[:: max(1, len(villages) // sample)][:sample]
        inputs = bulk_inputs(round_, villages, report_options(round_, "id"))
        db.session.remove()
    inputs.warm()  # shared figures are computed once per bulk run, not per village
    ours, floor = [], []
    for village in inputs.villages:
        start = time.perf_counter()
        data = inputs.workbook(village)
        ours.append(time.perf_counter() - start)
        floor.append(floor_seconds(data))
    return ours, floor


def floor_seconds(data: bytes) -> float:
    """Bare openpyxl: the built workbook's values, number formats and charts copied cell by
    cell into a new workbook and saved. No statistics, no styles beyond number formats."""
    import openpyxl
    from openpyxl.chart import BarChart, LineChart, Reference, Series
    from openpyxl.chart.data_source import StrRef
    from openpyxl.chart.series import SeriesLabel
    from openpyxl.utils import get_column_letter

    source = openpyxl.load_workbook(io.BytesIO(data))
    sheets = []
    for ws in source.worksheets:
        cells = [(c.row, c.column, c.value, c.number_format) for row in ws.iter_rows() for c in row
                 if c.value is not None]
        charts = []
        for chart in ws._charts:
            anchor = chart.anchor._from
            series = [(s.val.numRef.f, s.tx.strRef.f if s.tx and s.tx.strRef else None,
                       (s.cat.strRef or s.cat.numRef).f if s.cat else None) for s in chart.series]
            charts.append((type(chart), series, f"{get_column_letter(anchor.col + 1)}{anchor.row + 1}"))
        sheets.append((ws.title, cells, charts))
    start = time.perf_counter()
    workbook = openpyxl.Workbook()
    for number, (title, cells, charts) in enumerate(sheets):
        ws = workbook.active if number == 0 else workbook.create_sheet()
        ws.title = title
        for row, col, value, fmt in cells:
            cell = ws.cell(row=row, column=col, value=value)
            if fmt != "General":
                cell.number_format = fmt
        for kind, series, anchor in charts:
            chart = LineChart() if kind is LineChart else BarChart()
            for values, title_ref, _categories in series:
                item = Series(Reference(range_string=values))
                if title_ref:
                    item.tx = SeriesLabel(strRef=StrRef(f=title_ref))
                chart.series.append(item)
            if series and series[0][2]:
                chart.set_categories(Reference(range_string=series[0][2]))
            ws.add_chart(chart, anchor)
    workbook.save(io.BytesIO())
    return time.perf_counter() - start


def weigh_latest_round(app, weighted: bool = True) -> None:  # type: ignore[no-untyped-def]
    """A synthetic adult population per village (six age bands x two sexes, more of the young
    than the old, a little noise) and the latest round switched to weighted figures (or back
    to unweighted, so a kept ``--sqlite-file`` starts every run unweighted)."""
    from survey_app.extensions import db
    from survey_app.models import PopulationCount, Round, Village
    from survey_app.operations.rounds import set_weighting

    rng = random.Random(20261204)  # noqa: S311 - reproducible synthetic data
    bands = (("17-24", 16), ("25-34", 19), ("35-44", 17), ("45-54", 14), ("55-64", 10), ("65+", 8))
    with app.app_context():
        rows = [{"area_code": code, "age_band": band, "sex": sex, "count": int(share * 10 * rng.uniform(0.8, 1.2)),
                 "year": 2025}
                for code in db.session.scalars(sa.select(Village.code)) for band, share in bands
                for sex in ("male", "female")]
        db.session.execute(sa.delete(PopulationCount))
        db.session.execute(sa.insert(PopulationCount), rows)
        round_ = db.session.scalar(sa.select(Round).where(Round.name == ROUNDS[-1][0]))
        set_weighting(round_, weighted, actor="benchmark")
        db.session.commit()
        db.session.remove()


def measure(url: str, args: argparse.Namespace) -> dict[str, object]:
    app = make_app(url)
    parts = set(args.parts.split(","))
    weigh_latest_round(app, weighted=False)
    started_mb = peak_rss_mb()
    cold, warm = single_village(app, args.requests) if "single" in parts else (NAN, [NAN])
    bulk_seconds = bulk_cpu = pss_mb = NAN
    written = failed = 0
    if "bulk" in parts:
        with tempfile.TemporaryDirectory(prefix="bench-out-") as out, PssSampler() as pss:
            bulk_seconds, bulk_cpu, written, failed = bulk(app, args.processes, Path(out), args.villages)
        pss_mb = pss.peak_mb
    parent_mb, child_mb = peak_rss_mb(), peak_rss_mb(resource.RUSAGE_CHILDREN)
    ours, floor = ours_and_floor(app, args.floor_sample) if "floor" in parts else ([NAN], [NAN])
    weighted: dict[str, object] = {}
    if "weighted" in parts:
        weigh_latest_round(app)
        cold_w, warm_w = single_village(app, args.requests)
        with tempfile.TemporaryDirectory(prefix="bench-out-") as out:
            bulk_w = bulk(app, args.processes, Path(out), args.villages)
        weighted = {"cold_ms": cold_w, "warm_ms": warm_w, "bulk_s": bulk_w[0], "written": bulk_w[2],
                    "failed": bulk_w[3]}
    return {
        "weighted": weighted,
        "started_mb": started_mb, "cold_ms": cold, "warm_ms": warm, "bulk_s": bulk_seconds,
        "bulk_cpu_s": bulk_cpu, "written": written, "failed": failed, "pss_mb": pss_mb,
        "parent_mb": parent_mb, "child_mb": child_mb, "ours_s": ours, "floor_s": floor,
    }


# --- driver ------------------------------------------------------------------------------------------


@contextlib.contextmanager
def dataset(backend: str, args: argparse.Namespace) -> Iterator[tuple[str, int, int, float]]:
    """(url, villages, responses, load seconds) of a freshly loaded scratch database, or of the
    kept ``--sqlite-file`` when it already exists (load seconds 0)."""
    if backend == "sqlite" and args.sqlite_file is not None:
        url = f"sqlite:///{args.sqlite_file.resolve()}"
        if args.sqlite_file.exists():
            engine = sa.create_engine(url)
            with engine.connect() as conn:
                villages = conn.exec_driver_sql("SELECT count(*) FROM villages").scalar_one()
                responses = conn.exec_driver_sql("SELECT count(*) FROM responses").scalar_one()
            engine.dispose()
            yield url, villages, responses, 0.0
            return
        start = time.perf_counter()
        villages, responses = load_dataset(url, args.data, args.province)
        yield url, villages, responses, time.perf_counter() - start
        return
    name = f"{BENCH_DATABASE}_{os.getpid()}_{secrets.token_hex(3)}"  # runs never collide
    with scratch_database(backend, args.postgresql_url, name) as url:
        start = time.perf_counter()
        villages, responses = load_dataset(url, args.data, args.province)
        yield url, villages, responses, time.perf_counter() - start


def run_backend(backend: str, args: argparse.Namespace) -> bool:
    with dataset(backend, args) as (url, villages, responses, load_seconds):
        # A fresh process for the measurements: its memory is theirs, not the data generator's.
        child = subprocess.run(
            [sys.executable, __file__, "--measure", url, "--processes", str(args.processes),
             "--requests", str(args.requests), "--floor-sample", str(args.floor_sample),
             "--villages", str(args.villages), "--parts", args.parts],
            capture_output=True, text=True, check=False,
        )
    if child.returncode != 0:
        print(child.stdout, child.stderr, file=sys.stderr)
        return False
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    warm = figures["warm_ms"]
    median_ms = statistics.median(warm)
    upper_mb = figures["parent_mb"] + args.processes * figures["child_mb"]
    memory_mb = figures["pss_mb"]
    ours_ms = statistics.mean(figures["ours_s"]) * 1000
    floor_ms = statistics.mean(figures["floor_s"]) * 1000
    ratio = ours_ms / floor_ms
    parts = set(args.parts.split(","))
    bulk_ok = figures["bulk_s"] < BULK_TARGET_S and figures["failed"] == 0 and figures["written"] == min(
        args.villages, villages)
    checks = {}
    print(f"\n== {backend}: province {args.province}, {villages:,} villages, {responses:,} responses, "
          f"3 rounds (data loaded in {load_seconds:.0f} s) ==")
    if "single" in parts:
        checks["single"] = median_ms <= SINGLE_TARGET_MS
        print(f"single village   cold {figures['cold_ms']:6.0f} ms   warm median {median_ms:6.0f} ms "
              f"(min {min(warm):.0f}, max {max(warm):.0f}, n={len(warm)})   target <= {SINGLE_TARGET_MS:.0f} ms")
    if "bulk" in parts:
        checks["bulk"] = bulk_ok
        checks["memory"] = memory_mb < MEMORY_TARGET_MB
        scaled = "" if args.villages == BULK_VILLAGES else f" (target is for {BULK_VILLAGES:,})"
        print(f"bulk             {figures['written']:,} workbooks in {figures['bulk_s']:6.1f} s with "
              f"{args.processes} processes ({figures['bulk_s'] / max(1, figures['written']) * 1000:.0f} ms each), "
              f"{figures['failed']} failed   target < {BULK_TARGET_S:.0f} s{scaled}")
        print(f"                 CPU time {figures['bulk_cpu_s']:.1f} s (parent + workers) = "
              f"{figures['bulk_cpu_s'] / args.processes:.1f} s of wall time on {args.processes} idle cores; "
              f"load average at the end {os.getloadavg()[0]:.1f}")
        print(f"peak memory      {memory_mb:.0f} MB summed PSS of parent and workers   "
              f"target < {MEMORY_TARGET_MB:.0f} MB")
        print(f"                 peak RSS: parent {figures['parent_mb']:.0f} MB, "
              f"largest worker {figures['child_mb']:.0f} MB "
              f"(RSS counts shared pages in each: {upper_mb:.0f} MB summed); app alone {figures['started_mb']:.0f} MB")
    if "floor" in parts:
        print(f"floor            ours {ours_ms:5.0f} ms per village, bare openpyxl {floor_ms:5.0f} ms: "
              f"{ratio:.2f}x   aim <= {RATIO_AIM:.0f}x ({'met' if ratio <= RATIO_AIM else 'not met'})")
    if "weighted" in parts:
        w = figures["weighted"]
        w_median = statistics.median(w["warm_ms"])
        checks["weighted"] = (w_median <= SINGLE_TARGET_MS and w["bulk_s"] < BULK_TARGET_S and w["failed"] == 0)
        print(f"weighted         single cold {w['cold_ms']:6.0f} ms   warm median {w_median:6.0f} ms "
              f"({w_median / median_ms:.2f}x unweighted)   bulk {w['written']:,} in {w['bulk_s']:.1f} s "
              f"({w['bulk_s'] / figures['bulk_s']:.2f}x unweighted), {w['failed']} failed")
    passed = all(checks.values())
    failing = ", ".join(name for name, ok in checks.items() if not ok)
    print(f"result           {'PASS' if passed else 'FAIL (' + failing + ')'}")
    return passed


def main() -> int:
    args = parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args)))
        return 0
    reuse = args.sqlite_file is not None and args.sqlite_file.exists() and args.backend == "sqlite"
    if not reuse and not (args.data / "villages.csv").is_file():
        print(f"No villages.csv in {args.data}; pass --data DIR.", file=sys.stderr)
        return 2
    backends = list(BACKENDS) if args.backend == "both" else [args.backend]
    results = [run_backend(backend, args) for backend in backends]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
