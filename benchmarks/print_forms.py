"""Benchmark: a district's printed questionnaires, 1,000 numbered forms in one PDF.

    .venv/bin/python benchmarks/print_forms.py [--backend sqlite|postgresql] [--forms 1000]

Dataset: the demo's villages in a scratch database named with the process id and a random
token; a round on trust-safety v3 (the longest questionnaire, 7 pages a form). The district
32.73.01 has 4 villages, so 250 forms each make the 1,000.

Measured, each in its own process as an administrator would run it:
- **baseline**: ``flask responses print`` of one blank form (the app's start, imports and one
  form: what any run pays before its forms);
- **run**: ``flask responses print --area 32.73.01 --count 250``: wall time and peak RSS
  (``wait4``), with the serials reserved in the same transaction.

Target (issue 15): under 60 s and under 500 MB peak RSS. Prints the figures and PASS/FAIL; the
exit code is non-zero on FAIL.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scratch_db import BACKENDS, scratch_database

REPO = Path(__file__).resolve().parents[1]
FLASK = str(Path(sys.executable).parent / "flask")
SECONDS_TARGET = 60.0
RSS_TARGET_MB = 500.0
DISTRICT = "32.73.01"


def environment(url: str) -> dict[str, str]:
    return {**os.environ, "FLASK_APP": "wsgi", "DATABASE_URL": url, "SURVEY_ENV": "testing",
            "SECRET_KEY": "benchmark-secret-key-0123456789-abcdefghijkl"}


def run(env: dict[str, str], *args: str) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB and output of one ``flask`` command."""
    start = time.perf_counter()
    process = subprocess.Popen([FLASK, *args], env=env, cwd=REPO, stdout=subprocess.PIPE,  # noqa: S603
                               stderr=subprocess.STDOUT, text=True)
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    output = process.stdout.read() if process.stdout else ""
    if os.waitstatus_to_exitcode(status):
        raise RuntimeError(f"flask {' '.join(args)} failed: {output[-2000:]}")
    return seconds, usage.ru_maxrss / 1024, output


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=BACKENDS, default="sqlite")
    parser.add_argument("--postgresql", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--forms", type=int, default=1000)
    args = parser.parse_args()
    name = f"bench_print_{os.getpid()}_{secrets.token_hex(4)}"
    with scratch_database(args.backend, args.postgresql, name) as url, tempfile.TemporaryDirectory() as folder:
        env = environment(url)
        run(env, "db", "upgrade")
        run(env, "villages", "import", str(REPO / "survey_app" / "demo" / "villages.csv"))
        run(env, "rounds", "create", "Putaran Cetak", "--questionnaire", "trust-safety@3", "--villages", "32.73")
        out = Path(folder)
        base_s, base_mb, _ = run(env, "responses", "print", "--round", "putaran-cetak", "--out", str(out / "one.pdf"))
        villages = sum(1 for line in (REPO / "survey_app" / "demo" / "villages.csv").read_text().splitlines()
                       if line.startswith(DISTRICT + "."))
        per_village = -(-args.forms // villages)
        seconds, peak_mb, said = run(env, "responses", "print", "--round", "putaran-cetak", "--area", DISTRICT,
                                     "--count", str(per_village), "--out", str(out / "district.pdf"))
        size_mb = (out / "district.pdf").stat().st_size / 1e6
    print(f"backend {args.backend}: {said.strip()}")
    print(f"baseline (app start and one blank form): {base_s:.1f} s, peak RSS {base_mb:.0f} MB")
    print(f"{per_village * villages} forms for district {DISTRICT}: {seconds:.1f} s "
          f"({seconds - base_s:.1f} s above the baseline), peak RSS {peak_mb:.0f} MB, file {size_mb:.0f} MB")
    ok = seconds < SECONDS_TARGET and peak_mb < RSS_TARGET_MB
    print(f"target < {SECONDS_TARGET:.0f} s and < {RSS_TARGET_MB:.0f} MB: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
