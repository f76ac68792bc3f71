"""Area overview for one round: one row per village of a district or regency, with its
indices and key items, n, the change since the previous comparable round, and whether that
change is significant both unadjusted and after Benjamini–Hochberg across the villages.

Figures come from ``reports.tables.build_village_trends``, the code path of the village
reports, so a village's row always agrees with its own workbook. Benjamini–Hochberg is
applied per measure (one column family per index or item) over the villages whose change
could be tested; villages below ``min_n`` or without a comparable earlier round take no
part and cannot change the others' results.

The goals set for the round are judged in each village exactly as its own report judges
them; a second sheet counts the villages in each status, and says that these one-by-one
judgements are not corrected for their number.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from reports.data import Place, QuestionnaireLookup, RoundInfo, VillageInfo
from reports.goals import describe, judge_goals, with_spans
from reports.retained import RetainedRound
from reports.safety import safe_sheet_title
from reports.stats import benjamini_hochberg
from reports.tables import ChangeEstimate, Estimate, ReportOptions, Trend, build_village_trends
from reports.tables.crime import DARK_FIGURE_QUESTION, asks_dark_figure, dark_figure
from reports.tables.figures import code_counts
from reports.tables.model import GOAL_STATUSES, GoalResult, GoalSpec, GoalStatus
from reports.tables.village import VillageTrends
from reports.text import t
from reports.weights import Targets
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
    goals: tuple[GoalResult | None, ...] = ()
    """One per ``Overview.goals``: the village's status, None outside the goal's area."""


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
    goals: tuple[GoalSpec, ...] = ()
    """The round's goals that judge at least one village of the overview."""
    dark: Estimate | None = None
    """The area's dark figure in the round (victims whose latest incident was not reported),
    pooled over its villages; None when the questionnaire does not ask it."""
    round_names: Mapping[int, str] = field(default_factory=dict)

    def tests(self, measure: int) -> int:
        """How many villages' changes of a measure entered the BH procedure."""
        return sum(row.cells[measure].tested for row in self.rows)

    def goal_counts(self, number: int) -> dict[GoalStatus, int]:
        """How many villages of the overview are in each status of goal ``number``."""
        counts = dict.fromkeys(GOAL_STATUSES, 0)
        for row in self.rows:
            result = row.goals[number]
            if result is not None:
                counts[result.status] += 1
        return counts

    def goal_label(self, number: int) -> str:
        """The indicator's label, as the villages' trends name it."""
        results = (row.goals[number] for row in self.rows)
        return next((result.label for result in results if result is not None), self.goals[number].indicator)


