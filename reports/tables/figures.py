"""Figures from answer counts and item scores: top-2 shares, mean scores and index means with
their intervals and small-base flags, for one village's or one area's responses."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from reports.data import RoundInfo
from reports.retained import Choices, RetainedRound, chosen_codes
from reports.stats import ItemShare, Suppression, cronbach_alpha, index_scores, mean_ci, wilson_ci
from reports.stats._core import FloatArray
from reports.stats.intervals import wilson_bounds
from reports.stats.moments import Moments
from reports.stats.weighted import WeightedScores
from reports.tables.model import NAN, Estimate, ReportOptions, item_kind
from reports.weights import AGE_QUESTION, SEX_QUESTION, Targets, Weighting, weigh
from survey_app.questionnaire import Comparability, Index, Question, Questionnaire
from survey_app.questionnaire.comparability import SAME

WeightSums = tuple[Mapping[str, float], Mapping[str, float]]
"""Weight and squared weight of the answers per answer code."""


def make_estimate(value: float, low: float, high: float, n: int, suppression: Suppression,
                  count: int | None = None, n_eff: float | None = None) -> Estimate:
    """A published figure, hidden below min_n of its base: the effective n when weighted."""
    flag = suppression.flag(n if n_eff is None else n_eff)
    if flag == "suppressed":
        return Estimate(NAN, NAN, NAN, n, flag, count, n_eff)
    return Estimate(value, low, high, n, flag, count, n_eff)


def share_from_counts(counts: Mapping[str, int], question: Question) -> ItemShare:
    """Top-2 share of ``question`` from answer counts (the same rule as ``stats.top2_share``)."""
    valid = {option.code for option in question.scale_options()}
    favourable = set(question.favourable)
    n = sum(counts.get(code, 0) for code in valid)
    hits = sum(counts.get(code, 0) for code in favourable & valid)
    low, high = wilson_ci(hits, n)
    return ItemShare(n, hits, hits / n if n else NAN, low, high)


def weighted_share(counts: Mapping[str, int], sums: WeightSums, question: Question) -> ItemShare:
    """Top-2 share of weighted answers: favourable weight over valid weight, with Wilson's
    interval at Kish's effective n of the valid answers (``sums``: weight and squared weight
    per answer code)."""
    weight, squares = sums
    valid = {option.code for option in question.scale_options()}
    favourable = set(question.favourable) & valid
    n = sum(counts.get(code, 0) for code in valid)
    total = sum(weight.get(code, 0.0) for code in valid)
    if n == 0 or total == 0:
        return ItemShare(n, 0, NAN, NAN, NAN, 0.0)
    share = sum(weight.get(code, 0.0) for code in favourable) / total
    n_eff = total * total / sum(squares.get(code, 0.0) for code in valid)
    low, high = wilson_bounds(share * n_eff, n_eff)
    return ItemShare(n, sum(counts.get(code, 0) for code in favourable), share, low, high, n_eff)


def share_estimate(share: ItemShare, suppression: Suppression) -> Estimate:
    return make_estimate(share.share, share.ci_low, share.ci_high, share.n, suppression, share.favourable,
                         share.effective_n)


def mean_score(counts: Mapping[str, int], question: Question, suppression: Suppression,
               weighted: tuple[FloatArray, FloatArray] | None = None) -> Estimate | None:
    """Mean position 1..k on the scale as written (not flipped for reverse items); of the
    respondents' positions and weights when ``weighted`` gives them."""
    scored = [(score, counts.get(option.code, 0)) for option in question.scale_options()
              if (score := question.score(option.code)) is not None]
    if len(scored) < 3:  # a mean of yes/no says nothing the share does not
        return None
    if weighted is not None:
        return weighted_estimate(WeightedScores.of(*weighted), suppression)
    values = np.repeat([float(s) for s, _ in scored], [n for _, n in scored])
    mean, low, high, n = mean_ci(values)
    return make_estimate(mean, low, high, n, suppression)


