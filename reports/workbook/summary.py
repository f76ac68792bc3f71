"""Ringkasan / Summary: where the village is, which rounds, how many answered, and the
headline indices and key items side by side with the latest change."""

from __future__ import annotations

import math

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from reports.goals import describe
from reports.tables import Trend, VillageTables
from reports.weights import Weighting
from reports.workbook import styles
from reports.workbook.cells import FigureKind, SheetWriter, direction_formatting

PER_ROUND = 4  # value, interval, n, caution
ROUND_WIDTHS = (10, 14, 8, 10)  # the rounds table above shares them: dates, questionnaire, responses
CHANGE_WIDTHS = (9, 13, 17, 18)  # change, interval, direction ("● no clear change"), web/paper mix


def write_summary(ws: Worksheet, tables: VillageTables) -> None:
    """Fill the Summary sheet."""
    w = SheetWriter(ws, tables.options)
    village = tables.village
    w.text(1, 1, w.msg("report_title", village=village.name), styles.TITLE)
    row = 3
    for key, name, code in (
        ("village", village.name, village.code),
        ("district", village.district.name, village.district.code),
        ("regency", village.regency.name, village.regency.code),
        ("province", village.province.name, village.province.code),
    ):
        w.text(row, 1, w.msg(key), styles.BOLD)
        w.text(row, 2, name)
        w.text(row, 3, code)
        row += 1
    row = _rounds_table(w, tables, row + 1)
    row = _headline_table(w, tables, row + 1)
    table_end = _goals(w, tables, row + 1)
    notes_end = _notes(w, tables, table_end + 1)
    styles.widths(ws, {"A": 40, "B": 16})
    for number in range(len(tables.rounds)):
        for offset, width in enumerate(ROUND_WIDTHS):
            ws.column_dimensions[get_column_letter(3 + PER_ROUND * number + offset)].width = width
    change_col = 3 + PER_ROUND * len(tables.rounds)
    for offset, width in enumerate(CHANGE_WIDTHS):
        ws.column_dimensions[get_column_letter(change_col + offset)].width = width
    ws.freeze_panes = "B2"
    # The tables print across as many pages as keep them legible, columns A:B repeated; the
    # notes, narrow, print once after them rather than cut at each page's edge.
    last = get_column_letter(change_col + len(CHANGE_WIDTHS) - 1)
    ws.print_area = [f"A1:{last}{table_end}", f"A{table_end + 1}:B{notes_end}"]
    styles.print_setup(ws, "1:1", "A:B")


def _rounds_table(w: SheetWriter, tables: VillageTables, row: int) -> int:
    w.text(row, 1, w.msg("rounds_heading"), styles.HEADING)
    row += 1
    columns = ("round", "opens_on", "closes_on", "questionnaire", "responses", "mode_web", "mode_paper", "web_share",
               "without_consent")
    for col, key in enumerate(columns, start=1):
        w.header(row, col, w.msg(key))
    for summary in tables.rounds:
        row += 1
        info = summary.info
        w.text(row, 1, info.name)
        w.number(row, 2, info.opens_on, styles.DATE)
        w.number(row, 3, info.closes_on, styles.DATE)
        w.text(row, 4, f"{info.questionnaire.key} v{info.questionnaire.version}")
        w.number(row, 5, summary.responses, styles.COUNT)
        w.number(row, 6, summary.by_mode.get("web", 0), styles.COUNT)
        w.number(row, 7, summary.by_mode.get("paper", 0), styles.COUNT)
        w.number(row, 8, tables.web_share(info.id), styles.PERCENT)
        w.number(row, 9, summary.without_consent, styles.COUNT)
    row += 1
    if any(summary.without_consent for summary in tables.rounds):
        w.note(row, w.msg("without_consent_note"), len(columns))
        row += 1
    w.text(row, 1, w.msg("figures_weighted" if tables.options.weighted else "figures_unweighted"), styles.NOTE)
    for summary in tables.rounds:  # how each round was weighted, wrapped across the table's width
        if summary.weighting is not None:
            row += 1
            w.note(row, f"{w.msg('weighting')} {summary.info.name}: {weighting_text(w, summary.weighting)}",
                   len(columns))
    return row + 1


def weighting_text(w: SheetWriter, weighting: Weighting) -> str:
    """How one round was weighted, in a phrase: method and effective n, merges and trims."""
    parts = [w.msg(f"weighting_{weighting.method}", n_eff=round(weighting.n_eff))]
    if weighting.collapsed:
        groups = ", ".join(w.msg("collapsed_sex") if group == "sex" else group for group in weighting.collapsed)
        parts.append(w.msg("weighting_collapsed", groups=groups))
    if weighting.trimmed:
        parts.append(w.msg("weighting_trimmed", count=weighting.trimmed))
    return "; ".join(parts)


