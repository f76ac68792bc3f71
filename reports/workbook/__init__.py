"""Village workbook: statistics tables in, ``.xlsx`` bytes out (openpyxl, native charts).

Sheets: At a glance (one A4 page), Summary, Trend, one per questionnaire section, Comparison, Same period only when
rounds of other questionnaires overlap the report's round, Recorded crime only when police
figures were imported or the questionnaire asks whether incidents were reported, Method, Data (every headline figure
and interval as numbers), and Free text only when ``options.include_free_text``. Sheet names and every fixed text follow
``options.lang``; text from answers or YAML is written through ``reports.safety``.
"""

from __future__ import annotations

from openpyxl import Workbook

from reports.safety import safe_sheet_title
from reports.tables import ReportOptions, VillageTables
from reports.text import t
from reports.workbook import styles
from reports.workbook.companions import write_companions
from reports.workbook.comparison import write_comparison
from reports.workbook.crime import write_crime
from reports.workbook.data import write_data
from reports.workbook.free_text import write_free_text
from reports.workbook.glance import write_glance
from reports.workbook.method import write_method
from reports.workbook.saving import workbook_bytes
from reports.workbook.sections import write_section
from reports.workbook.summary import write_summary
from reports.workbook.trend import write_trend

__all__ = ["build_village_workbook", "village_workbook", "workbook_bytes"]


def village_workbook(tables: VillageTables, options: ReportOptions | None = None) -> Workbook:
    """The report as an openpyxl ``Workbook`` (for callers that add to it before saving)."""
    if options is not None and options != tables.options:
        raise ValueError("build the tables with the same options as the workbook")
    lang = tables.options.lang
    workbook = Workbook()
    taken: set[str] = set()
    glance = workbook.active
    glance.title = safe_sheet_title(t("sheet_glance", lang), taken)
    write_summary(workbook.create_sheet(safe_sheet_title(t("sheet_summary", lang), taken)), tables)
    index_chart = write_trend(workbook.create_sheet(safe_sheet_title(t("sheet_trend", lang), taken)), tables)
    write_glance(glance, tables, index_chart)
    for section in tables.sections:
        write_section(workbook.create_sheet(safe_sheet_title(section.sheet_title or section.title, taken)), tables,
                      section)
    write_comparison(workbook.create_sheet(safe_sheet_title(t("sheet_comparison", lang), taken)), tables)
    if tables.companions:
        write_companions(workbook.create_sheet(safe_sheet_title(t("sheet_companions", lang), taken)), tables)
    if tables.crime is not None:
        write_crime(workbook.create_sheet(safe_sheet_title(t("sheet_crime", lang), taken)), tables, tables.crime)
    write_method(workbook.create_sheet(safe_sheet_title(t("sheet_method", lang), taken)), tables)
    write_data(workbook.create_sheet(safe_sheet_title(t("sheet_data", lang), taken)), tables)
    if tables.options.include_free_text:
        write_free_text(workbook.create_sheet(safe_sheet_title(t("sheet_free_text", lang), taken)), tables)
    for ws in workbook.worksheets:
        styles.fit_row_heights(ws)
    return workbook


def build_village_workbook(tables: VillageTables, options: ReportOptions | None = None) -> bytes:
    """The village report as ``.xlsx`` bytes; ``options`` defaults to the tables' own."""
    return workbook_bytes(village_workbook(tables, options))