def score_map(own: Question, comparability: Comparability, reference: Question) -> dict[str, float]:
    """Answer code under ``own`` -> 0-100 score on ``reference`` after the declared recode.

    The same few maps are asked for by every village of a run, so they are memoised; the
    entry holds the three objects, so their ids cannot be reused while it is cached.
    """
    key = (id(own), id(comparability), id(reference))
    cached = _SCORE_MAPS.get(key)
    if cached is not None:
        return cached[3]
    mapping = {}
    for option in own.options:
        new = comparability.recode(option.code)
        score = reference.score_0_100(new) if new is not None else None
        if score is not None:
            mapping[option.code] = score
    if len(_SCORE_MAPS) >= _SCORE_MAPS_LIMIT:
        _SCORE_MAPS.clear()
    _SCORE_MAPS[key] = (own, comparability, reference, mapping)
    return mapping


_SCORE_MAPS: dict[tuple[int, int, int], tuple[Question, Comparability, Question, dict[str, float]]] = {}
_SCORE_MAPS_LIMIT = 4096  # a few questionnaire versions need a few hundred; a bound for long-lived processes


def item_scores(frame: pd.DataFrame, items: Iterable[tuple[str, dict[str, float]]]) -> pd.DataFrame:
    columns = {item: _mapped(frame, item, mapping) for item, mapping in items}
    return _score_frame(columns, frame.index)


def _score_frame(columns: Mapping[str, npt.NDArray[np.float64]], index: pd.Index) -> pd.DataFrame:
    """Item score columns as one float frame; built from one 2-D block, which is several
    times faster than a frame from a dict of arrays and holds the same values."""
    if not columns:
        return pd.DataFrame(index=index)
    return pd.DataFrame(np.column_stack(list(columns.values())), index=index, columns=list(columns))


def _mapped(frame: pd.DataFrame, column: str, mapping: Mapping[str, float]) -> npt.NDArray[np.float64]:
    """``frame[column].map(mapping)`` as floats."""
    if column not in frame.columns:
        return np.full(len(frame), NAN)
    return _mapped_values(frame[column].to_numpy(dtype=object), mapping)


def _mapped_values(values: npt.NDArray[np.object_], mapping: Mapping[str, float]) -> npt.NDArray[np.float64]:
    """A plain loop is several times faster than ``Series.map`` on a village's few dozen rows,
    and that call ran hundreds of times a report."""
    get = mapping.get
    return np.fromiter((get(v, NAN) if type(v) is str else NAN for v in values), dtype=float, count=len(values))


def own_index_scores(frame: pd.DataFrame, questionnaire: Questionnaire, index: Index) -> pd.DataFrame:
    return item_scores(frame, own_index_maps(questionnaire, index))


def index_estimate(scores: pd.Series, suppression: Suppression) -> Estimate:
    mean, low, high, n = mean_ci(scores)
    return make_estimate(mean, low, high, n, suppression)


def weighted_estimate(scores: WeightedScores, suppression: Suppression) -> Estimate:
    """A weighted mean with its linearised interval, flagged by its effective n."""
    return make_estimate(scores.mean, *scores.ci(), scores.n, suppression, n_eff=scores.n_eff)


def index_estimate_from(moments: Moments, suppression: Suppression) -> Estimate:
    """``index_estimate`` of the scores summed up in ``moments`` (stored area sums)."""
    mean, low, high, n = moments.mean_ci()
    return make_estimate(mean, low, high, n, suppression)


def code_counts(frame: pd.DataFrame, question_ids: Iterable[str]) -> dict[tuple[int, str], dict[str, int]]:
    """Answer counts per (round id, question id) for single-answer questions, in one groupby."""
    columns = [qid for qid in dict.fromkeys(question_ids) if qid in frame.columns]
    result: dict[tuple[int, str], dict[str, int]] = defaultdict(dict)
    if not columns or frame.empty:
        return result
    long = frame[["round_id", *columns]].melt(id_vars="round_id", var_name="question", value_name="code")
    long = long.dropna(subset=["code"])
    long["code"] = long["code"].astype(str)
    for (round_id, qid, code), n in long.groupby(["round_id", "question", "code"]).size().items():
        result[(int(round_id), str(qid))][str(code)] = int(n)
    return result


def headline_ids(questionnaire: Questionnaire) -> list[str]:
    """Questions with a top-2 headline, in questionnaire order."""
    return [q.id for q in questionnaire.questions() if item_kind(q) == "scale"]


