"""Area overview for one round: one row per village of a district or regency, with its
indices and key items, n, the change since the previous comparable round, and whether that
change is significant both unadjusted and after Benjamini–Hochberg across the villages.

Figures come from ``reports.tables.build_village_trends``, the code path of the village
reports, so a village's row always agrees with its own workbook. Benjamini–Hochberg is
applied per measure (one column family per index or item) over the villages whose change
could be tested; villages below ``min_n`` or without a comparable earlier round take no
part and cannot change the others' results.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from reports.data import Place, QuestionnaireLookup, RoundInfo, VillageInfo
from reports.safety import safe_sheet_title
from reports.stats import benjamini_hochberg
from reports.tables import ChangeEstimate, Estimate, ReportOptions, Trend, build_village_trends
from reports.text import t
from reports.workbook import styles
from reports.workbook.cells import FigureKind, SheetWriter, change_ci_text, direction_formatting

FDR = 0.05
"""False discovery rate the BH column controls: the usual 5%, matching the 95% intervals."""

MEASURE_COLUMNS = ("value", "n", "change", "ci", "unadjusted", "q_value", "bh_flag")
FIXED_COLUMNS = ("code", "village", "district", "responses")
GROUP_ROW = 6  # measure labels, merged over their columns
HEADER_ROW = 7  # the autofilter row


@dataclass(frozen=True)
class Measure:
    """A column family of the overview: an index or a key item."""

    key: str
    kind: FigureKind
    label: str


@dataclass(frozen=True)
class MeasureCell:
    """One village's figure for one measure in the round, its change, and BH's verdict."""

    estimate: Estimate | None
    change: ChangeEstimate
    q_value: float
    """Benjamini–Hochberg adjusted p-value; NaN when the change was not tested."""
    bh_significant: bool

    @property
    def tested(self) -> bool:
        return self.change.status == "computed" and not math.isnan(self.change.change.p_value)


@dataclass(frozen=True)
class OverviewRow:
    village: VillageInfo
    responses: int
    cells: tuple[MeasureCell, ...]


@dataclass(frozen=True)
class Overview:
    """Everything the overview workbook shows."""

    area: Place
    round: RoundInfo
    previous: RoundInfo | None
    measures: tuple[Measure, ...]
    rows: tuple[OverviewRow, ...]
    options: ReportOptions
    generated_at: datetime

    def tests(self, measure: int) -> int:
        """How many villages' changes of a measure entered the BH procedure."""
        return sum(row.cells[measure].tested for row in self.rows)


def build_overview(
    area: Place,
    villages: Sequence[VillageInfo],
    rounds: Sequence[RoundInfo],
    responses: pd.DataFrame,
    options: ReportOptions | None = None,
    *,
    versions: QuestionnaireLookup | None = None,
    generated_at: datetime | None = None,
) -> Overview:
    """The overview of ``villages`` for the last of ``rounds`` (oldest first)."""
    options = options or ReportOptions()
    latest = rounds[-1]
    groups = responses.groupby("village_id", sort=False).indices
    empty = responses.iloc[0:0]
    trends = [
        build_village_trends(
            village.id, rounds, responses.iloc[groups[village.id]] if village.id in groups else empty, options,
            versions=versions,
        )
        for village in villages
    ]
    first = trends[0] if trends else None
    measures: list[Measure] = []
    if first is not None:
        measures += [Measure(trend.key, "index", trend.label) for trend in first.indices]
        measures += [Measure(trend.key, "share", trend.label) for trend in first.items]
    per_measure: list[list[Trend]] = [
        [(*village.indices, *village.items)[number] for village in trends] for number in range(len(measures))
    ]
    columns: list[list[MeasureCell]] = []
    for measure_trends in per_measure:
        changes = [trend.last_change(latest.id) for trend in measure_trends]
        p_values = [c.change.p_value if c.status == "computed" else math.nan for c in changes]
        rejected, adjusted = benjamini_hochberg(p_values, FDR)
        columns.append([
            MeasureCell(trend.values.get(latest.id), change, q, flag)
            for trend, change, q, flag in zip(measure_trends, changes, adjusted, rejected, strict=True)
        ])
    rows = tuple(
        OverviewRow(village, village_trends.responses.get(latest.id, 0), tuple(column[number] for column in columns))
        for number, (village, village_trends) in enumerate(zip(villages, trends, strict=True))
    )
    previous = _previous_round(per_measure, rounds)
    return Overview(area, latest, previous, tuple(measures), rows, options, generated_at or datetime.now(UTC))


def _previous_round(per_measure: Sequence[Sequence[Trend]], rounds: Sequence[RoundInfo]) -> RoundInfo | None:
    """The round most changes are measured from (for the header; each cell knows its own)."""
    latest = rounds[-1].id
    sources = [trend.last_change(latest).from_round_id for trends in per_measure for trend in trends]
    found = [source for source in sources if source is not None]
    if not found:
        return None
    most = max(set(found), key=found.count)
    return next(r for r in rounds if r.id == most)


