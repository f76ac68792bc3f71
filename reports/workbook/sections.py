"""One sheet per questionnaire section: each item's answers per round, and a bar chart of
the latest round against the previous one."""

from __future__ import annotations

from openpyxl.chart import BarChart, Reference
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from reports.safety import safe_text
from reports.tables import DistributionBlock, ItemDetail, RoundDistribution, SectionTables, VillageTables
from reports.workbook import styles
from reports.workbook.cells import FigureKind, SheetWriter, ci_text
from reports.workbook.trend import short_label

PER_ROUND = 3  # count, percent, interval
FIRST_ITEM_ROW = 4


def write_section(ws: Worksheet, tables: VillageTables, section: SectionTables) -> None:
    """Fill one section sheet."""
    w = SheetWriter(ws, tables.options)
    round_cols = {summary.info.id: 2 + PER_ROUND * number for number, summary in enumerate(tables.rounds)}
    w.text(1, 1, section.title, styles.TITLE)
    w.header(2, 1, w.msg("option"))
    w.header(3, 1, "")
    for summary in tables.rounds:
        col = round_cols[summary.info.id]
        w.header(2, col, summary.info.name)
        styles.merge(ws, 2, col, col + PER_ROUND - 1)
        for offset, key in enumerate(("count", "percent", "ci")):
            w.header(3, col + offset, w.msg(key))
    row = FIRST_ITEM_ROW
    for item in section.items:
        row = _item(w, tables, item, round_cols, row) + 1
    _chart(w, tables, section, row + 1)
    last_col = 1 + PER_ROUND * len(tables.rounds)
    styles.widths(ws, {"A": 50})
    for col in range(2, last_col + 1):
        ws.column_dimensions[get_column_letter(col)].width = 11
    ws.freeze_panes = f"B{FIRST_ITEM_ROW}"
    styles.print_setup(ws, "2:3", "A:A")


def _item(w: SheetWriter, tables: VillageTables, item: ItemDetail, round_cols: dict[int, int], row: int) -> int:
    last_col = 1 + PER_ROUND * len(tables.rounds)
    w.text(row, 1, item.label, styles.HEADING, align=styles.WRAP)
    styles.merge(w.ws, row, 1, last_col)
    w.ws.row_dimensions[row].height = 30
    row += 1
    notes = list(item.trend.notes) if item.trend else []
    if item.kind == "multiple":
        notes.append(w.msg("multiple_note"))
    for note in notes:
        w.note(row, note, last_col)
        row += 1
    for block in item.blocks:
        row = _block(w, item, block, round_cols, row, len(item.blocks) > 1)
    if item.trend is not None:
        w.text(row, 1, w.msg("change_row"), styles.BOLD)
        for round_id, col in round_cols.items():
            change = item.trend.changes.get(round_id)
            if change is not None and change.status == "computed":
                w.change(row, col + 1, change, "share", compact=True)
            elif change is not None and change.status == "suppressed":
                w.text(row, col + 1, w.msg("change_suppressed", min_n=tables.options.min_n), styles.NOTE)
        row += 1
    return row


def _block(w: SheetWriter, item: ItemDetail, block: DistributionBlock, round_cols: dict[int, int], row: int,
           label_block: bool) -> int:
    if label_block:
        w.text(row, 1, block.version_note, styles.BOLD)
        row += 1
    first = row
    for option in block.options:
        suffix = f" {w.msg('special_suffix')}" if option.special else ""
        w.text(row, 1, f"{option.label}{suffix}")
        for dist in block.rounds:
            _count_cells(w, dist, dist.counts.get(option.code), round_cols[dist.round_id], row)
        row += 1
    w.text(row, 1, w.msg("missing_row"), styles.NOTE)
    for dist in block.rounds:
        _count_cells(w, dist, dist.missing, round_cols[dist.round_id], row)
    row += 1
    for dist in block.rounds:
        if dist.flag == "suppressed":
            w.text(first, round_cols[dist.round_id], w.msg("suppressed", min_n=w.options.min_n),
                   fill=styles.SUPPRESSED_FILL)
    for key, attribute in (("total_row", "total"), ("valid_row", "valid_n")):
        w.text(row, 1, w.msg(key), styles.BOLD)
        for dist in block.rounds:
            w.number(row, round_cols[dist.round_id], getattr(dist, attribute), styles.COUNT)
            if key == "valid_row" and dist.flag == "caution":
                w.text(row, round_cols[dist.round_id] + 1, w.msg("caution"), fill=styles.CAUTION_FILL)
        row += 1
    row = _figure_row(w, block, round_cols, row, "top2")
    return _figure_row(w, block, round_cols, row, "mean")


