"""Tren / Trend: indices and key items over rounds as native Excel line charts.

A line joins rounds only within a comparable segment: each segment is its own series, and
blank cells (not asked, suppressed, other segment) are shown as gaps. Each point carries its
95% interval as a native error bar, from the columns of distances to its bounds beside the data.
"""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl.chart import LineChart, Reference
from openpyxl.chart.data_source import NumDataSource, NumRef
from openpyxl.chart.error_bar import ErrorBars
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.worksheet import Worksheet

from reports.charts import Charted, headline_groups
from reports.safety import safe_text
from reports.tables import VillageTables
from reports.workbook import styles
from reports.workbook.cells import SheetWriter

LEGEND_CHARS = 60
CHART_ROWS = 16  # rows a chart covers, so the next one does not overlap it
CHARTS_PER_PAGE = 2
ROUND_WIDTH = 14  # with column A, wide enough on paper for the charts below


def short_label(label: str, limit: int = LEGEND_CHARS) -> str:
    """A legend-sized label; the full wording is on the Summary and section sheets."""
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def write_trend(ws: Worksheet, tables: VillageTables) -> LineChart | None:
    """Fill the Trend sheet: one data block and one chart per group of figures. Returns a
    second chart of the first group (the indices) from the same cells, for another sheet."""
    w = SheetWriter(ws, tables.options)
    w.text(1, 1, w.msg("trend_title"), styles.TITLE)
    w.note(2, w.msg("trend_blank_cells"), 1 + len(tables.rounds))
    header_row = 4
    w.header(header_row, 1, w.msg("measure"))
    rounds = len(tables.rounds)
    for number, summary in enumerate(tables.rounds, start=2):
        w.header(header_row, number, summary.info.name)
        w.header(header_row, number + rounds + 1, w.msg("ci_plus", round=summary.info.name))
        w.header(header_row, number + 2 * rounds + 2, w.msg("ci_minus", round=summary.info.name))
    groups = headline_groups(tables.indices, [tables.item(key) for key in tables.key_items],
                             {section.id: section.title for section in tables.sections}, tables.options.lang)
    row = header_row + 1
    blocks = []
    for group in groups:
        first = row
        row = _series_rows(w, tables, group.trends, row, group.share)
        blocks.append((group.title, first, row - 1, group.share))
    crime_row = _crime_row(w, tables, row + 1)
    chart_row = (crime_row or row) + 3
    charts = [_line_chart(ws, title, header_row, first, last, len(tables.rounds), is_share)
              for title, first, last, is_share in blocks]
    if crime_row is not None:
        # A line of its own: a rate has no 0-100 axis to share with the indices.
        charts.append(_chart(ws, w.msg("crime_rate"), header_row, crime_row, crime_row, len(tables.rounds)))
    for number, chart in enumerate(charts):
        if number % CHARTS_PER_PAGE == 0:  # whole charts on each printed page, none under a repeated header
            styles.page_break_before(ws, chart_row)
        ws.add_chart(chart, f"A{chart_row}")
        chart_row += CHART_ROWS
    styles.widths(ws, {"A": 62})
    for col in range(2, rounds + 2):
        ws.column_dimensions[get_column_letter(col)].width = ROUND_WIDTH
    ws.freeze_panes = f"B{header_row + 1}"
    # The error bars' helper columns stay on screen, off paper: the charts show them.
    ws.print_area = f"A1:{get_column_letter(rounds + 1)}{chart_row}"
    styles.print_setup(ws, f"{header_row}:{header_row}", "A:A")
    if not blocks:
        return None
    title, first, last, is_share = blocks[0]
    return _line_chart(ws, title, header_row, first, last, len(tables.rounds), is_share)


def _series_rows(w: SheetWriter, tables: VillageTables, trends: Sequence[Charted], row: int, is_share: bool) -> int:
    fmt = styles.PERCENT if is_share else styles.INDEX
    round_ids = [summary.info.id for summary in tables.rounds]
    names = {summary.info.id: summary.info.name for summary in tables.rounds}
    for trend in trends:
        for number, segment in enumerate(trend.segments):
            label = short_label(trend.label)
            if number < len(trend.segments) - 1:
                label = w.msg("segment_until", label=label, round=names[segment[-1]])
            w.text(row, 1, label)
            for col, round_id in enumerate(round_ids, start=2):
                estimate = trend.values.get(round_id)
                shown = round_id in segment and estimate is not None and estimate.shown
                w.number(row, col, estimate.value if shown and estimate else None, fmt)
                if shown and estimate:  # the error bar's two arms: distances to the interval's bounds
                    w.number(row, col + len(round_ids) + 1, estimate.ci_high - estimate.value, fmt)
                    w.number(row, col + 2 * len(round_ids) + 2, estimate.value - estimate.ci_low, fmt)
            row += 1
    return row


def _crime_row(w: SheetWriter, tables: VillageTables, row: int) -> int | None:
    """Recorded incidents per 1,000 residents per round, below the perception figures, with
    the reminder of how to read it; None when no police figures were imported."""
    crime = tables.crime
    if crime is None or crime.source is None:
        return None
    w.text(row, 1, w.msg("crime_rate"))
    for col, summary in enumerate(tables.rounds, start=2):
        w.number(row, col, crime.rate(summary.info.id), "0.0")
    w.note(row + 1, w.msg("crime_trend_note"), 1 + len(tables.rounds))
    return row


def _chart(ws: Worksheet, title: str, header_row: int, first: int, last: int, rounds: int) -> LineChart:
    """Rows ``first..last`` as lines over the rounds, blanks as gaps, from zero up."""
    chart = LineChart()
    chart.title = safe_text(title)
    chart.display_blanks = "gap"
    chart.height, chart.width = 7.5, 24
    data = Reference(ws, min_col=1, max_col=1 + rounds, min_row=first, max_row=last)
    chart.add_data(data, from_rows=True, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=2, max_col=1 + rounds, min_row=header_row, max_row=header_row))
    chart.y_axis.scaling.min = 0
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.legend.position = "b"
    for series in chart.series:
        series.marker.symbol = "circle"
        series.smooth = False
    return chart


def _line_chart(ws: Worksheet, title: str, header_row: int, first: int, last: int, rounds: int,
                is_share: bool) -> LineChart:
    chart = _chart(ws, title, header_row, first, last, rounds)
    chart.y_axis.scaling.max = 1 if is_share else 100
    chart.y_axis.number_format = styles.PERCENT if is_share else styles.INDEX
    sheet = quote_sheetname(ws.title)
    for offset, series in enumerate(chart.series):
        row = first + offset
        arms = []
        for start in (rounds + 3, 2 * rounds + 4):  # plus, then minus columns
            cells = f"{sheet}!${get_column_letter(start)}${row}:${get_column_letter(start + rounds - 1)}${row}"
            arms.append(NumDataSource(numRef=NumRef(f=cells)))
        series.errBars = ErrorBars(errDir="y", errBarType="both", errValType="cust", noEndCap=False,
                                   plus=arms[0], minus=arms[1])
    return chart
