"""Many village workbooks at once, in parallel across processes.

The data is loaded once, in the parent, with one query (``reports.data``); the parent also
has everything villages share (alpha over all villages of a round, the district and regency
figures of the comparison sheet) before any worker starts: from stored sums, or computed
set-based from the responses of every village. Workers are
forked from the parent, so they see the responses frame and those figures without a copy
or a pickle: each one only slices out its village, builds the tables and writes the file.
Only a village's position goes to a worker and only a file name comes back.

Workers build hundreds of openpyxl workbooks, each a few hundred thousand small objects: the
parent freezes its own objects before forking (``gc.freeze``), so a worker's collections never
walk the responses frame (nor write to, and so copy, its pages), and workers collect less often
(``WORKER_GC_THRESHOLD``). Together that was a fifth of a worker's time. A build in one
process (``processes=1``, and each queue worker's chunk) gets the same treatment.

Fork is the start method on Linux, where reports are built. Where fork is unavailable the
villages are built one after another in the calling process, with the same results.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from reports.data import QuestionnaireLookup, RoundInfo, VillageInfo
from reports.files import written_whole
from reports.goals import with_goals
from reports.retained import RetainedRound
from reports.tables import Population, ReportOptions, VillageTables, build_companion_tables, build_village_tables
from reports.tables.crime import CrimeSource
from reports.tables.model import GoalSpec
from reports.weights import Targets
from reports.workbook import build_village_workbook

Progress = Callable[["BuiltReport"], None]

WORKER_GC_THRESHOLD = 10_000
"""Allocations between a worker's youngest-generation collections (Python's default is 700).
A workbook's cells and styles are long-lived until it is saved, so frequent collections of
them find nothing to free; collections still run, so workbooks (which hold reference cycles)
are freed."""


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by hyphens: "Lebak Gede" -> "lebak-gede"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def report_filename(code: str, name: str, suffix: str = ".xlsx") -> str:
    """``<code>-<slugified name>.xlsx``: the code keeps it unique, the name helps people.

    Codes are digits and dots and the slug is ASCII letters, digits and hyphens, so the name
    is safe on every file system and in a Content-Disposition header.
    """
    slug = slugify(name)
    safe_code = re.sub(r"[^0-9A-Za-z.]+", "-", code)
    return f"{safe_code}-{slug}{suffix}" if slug else f"{safe_code}{suffix}"


@dataclass(frozen=True)
class BuiltReport:
    """One village's outcome: the file written, or the error that stopped it."""

    village: VillageInfo
    path: Path | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class BulkInputs:
    """Everything the workers share, built once in the parent."""

    villages: Sequence[VillageInfo]
    rounds: Sequence[RoundInfo]
    responses: pd.DataFrame
    options: ReportOptions = field(default_factory=ReportOptions)
    versions: QuestionnaireLookup | None = None
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    population: Population | None = None
    """Figures over all villages (alpha, areas), e.g. from stored sums; None: computed from
    ``responses``, which must then hold every village of the rounds."""
    companions: Sequence[RoundInfo] = ()
    """Rounds of other questionnaires in the same period (``load_companion_rounds``)."""
    companion_responses: pd.DataFrame | None = None
    goals: Sequence[GoalSpec] = ()
    """The rounds' current intermediate goals, judged in each village's workbook."""
    crime: Mapping[int, CrimeSource] = field(default_factory=dict)
    """Village id -> the recorded crime its report sets beside the rounds."""
    targets: Mapping[int, Targets] = field(default_factory=dict)
    """Village id -> its population by age band x sex, for ``options.weighted``."""
    retained: Mapping[int, Mapping[int, RetainedRound]] = field(default_factory=dict)
    """Village id -> round id -> what was kept of rounds whose answers were deleted."""
    _rows: dict[int, npt.NDArray[np.intp]] = field(init=False)
    _companion_rows: dict[int, npt.NDArray[np.intp]] = field(init=False)
    _computed: bool = field(init=False)

    def __post_init__(self) -> None:
        self._computed = self.population is None
        if self.population is None:
            self.population = Population(self.responses)
        # Row positions of each village, found with one groupby; a worker takes its rows
        # with iloc instead of scanning the whole frame.
        self._rows = _positions(self.responses)
        self._companion_rows = _positions(self.companion_responses) if self.companion_responses is not None else {}

    def warm(self) -> None:
        """Compute the shared figures now (in the parent), so forked workers inherit them."""
        if self._computed:
            assert self.population is not None  # noqa: S101 - set in __post_init__
            self.population.warm(self.rounds, self.villages, self.options)

    def village_rows(self, village: VillageInfo) -> pd.DataFrame:
        rows = self._rows.get(village.id)
        if rows is None:
            return self.responses.iloc[0:0]
        return self.responses.iloc[rows]

    def workbook(self, village: VillageInfo) -> bytes:
        """One village's workbook as bytes."""
        companions: tuple[VillageTables, ...] = ()
        if self.companions and self.companion_responses is not None:
            rows = self._companion_rows.get(village.id)
            mine = self.companion_responses.iloc[rows if rows is not None else slice(0, 0)]
            companions = build_companion_tables(village, self.companions, mine, self.options, self.generated_at,
                                                retained=self.retained.get(village.id))
        tables = build_village_tables(
            village, self.rounds, self.village_rows(village), self.options,
            population=self.population, versions=self.versions, generated_at=self.generated_at,
            companions=companions, crime=self.crime.get(village.id), targets=self.targets.get(village.id),
            retained=self.retained.get(village.id),
        )
        return build_village_workbook(with_goals(tables, self.goals))