def build_overview(
    area: Place,
    villages: Sequence[VillageInfo],
    rounds: Sequence[RoundInfo],
    responses: pd.DataFrame,
    options: ReportOptions | None = None,
    *,
    versions: QuestionnaireLookup | None = None,
    generated_at: datetime | None = None,
    goals: Sequence[GoalSpec] = (),
    targets: Mapping[int, Targets] | None = None,
    retained: Mapping[int, Mapping[int, RetainedRound]] | None = None,
) -> Overview:
    """The overview of ``villages`` for the last of ``rounds`` (oldest first), with the
    goals set for that round judged in each village, as its own report judges them.
    ``targets`` (village id -> population) weights each village as ``options.weighted`` asks."""
    latest = rounds[-1]
    goals = [goal for goal in goals if goal.round_id == latest.id]
    options = with_spans(options or ReportOptions(), goals)
    groups = responses.groupby("village_id", sort=False).indices
    empty = responses.iloc[0:0]
    trends = [
        build_village_trends(
            village.id, rounds, responses.iloc[groups[village.id]] if village.id in groups else empty, options,
            versions=versions, targets=(targets or {}).get(village.id), retained=(retained or {}).get(village.id),
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
    judged = [_village_goals(village, village_trends, latest, goals)
              for village, village_trends in zip(villages, trends, strict=True)]
    kept = [number for number in range(len(goals)) if any(row[number] is not None for row in judged)]
    rows = tuple(
        OverviewRow(village, village_trends.responses.get(latest.id, 0), tuple(column[number] for column in columns),
                    tuple(judged[number][g] for g in kept))
        for number, (village, village_trends) in enumerate(zip(villages, trends, strict=True))
    )
    previous = _previous_round(per_measure, rounds)
    dark = None
    if asks_dark_figure(latest.questionnaire):
        counts = code_counts(responses[responses["round_id"] == latest.id], [DARK_FIGURE_QUESTION])
        dark = dark_figure(counts.get((latest.id, DARK_FIGURE_QUESTION), {}), options.suppression)
    return Overview(area, latest, previous, tuple(measures), rows, options, generated_at or datetime.now(UTC),
                    tuple(goals[g] for g in kept), dark=dark, round_names={r.id: r.name for r in rounds})


def _village_goals(village: VillageInfo, trends: VillageTrends, latest: RoundInfo,
                   goals: Sequence[GoalSpec]) -> list[GoalResult | None]:
    """Each goal's result for this village, None where the goal does not judge it."""
    judged = {id(result.goal): result
              for result in judge_goals(village.code, (*trends.indices, *trends.items), {latest.id}, goals)}
    return [judged.get(id(goal)) for goal in goals]


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
    base = w.msg("overview_min_n", min_n=options.min_n, caution_top=options.caution_below - 1)
    w.text(4, 1, f"{base} {w.msg('overview_weighted')}" if options.weighted else base, styles.NOTE)
    if overview.dark is not None:
        w.text(5, 1, _dark_line(w, overview.dark), styles.NOTE)
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
    # On paper the long notes above the table would stretch the page; the print view says them.
    ws.print_area = f"A{GROUP_ROW}:{get_column_letter(max(last_col, len(FIXED_COLUMNS)))}{last_row}"
    styles.print_setup(ws, f"{GROUP_ROW}:{HEADER_ROW}", "A:B")
    taken = {ws.title}
    _print_view(workbook.create_sheet(safe_sheet_title(t("sheet_print_view", options.lang), taken)), overview)
    if overview.goals:
        _goals_sheet(workbook.create_sheet(safe_sheet_title(t("goals_heading", options.lang), taken)), overview)
    for sheet in workbook.worksheets:
        styles.fit_row_heights(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _dark_line(w: SheetWriter, dark: Estimate) -> str:
    """The area's dark figure in one line, or why it is not shown."""
    if not dark.shown:
        return w.msg("overview_dark_none", n=dark.n, min_n=w.options.min_n)
    return w.msg("overview_dark", value=f"{100 * dark.value:.0f}", low=f"{100 * dark.ci_low:.0f}",
                 high=f"{100 * dark.ci_high:.0f}", n=dark.n)


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


PRINT_MEASURES = ("value", "change", "direction_short", "bh_flag")  # column headers per index
ARROWS = {"up": "▲", "down": "▼", "none": "●"}  # the print view's legend says what each means


def _print_view(ws: Worksheet, overview: Overview) -> None:
    """The overview on paper: each village's indices, their change and its direction, BH's
    verdict marked; the full sheet has every item and interval, too wide to print."""
    w = SheetWriter(ws, overview.options)
    w.text(1, 1, w.msg("overview_title", area=f"{overview.area.name} ({overview.area.code})",
                       round=overview.round.name), styles.TITLE)
    indices = [number for number, measure in enumerate(overview.measures) if measure.kind == "index"]
    last_col = 3 + len(PRINT_MEASURES) * len(indices)
    w.note(2, w.msg("print_view_note", previous=overview.previous.name if overview.previous else "–"), last_col)
    for col, key in enumerate(("code", "village", "responses"), start=1):
        w.header(5, col, w.msg(key))
    for position, number in enumerate(indices):
        col = 4 + len(PRINT_MEASURES) * position
        w.header(4, col, overview.measures[number].label)
        styles.merge(ws, 4, col, col + len(PRINT_MEASURES) - 1)
        for offset, key in enumerate(PRINT_MEASURES):
            w.header(5, col + offset, w.msg(key))
    row = 5
    for village_row in overview.rows:
        row += 1
        w.text(row, 1, village_row.village.code)
        w.text(row, 2, village_row.village.name)
        w.number(row, 3, village_row.responses, styles.COUNT)
        for position, number in enumerate(indices):
            col = 4 + len(PRINT_MEASURES) * position
            cell = village_row.cells[number]
            estimate = cell.estimate
            if estimate is not None and estimate.shown:
                w.number(row, col, estimate.value, styles.INDEX)
            elif estimate is not None:
                w.text(row, col, f"n<{overview.options.min_n}", styles.NOTE)
            if cell.change.status != "computed":
                w.text(row, col + 1, "–", align=styles.CENTRE)
            else:
                w.number(row, col + 1, cell.change.change.estimate, styles.INDEX_POINTS)
                w.text(row, col + 2, ARROWS[cell.change.change.direction], align=styles.CENTRE)
                if cell.tested:
                    w.text(row, col + 3, w.msg("bh_yes") if cell.bh_significant else w.msg("bh_no"))
    styles.widths(ws, {"A": 14, "B": 22, "C": 8})
    for position in range(len(indices)):
        for offset, width in enumerate((6, 7, 4, 10)):
            ws.column_dimensions[get_column_letter(4 + len(PRINT_MEASURES) * position + offset)].width = width
    ws.freeze_panes = "C6"
    styles.print_setup(ws, "4:5", "A:B")


def _goals_sheet(ws: Worksheet, overview: Overview) -> None:
    """How many villages reached each goal, and each village's status: counts of villages
    judged one by one, with the caveat that many judgements at once admit chance results."""
    w = SheetWriter(ws, overview.options)
    w.text(1, 1, w.msg("overview_goals_title", area=f"{overview.area.name} ({overview.area.code})",
                       round=overview.round.name), styles.TITLE)
    judged = max(sum(overview.goal_counts(number).values()) for number in range(len(overview.goals)))
    w.note(2, w.msg("overview_goals_caveat", villages=judged), 4 + len(GOAL_STATUSES))
    row = 4
    for col, key in enumerate(("measure", "goal_target", "goal_area", "goal_villages"), start=1):
        w.header(row, col, w.msg(key))
    for offset, status in enumerate(GOAL_STATUSES):
        w.header(row, 5 + offset, w.msg(f"goal_{status}"))
    for number, goal in enumerate(overview.goals):
        row += 1
        counts = overview.goal_counts(number)
        w.text(row, 1, overview.goal_label(number), align=styles.WRAP)
        w.text(row, 2, describe(goal, overview.round_names, w.lang))
        w.text(row, 3, goal.area_code)
        w.number(row, 4, sum(counts.values()), styles.COUNT)
        for offset, status in enumerate(GOAL_STATUSES):
            w.number(row, 5 + offset, counts[status], styles.COUNT)
    row += 2
    first = row
    w.header(row, 1, w.msg("code"))
    w.header(row, 2, w.msg("village"))
    for number, goal in enumerate(overview.goals):
        w.header(row, 3 + number, f"{overview.goal_label(number)}: {describe(goal, overview.round_names, w.lang)}")
    for village_row in overview.rows:
        row += 1
        w.text(row, 1, village_row.village.code)
        w.text(row, 2, village_row.village.name)
        for number, result in enumerate(village_row.goals):
            w.text(row, 3 + number, w.msg(f"goal_{result.status}") if result is not None else "")
    ws.auto_filter.ref = f"A{first}:{get_column_letter(2 + len(overview.goals))}{max(row, first + 1)}"
    styles.widths(ws, {"A": 28, "B": 24, "C": 18, "D": 10})
    for col in range(5, 5 + max(len(GOAL_STATUSES), len(overview.goals))):
        ws.column_dimensions[get_column_letter(col)].width = 16
