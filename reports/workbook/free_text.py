"""Jawaban terbuka / Free text: only when an admin asks for it, every answer written as text."""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from reports.tables import VillageTables
from reports.workbook import styles
from reports.workbook.cells import SheetWriter


def write_free_text(ws: Worksheet, tables: VillageTables) -> None:
    """Fill the free-text sheet: question, round, answer; answers sorted, never in answering order."""
    w = SheetWriter(ws, tables.options)
    names = {summary.info.id: summary.info.name for summary in tables.rounds}
    w.header(1, 1, w.msg("measure"))
    w.header(1, 2, w.msg("round"))
    w.header(1, 3, w.msg("sheet_free_text"))
    row = 2
    for block in tables.free_text:
        for answer in block.answers:
            w.text(row, 1, block.label, align=styles.WRAP)
            w.text(row, 2, names[block.round_id])
            w.text(row, 3, answer, align=styles.WRAP)
            row += 1
    styles.widths(ws, {"A": 40, "B": 18, "C": 90})
    ws.freeze_panes = "A2"
    styles.print_setup(ws, "1:1", "A:A")
