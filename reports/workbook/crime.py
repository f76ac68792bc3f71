"""Kejahatan tercatat / Recorded crime: police-recorded incidents per 1,000 residents in the
twelve months up to each round, beside the village's indices for the same rounds, and the
dark figure (victims whose latest incident was not reported), each with what it can and
cannot mean."""

from __future__ import annotations

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from reports.safety import safe_text
from reports.tables import VillageTables
from reports.tables.crime import WINDOW_MONTHS, CrimeTable
from reports.workbook import styles
from reports.workbook.cells import SheetWriter, number_text

RATE = "0.0"


def write_crime(ws: Worksheet, tables: VillageTables, crime: CrimeTable) -> None:
    """Fill the sheet: the recorded incidents, the indices beside them, the dark figure."""
    w = SheetWriter(ws, tables.options)
    w.text(1, 1, w.msg("crime_title", village=tables.village.name), styles.TITLE)
    w.note(2, w.msg("crime_reading"), 1 + len(tables.rounds))
    row = 4
    if crime.source is not None:
        row = _recorded(w, tables, crime, row)
    else:
        w.note(row, w.msg("crime_none"), 1 + len(tables.rounds))
        row += 2
    if crime.dark:
        row = _dark(w, tables, crime, row)
    styles.widths(ws, {"A": 52})
    for col in range(2, 2 + len(tables.rounds)):
        ws.column_dimensions[get_column_letter(col)].width = 18
    ws.freeze_panes = "B4"
    styles.print_setup(ws, "1:1", "A:A")


def _header(w: SheetWriter, tables: VillageTables, row: int, first: str) -> None:
    w.header(row, 1, first)
    for col, summary in enumerate(tables.rounds, start=2):
        w.header(row, col, summary.info.name)


def _recorded(w: SheetWriter, tables: VillageTables, crime: CrimeTable, row: int) -> int:
    source = crime.source
    assert source is not None
    level = w.msg("crime_level_village" if source.level == "village" else "crime_level_district")
    w.text(row, 1, w.msg("crime_source", name=safe_text(source.name), code=source.code, level=level))
    row += 1
    residents = f"{source.population:,}".replace(",", ".") if source.population else None
    w.text(row, 1, w.msg("crime_population", n=residents) if residents else w.msg("crime_no_population"),
           styles.NOTE)
    row += 2
    _header(w, tables, row, w.msg("measure"))
    by_round = {r.round_id: r for r in crime.rounds}
    row += 1
    w.text(row, 1, w.msg("crime_period"))
    for col, summary in enumerate(tables.rounds, start=2):
        r = by_round[summary.info.id]
        w.text(row, col, f"{r.first_month:%m-%Y} – {r.last_month:%m-%Y}", align=styles.CENTRE)
    row += 1
    w.text(row, 1, w.msg("crime_months"))
    for col, summary in enumerate(tables.rounds, start=2):
        r = by_round[summary.info.id]
        w.text(row, col, w.msg("count_of", count=r.months_covered, n=WINDOW_MONTHS), align=styles.CENTRE)
    for category in crime.categories:
        row += 1
        w.text(row, 1, w.msg("crime_category", category=safe_text(category)))
        for col, summary in enumerate(tables.rounds, start=2):
            r = by_round[summary.info.id]
            if r.months_covered:
                w.number(row, col, r.incidents.get(category, 0), styles.COUNT)
    row += 1
    w.text(row, 1, w.msg("crime_total"), styles.BOLD)
    for col, summary in enumerate(tables.rounds, start=2):
        r = by_round[summary.info.id]
        if r.months_covered:
            w.number(row, col, r.total, styles.COUNT)
    row += 1
    w.text(row, 1, w.msg("crime_rate"), styles.BOLD)
    for col, summary in enumerate(tables.rounds, start=2):
        w.number(row, col, crime.rate(summary.info.id), RATE)
    row += 2
    w.text(row, 1, w.msg("crime_beside"), styles.HEADING)
    row += 1
    _header(w, tables, row, w.msg("measure"))
    for trend in tables.indices:
        row += 1
        w.text(row, 1, trend.label)
        for col, summary in enumerate(tables.rounds, start=2):
            estimate = trend.values.get(summary.info.id)
            if estimate is not None and estimate.shown:
                w.number(row, col, estimate.value, styles.INDEX)
            elif estimate is not None:
                w.text(row, col, w.msg("suppressed", min_n=tables.options.min_n), fill=styles.SUPPRESSED_FILL)
    return row + 2


def _dark(w: SheetWriter, tables: VillageTables, crime: CrimeTable, row: int) -> int:
    w.text(row, 1, w.msg("dark_heading"), styles.HEADING)
    row += 1
    _header(w, tables, row, w.msg("measure"))
    rows = (("dark_share", "value"), ("ci", "ci"), ("dark_base", "n"))
    for key, part in rows:
        row += 1
        w.text(row, 1, w.msg(key))
        for col, summary in enumerate(tables.rounds, start=2):
            estimate = crime.dark.get(summary.info.id)
            if estimate is None:
                w.text(row, col, w.msg("not_asked") if part == "value" else "", align=styles.CENTRE)
            elif part == "n":
                w.number(row, col, estimate.n, styles.COUNT)
            elif not estimate.shown:
                if part == "value":
                    w.text(row, col, w.msg("suppressed", min_n=tables.options.min_n), fill=styles.SUPPRESSED_FILL)
            elif part == "value":
                w.number(row, col, estimate.value, styles.PERCENT)
            else:
                low, high = (number_text(100 * bound, 0, w.lang) for bound in (estimate.ci_low, estimate.ci_high))
                w.text(row, col, f"{low}–{high}%", align=styles.CENTRE)
    row += 1
    w.note(row, w.msg("dark_reading"), 1 + len(tables.rounds))
    return row + 2