def round_figures(frame: pd.DataFrame, questionnaire: Questionnaire, options: ReportOptions) -> dict[str, Estimate]:
    """Top-2 share of every headline item and mean of every index, in the round's own coding.

    ``frame`` holds one round's responses of any area (a village, a district, a regency).
    Keys are question ids and ``index:<id>``.
    """
    suppression = options.suppression
    items = headline_ids(questionnaire)
    counts = code_counts(frame.assign(round_id=0), items)
    figures = {
        qid: share_estimate(share_from_counts(counts.get((0, qid), {}), questionnaire.question(qid)), suppression)
        for qid in items
    }
    for index in questionnaire.indices:
        scores = index_scores(own_index_scores(frame, questionnaire, index))
        figures[f"index:{index.id}"] = index_estimate(scores, suppression)
    return figures


class AnswerCounts(Protocol):
    """Where an item trend reads its counts: a village's responses, or an area's stored sums."""

    def counts_of(self, round_id: int, question_id: str) -> Mapping[str, int]: ...

    def weight_sums_of(self, round_id: int, question_id: str) -> WeightSums | None:
        """Weight and squared weight per answer code; None when the answers are not weighted."""


class VillageData:
    """One village's responses, split by round, with its answer counts computed once and its
    answer columns taken out of the frame once per round (indices read each item several times).

    ``retained`` holds, by round id, what was kept of rounds whose answers were deleted
    (``reports.retained``): their figures come from there, and their frames are empty."""

    def __init__(self, responses: pd.DataFrame, village_id: int, rounds: Sequence[RoundInfo],
                 retained: Mapping[int, RetainedRound] | None = None) -> None:
        self.retained = {r.id: retained[r.id] for r in rounds if retained and r.id in retained}
        villages = responses["village_id"].to_numpy()
        # A bulk build passes just the village's rows: no need to filter (and copy) them again.
        frame = responses if (villages == village_id).all() else responses[villages == village_id]
        round_ids = frame["round_id"].to_numpy()
        self.by_round = {r.id: frame.iloc[np.flatnonzero(round_ids == r.id)] for r in rounds}
        ids = {q.id for r in rounds for q in r.questionnaire.questions() if item_kind(q) in ("scale", "categorical")}
        self.counts = small_code_counts(frame, sorted(ids))
        self.frame = frame
        self._columns: dict[tuple[int, str], npt.NDArray[np.object_] | None] = {}
        self._weights: dict[int, FloatArray] = {}
        self._sums: dict[tuple[int, str], WeightSums] = {}

    def counts_of(self, round_id: int, question_id: str) -> Mapping[str, int]:
        kept = self.retained.get(round_id)
        if kept is not None:
            return kept.counts.get(question_id, {})
        return self.counts.get((round_id, question_id), {})

    def size(self, round_id: int) -> int:
        """The village's responses in the round."""
        kept = self.retained.get(round_id)
        return kept.responses if kept is not None else len(self.by_round[round_id])

    def choices_of(self, round_id: int, question: Question) -> Choices:
        """Respondents per code of a multiple-answer question."""
        kept = self.retained.get(round_id)
        if kept is not None:
            return kept.choices.get(question.id, Choices({}, 0, 0))
        values = self.column(round_id, question.id)
        return chosen_codes(pd.Series(values if values is not None else [], dtype=object), question)

    def numbers_of(self, round_id: int, question_id: str) -> pd.Series:
        """The round's answers to a number question, NaN where not answered."""
        kept = self.retained.get(round_id)
        if kept is not None:
            return kept.number_values(question_id)
        values = self.column(round_id, question_id)
        return pd.to_numeric(pd.Series(values if values is not None else [], dtype=object), errors="coerce")

    def index_scores(self, round_: RoundInfo, index: Index,
                     items: Sequence[tuple[str, dict[str, float]]]) -> pd.Series | None:
        """Each respondent's index score with ``items`` scored by their maps (recoded to a
        later version where a trend asks). A retained round kept its scores in its own coding
        only: None when ``items`` score differently."""
        kept = self.retained.get(round_.id)
        if kept is None:
            return index_scores(self.item_scores(round_.id, items))
        return kept.scores(index.id) if list(items) == list(own_index_maps(round_.questionnaire, index)) else None

    def village_alpha(self, round_: RoundInfo, index: Index) -> float:
        """Cronbach's alpha of the index over this village's respondents in the round."""
        kept = self.retained.get(round_.id)
        if kept is not None:
            items = kept.items.get(index.id)
            return items.cronbach_alpha() if items is not None else NAN
        return cronbach_alpha(self.own_index_scores(round_, index))

    def weigh(self, rounds: Sequence[RoundInfo], targets: Targets | None) -> dict[int, Weighting]:
        """Weight each round's rows to ``targets`` (``reports.weights``); from now on every
        figure of those rounds is weighted. Returns how each round was weighted."""
        found = {}
        for round_ in rounds:
            size = len(self.by_round[round_.id])
            ages, sexes = (self.column(round_.id, q) for q in (AGE_QUESTION, SEX_QUESTION))
            found[round_.id] = weigh(ages if ages is not None else [None] * size,
                                     sexes if sexes is not None else [None] * size, targets)
        self._weights = {rid: w.weights for rid, w in found.items() if w.weighted}
        self._sums = {}
        return found

    def scored(self, round_id: int, question: Question) -> tuple[FloatArray, FloatArray] | None:
        """Each respondent's position 1..k on ``question``'s scale (NaN off it) and weight;
        None when the round is unweighted."""
        weights = self._weights.get(round_id)
        values = self.column(round_id, question.id)
        if weights is None:
            return None
        positions = {o.code: float(s) for o in question.scale_options() if (s := question.score(o.code)) is not None}
        return (np.full(len(weights), NAN) if values is None else _mapped_values(values, positions)), weights

    def weights_of(self, round_id: int) -> FloatArray | None:
        """The round's weights in row order; None when its figures are unweighted."""
        return self._weights.get(round_id)

    def weight_sums_of(self, round_id: int, question_id: str) -> WeightSums | None:
        """Computed once per question and round: the item's trend and its distribution ask."""
        weights = self._weights.get(round_id)
        if weights is None:
            return None
        key = (round_id, question_id)
        if key not in self._sums:
            weight: dict[str, float] = defaultdict(float)
            squares: dict[str, float] = defaultdict(float)
            values = self.column(round_id, question_id)
            for value, w in zip(values if values is not None else (), weights, strict=False):
                if type(value) is str:
                    weight[value] += w
                    squares[value] += w * w
            self._sums[key] = (weight, squares)
        return self._sums[key]

    def column(self, round_id: int, question_id: str) -> npt.NDArray[np.object_] | None:
        """The round's answers to ``question_id`` as an object array; None when nobody has it."""
        key = (round_id, question_id)
        if key not in self._columns:
            frame = self.by_round[round_id]
            found = question_id in frame.columns
            self._columns[key] = frame[question_id].to_numpy(dtype=object) if found else None
        return self._columns[key]

    def item_scores(self, round_id: int, items: Iterable[tuple[str, dict[str, float]]]) -> pd.DataFrame:
        """``item_scores`` of one round's rows, from the cached columns."""
        frame = self.by_round[round_id]
        columns = {}
        for item, mapping in items:
            values = self.column(round_id, item)
            columns[item] = np.full(len(frame), NAN) if values is None else _mapped_values(values, mapping)
        return _score_frame(columns, frame.index)

    def own_index_scores(self, round_: RoundInfo, index: Index) -> pd.DataFrame:
        """``own_index_scores`` of one round's rows, from the cached columns."""
        return self.item_scores(round_.id, own_index_maps(round_.questionnaire, index))


def own_index_maps(questionnaire: Questionnaire, index: Index) -> list[tuple[str, dict[str, float]]]:
    """Each item of ``index`` with its answer code -> 0-100 score map, in the round's own coding."""
    return [(item, score_map(questionnaire.question(item), SAME, questionnaire.question(item)))
            for item in index.items]


def small_code_counts(frame: pd.DataFrame, question_ids: Iterable[str]) -> dict[tuple[int, str], dict[str, int]]:
    """``code_counts`` for one village's few hundred rows: a plain loop beats melt + groupby
    by an order of magnitude at that size (same result, tested against it)."""
    result: dict[tuple[int, str], dict[str, int]] = defaultdict(dict)
    round_ids = [int(r) for r in frame["round_id"].to_numpy()]
    for qid in dict.fromkeys(question_ids):
        if qid not in frame.columns:
            continue
        for round_id, value in zip(round_ids, frame[qid].to_numpy(dtype=object), strict=True):
            if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
                continue
            counts = result[(round_id, qid)]
            code = str(value)
            counts[code] = counts.get(code, 0) + 1
    return result