def _positions(responses: pd.DataFrame) -> dict[int, npt.NDArray[np.intp]]:
    """Row positions of each village, found with one groupby; a worker takes its rows with
    iloc instead of scanning the whole frame."""
    return {int(k): v for k, v in responses.groupby("village_id", sort=False).indices.items()}


def default_processes() -> int:
    """One worker per CPU this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def build_reports(
    inputs: BulkInputs,
    out_dir: Path,
    processes: int | None = None,
    progress: Progress | None = None,
) -> list[BuiltReport]:
    """Write one workbook per village of ``inputs`` into ``out_dir``; results in village order.

    A village that fails does not stop the others: its ``BuiltReport`` carries the error.
    ``progress`` is called in the parent after each village, in the order they finish.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    inputs.warm()
    processes = min(processes or default_processes(), max(1, len(inputs.villages)))
    results: dict[int, BuiltReport] = {}

    def done(position: int, report: BuiltReport) -> None:
        results[position] = report
        if progress is not None:
            progress(report)

    if processes == 1 or "fork" not in multiprocessing.get_all_start_methods():
        with _fewer_collections():  # what a forked worker gets, for the same reasons
            for position in range(len(inputs.villages)):
                done(position, _build_one(inputs, out_dir, position))
    else:
        global _SHARED
        _SHARED = (inputs, out_dir)
        gc.freeze()
        try:
            context = multiprocessing.get_context("fork")
            chunk = max(1, min(8, len(inputs.villages) // (processes * 8)))
            with context.Pool(processes, initializer=_worker_setup) as pool:
                for position, report in pool.imap_unordered(_build_in_worker, range(len(inputs.villages)), chunk):
                    done(position, report)
        finally:
            gc.unfreeze()
            _SHARED = None
    return [results[position] for position in range(len(inputs.villages))]


# The inputs the forked workers inherit; set only while a pool is running.
_SHARED: tuple[BulkInputs, Path] | None = None


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Build in this process as a forked worker would: the loaded data frozen out of the
    collector's reach, and collections less often; both undone afterwards."""
    threshold = gc.get_threshold()
    gc.freeze()
    _worker_setup()
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _worker_setup() -> None:
    gen0, *older = gc.get_threshold()
    gc.set_threshold(max(gen0, WORKER_GC_THRESHOLD), *older)


def _build_in_worker(position: int) -> tuple[int, BuiltReport]:
    assert _SHARED is not None  # noqa: S101 - set by build_reports before forking
    inputs, out_dir = _SHARED
    return position, _build_one(inputs, out_dir, position)


def _build_one(inputs: BulkInputs, out_dir: Path, position: int) -> BuiltReport:
    village = inputs.villages[position]
    path = out_dir / report_filename(village.code, village.name)
    try:
        data = inputs.workbook(village)
        with written_whole(path) as partial:
            partial.write_bytes(data)
    except Exception as exc:  # noqa: BLE001 - reported per village, the others go on
        return BuiltReport(village, None, f"{type(exc).__name__}: {exc}")
    return BuiltReport(village, path)
