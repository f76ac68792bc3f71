"""One village's tables (``build_village_tables``) and the headline trends an overview across
villages needs (``build_village_trends``), assembled from items, indices and the comparison."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import pandas as pd

from reports.data import QuestionnaireLookup, RoundInfo, VillageInfo
from reports.retained import RetainedRound
from reports.tables.comparison import Population, comparison_rows
from reports.tables.crime import DARK_FIGURE_QUESTION, CrimeSource, crime_table
from reports.tables.figures import VillageData
from reports.tables.indices import index_trend
from reports.tables.items import free_text_answers, item_detail, item_trend, section_layout
from reports.tables.model import (
    UNCOUNTED,
    ItemKind,
    ReportOptions,
    RoundSummary,
    SectionTables,
    Trend,
    VillageTables,
    item_kind,
    localised,
)
from reports.tables.versions import Versions
from reports.text import t
from reports.weights import Targets, Weighting


def _round_summaries(rounds: Sequence[RoundInfo], data: VillageData,
                     weighting: Mapping[int, Weighting] | None) -> list[RoundSummary]:
    summaries = []
    for round_ in rounds:
        weighted = weighting[round_.id] if weighting is not None and round_.id not in data.retained else None
        kept = data.retained.get(round_.id)
        if kept is not None:
            summaries.append(RoundSummary(round_, kept.responses, kept.by_mode, kept.last_submitted, weighted,
                                          kept.without_consent, kept.purged_on))
            continue
        frame = data.by_round[round_.id]
        by_mode = {str(mode): int(n) for mode, n in frame["mode"].value_counts().items()}
        last = frame["submitted_at"].max() if len(frame) else None
        without = int(frame["consent_hash"].isna().sum()) if "consent_hash" in frame.columns else len(frame)
        summaries.append(RoundSummary(round_, len(frame), by_mode, None if last is None else last.to_pydatetime(),
                                      weighted, without))
    return summaries


def build_village_tables(
    village: VillageInfo,
    rounds: Sequence[RoundInfo],
    responses: pd.DataFrame,
    options: ReportOptions | None = None,
    *,
    population: Population | None = None,
    versions: QuestionnaireLookup | None = None,
    generated_at: datetime | None = None,
    stale_villages: int = 0,
    companions: Sequence[VillageTables] = (),
    crime: CrimeSource | None = None,
    targets: Targets | None = None,
    retained: Mapping[int, RetainedRound] | None = None,
) -> VillageTables:
    """All figures of one village's report over ``rounds`` (oldest first; the last is the report's round).

    ``responses`` may hold other villages too (only ``village.id``'s rows are used).
    ``population`` gives alpha over all villages and the district/regency comparison; without
    it those are left out. ``versions`` loads questionnaire versions between the rounds'
    versions (``Catalog.get``); not needed when no version is skipped. ``crime`` is the
    recorded crime set beside the rounds (``reports.crime_data``). ``targets`` is the village's
    population by age band x sex, which ``options.weighted`` weights every round to.
    ``retained`` holds, by round id, what was kept of the village's rounds whose answers were
    deleted (``reports.retained``).
    """
    options = options or ReportOptions()
    if not rounds:
        raise ValueError("a village report needs at least one round")
    if rounds[-1].questionnaire.small_bases == "counts":
        options = replace(options, counts_below_min_n=True)
    chain = Versions(rounds, versions)
    data = VillageData(responses, village.id, rounds, retained)
    weighting = data.weigh(rounds, targets) if options.weighted else None
    layout = section_layout(rounds, options.lang)
    headline = _headline(layout, rounds)
    items = [item_trend(qid, rounds, data, chain, options) for qid in headline]
    indices = [index_trend(iid, rounds, data, chain, options, population) for iid in _index_ids(rounds)]
    key_items = _key_items(options, headline)
    trends = {trend.key: trend for trend in items}
    sections = [
        SectionTables(sid, title, tuple(
            item_detail(qid, rounds, data, chain, options, trends.get(qid)) for qid in ids
            if _reported_kind(qid, rounds) not in UNCOUNTED
        ), _sheet_title(rounds, sid, title, options.lang))
        for sid, title, ids in layout
    ]
    summaries = _round_summaries(rounds, data, weighting)
    cutoffs = [s.last_submitted for s in summaries if s.last_submitted is not None]
    return VillageTables(
        village=village,
        rounds=tuple(summaries),
        options=options,
        indices=tuple(indices),
        items=tuple(items),
        key_items=key_items,
        sections=tuple(s for s in sections if s.items),
        comparison=tuple(comparison_rows(village, rounds[-1], data, population, indices, items, options)),
        notes=(*_counts_note(options), *_weights_note(options, population), *_retained_notes(data, rounds, options),
               *(note for trend in (*indices, *items) for note in trend.notes)),
        free_text=tuple(free_text_answers(rounds, data, options.lang)) if options.include_free_text else (),
        generated_at=generated_at or datetime.now(UTC),
        data_cutoff=max(cutoffs) if cutoffs else None,
        stale_villages=stale_villages,
        companions=tuple(companions),
        crime=crime_table(crime, rounds, {r.id: data.counts_of(r.id, DARK_FIGURE_QUESTION) for r in rounds},
                          options.suppression),
    )


def build_companion_tables(
    village: VillageInfo,
    rounds: Sequence[RoundInfo],
    responses: pd.DataFrame,
    options: ReportOptions,
    generated_at: datetime | None = None,
    retained: Mapping[int, RetainedRound] | None = None,
) -> tuple[VillageTables, ...]:
    """The village in each of ``rounds`` (other questionnaires, same period), one round each:
    its headline figures under its own questionnaire's rules (a partners' round counts where
    a residents' would hide). Key items and free text are the main report's choices, not theirs."""
    own = replace(options, key_items=None, include_free_text=False)
    return tuple(
        build_village_tables(village, [round_], responses[responses["round_id"] == round_.id], own,
                             generated_at=generated_at, retained=retained)
        for round_ in rounds
    )


def _headline(layout: Sequence[tuple[str, str, list[str]]], rounds: Sequence[RoundInfo]) -> list[str]:
    return [qid for _sid, _title, ids in layout for qid in ids
            if any(r.questionnaire.has_question(qid) and item_kind(r.questionnaire.question(qid)) == "scale"
                   for r in rounds)]


def _index_ids(rounds: Sequence[RoundInfo]) -> list[str]:
    return list(dict.fromkeys(index.id for r in reversed(rounds) for index in r.questionnaire.indices))


@dataclass(frozen=True)
class VillageTrends:
    """Only the headline trends of a village: what an overview across villages needs."""

    indices: tuple[Trend, ...]
    items: tuple[Trend, ...]
    responses: Mapping[int, int]
    """Round id -> number of responses."""


def build_village_trends(
    village_id: int,
    rounds: Sequence[RoundInfo],
    responses: pd.DataFrame,
    options: ReportOptions | None = None,
    *,
    versions: QuestionnaireLookup | None = None,
    targets: Targets | None = None,
    retained: Mapping[int, RetainedRound] | None = None,
) -> VillageTrends:
    """The index and key-item trends of one village, computed exactly as in its village report
    (without the alpha, distributions and comparison that only the report shows)."""
    options = options or ReportOptions()
    if not rounds:
        raise ValueError("a village overview needs at least one round")
    chain = Versions(rounds, versions)
    data = VillageData(responses, village_id, rounds, retained)
    if options.weighted:
        data.weigh(rounds, targets)
    keys, index_ids = headline_keys(rounds, options)
    items = tuple(item_trend(qid, rounds, data, chain, options) for qid in keys)
    indices = tuple(index_trend(iid, rounds, data, chain, options, None) for iid in index_ids)
    return VillageTrends(indices, items, {r.id: data.size(r.id) for r in rounds})


def headline_keys(rounds: Sequence[RoundInfo], options: ReportOptions) -> tuple[tuple[str, ...], list[str]]:
    """The key items and the indices whose trends a headline shows (overviews, charts)."""
    return _key_items(options, _headline(section_layout(rounds, options.lang), rounds)), _index_ids(rounds)


def _reported_kind(qid: str, rounds: Sequence[RoundInfo]) -> ItemKind:
    for round_ in reversed(rounds):
        if round_.questionnaire.has_question(qid):
            return item_kind(round_.questionnaire.question(qid))
    return "text"


def _key_items(options: ReportOptions, headline: Sequence[str]) -> tuple[str, ...]:
    if options.key_items is None:
        return tuple(headline)
    unknown = [qid for qid in options.key_items if qid not in headline]
    if unknown:
        raise ValueError(f"key items {unknown} are not items with a top-2 headline in these rounds")
    return tuple(options.key_items)


def _counts_note(options: ReportOptions) -> tuple[str, ...]:
    """Say once why some cells hold counts where a resident report would hide the figure."""
    return (t("note_counts", options.lang, min_n=options.min_n),) if options.counts_below_min_n else ()


def _weights_note(options: ReportOptions, population: Population | None) -> tuple[str, ...]:
    """Say that the area columns beside weighted village figures are not weighted."""
    return (t("note_weighted_areas", options.lang),) if options.weighted and population is not None else ()


def _retained_notes(data: VillageData, rounds: Sequence[RoundInfo], options: ReportOptions) -> tuple[str, ...]:
    """Say which rounds' figures come from what was kept when their answers were deleted."""
    notes = []
    for round_ in rounds:
        kept = data.retained.get(round_.id)
        if kept is not None:
            notes.append(t("note_retained", options.lang, round=round_.name, day=f"{kept.purged_on:%d-%m-%Y}"))
            if options.weighted:
                notes.append(t("note_retained_unweighted", options.lang, round=round_.name))
    return tuple(notes)


def _sheet_title(rounds: Sequence[RoundInfo], section_id: str, title: str, lang: str) -> str:
    """The newest questionnaire's short title of the section, where it gives one."""
    for round_ in reversed(rounds):
        questionnaire = round_.questionnaire
        section = next((s for s in questionnaire.sections if s.id == section_id), None)
        if section is not None:
            return localised(section.short_title, questionnaire, lang) if section.short_title else title
    return title
