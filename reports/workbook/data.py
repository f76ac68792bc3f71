"""Data / Data: every headline figure as plain numbers, one row per figure and round, so the
intervals the other sheets print as text ("30–62%") can be reused; suppressed figures are
empty cells, never a number."""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from reports.tables import VillageTables
from reports.workbook import styles
from reports.workbook.cells import SheetWriter

COLUMNS = ("data_kind", "data_id", "measure", "round", "value", "ci_low", "ci_high", "n", "flag",
           "change", "change_low", "change_high", "change_status", "n_eff")


def write_data(ws: Worksheet, tables: VillageTables) -> None:
    """Fill the sheet: indices (0-100) then key items (shares as fractions, shown as %)."""
    w = SheetWriter(ws, tables.options)
    for col, key in enumerate(COLUMNS, start=1):
        w.header(1, col, w.msg(f"col_{key}"))
    row = 1
    items = [tables.item(key) for key in tables.key_items]
    for trend, kind, fmt in [*((t, "index", styles.MEAN) for t in tables.indices),
                             *((t, "item", styles.PERCENT_1) for t in items)]:
        for summary in tables.rounds:
            estimate = trend.values.get(summary.info.id)
            if estimate is None:
                continue  # not asked that round
            row += 1
            w.text(row, 1, kind)
            w.text(row, 2, trend.key)
            w.text(row, 3, trend.label, align=styles.WRAP)
            w.text(row, 4, summary.info.name)
            if estimate.shown:
                for col, value in ((5, estimate.value), (6, estimate.ci_low), (7, estimate.ci_high)):
                    w.number(row, col, value, fmt)
            w.number(row, 8, estimate.n, styles.COUNT)
            w.text(row, 9, estimate.flag)
            change = trend.last_change(summary.info.id)
            if change.status == "computed":  # points of a share as a fraction (0.12), index points as is
                for col, value in ((10, change.change.estimate), (11, change.change.ci_low),
                                   (12, change.change.ci_high)):
                    w.number(row, col, value, fmt)
            w.text(row, 13, change.status)
            if estimate.n_eff is not None:
                w.number(row, 14, estimate.n_eff, styles.MEAN)
    styles.widths(ws, {"A": 8, "B": 22, "C": 50, "D": 18})
    ws.freeze_panes = "A2"
    styles.print_setup(ws, "1:1", "A:C")