def _headline_table(w: SheetWriter, tables: VillageTables, row: int) -> int:
    w.text(row, 1, w.msg("headline_heading"), styles.HEADING)
    row += 1
    change_col = 3 + PER_ROUND * len(tables.rounds)
    ws = w.ws
    for number, summary in enumerate(tables.rounds):
        col = 3 + PER_ROUND * number
        w.header(row, col, summary.info.name)
        styles.merge(ws, row, col, col + PER_ROUND - 1)
    w.header(row, change_col, w.msg("last_change"))
    styles.merge(ws, row, change_col, change_col + 3)
    row += 1
    w.header(row, 1, w.msg("measure"))
    w.header(row, 2, w.msg("counted_as"))
    for number in range(len(tables.rounds)):
        col = 3 + PER_ROUND * number
        for offset, key in enumerate(("value", "ci", "n", "flag")):
            w.header(row, col + offset, w.msg(key))
    for offset, key in enumerate(("change", "ci", "direction", "mode_mix")):
        w.header(row, change_col + offset, w.msg(key))
    first = row + 1
    row = _trend_rows(w, tables, tables.indices, row + 1, "indices_heading", "index")
    key_items = [tables.item(key) for key in tables.key_items]
    row = _trend_rows(w, tables, key_items, row, "items_heading", "share")
    direction_formatting(ws, change_col + 2, first, row - 1)
    return row + 1


def _goals(w: SheetWriter, tables: VillageTables, row: int) -> int:
    """The intermediate goals set for this village's area, each with its honest status."""
    if not tables.goals:
        return row
    w.text(row, 1, w.msg("goals_heading"), styles.HEADING)
    row += 1
    for col, key in enumerate(("measure", "goal_target", "goal_area", "round", "goal_figure", "goal_status"),
                              start=1):
        w.header(row, col, w.msg(key))
    names = {summary.info.id: summary.info.name for summary in tables.rounds}
    for result in tables.goals:
        row += 1
        goal = result.goal
        target = describe(goal, names, w.lang)
        w.text(row, 1, result.label, align=styles.WRAP)
        w.text(row, 2, target)
        w.text(row, 3, goal.area_code)
        w.text(row, 4, names.get(goal.round_id, ""))
        figure = (w.msg("goal_figure_value", value=f"{result.value:.1f}", low=f"{result.low:.1f}",
                        high=f"{result.high:.1f}", n=result.n)
                  if not math.isnan(result.value) else w.msg("goal_figure_none", n=result.n, min_n=tables.options.min_n)
                  if result.status == "too_few" else "")
        w.text(row, 5, figure)
        w.text(row, 6, w.msg(f"goal_{result.status}"), styles.BOLD)
    row += 1
    w.text(row, 1, w.msg("goal_reading"), styles.NOTE, align=styles.WRAP)
    return row + 1


def _trend_rows(w: SheetWriter, tables: VillageTables, trends: list[Trend] | tuple[Trend, ...], row: int,
                heading: str, kind: FigureKind) -> int:
    if not trends:
        return row
    w.text(row, 1, w.msg(heading), styles.BOLD, styles.SUBHEADER_FILL)
    row += 1
    latest = tables.latest.id
    change_col = 3 + PER_ROUND * len(tables.rounds)
    for trend in trends:
        w.text(row, 1, trend.label, align=styles.WRAP)
        w.text(row, 2, trend.counted_as if trend.kind == "item" else w.msg("index_scale"), styles.NOTE,
               align=styles.WRAP)
        for number, summary in enumerate(tables.rounds):
            w.estimate(row, 3 + PER_ROUND * number, trend.values.get(summary.info.id), kind)
        change = trend.last_change(latest)
        w.change(row, change_col, change, kind)
        shift = tables.mode_shift(change, latest)
        if shift is not None:
            w.text(row, change_col + 3, w.msg("mode_shift", points=round(shift)), styles.NOTE, styles.CAUTION_FILL,
                   align=styles.WRAP)
        row += 1
    return row


def _notes(w: SheetWriter, tables: VillageTables, row: int) -> int:
    """How to read the tables, and the notes on the trends they show, in columns A:B; the
    last row written."""
    w.note(row, w.msg("summary_reading", min_n=tables.options.min_n, caution_top=tables.options.caution_below - 1), 2)
    row += 2
    shown = {trend.key for trend in tables.indices} | set(tables.key_items)
    notes = [note for trend in (*tables.indices, *tables.items) if trend.key in shown for note in trend.notes]
    w.text(row, 1, w.msg("notes_heading"), styles.HEADING)
    for note in notes or [w.msg("no_notes")]:
        row += 1
        w.note(row, note, 2)
    return row
