"""Sekilas / At a glance: the one A4 page a village head reads in a minute, first in the
workbook. The indices as large numbers with their 95% range and an arrow for the change,
the number of answers, the goals and their status, and the indices' trend chart (drawn
from the Trend sheet's cells, so both always agree). The detailed tables follow."""

from __future__ import annotations

from openpyxl.chart import LineChart
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from reports.goals import describe
from reports.tables import Trend, VillageTables
from reports.workbook import styles
from reports.workbook.cells import SheetWriter, number_text

COLUMNS = 6
WIDTH = 13  # six columns fill A4 portrait at 100% (styles.PORTRAIT_WIDTH)
PER_ROW = 3  # indices side by side, two columns each
BIG = Font(bold=True, size=28)
ARROW = Font(bold=True, size=12)
CENTRED = Alignment(horizontal="center", vertical="center", wrap_text=True)
CHART_ROWS = 15


def write_glance(ws: Worksheet, tables: VillageTables, index_chart: LineChart | None) -> None:
    """Fill the sheet; ``index_chart`` is the Trend sheet's chart of the indices."""
    w = SheetWriter(ws, tables.options)
    latest = tables.latest
    w.text(1, 1, w.msg("glance_title", village=tables.village.name), styles.TITLE)
    styles.merge(ws, 1, 1, COLUMNS)
    village = tables.village
    w.text(2, 1, w.msg("glance_where", round=latest.name, responses=tables.rounds[-1].responses,
                       district=village.district.name, regency=village.regency.name), styles.NOTE, align=styles.WRAP)
    styles.merge(ws, 2, 1, COLUMNS)
    row = 4
    for start in range(0, len(tables.indices), PER_ROW):
        row = _indices(w, tables, tables.indices[start:start + PER_ROW], row) + 1
    row = _goals(w, tables, row)
    if index_chart is not None:
        index_chart.width, index_chart.height = 17.5, 7.5
        ws.add_chart(index_chart, f"A{row + 1}")
        row += CHART_ROWS + 1
    reading = w.msg("glance_reading", min_n=tables.options.min_n)
    if tables.options.weighted:
        reading = f"{reading} {w.msg('figures_weighted')}"
    w.text(row, 1, reading, styles.NOTE, align=styles.WRAP)
    styles.merge(ws, row, 1, COLUMNS)
    ws.row_dimensions[row].height = 48
    for col in range(1, COLUMNS + 1):
        ws.column_dimensions[get_column_letter(col)].width = WIDTH
    styles.print_setup(ws, portrait=True)
    ws.page_setup.fitToHeight = 1  # one page, whatever it holds
    ws.print_area = f"A1:{get_column_letter(COLUMNS)}{row}"


def _indices(w: SheetWriter, tables: VillageTables, trends: tuple[Trend, ...], row: int) -> int:
    """Label, large number, change arrow and range for up to three indices side by side."""
    ws = w.ws
    latest = tables.latest.id
    names = {summary.info.id: summary.info.name for summary in tables.rounds}
    for number, trend in enumerate(trends):
        col = 1 + 2 * number
        estimate = trend.values.get(latest)
        w.text(row, col, trend.label, styles.BOLD, align=CENTRED)
        if estimate is not None and estimate.shown:
            w.number(row + 1, col, estimate.value, styles.INDEX)
            ws.cell(row + 1, col).font = BIG
            ws.cell(row + 1, col).alignment = CENTRED
            low, high = (number_text(bound, 0, w.lang) for bound in (estimate.ci_low, estimate.ci_high))
            w.text(row + 3, col, w.msg("glance_range", low=low, high=high, n=w.base_text(estimate)), styles.NOTE,
                   align=CENTRED)
        else:
            n = estimate.n if estimate is not None else 0
            w.text(row + 1, col, w.msg("suppressed", min_n=tables.options.min_n), fill=styles.SUPPRESSED_FILL,
                   align=CENTRED)
            w.text(row + 3, col, w.msg("glance_base", n=n), styles.NOTE, align=CENTRED)
        change = trend.last_change(latest)
        if change.status == "computed":
            text = w.msg("glance_change", direction=w.msg(change.change.direction),
                         points=number_text(change.change.estimate, 1, w.lang, signed=True),
                         round=names.get(change.from_round_id or 0, ""))
            w.text(row + 2, col, text, ARROW, align=CENTRED)
        else:
            w.text(row + 2, col, w.msg(f"change_{change.status}", min_n=tables.options.min_n), styles.NOTE,
                   align=CENTRED)
        for offset in range(4):
            styles.merge(ws, row + offset, col, col + 1)
    ws.row_dimensions[row].height = 30
    ws.row_dimensions[row + 1].height = 40
    ws.row_dimensions[row + 2].height = 32
    ws.row_dimensions[row + 3].height = 24
    return row + 4


def _goals(w: SheetWriter, tables: VillageTables, row: int) -> int:
    if not tables.goals:
        return row
    w.text(row, 1, w.msg("goals_heading"), styles.HEADING)
    names = {summary.info.id: summary.info.name for summary in tables.rounds}
    for result in tables.goals:
        row += 1
        label = result.label.rstrip(".?")  # a question's own full stop would stand before the colon
        w.text(row, 1, f"{label}: {describe(result.goal, names, w.lang)} ({result.goal.area_code})",
               align=styles.WRAP)
        styles.merge(w.ws, row, 1, 4)
        w.text(row, 5, w.msg(f"goal_{result.status}"), styles.BOLD, align=styles.WRAP)
        styles.merge(w.ws, row, 5, 6)
        w.ws.row_dimensions[row].height = 30
    return row + 2