def overview_workbook(overview: Overview) -> bytes:
    """The overview as ``.xlsx`` bytes: one sheet, sortable and filterable, header frozen."""
    workbook = Workbook()
    ws = workbook.active
    options = overview.options
    ws.title = safe_sheet_title(t("sheet_overview", options.lang), set())
    w = SheetWriter(ws, options)
    w.text(1, 1, w.msg("overview_title", area=f"{overview.area.name} ({overview.area.code})",
                       round=overview.round.name), styles.TITLE)
    if overview.previous is not None:
        w.text(2, 1, w.msg("overview_previous", previous=overview.previous.name), styles.NOTE)
    tests = max((overview.tests(number) for number in range(len(overview.measures))), default=0)
    w.text(3, 1, w.msg("overview_fdr", tests=tests or len(overview.rows)), styles.NOTE)
    w.text(4, 1, w.msg("overview_min_n", min_n=options.min_n, caution_top=options.caution_below - 1), styles.NOTE)
    for col, key in enumerate(FIXED_COLUMNS, start=1):
        w.header(HEADER_ROW, col, w.msg(key) if key != "responses" else w.msg("responses"))
    first_measure_col = len(FIXED_COLUMNS) + 1
    for number, measure in enumerate(overview.measures):
        col = first_measure_col + number * len(MEASURE_COLUMNS)
        w.header(GROUP_ROW, col, measure.label)
        styles.merge(ws, GROUP_ROW, col, col + len(MEASURE_COLUMNS) - 1)
        for offset, key in enumerate(MEASURE_COLUMNS):
            w.header(HEADER_ROW, col + offset, w.msg(key))
    row = HEADER_ROW
    for row_data in overview.rows:
        row += 1
        village = row_data.village
        w.text(row, 1, village.code)
        w.text(row, 2, village.name)
        w.text(row, 3, village.district.name)
        w.number(row, 4, row_data.responses, styles.COUNT)
        for number, (measure, cell) in enumerate(zip(overview.measures, row_data.cells, strict=True)):
            _measure_cells(w, row, first_measure_col + number * len(MEASURE_COLUMNS), measure, cell)
    last_col = first_measure_col + len(overview.measures) * len(MEASURE_COLUMNS) - 1
    last_row = max(row, HEADER_ROW + 1)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(max(last_col, len(FIXED_COLUMNS)))}{last_row}"
    for number in range(len(overview.measures)):
        col = first_measure_col + number * len(MEASURE_COLUMNS)
        direction_formatting(ws, col + MEASURE_COLUMNS.index("unadjusted"), HEADER_ROW + 1, row)
    styles.widths(ws, {"A": 15, "B": 24, "C": 18, "D": 9})
    for col in range(first_measure_col, last_col + 1):
        key = MEASURE_COLUMNS[(col - first_measure_col) % len(MEASURE_COLUMNS)]
        ws.column_dimensions[get_column_letter(col)].width = {"ci": 14, "unadjusted": 16, "bh_flag": 12}.get(key, 9)
    ws.freeze_panes = f"C{HEADER_ROW + 1}"
    styles.print_setup(ws, f"{GROUP_ROW}:{HEADER_ROW}")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _measure_cells(w: SheetWriter, row: int, col: int, measure: Measure, cell: MeasureCell) -> None:
    estimate = cell.estimate
    if estimate is None:
        w.text(row, col, w.msg("not_asked"))
    elif estimate.shown:
        w.number(row, col, estimate.value, styles.PERCENT if measure.kind == "share" else styles.INDEX)
    else:
        w.text(row, col, w.msg("suppressed", min_n=w.options.min_n), fill=styles.SUPPRESSED_FILL)
    if estimate is not None:
        w.number(row, col + 1, estimate.n, styles.COUNT)
    change = cell.change
    if change.status != "computed":
        w.text(row, col + 2, w.msg(f"change_{change.status}", min_n=w.options.min_n), styles.NOTE)
        return
    scale, decimals, fmt = (100.0, 0, styles.POINTS) if measure.kind == "share" else (1.0, 1, styles.INDEX_POINTS)
    estimate_change = change.change
    w.number(row, col + 2, estimate_change.estimate * scale, fmt)
    w.text(row, col + 3, change_ci_text(estimate_change.ci_low * scale, estimate_change.ci_high * scale, decimals,
                                        w.lang), align=styles.CENTRE)
    w.text(row, col + 4, w.msg(estimate_change.direction))
    if cell.tested:
        w.number(row, col + 5, cell.q_value, "0.000")
        w.text(row, col + 6, w.msg("bh_yes") if cell.bh_significant else w.msg("bh_no"),
               styles.BOLD if cell.bh_significant else None)
