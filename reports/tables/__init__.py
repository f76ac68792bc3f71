"""Statistics tables of one village report: stored answers in, plain dataclasses out.

Modules, each building on the ones before it: ``model`` (options and results), ``versions``
(comparability across questionnaire versions), ``figures`` (estimates from counts and scores),
``change`` (trend segments and changes), ``items``, ``indices``, ``comparison`` (what villages
share: alpha and area figures) and ``village`` (one village's tables, or its headline trends).

Everything a village workbook shows is decided here, so any renderer (the workbook, an
overview across villages, a test) reads the same figures. No openpyxl in this module.

Conventions (see ``reports.stats`` for the statistics themselves):

- Rounds are given oldest first. A *trend* joins the rounds of an item (or index) only while
  each step from one round that asked it to the next is comparable: the same question, or one
  declared comparable through a recode (``question.compare``, chained through every
  questionnaire version in between). A step that is not comparable starts a new *segment*.
- Within a segment every round is expressed in the coding of the segment's last round:
  declared recodes are applied to the earlier rounds' answer codes *before* shares, scores
  and changes are computed. Distributions on the section sheets stay in each round's own
  coding, because they show what residents were actually asked.
- An index is comparable between two rounds when it has the same items in both versions and
  every item is comparable (after recode); otherwise its trend breaks, with a note. We do not
  silently shrink an index to its common items: an index whose content changed is a
  different measure, and a trend line should not pretend otherwise.
- A figure on a base below ``min_n`` is *suppressed*: its value and interval are NaN in these
  tables (only the base is kept), so no renderer can print it by accident.
"""

from reports.tables.comparison import AREA_COLUMNS, AlphaKey, FiguresKey, Population, all_area_figures
from reports.tables.figures import code_counts, headline_ids, round_figures, share_from_counts
from reports.tables.model import (
    ChangeEstimate,
    ChangeStatus,
    ComparisonRow,
    DistributionBlock,
    Estimate,
    FreeText,
    ItemDetail,
    ItemKind,
    OptionLabel,
    ReportOptions,
    RoundDistribution,
    RoundSummary,
    SectionTables,
    Trend,
    VillageTables,
    item_kind,
)
from reports.tables.versions import Link, Versions
from reports.tables.village import VillageTrends, build_companion_tables, build_village_tables, build_village_trends

__all__ = [
    "AREA_COLUMNS",
    "AlphaKey",
    "ChangeEstimate",
    "ChangeStatus",
    "ComparisonRow",
    "DistributionBlock",
    "Estimate",
    "FiguresKey",
    "FreeText",
    "ItemDetail",
    "ItemKind",
    "Link",
    "OptionLabel",
    "Population",
    "ReportOptions",
    "RoundDistribution",
    "RoundSummary",
    "SectionTables",
    "Trend",
    "VillageTables",
    "VillageTrends",
    "Versions",
    "all_area_figures",
    "build_companion_tables",
    "build_village_tables",
    "build_village_trends",
    "code_counts",
    "headline_ids",
    "item_kind",
    "round_figures",
    "share_from_counts",
]
