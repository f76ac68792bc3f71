"""Perbandingan / Comparison: the village beside its district and regency, latest round."""

from __future__ import annotations

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from reports.tables import VillageTables
from reports.workbook import styles
from reports.workbook.cells import FigureKind, SheetWriter

PER_AREA = 4  # value, interval, n, caution
HEADER_ROW = 4


def write_comparison(ws: Worksheet, tables: VillageTables) -> None:
    """Fill the Comparison sheet."""
    w = SheetWriter(ws, tables.options)
    village = tables.village
    w.text(1, 1, w.msg("comparison_title", round=tables.latest.name), styles.TITLE)
    w.note(2, w.msg("comparison_note"), 1 + 3 * PER_AREA)
    areas = (
        (w.msg("village"), village.name),
        (w.msg("district"), village.district.name),
        (w.msg("regency"), village.regency.name),
    )
    w.header(HEADER_ROW, 1, w.msg("measure"))
    w.header(HEADER_ROW + 1, 1, "")
    for number, (level, name) in enumerate(areas):
        col = 2 + PER_AREA * number
        w.header(HEADER_ROW, col, f"{level}: {name}")
        styles.merge(ws, HEADER_ROW, col, col + PER_AREA - 1)
        for offset, key in enumerate(("value", "ci", "n", "flag")):
            w.header(HEADER_ROW + 1, col + offset, w.msg(key))
    row = HEADER_ROW + 2
    if tables.comparison and tables.comparison[0].district is None:
        w.note(3, w.msg("comparison_missing"), 1 + 3 * PER_AREA)
    elif tables.stale_villages:
        w.note(3, w.msg("comparison_stale", n=tables.stale_villages), 1 + 3 * PER_AREA)
    for comparison in tables.comparison:
        kind: FigureKind = "index" if comparison.kind == "index" else "share"
        w.text(row, 1, comparison.label, align=styles.WRAP)
        for number, estimate in enumerate((comparison.village, comparison.district, comparison.regency)):
            if estimate is not None:
                w.estimate(row, 2 + PER_AREA * number, estimate, kind)
        row += 1
    styles.widths(ws, {"A": 50})
    for col in range(2, 2 + PER_AREA * len(areas)):
        ws.column_dimensions[get_column_letter(col)].width = 11
    ws.freeze_panes = f"B{HEADER_ROW + 2}"
    styles.print_setup(ws, f"{HEADER_ROW}:{HEADER_ROW + 1}", "A:A")
