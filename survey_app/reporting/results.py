"""What the results pages show: headline trends as charts, for a round's villages in someone's
reach and for one village, from the same statistics tables as the workbooks.

A village's charts come from its report tables (``village_tables``), so they show exactly the
workbook's Trend sheet. An area's come from the stored sums (``summaries.reach_sums``): one
stored row per area code, so a province's page never reads its responses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from reports.charts import Chart, headline_charts
from reports.data import load_round_history
from reports.tables import ReportOptions
from reports.tables.area import build_area_trends
from reports.tables.crime import CrimeTable
from reports.tables.items import section_layout
from reports.tables.model import GoalResult
from reports.text import LANGUAGES
from survey_app import questionnaires
from survey_app.database import read_only
from survey_app.extensions import db
from survey_app.i18n import current_language
from survey_app.models import Round, User, Village, covers
from survey_app.reporting import summaries
from survey_app.reporting.service import report_options, village_tables


@dataclass(frozen=True)
class Results:
    charts: list[Chart]
    notes: tuple[str, ...]
    responses: dict[str, int]
    """Round name -> responses counted, oldest first."""
    stale: int = 0
    """Villages whose newer answers these figures leave out (0: up to date)."""
    counts: bool = False
    """Shares under min_n are shown as "3 of 7" (a partner questionnaire's ``small_bases``)."""
    goals: tuple[GoalResult, ...] = ()
    """The intermediate goals of the village's area in these rounds, judged."""
    round_names: dict[int, str] = field(default_factory=dict)
    crime: CrimeTable | None = None
    """Recorded crime beside the rounds, and the dark figure (a village's page only)."""
    weighted: bool = False
    """The figures are weighted to the population (a village's page of a weighted round)."""


def page_options(round_: Round) -> ReportOptions:
    """Report options for a results page: the interface's language when reports have it."""
    lang = current_language()
    return report_options(round_, lang if lang in LANGUAGES else "id")


def reach(round_scope: Sequence[str], user_scope: Sequence[str]) -> list[str] | None:
    """The area codes both scopes (empty = every village) cover: of each overlapping pair, the
    narrower code; None when both cover every village, and [] when they do not meet."""
    if not round_scope or not user_scope:
        return list(round_scope or user_scope) or None
    return sorted({a if covers([b], a) else b for a in round_scope for b in user_scope
                   if covers([b], a) or covers([a], b)})


def area_results(round_: Round, user: User, options: ReportOptions) -> Results:
    """The headline trends of the round's villages in ``user``'s reach, over the rounds a
    village report covers (the same area in each round), refreshed first unless the backlog
    is too large to wait for."""
    with read_only(), db.engine.connect() as connection:
        rounds = load_round_history(connection, round_.id, questionnaires.load)
    stale = summaries.refresh_if_small(db.engine, rounds)
    with read_only(), db.engine.connect() as connection:
        sums = summaries.reach_sums(connection, [r.id for r in rounds], reach(round_.scope_prefixes,
                                                                              user.scope_prefixes))
    trends = build_area_trends(rounds, sums, options, versions=questionnaires.catalog().get)
    titles = {sid: title for sid, title, _ids in section_layout(rounds, options.lang)}
    charts = headline_charts(trends.indices, trends.items, titles, [(r.id, r.name) for r in rounds], options.lang)
    notes = tuple(note for trend in (*trends.indices, *trends.items) for note in trend.notes)
    return Results(charts, notes, {r.name: trends.responses[r.id] for r in rounds}, stale)


def village_results(round_: Round, village: Village, options: ReportOptions) -> Results:
    """The village's headline trends, as its workbook's Trend sheet shows them."""
    tables = village_tables(round_, village, options)
    charts = headline_charts(
        tables.indices, [tables.item(key) for key in tables.key_items],
        {section.id: section.title for section in tables.sections},
        [(summary.info.id, summary.info.name) for summary in tables.rounds], options.lang,
    )
    return Results(charts, tables.notes, {summary.info.name: summary.responses for summary in tables.rounds},
                   tables.stale_villages, tables.options.counts_below_min_n, tables.goals,
                   {summary.info.id: summary.info.name for summary in tables.rounds}, tables.crime,
                   tables.options.weighted)
