"""Headline trends of an area (a round's villages in someone's reach) from stored sums.

The item trends are the village report's own: ``item_trend`` reads answer counts, and an
area's counts are the stored sums of its villages, recoded across versions the same way. An
index's sums hold each round's scores in that round's own coding, and a mean cannot be
recoded afterwards, so an area's index trend also breaks where one of its items was recoded
(the village report, which has the answers, joins those rounds after recoding them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from reports.data import QuestionnaireLookup, RoundInfo
from reports.stats.moments import Moments
from reports.tables.change import presence_notes, split_segments
from reports.tables.figures import index_estimate_from
from reports.tables.indices import index_link
from reports.tables.items import item_trend
from reports.tables.model import Estimate, ReportOptions, Trend, localised
from reports.tables.sums import PlaceSums
from reports.tables.versions import Link, Versions
from reports.tables.village import headline_keys
from survey_app.questionnaire.comparability import NOT_COMPARABLE


@dataclass(frozen=True)
class AreaTrend:
    """An index of an area across rounds: what a chart draws, without the changes."""

    key: str
    label: str
    values: Mapping[int, Estimate | None]
    segments: tuple[tuple[int, ...], ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class AreaTrends:
    indices: tuple[AreaTrend, ...]
    items: tuple[Trend, ...]
    responses: Mapping[int, int]
    """Round id -> number of responses in the area."""


class _SumsCounts:
    """``AnswerCounts`` of stored sums, by round."""

    def __init__(self, sums: Mapping[int, PlaceSums]) -> None:
        self._sums = sums

    def counts_of(self, round_id: int, question_id: str) -> Mapping[str, int]:
        return self._sums[round_id].counts.get(question_id, {})

    def weight_sums_of(self, round_id: int, question_id: str) -> None:
        """Stored sums are of unweighted answers: area figures are unweighted (docs/weights.md)."""
        return None


def build_area_trends(
    rounds: Sequence[RoundInfo],
    sums: Mapping[int, PlaceSums],
    options: ReportOptions | None = None,
    *,
    versions: QuestionnaireLookup | None = None,
) -> AreaTrends:
    """The key-item and index trends of the area whose sums (by round id) are ``sums``; a round
    missing from ``sums`` had no answers there."""
    options = options or ReportOptions()
    if not rounds:
        raise ValueError("an area's trends need at least one round")
    every = {r.id: sums.get(r.id, PlaceSums()) for r in rounds}
    chain = Versions(rounds, versions)
    keys, index_ids = headline_keys(rounds, options)
    items = tuple(item_trend(qid, rounds, _SumsCounts(every), chain, options) for qid in keys)
    indices = tuple(_index_trend(iid, rounds, every, chain, options) for iid in index_ids)
    return AreaTrends(indices, items, {rid: part.responses for rid, part in every.items()})


def _sums_link(index_id: str, versions: Versions, earlier: RoundInfo, later: RoundInfo) -> Link:
    link = index_link(index_id, versions, earlier, later)
    items = later.questionnaire.index(index_id).items
    if link.comparability.comparable and any(
        versions.link(item, earlier, later).comparability.kind != "same" for item in items
    ):
        return Link(NOT_COMPARABLE, later.questionnaire.version, "note_index_item_not_comparable")
    return link


def _index_trend(
    index_id: str, rounds: Sequence[RoundInfo], sums: Mapping[int, PlaceSums], versions: Versions,
    options: ReportOptions,
) -> AreaTrend:
    asked = [r for r in rounds if any(index.id == index_id for index in r.questionnaire.indices)]
    latest = asked[-1].questionnaire
    label = localised(latest.index(index_id).label, latest, options.lang)
    segments, notes = split_segments(asked, lambda a, b: _sums_link(index_id, versions, a, b), label, options.lang)
    values: dict[int, Estimate | None] = {r.id: None for r in rounds}
    for round_ in asked:
        values[round_.id] = index_estimate_from(sums[round_.id].indices.get(index_id, Moments()), options.suppression)
    return AreaTrend(
        key=index_id,
        label=label,
        values=values,
        segments=tuple(tuple(r.id for r in segment) for segment in segments),
        notes=tuple(presence_notes(label, rounds, asked, options.lang) + notes),
    )
