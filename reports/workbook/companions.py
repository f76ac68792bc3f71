"""Periode sama / Same period: the village in rounds of other questionnaires held at the same
time (the partners' round beside the residents'), each under its own rules: a partners' round
shows counts where a residents' round would hide a small base."""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from reports.safety import safe_text
from reports.tables import Trend, VillageTables
from reports.workbook import styles
from reports.workbook.cells import FigureKind, SheetWriter
from survey_app.questionnaire import text_in


def write_companions(ws: Worksheet, tables: VillageTables) -> None:
    """Fill the sheet: one block per companion round, its indices and key items."""
    w = SheetWriter(ws, tables.options)
    w.text(1, 1, w.msg("companions_title", village=tables.village.name), styles.TITLE)
    w.text(2, 1, w.msg("companions_intro", round=tables.latest.name), styles.NOTE, align=styles.WRAP)
    row = 4
    for companion in tables.companions:
        row = _block(ws, tables, companion, row) + 1
    styles.widths(ws, {"A": 60, "B": 14, "C": 16, "D": 8, "E": 12})
    ws.freeze_panes = "A3"
    styles.print_setup(ws, "1:1", "A:A")


def _block(ws: Worksheet, tables: VillageTables, companion: VillageTables, row: int) -> int:
    own = SheetWriter(ws, companion.options)  # its own min_n rule and counts
    info = companion.latest
    questionnaire = info.questionnaire
    title = text_in(questionnaire.title, tables.options.lang, questionnaire.default_language)
    dates = " – ".join(f"{d:%d-%m-%Y}" for d in (info.opens_on, info.closes_on) if d is not None)
    own.text(row, 1, f"{safe_text(title)}: {safe_text(info.name)} ({dates})", styles.HEADING)
    row += 1
    own.text(row, 1, own.msg("companions_responses", n=companion.rounds[-1].responses))
    row += 1
    for col, key in enumerate(("measure", "value", "ci", "n", "flag"), start=1):
        own.header(row, col, own.msg(key))
    items = tuple(companion.item(key) for key in companion.key_items)
    blocks: tuple[tuple[tuple[Trend, ...], FigureKind], ...] = ((companion.indices, "index"), (items, "share"))
    for trends, kind in blocks:
        for trend in trends:
            row += 1
            own.text(row, 1, trend.label, align=styles.WRAP)
            own.estimate(row, 2, trend.values.get(info.id), kind)
    for note in companion.notes[:1] if companion.options.counts_below_min_n else ():
        row += 1
        own.text(row, 1, note, styles.NOTE, align=styles.WRAP)
    return row + 1