def _count_cells(w: SheetWriter, dist: RoundDistribution, count: int | None, col: int, row: int) -> None:
    if dist.flag == "suppressed" or count is None:
        return
    w.number(row, col, count, styles.COUNT)
    w.number(row, col + 1, count / dist.total if dist.total else None, styles.PERCENT)


def _figure_row(w: SheetWriter, block: DistributionBlock, round_cols: dict[int, int], row: int, name: str) -> int:
    figures = [(dist, getattr(dist, name)) for dist in block.rounds if getattr(dist, name) is not None]
    if not figures:
        return row
    kind: FigureKind
    if name == "top2":
        label, fmt, kind = w.msg("top2_row"), styles.PERCENT, "share"
    elif block.options:
        label, fmt, kind = w.msg("mean_row", k=sum(not o.special for o in block.options)), styles.MEAN, "mean"
    else:
        label, fmt, kind = w.msg("number_mean_row"), styles.MEAN, "number"
    w.text(row, 1, label, styles.BOLD)
    for dist, figure in figures:
        col = round_cols[dist.round_id]
        if figure.shown:
            w.number(row, col + 1, figure.value, fmt)
            w.text(row, col + 2, ci_text(figure.ci_low, figure.ci_high, kind, w.lang), align=styles.CENTRE)
        else:
            w.text(row, col + 1, w.msg("suppressed", min_n=w.options.min_n), fill=styles.SUPPRESSED_FILL)
    return row + 1


ChartRow = tuple[str, float | None, float | None]


def _chart_data(tables: VillageTables, section: SectionTables) -> tuple[str, list[ChartRow]]:
    """Rows ``(label, previous, latest)`` and the chart kind: top-2 shares, or option shares
    of a multiple-choice item when the section has no headline items."""
    latest = tables.rounds[-1].info.id
    previous = tables.rounds[-2].info.id if len(tables.rounds) > 1 else None
    rows: list[ChartRow] = []
    for item in section.items:
        trend = item.trend
        if trend is None:
            continue
        now = trend.values.get(latest)
        same_segment = previous is not None and any(previous in s and latest in s for s in trend.segments)
        before = trend.values.get(previous) if previous is not None and same_segment else None
        rows.append((
            short_label(item.label, 40),
            before.value if before is not None and before.shown else None,
            now.value if now is not None and now.shown else None,
        ))
    if rows:
        return "share", rows
    for item in section.items:
        if item.kind != "multiple":
            continue
        block = item.blocks[-1]
        by_round = {dist.round_id: dist for dist in block.rounds}
        for option in block.options:
            earlier = by_round.get(previous) if previous is not None else None
            later = by_round.get(latest)
            rows.append((option.label, _option_share(earlier, option.code), _option_share(later, option.code)))
        return "multiple", rows
    return "", rows


def _option_share(dist: RoundDistribution | None, code: str) -> float | None:
    if dist is None or dist.flag == "suppressed" or not dist.total:
        return None
    return dist.counts.get(code, 0) / dist.total


def _chart(w: SheetWriter, tables: VillageTables, section: SectionTables, row: int) -> None:
    kind, rows = _chart_data(tables, section)
    if not rows:
        return
    latest = tables.rounds[-1].info.name
    previous = tables.rounds[-2].info.name if len(tables.rounds) > 1 else None
    if kind == "multiple":
        title = w.msg("section_chart_multiple", latest=latest, previous=previous or "–")
    elif previous:
        title = w.msg("section_chart", latest=latest, previous=previous)
    else:
        title = w.msg("section_chart_single", latest=latest)
    styles.page_break_before(w.ws, row)  # the chart and its data start a page, so no repeated header cuts it
    w.text(row, 1, title, styles.HEADING)
    header = row + 1
    w.header(header, 1, w.msg("measure"))
    w.header(header, 2, previous or "–")
    w.header(header, 3, latest)
    for offset, (label, before, now) in enumerate(rows, start=1):
        w.text(header + offset, 1, label)
        w.number(header + offset, 2, before, styles.PERCENT)
        w.number(header + offset, 3, now, styles.PERCENT)
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "clustered"
    chart.title = safe_text(title)
    chart.height = max(7.5, 1.1 * len(rows) + 3)
    chart.width = 24
    data_first_col = 2 if previous else 3
    data = Reference(w.ws, min_col=data_first_col, max_col=3, min_row=header, max_row=header + len(rows))
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(w.ws, min_col=1, max_col=1, min_row=header + 1, max_row=header + len(rows)))
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    chart.y_axis.number_format = styles.PERCENT
    chart.x_axis.scaling.orientation = "maxMin"  # first item on top, as in the table
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.legend.position = "b"
    w.ws.add_chart(chart, f"A{header + len(rows) + 2}")
