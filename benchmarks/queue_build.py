"""Benchmark: a bulk build fanned out over the task queue, one worker process against two.

    .venv/bin/python benchmarks/queue_build.py [--backend sqlite|postgresql|both] [--queue-url redis://...]

Dataset: ``report_build.py``'s (province 52, Nusa Tenggara Barat: 1,166 villages, three rounds
of about 30 synthetic responses per village), in a scratch database named with the process id
and a random token. Then, for the latest round's 1,166 village workbooks:

- **local**: ``flask reports build -j 1`` and ``-j 2`` (the CLI's own process pool), for reference;
- **queue**: ``flask reports build --queue --chunk 25`` while ``flask queue worker --workers N``
  runs (started and ready before the clock starts), for N = 1 and 2. The clock covers the whole
  command: enqueueing the chunks, the workers building them, the CLI seeing the last one done.

Target (issue 11): two workers build at least 1.8x as fast as one. The queue's storage is a
fresh SQLite file per run unless ``--queue-url`` names a Redis database (flushed first).
Prints the figures and PASS/FAIL; the exit code is non-zero on FAIL.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from report_build import DEFAULT_DATA, DEFAULT_POSTGRESQL, DEFAULT_PROVINCE, ROUNDS, load_dataset
from scratch_db import BACKENDS, scratch_database

REPO = Path(__file__).resolve().parents[1]
FLASK = str(Path(sys.executable).parent / "flask")
SPEED_UP_TARGET = 1.8
CHUNK = 25


def environment(url: str, queue_url: str, results: Path) -> dict[str, str]:
    return {**os.environ, "FLASK_APP": "wsgi", "DATABASE_URL": url, "QUEUE_URL": queue_url,
            "RESULTS_DIR": str(results), "SURVEY_ENV": "testing",
            "SECRET_KEY": "benchmark-secret-key-0123456789-abcdefghijkl"}


def timed_build(env: dict[str, str], out: Path, extra: list[str]) -> float:
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    result = subprocess.run([FLASK, "reports", "build", "--round", ROUNDS[-1][0], "--out", str(out), *extra],
                            env=env, cwd=REPO, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode:
        raise RuntimeError(f"build failed: {result.stdout[-1500:]} {result.stderr[-1500:]}")
    return seconds


def queued_build(env: dict[str, str], out: Path, workers: int) -> float:
    """The queued build's wall time with ``workers`` worker processes already waiting."""
    worker = subprocess.Popen([FLASK, "queue", "worker", "--workers", str(workers)], env=env, cwd=REPO,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert worker.stdout is not None  # noqa: S101
        for line in worker.stdout:  # ready once the consumer has started its workers
            if "Huey consumer started" in line:
                break
        threading.Thread(target=worker.stdout.read, daemon=True).start()  # keep its log from filling the pipe
        time.sleep(1)
        return timed_build(env, out, ["--queue", "--chunk", str(CHUNK)])
    finally:
        worker.send_signal(signal.SIGINT)
        try:
            worker.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            worker.kill()


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def run(backend: str, args: argparse.Namespace) -> bool:
    name = f"bench_queue_{os.getpid()}_{secrets.token_hex(3)}"
    with scratch_database(backend, args.postgresql_url, name) as url, \
            tempfile.TemporaryDirectory(prefix="bench-queue-") as folder:
        start = time.perf_counter()
        villages, responses = load_dataset(url, args.data, args.province)
        print(f"\n== {backend}: {villages:,} villages, {responses:,} responses in three rounds "
              f"(loaded in {time.perf_counter() - start:.0f} s)", flush=True)
        figures: dict[str, float] = {}
        for label, processes in (("local -j 1", 1), ("local -j 2", 2)):
            env = environment(url, f"sqlite:///{folder}/unused.sqlite", Path(folder) / "results")
            figures[label] = timed_build(env, Path(folder) / "out", ["-j", str(processes)])
            print(f"   {label:18} {figures[label]:6.1f} s  ({1000 * figures[label] / villages:5.0f} ms per village)",
                  flush=True)
        for workers in (1, 2):
            queue_url = args.queue_url or f"sqlite:///{folder}/queue-{workers}.sqlite"
            if args.queue_url:
                flush_redis(args.queue_url)
            env = environment(url, queue_url, Path(folder) / "results")
            label = f"queue, {workers} worker{'s' if workers > 1 else ''}"
            figures[label] = queued_build(env, Path(folder) / "out", workers)
            built = len(list((Path(folder) / "out").glob("*.xlsx")))
            assert built == villages, f"{built} of {villages} workbooks"  # noqa: S101
            print(f"   {label:18} {figures[label]:6.1f} s  ({1000 * figures[label] / villages:5.0f} ms per village)",
                  flush=True)
    speed_up = figures["queue, 1 worker"] / figures["queue, 2 workers"]
    overhead = figures["queue, 1 worker"] / figures["local -j 1"]
    ok = speed_up >= SPEED_UP_TARGET
    print(f"   two workers vs one: {speed_up:.2f}x  {'PASS' if ok else 'FAIL'} (>= {SPEED_UP_TARGET}x); "
          f"one queue worker vs the local build: {overhead:.2f}x")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=[*BACKENDS, "both"], default="both")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--province", default=DEFAULT_PROVINCE)
    parser.add_argument("--postgresql-url", default=DEFAULT_POSTGRESQL)
    parser.add_argument("--queue-url", help="redis://host:port/db for Redis storage (default: a SQLite file)")
    args = parser.parse_args()
    ok = True
    for backend in BACKENDS if args.backend == "both" else (args.backend,):
        ok &= run(backend, args)
    print("\nPASS" if ok else "\nFAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
