"""Metode / Method: what each figure means in plain words, the questionnaire versions and
comparability notes, alpha per round, and when the report was made from which data."""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from reports.safety import safe_text
from reports.tables import VillageTables
from reports.weights import MIN_CELL, WEIGHT_CAP
from reports.workbook import styles
from reports.workbook.cells import SheetWriter
from survey_app.questionnaire import text_in

TERMS = ("top2", "ci", "mean", "index", "alpha", "change", "min_n", "distribution", "comparability",
         "many_villages", "mode", "privacy")


def write_method(ws: Worksheet, tables: VillageTables) -> None:
    """Fill the Method sheet."""
    w = SheetWriter(ws, tables.options)
    options = tables.options
    params = {"min_n": options.min_n, "caution_top": options.caution_below - 1}
    w.text(1, 1, w.msg("method_title"), styles.TITLE)
    w.header(2, 1, w.msg("method_term"))
    w.header(2, 2, w.msg("method_explanation"))
    row = 3
    for term in TERMS:
        w.text(row, 1, w.msg(f"term_{term}"), styles.BOLD, align=styles.WRAP)
        w.text(row, 2, w.msg(f"m_{term}", **params), align=styles.WRAP)
        row += 1
    w.text(row, 1, w.msg("term_weights"), styles.BOLD, align=styles.WRAP)
    w.text(row, 2, w.msg("m_weights_on" if options.weighted else "m_weights_off", min_cell=MIN_CELL,
                         cap=f"{WEIGHT_CAP:g}"), align=styles.WRAP)
    row += 1
    row += 1
    w.text(row, 1, w.msg("versions_heading"), styles.HEADING)
    for summary in tables.rounds:
        row += 1
        questionnaire = summary.info.questionnaire
        title = questionnaire.title.get(options.lang) or questionnaire.title.get(questionnaire.default_language, "")
        w.text(row, 1, summary.info.name)
        w.text(row, 2, f"{questionnaire.key} v{questionnaire.version}: {safe_text(title)}")
    row = _amendments(w, tables, row + 2)
    row = _alpha_table(w, tables, row)
    w.text(row, 1, w.msg("notes_heading"), styles.HEADING)
    for note in tables.notes or (w.msg("no_notes"),):
        row += 1
        w.text(row, 2, note, align=styles.WRAP)
    row += 2
    w.text(row, 1, w.msg("generated_at"), styles.BOLD)
    w.number(row, 2, tables.generated_at.replace(tzinfo=None), styles.DATETIME)
    w.text(row + 1, 1, w.msg("data_cutoff"), styles.BOLD)
    cutoff = tables.data_cutoff.replace(tzinfo=None) if tables.data_cutoff else None
    w.number(row + 1, 2, cutoff, styles.DATETIME)
    for cell in (ws.cell(row=row, column=2), ws.cell(row=row + 1, column=2)):
        cell.alignment = styles.Alignment(horizontal="left")
    styles.widths(ws, {"A": 30, "B": 110})
    ws.freeze_panes = "A3"
    styles.print_setup(ws, "2:2", "A:A")


def _amendments(w: SheetWriter, tables: VillageTables, row: int) -> int:
    """Judgements made after a version was published (``amendments.yaml``), cited where they apply."""
    lang = tables.options.lang
    cited = {(q.ref, a.question_id): (q, a) for s in tables.rounds
             for q in [s.info.questionnaire] for a in q.amendments}
    if not cited:
        return row
    w.text(row, 1, w.msg("amendments_heading"), styles.HEADING)
    for (ref, question_id), (questionnaire, amendment) in sorted(cited.items()):
        row += 1
        reason = text_in(amendment.reason, lang, questionnaire.default_language)
        w.text(row, 2, w.msg("amendment", ref=ref, question=question_id, kind=w.msg(f"amended_{amendment.kind}"),
                             decided=amendment.decided.isoformat(), reason=safe_text(reason)), align=styles.WRAP)
    return row + 2


def _alpha_table(w: SheetWriter, tables: VillageTables, row: int) -> int:
    if not tables.indices:
        return row
    w.text(row, 1, w.msg("alpha_heading"), styles.HEADING)
    row += 1
    w.header(row, 1, w.msg("round"))
    col = 2
    for trend in tables.indices:
        w.header(row, col, f"{trend.label}: {w.msg('alpha_all')}")
        w.header(row, col + 1, f"{trend.label}: {w.msg('alpha_village')}")
        col += 2
    for summary in tables.rounds:
        row += 1
        w.text(row, 1, summary.info.name)
        col = 2
        for trend in tables.indices:
            w.number(row, col, trend.alpha.get(summary.info.id), styles.ALPHA)
            w.number(row, col + 1, trend.village_alpha.get(summary.info.id), styles.ALPHA)
            col += 2
    return row + 2
