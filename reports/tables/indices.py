"""Indices (0-100): each index's trend across rounds, broken where its items or their coding
changed, with alpha over all villages and within the village."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from reports.data import RoundInfo
from reports.stats import Change, mean_change
from reports.stats.weighted import WeightedScores, weighted_mean_change
from reports.tables.change import presence_notes, segment_changes, span_changes, split_segments
from reports.tables.comparison import Population
from reports.tables.figures import VillageData, index_estimate, score_map, weighted_estimate
from reports.tables.model import NAN, Estimate, ReportOptions, Trend, localised
from reports.tables.versions import Link, Versions
from reports.text import t
from survey_app.questionnaire import Questionnaire
from survey_app.questionnaire.comparability import NOT_COMPARABLE, SAME


def index_link(index_id: str, versions: Versions, earlier: RoundInfo, later: RoundInfo) -> Link:
    """Whether an index may join two rounds: same questionnaire, same items, each comparable."""
    old, new = earlier.questionnaire.index(index_id), later.questionnaire.index(index_id)
    if earlier.questionnaire.key != later.questionnaire.key:
        return Link(NOT_COMPARABLE, later.questionnaire.version, "note_other_questionnaire")
    if set(old.items) != set(new.items):
        return Link(NOT_COMPARABLE, later.questionnaire.version, "note_index_items_changed")
    for item in new.items:
        link = versions.link(item, earlier, later)
        if not link.comparability.comparable:
            caution = link.comparability.kind == "caution"
            reason = "note_index_item_caution" if caution else "note_index_item_not_comparable"
            return Link(NOT_COMPARABLE, link.broken_at, reason)
    return Link(SAME)


def _has_index(questionnaire: Questionnaire, index_id: str) -> bool:
    return any(index.id == index_id for index in questionnaire.indices)


def index_trend(
    index_id: str,
    rounds: Sequence[RoundInfo],
    data: VillageData,
    versions: Versions,
    options: ReportOptions,
    population: Population | None,
) -> Trend:
    asked = [r for r in rounds if _has_index(r.questionnaire, index_id)]
    latest_q = asked[-1].questionnaire
    label = localised(latest_q.index(index_id).label, latest_q, options.lang)
    unscorable: list[str] = []
    while True:  # a retained round that cannot be scored on a later coding leaves the trend
        segments, notes = split_segments(
            asked, lambda a, b: index_link(index_id, versions, a, b), label, options.lang
        )
        scores, lost = _segment_scores(index_id, segments, data, versions)
        if not lost:
            break
        asked = [r for r in asked if r.id not in lost]
        unscorable += [t("note_retained_recoded", options.lang, label=label, round=r.name) for r in lost.values()]
    weighted = {rid: WeightedScores.of(s, w) for rid, s in scores.items() if (w := data.weights_of(rid)) is not None}
    values: dict[int, Estimate | None] = {r.id: None for r in rounds}
    values.update({rid: weighted_estimate(weighted[rid], options.suppression) if rid in weighted
                   else index_estimate(s, options.suppression) for rid, s in scores.items()})
    counts = {rid: int(s.notna().sum()) for rid, s in scores.items()}
    bases = {rid: weighted[rid].n_eff if rid in weighted else n for rid, n in counts.items()}

    def compute(a: RoundInfo, b: RoundInfo) -> Change:
        if a.id in weighted or b.id in weighted:  # a round without targets weighs everyone 1
            before, after = (weighted.get(r.id) or WeightedScores.of(scores[r.id], np.ones(len(scores[r.id])))
                             for r in (a, b))
            return weighted_mean_change(before, after, options.min_n)
        return mean_change(scores[a.id], scores[b.id], options.min_n)

    def min_n_ok(a: RoundInfo, b: RoundInfo) -> bool:
        return min(bases[a.id], bases[b.id]) >= options.min_n

    changes = segment_changes(segments, compute, min_n_ok)
    alpha = {r.id: population.alpha(r, r.questionnaire.index(index_id)) if population else NAN for r in asked}
    village_alpha = {r.id: data.village_alpha(r, r.questionnaire.index(index_id)) if counts[r.id] >= options.min_n
                     else NAN for r in asked}
    return Trend(
        key=index_id,
        kind="index",
        label=label,
        section_id="",
        values=values,
        segments=tuple(tuple(r.id for r in segment) for segment in segments),
        changes=changes,
        spans=span_changes(segments, options.change_spans, compute, min_n_ok),
        notes=tuple(presence_notes(label, rounds, asked, options.lang) + notes + unscorable),
        alpha=alpha,
        village_alpha=village_alpha,
    )


def _segment_scores(index_id: str, segments: Sequence[Sequence[RoundInfo]], data: VillageData,
                    versions: Versions) -> tuple[dict[int, pd.Series], dict[int, RoundInfo]]:
    """Each round's index scores on its segment's newest coding, and the retained rounds whose
    scores were kept in a coding that differs from it."""
    scores: dict[int, pd.Series] = {}
    lost: dict[int, RoundInfo] = {}
    for segment in segments:
        reference = segment[-1]
        ref_q = reference.questionnaire
        for round_ in segment:
            own_q = round_.questionnaire
            maps = [
                (item, score_map(own_q.question(item), versions.link(item, round_, reference).comparability,
                                  ref_q.question(item)))
                for item in ref_q.index(index_id).items
            ]
            found = data.index_scores(round_, own_q.index(index_id), maps)
            if found is None:
                lost[round_.id] = round_
            else:
                scores[round_.id] = found
    return scores, lost

