"""Summary sums of one round's responses in one place, from which every area figure follows.

A ``PlaceSums`` holds what the district, regency and round figures of a village report need,
as sums that add across places: answer counts per single-answer question, the moments of
each index's respondent scores, and the co-moments of each index's complete item rows (for
Cronbach's alpha). Sums of villages are the sums of their district, and so on up to the
round, so those figures never need the responses again. All in the round's own coding.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from reports.data import RoundInfo
from reports.stats import Suppression, index_scores
from reports.stats.moments import CoMoments, Moments, total_comoments
from reports.tables.comparison import AlphaKey, FiguresKey, Population
from reports.tables.figures import (
    headline_ids,
    index_estimate_from,
    own_index_scores,
    share_estimate,
    share_from_counts,
)
from reports.tables.model import Estimate, item_kind
from survey_app.questionnaire import Questionnaire

SUMS_FORMAT = 1
"""Bumped when the stored shape changes, so stored sums of an older shape are rebuilt."""


@dataclass(frozen=True)
class PlaceSums:
    """The sums of one round's responses in one village or area."""

    responses: int = 0
    counts: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    """Question id -> answer code -> respondents (single-answer questions)."""
    indices: Mapping[str, Moments] = field(default_factory=dict)
    """Index id -> moments of the respondents' 0-100 index scores."""
    items: Mapping[str, CoMoments] = field(default_factory=dict)
    """Index id -> co-moments of the complete rows of its item scores (alpha)."""

    def __add__(self, other: PlaceSums) -> PlaceSums:
        return total_sums((self, other))

    def figures(self, questionnaire: Questionnaire, suppression: Suppression) -> dict[str, Estimate]:
        """``round_figures`` of the responses these sums came from: question id or ``index:<id>``."""
        figures = {
            qid: share_estimate(share_from_counts(self.counts.get(qid, {}), questionnaire.question(qid)), suppression)
            for qid in headline_ids(questionnaire)
        }
        for index in questionnaire.indices:
            figures[f"index:{index.id}"] = index_estimate_from(self.indices.get(index.id, Moments()), suppression)
        return figures

    def alpha(self, index_id: str) -> float:
        """Cronbach's alpha of the index over these responses (NaN when unknown)."""
        items = self.items.get(index_id)
        return items.cronbach_alpha() if items is not None else float("nan")

    def to_json(self) -> str:
        return json.dumps({
            "format": SUMS_FORMAT,
            "responses": self.responses,
            "counts": self.counts,
            "indices": {iid: m.to_list() for iid, m in self.indices.items()},
            "items": {iid: c.to_list() for iid, c in self.items.items()},
        }, separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> PlaceSums:
        data = json.loads(text)
        if data.get("format") != SUMS_FORMAT:
            raise ValueError(f"stored sums have format {data.get('format')!r}, expected {SUMS_FORMAT}")
        return cls(
            int(data["responses"]),
            data["counts"],  # written by to_json: already question id -> code -> int
            {iid: Moments.from_list(m) for iid, m in data["indices"].items()},
            {iid: CoMoments.from_list(c) for iid, c in data["items"].items()},
        )


def total_sums(parts: Iterable[PlaceSums]) -> PlaceSums:
    """The sums of all parts together, accumulated in one pass (an area adds up hundreds)."""
    listed = list(parts)
    counts: dict[str, dict[str, int]] = {}
    indices: dict[str, Moments] = {}
    items: dict[str, list[CoMoments]] = {}
    for part in listed:
        for qid, codes in part.counts.items():
            total = counts.setdefault(qid, {})
            for code, n in codes.items():
                total[code] = total.get(code, 0) + n
        for iid, moments in part.indices.items():
            indices[iid] = indices[iid] + moments if iid in indices else moments
        for iid, comoments in part.items.items():
            items.setdefault(iid, []).append(comoments)
    return PlaceSums(
        sum(part.responses for part in listed),
        counts,
        indices,
        {iid: total_comoments(parts) for iid, parts in items.items()},
    )


def counted_ids(questionnaire: Questionnaire) -> list[str]:
    """The questions whose answers are counted: every single-answer question."""
    return [q.id for q in questionnaire.questions() if item_kind(q) in ("scale", "categorical")]


def sums_by_place(
    frame: pd.DataFrame, questionnaire: Questionnaire, column: str = "village_code"
) -> dict[str, PlaceSums]:
    """The sums of each place (``column``'s value) in ``frame``, one round's responses.

    Counts come from one ``value_counts`` per question over the whole frame, and each index's
    item scores are computed once for all rows; only the small moment sums run per place.
    """
    places = frame[column].astype(str).to_numpy()
    positions = pd.Series(np.arange(len(frame))).groupby(places, sort=False).indices if len(frame) else {}
    counts: dict[str, dict[str, dict[str, int]]] = {code: {} for code in positions}
    count = _count_in_loop if len(frame) < LOOP_ROWS else _count_in_pandas
    for qid in counted_ids(questionnaire):
        if qid in frame.columns:
            count(places, frame[qid], qid, counts)
    indices: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for index in questionnaire.indices:
        items = own_index_scores(frame, questionnaire, index)
        indices[index.id] = (index_scores(items).to_numpy(), items.to_numpy(dtype=float))
    result = {}
    for code, rows in positions.items():
        result[str(code)] = PlaceSums(
            len(rows),
            counts[code],
            {iid: Moments.of(scores[rows]) for iid, (scores, _items) in indices.items()},
            {iid: CoMoments.of(items[rows]) for iid, (_scores, items) in indices.items()},
        )
    return result


LOOP_ROWS = 20_000
"""Below this many rows answers are counted in a plain loop: a refresh of a few villages
(a hundred rows) spent most of its time in one pandas ``value_counts`` per question."""


def _count_in_loop(places: np.ndarray, answers: pd.Series, qid: str, counts: dict) -> None:  # type: ignore[type-arg]
    for place, value in zip(places, answers.to_numpy(dtype=object), strict=True):
        if value is None or value != value:  # noqa: PLR0124 - NaN marks an unanswered question
            continue
        found = counts[place].setdefault(qid, {})
        code = value if type(value) is str else str(value)
        found[code] = found.get(code, 0) + 1


def _count_in_pandas(places: np.ndarray, answers: pd.Series, qid: str, counts: dict) -> None:  # type: ignore[type-arg]
    answered = answers.notna().to_numpy()
    pairs = pd.DataFrame({"place": places[answered], "code": answers[answered].astype(str).to_numpy()})
    for (place, code), n in pairs.value_counts(sort=False).items():
        counts[str(place)].setdefault(qid, {})[str(code)] = int(n)


def population_from_sums(
    rounds: Iterable[RoundInfo],
    round_sums: Mapping[int, PlaceSums],
    area_sums: Mapping[tuple[int, str, str], PlaceSums],
    suppression: Suppression,
) -> Population:
    """The ``Population`` a village report asks for, from stored sums: alpha of every index of
    each round (``round_sums`` by round id) and the figures of the areas in ``area_sums``,
    keyed ``(round id, "district_code" | "regency_code", area code)``."""
    infos = {r.id: r for r in rounds}
    alpha: dict[AlphaKey, float] = {}
    for round_id, sums in round_sums.items():
        for index in infos[round_id].questionnaire.indices:
            alpha[(round_id, index.id)] = sums.alpha(index.id)
    figures: dict[FiguresKey, dict[str, Estimate]] = {
        (round_id, column, code, suppression): sums.figures(infos[round_id].questionnaire, suppression)
        for (round_id, column, code), sums in area_sums.items()
    }
    return Population.precomputed(alpha, figures)
