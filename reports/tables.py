"""Statistics tables of one village report: stored answers in, plain dataclasses out.

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

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from reports.data import QuestionnaireLookup, RoundInfo, VillageInfo
from reports.stats import (
    CAUTION_BELOW,
    MIN_N,
    BaseFlag,
    Change,
    ItemShare,
    Suppression,
    cronbach_alpha,
    index_scores,
    mean_change,
    mean_ci,
    proportion_change,
    wilson_ci,
)
from reports.text import LANGUAGES, t
from survey_app.questionnaire import Comparability, Index, Question, Questionnaire, compose, text_in
from survey_app.questionnaire.comparability import NOT_COMPARABLE, SAME

NAN = math.nan
ItemKind = Literal["scale", "categorical", "multiple", "number", "text"]
ChangeStatus = Literal["computed", "suppressed", "not_comparable", "first", "not_asked"]


# --- options and results ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReportOptions:
    """What an installation or a download may change about a village report."""

    min_n: int = MIN_N
    caution_below: int = CAUTION_BELOW
    lang: str = "id"
    include_free_text: bool = False
    key_items: tuple[str, ...] | None = None
    """Items shown on the Summary; None means every item with a top-2 headline."""

    def __post_init__(self) -> None:
        if self.lang not in LANGUAGES:
            raise ValueError(f"report language must be one of {', '.join(LANGUAGES)}, got {self.lang!r}")
        Suppression(self.min_n, self.caution_below)  # validates min_n

    @property
    def suppression(self) -> Suppression:
        return Suppression(self.min_n, self.caution_below)


@dataclass(frozen=True)
class Estimate:
    """One published figure: a top-2 share (fraction), a mean score or an index (0-100).

    When ``flag == "suppressed"`` the value and interval are NaN and only ``n`` is kept.
    """

    value: float
    ci_low: float
    ci_high: float
    n: int
    flag: BaseFlag

    @property
    def shown(self) -> bool:
        """True when the value may be printed."""
        return self.flag != "suppressed" and not math.isnan(self.value)


@dataclass(frozen=True)
class ChangeEstimate:
    """Change into a round from the previous round in which the figure is comparable.

    ``change`` is in fractions for items (0.12 = 12 points) and in index points for indices;
    it is all NaN unless ``status == "computed"``.
    """

    status: ChangeStatus
    change: Change
    from_round_id: int | None = None


@dataclass(frozen=True)
class Trend:
    """An item's top-2 share or an index mean, round by round, with its breaks and changes."""

    key: str
    kind: Literal["item", "index"]
    label: str
    section_id: str
    values: Mapping[int, Estimate | None]
    """Round id -> figure in the coding of its segment; None when the round did not ask it."""
    segments: tuple[tuple[int, ...], ...]
    """Runs of round ids a trend line may join."""
    changes: Mapping[int, ChangeEstimate]
    notes: tuple[str, ...] = ()
    counted_as: str = ""
    """Items: the answers counted as favourable, e.g. "Agree + Strongly agree"."""
    alpha: Mapping[int, float] = field(default_factory=dict)
    """Index only: Cronbach's alpha over all villages of the round (NaN when unknown)."""
    village_alpha: Mapping[int, float] = field(default_factory=dict)
    """Index only: alpha within this village, NaN below ``min_n``."""

    def last_change(self, round_id: int) -> ChangeEstimate:
        """The change into ``round_id`` (normally the latest round)."""
        return self.changes.get(round_id, ChangeEstimate("not_asked", _NO_CHANGE))


@dataclass(frozen=True)
class OptionLabel:
    code: str
    label: str
    special: bool


@dataclass(frozen=True)
class RoundDistribution:
    """One round's answers to one item, in that round's own coding.

    ``counts`` has every option's count (specials included); ``missing`` counts respondents
    who skipped it or were not shown it. Empty ``counts`` when the base is suppressed.
    """

    round_id: int
    total: int
    valid_n: int
    flag: BaseFlag
    counts: Mapping[str, int]
    missing: int | None
    top2: Estimate | None = None
    mean: Estimate | None = None


@dataclass(frozen=True)
class DistributionBlock:
    """Consecutive rounds that asked the item with the same options and wording."""

    options: tuple[OptionLabel, ...]
    rounds: tuple[RoundDistribution, ...]
    version_note: str = ""


@dataclass(frozen=True)
class ItemDetail:
    """Everything a section sheet shows about one question."""

    id: str
    kind: ItemKind
    label: str
    blocks: tuple[DistributionBlock, ...]
    trend: Trend | None = None


@dataclass(frozen=True)
class SectionTables:
    id: str
    title: str
    items: tuple[ItemDetail, ...]


@dataclass(frozen=True)
class ComparisonRow:
    """One figure of the latest round: the village beside its district and regency."""

    key: str
    kind: Literal["item", "index"]
    label: str
    village: Estimate
    district: Estimate | None
    regency: Estimate | None


@dataclass(frozen=True)
class RoundSummary:
    """A round as the Summary lists it, with this village's responses by mode."""

    info: RoundInfo
    responses: int
    by_mode: Mapping[str, int]
    last_submitted: datetime | None


@dataclass(frozen=True)
class FreeText:
    question_id: str
    label: str
    round_id: int
    answers: tuple[str, ...]


@dataclass(frozen=True)
class VillageTables:
    """All figures of one village report, ready for a renderer."""

    village: VillageInfo
    rounds: tuple[RoundSummary, ...]
    options: ReportOptions
    indices: tuple[Trend, ...]
    items: tuple[Trend, ...]
    key_items: tuple[str, ...]
    sections: tuple[SectionTables, ...]
    comparison: tuple[ComparisonRow, ...]
    notes: tuple[str, ...]
    free_text: tuple[FreeText, ...]
    generated_at: datetime
    data_cutoff: datetime | None

    @property
    def latest(self) -> RoundInfo:
        return self.rounds[-1].info

    def item(self, key: str) -> Trend:
        """The headline trend of item ``key``; KeyError when it has none."""
        for trend in self.items:
            if trend.key == key:
                return trend
        raise KeyError(key)

    def index(self, key: str) -> Trend:
        """The trend of index ``key``; KeyError when there is none."""
        for trend in self.indices:
            if trend.key == key:
                return trend
        raise KeyError(key)


_NO_CHANGE = Change(NAN, NAN, NAN, NAN)


# --- question kinds ----------------------------------------------------------------------------


def _single_kind(question: Question) -> ItemKind:
    return "scale" if question.favourable else "categorical"


_KIND_BY_TYPE: dict[str, Callable[[Question], ItemKind]] = {
    "single_choice": _single_kind,
    "yes_no": _single_kind,
    "multiple_choice": lambda _q: "multiple",
    "integer": lambda _q: "number",
    "short_text": lambda _q: "text",
    "long_text": lambda _q: "text",
}


def item_kind(question: Question) -> ItemKind:
    """How a question is summarised; unknown types are treated as free text (never counted)."""
    return _KIND_BY_TYPE.get(question.type, lambda _q: "text")(question)


def _label(texts: Mapping[str, str] | None, questionnaire: Questionnaire, lang: str) -> str:
    return text_in(texts, lang, questionnaire.default_language)


# --- comparability across versions ---------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """How answers of an earlier round map onto a later round's question."""

    comparability: Comparability
    broken_at: int | None = None
    reason: str = ""  # message key when not comparable


class Versions:
    """Chains ``question.compare`` through every questionnaire version between two rounds."""

    def __init__(self, rounds: Sequence[RoundInfo], lookup: QuestionnaireLookup | None) -> None:
        known = {(r.questionnaire.key, r.questionnaire.version): r.questionnaire for r in rounds}
        self._lookup = lookup
        self._known = known

    def get(self, key: str, version: int) -> Questionnaire:
        if (key, version) not in self._known:
            if self._lookup is None:
                raise ValueError(
                    f"questionnaire {key}@{version} lies between two report rounds; pass versions= to load it"
                )
            self._known[(key, version)] = self._lookup(key, version)
        return self._known[(key, version)]

    def link(self, question_id: str, earlier: RoundInfo, later: RoundInfo) -> Link:
        """Comparability of ``question_id`` from ``earlier``'s version to ``later``'s."""
        old, new = earlier.questionnaire, later.questionnaire
        if old.key != new.key:
            return Link(NOT_COMPARABLE, new.version, "note_other_questionnaire")
        if old.version == new.version:
            return Link(SAME)
        if old.version > new.version:
            return Link(NOT_COMPARABLE, new.version, "note_changed")
        link = SAME
        for version in range(old.version + 1, new.version + 1):
            questionnaire = self.get(new.key, version)
            if not questionnaire.has_question(question_id):
                return Link(NOT_COMPARABLE, version, "note_not_asked_in")
            step = questionnaire.question(question_id).compare
            link = compose(link, step)
            if not link.comparable:
                reason = "note_readded" if step.kind == "added" else "note_changed"
                return Link(NOT_COMPARABLE, version, reason)
        return Link(link)


def _recode_counts(counts: Mapping[str, int], comparability: Comparability) -> dict[str, int]:
    if comparability.kind == "same":
        return dict(counts)
    recoded: dict[str, int] = defaultdict(int)
    for code, n in counts.items():
        new = comparability.recode(code)
        if new is not None:
            recoded[new] += n
    return dict(recoded)


# --- figures from counts and scores ----------------------------------------------------------------


def _estimate(value: float, low: float, high: float, n: int, suppression: Suppression) -> Estimate:
    flag = suppression.flag(n)
    if flag == "suppressed":
        return Estimate(NAN, NAN, NAN, n, flag)
    return Estimate(value, low, high, n, flag)


def share_from_counts(counts: Mapping[str, int], question: Question) -> ItemShare:
    """Top-2 share of ``question`` from answer counts (the same rule as ``stats.top2_share``)."""
    valid = {option.code for option in question.scale_options()}
    favourable = set(question.favourable)
    n = sum(counts.get(code, 0) for code in valid)
    hits = sum(counts.get(code, 0) for code in favourable & valid)
    low, high = wilson_ci(hits, n)
    return ItemShare(n, hits, hits / n if n else NAN, low, high)


def _share_estimate(share: ItemShare, suppression: Suppression) -> Estimate:
    return _estimate(share.share, share.ci_low, share.ci_high, share.n, suppression)


def _mean_score(counts: Mapping[str, int], question: Question, suppression: Suppression) -> Estimate | None:
    """Mean position 1..k on the scale as written (not flipped for reverse items)."""
    scored = [(score, counts.get(option.code, 0)) for option in question.scale_options()
              if (score := question.score(option.code)) is not None]
    if len(scored) < 3:  # a mean of yes/no says nothing the share does not
        return None
    values = np.repeat([float(s) for s, _ in scored], [n for _, n in scored])
    mean, low, high, n = mean_ci(values)
    return _estimate(mean, low, high, n, suppression)


def _score_map(own: Question, comparability: Comparability, reference: Question) -> dict[str, float]:
    """Answer code under ``own`` -> 0-100 score on ``reference`` after the declared recode."""
    mapping = {}
    for option in own.options:
        new = comparability.recode(option.code)
        score = reference.score_0_100(new) if new is not None else None
        if score is not None:
            mapping[option.code] = score
    return mapping


def _item_scores(frame: pd.DataFrame, items: Iterable[tuple[str, dict[str, float]]]) -> pd.DataFrame:
    columns = {item: _mapped(frame, item, mapping) for item, mapping in items}
    return pd.DataFrame(columns, index=frame.index)


def _mapped(frame: pd.DataFrame, column: str, mapping: Mapping[str, float]) -> npt.NDArray[np.float64]:
    """``frame[column].map(mapping)`` as floats; a plain loop is several times faster than
    ``Series.map`` on a village's few dozen rows, and that call ran hundreds of times a report."""
    if column not in frame.columns:
        return np.full(len(frame), NAN)
    get = mapping.get
    values = frame[column].to_numpy(dtype=object)
    return np.fromiter((get(v, NAN) if type(v) is str else NAN for v in values), dtype=float, count=len(values))


def _own_index_scores(frame: pd.DataFrame, questionnaire: Questionnaire, index: Index) -> pd.DataFrame:
    return _item_scores(
        frame,
        ((item, _score_map(questionnaire.question(item), SAME, questionnaire.question(item))) for item in index.items),
    )


def _index_estimate(scores: pd.Series, suppression: Suppression) -> Estimate:
    mean, low, high, n = mean_ci(scores)
    return _estimate(mean, low, high, n, suppression)


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
        qid: _share_estimate(share_from_counts(counts.get((0, qid), {}), questionnaire.question(qid)), suppression)
        for qid in items
    }
    for index in questionnaire.indices:
        scores = index_scores(_own_index_scores(frame, questionnaire, index))
        figures[f"index:{index.id}"] = _index_estimate(scores, suppression)
    return figures


AlphaKey = tuple[int, str]
FiguresKey = tuple[int, str, str, Suppression]
AREA_COLUMNS = ("district_code", "regency_code")


class Population:
    """Responses of the report's rounds across villages, for what does not depend on one village:
    alpha over all villages of a round, and district / regency figures for the comparison.

    Build it once per run and share it across villages; results are memoised. Alpha is "over
    all villages of the round" only if ``responses`` holds all of them. ``round_summary`` and
    ``precomputed`` let a long-running process keep just those figures, not the responses.
    """

    def __init__(self, responses: pd.DataFrame) -> None:
        self.responses = responses
        self._rounds: dict[int, pd.DataFrame] = {}
        self._alpha: dict[AlphaKey, float] = {}
        self._figures: dict[FiguresKey, dict[str, Estimate]] = {}
        self._frozen = False

    @classmethod
    def precomputed(
        cls, alpha: Mapping[AlphaKey, float], figures: Mapping[FiguresKey, dict[str, Estimate]]
    ) -> Population:
        """A population of figures computed earlier (``round_summary``); asking for anything
        else raises KeyError instead of silently computing it from no responses."""
        population = cls(pd.DataFrame({"round_id": pd.Series(dtype=int)}))
        population._alpha = dict(alpha)
        population._figures = dict(figures)
        population._frozen = True
        return population

    def round_frame(self, round_id: int) -> pd.DataFrame:
        if round_id not in self._rounds:
            self._rounds[round_id] = self.responses[self.responses["round_id"] == round_id]
        return self._rounds[round_id]

    def alpha(self, round_: RoundInfo, index: Index) -> float:
        """Cronbach's alpha of ``index`` over every response of the round."""
        key = (round_.id, index.id)
        if key not in self._alpha:
            self._check_not_frozen(key)
            scores = _own_index_scores(self.round_frame(round_.id), round_.questionnaire, index)
            self._alpha[key] = cronbach_alpha(scores)
        return self._alpha[key]

    def warm(self, rounds: Sequence[RoundInfo], villages: Iterable[VillageInfo] | None,
             options: ReportOptions) -> None:
        """Compute now what reports for ``villages`` (None: every village) will ask: alpha of
        every index in every round, and the figures of their districts and regencies in the
        latest round, one groupby per level. Bulk builds call it before forking, so workers
        share the results.
        """
        for round_ in rounds:
            for index in round_.questionnaire.indices:
                self.alpha(round_, index)
        self._warm_areas(rounds[-1], villages, options.suppression)

    def _warm_areas(self, round_: RoundInfo, villages: Iterable[VillageInfo] | None, suppression: Suppression) -> None:
        wanted: dict[str, set[str] | None] = {column: None for column in AREA_COLUMNS}
        if villages is not None:
            listed = list(villages)
            wanted = {"district_code": {v.district.code for v in listed},
                      "regency_code": {v.regency.code for v in listed}}
        frame = self.round_frame(round_.id)
        for column, codes in wanted.items():
            for code, figures in all_area_figures(frame, round_.questionnaire, column, suppression).items():
                key = (round_.id, column, code, suppression)
                if codes is None or code in codes:
                    self._figures.setdefault(key, figures)

    def round_summary(
        self, round_: RoundInfo, suppression: Suppression, areas: bool = True
    ) -> tuple[dict[AlphaKey, float], dict[FiguresKey, dict[str, Estimate]]]:
        """Alpha of every index of ``round_`` and (``areas``) the figures of every district and
        regency in it: all a report needs from the other villages of that round. Only a
        report's latest round is compared with its areas, so earlier rounds need alpha only."""
        for index in round_.questionnaire.indices:
            self.alpha(round_, index)
        if areas:
            self._warm_areas(round_, None, suppression)
        alpha = {key: value for key, value in self._alpha.items() if key[0] == round_.id}
        figures = {key: value for key, value in self._figures.items() if key[0] == round_.id and key[3] == suppression}
        return alpha, figures

    def area_figures(self, round_: RoundInfo, column: str, code: str, options: ReportOptions) -> dict[str, Estimate]:
        """``round_figures`` of the responses whose ``column`` (e.g. ``district_code``) is ``code``."""
        key = (round_.id, column, code, options.suppression)
        if key not in self._figures:
            if self._frozen:
                return {}  # an area without responses in that round
            frame = self.round_frame(round_.id)
            self._figures[key] = _area_figures(frame[frame[column] == code], round_.questionnaire, options.suppression)
        return self._figures[key]

    def _check_not_frozen(self, key: object) -> None:
        if self._frozen:
            raise KeyError(f"{key} was not precomputed for this population")


def all_area_figures(
    frame: pd.DataFrame, questionnaire: Questionnaire, column: str, suppression: Suppression
) -> dict[str, dict[str, Estimate]]:
    """``round_figures`` of every area of one round at once: area code -> figures.

    Set-based: one ``value_counts`` per item and one index score per respondent over the
    whole round, then a groupby by ``column``, instead of filtering the round per area.
    """
    areas = frame[column].astype(str)
    codes = list(dict.fromkeys(areas))
    results: dict[str, dict[str, Estimate]] = {code: {} for code in codes}
    for qid in headline_ids(questionnaire):
        question = questionnaire.question(qid)
        per_area: dict[str, dict[str, int]] = {code: {} for code in codes}
        if qid in frame.columns:
            answered = frame[qid].notna()
            pairs = pd.DataFrame({"area": areas[answered], "code": frame.loc[answered, qid].astype(str)})
            for (area, code), n in pairs.value_counts(sort=False).items():
                per_area[str(area)][str(code)] = int(n)
        for code in codes:
            results[code][qid] = _share_estimate(share_from_counts(per_area[code], question), suppression)
    for index in questionnaire.indices:
        scores = index_scores(_own_index_scores(frame, questionnaire, index))
        grouped = {str(k): v for k, v in scores.groupby(areas, sort=False)}
        for code in codes:
            results[code][f"index:{index.id}"] = _index_estimate(grouped[code], suppression)
    return results


def _area_figures(frame: pd.DataFrame, questionnaire: Questionnaire, suppression: Suppression) -> dict[str, Estimate]:
    return round_figures(frame, questionnaire, ReportOptions(min_n=suppression.min_n,
                                                             caution_below=suppression.caution_below))


# --- trends -----------------------------------------------------------------------------------------


def _break_note(label: str, link: Link, earlier: RoundInfo, later: RoundInfo, lang: str) -> str:
    return t(link.reason or "note_changed", lang, label=label, version=link.broken_at or "",
             before=earlier.name, after=later.name)


def _segments(
    asked: Sequence[RoundInfo], links: Callable[[RoundInfo, RoundInfo], Link], label: str, lang: str
) -> tuple[list[list[RoundInfo]], list[str]]:
    """Split the rounds that asked a figure into comparable runs; notes say where and why."""
    segments: list[list[RoundInfo]] = []
    notes: list[str] = []
    for round_ in asked:
        if not segments:
            segments.append([round_])
            continue
        previous = segments[-1][-1]
        link = links(previous, round_)
        if link.comparability.comparable:
            segments[-1].append(round_)
            if link.comparability.kind == "recoded":
                notes.append(t("note_recoded", lang, label=label, before=previous.name, after=round_.name))
        else:
            segments.append([round_])
            notes.append(_break_note(label, link, previous, round_, lang))
    return segments, notes


def _presence_notes(label: str, rounds: Sequence[RoundInfo], asked: Sequence[RoundInfo], lang: str) -> list[str]:
    notes = []
    if asked and asked[0] is not rounds[0]:
        notes.append(t("note_added", lang, label=label, round=asked[0].name))
    if asked and asked[-1] is not rounds[-1]:
        later = rounds[[r.id for r in rounds].index(asked[-1].id) + 1]
        notes.append(t("note_dropped", lang, label=label, round=later.name))
    return notes


def _changes(
    segments: Sequence[Sequence[RoundInfo]],
    compute: Callable[[RoundInfo, RoundInfo], Change],
    min_n_ok: Callable[[RoundInfo, RoundInfo], bool],
) -> dict[int, ChangeEstimate]:
    changes: dict[int, ChangeEstimate] = {}
    for number, segment in enumerate(segments):
        first = segment[0]
        changes[first.id] = ChangeEstimate("first" if number == 0 else "not_comparable", _NO_CHANGE)
        for before, after in zip(segment, segment[1:], strict=False):
            if not min_n_ok(before, after):
                changes[after.id] = ChangeEstimate("suppressed", _NO_CHANGE, before.id)
            else:
                changes[after.id] = ChangeEstimate("computed", compute(before, after), before.id)
    return changes


class _VillageData:
    """One village's responses, split by round, with its answer counts computed once."""

    def __init__(self, responses: pd.DataFrame, village_id: int, rounds: Sequence[RoundInfo]) -> None:
        frame = responses[responses["village_id"] == village_id]
        self.by_round = {r.id: frame[frame["round_id"] == r.id] for r in rounds}
        ids = {q.id for r in rounds for q in r.questionnaire.questions() if item_kind(q) in ("scale", "categorical")}
        self.counts = _small_code_counts(frame, sorted(ids))
        self.frame = frame

    def counts_of(self, round_id: int, question_id: str) -> dict[str, int]:
        return self.counts.get((round_id, question_id), {})


def _small_code_counts(frame: pd.DataFrame, question_ids: Iterable[str]) -> dict[tuple[int, str], dict[str, int]]:
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


def _item_trend(
    qid: str, rounds: Sequence[RoundInfo], data: _VillageData, versions: Versions, options: ReportOptions
) -> Trend:
    asked = [r for r in rounds if r.questionnaire.has_question(qid)
             and item_kind(r.questionnaire.question(qid)) == "scale"]
    latest_q = asked[-1].questionnaire
    label = _label(latest_q.question(qid).text, latest_q, options.lang)
    segments, notes = _segments(asked, lambda a, b: versions.link(qid, a, b), label, options.lang)
    shares: dict[int, ItemShare] = {}
    for segment in segments:
        reference = segment[-1]
        ref_question = reference.questionnaire.question(qid)
        for round_ in segment:
            link = versions.link(qid, round_, reference).comparability
            counts = _recode_counts(data.counts_of(round_.id, qid), link)
            shares[round_.id] = share_from_counts(counts, ref_question)
    values: dict[int, Estimate | None] = {r.id: None for r in rounds}
    values.update({rid: _share_estimate(share, options.suppression) for rid, share in shares.items()})
    changes = _changes(
        segments,
        lambda a, b: proportion_change(shares[a.id], shares[b.id], options.min_n),
        lambda a, b: min(shares[a.id].n, shares[b.id].n) >= options.min_n,
    )
    return Trend(
        key=qid,
        kind="item",
        label=label,
        section_id=latest_q.question(qid).section_id,
        values=values,
        segments=tuple(tuple(r.id for r in segment) for segment in segments),
        changes=changes,
        notes=tuple(_presence_notes(label, rounds, asked, options.lang) + notes),
        counted_as=_favourable_labels(latest_q.question(qid), latest_q, options.lang),
    )


def _favourable_labels(question: Question, questionnaire: Questionnaire, lang: str) -> str:
    return " + ".join(
        _label(option.label, questionnaire, lang) for option in question.options if option.code in question.favourable
    )


def _index_link(index_id: str, versions: Versions, earlier: RoundInfo, later: RoundInfo) -> Link:
    old, new = earlier.questionnaire.index(index_id), later.questionnaire.index(index_id)
    if earlier.questionnaire.key != later.questionnaire.key:
        return Link(NOT_COMPARABLE, later.questionnaire.version, "note_other_questionnaire")
    if set(old.items) != set(new.items):
        return Link(NOT_COMPARABLE, later.questionnaire.version, "note_index_items_changed")
    for item in new.items:
        link = versions.link(item, earlier, later)
        if not link.comparability.comparable:
            return Link(NOT_COMPARABLE, link.broken_at, "note_index_item_not_comparable")
    return Link(SAME)


def _has_index(questionnaire: Questionnaire, index_id: str) -> bool:
    return any(index.id == index_id for index in questionnaire.indices)


def _index_trend(
    index_id: str,
    rounds: Sequence[RoundInfo],
    data: _VillageData,
    versions: Versions,
    options: ReportOptions,
    population: Population | None,
) -> Trend:
    asked = [r for r in rounds if _has_index(r.questionnaire, index_id)]
    latest_q = asked[-1].questionnaire
    label = _label(latest_q.index(index_id).label, latest_q, options.lang)
    segments, notes = _segments(
        asked, lambda a, b: _index_link(index_id, versions, a, b), label, options.lang
    )
    scores: dict[int, pd.Series] = {}
    for segment in segments:
        reference = segment[-1]
        ref_q = reference.questionnaire
        for round_ in segment:
            own_q = round_.questionnaire
            maps = (
                (item, _score_map(own_q.question(item), versions.link(item, round_, reference).comparability,
                                  ref_q.question(item)))
                for item in ref_q.index(index_id).items
            )
            scores[round_.id] = index_scores(_item_scores(data.by_round[round_.id], maps))
    values: dict[int, Estimate | None] = {r.id: None for r in rounds}
    values.update({rid: _index_estimate(s, options.suppression) for rid, s in scores.items()})
    counts = {rid: int(s.notna().sum()) for rid, s in scores.items()}
    changes = _changes(
        segments,
        lambda a, b: mean_change(scores[a.id], scores[b.id], options.min_n),
        lambda a, b: min(counts[a.id], counts[b.id]) >= options.min_n,
    )
    alpha = {r.id: population.alpha(r, r.questionnaire.index(index_id)) if population else NAN for r in asked}
    village_alpha = {}
    for r in asked:
        own = _own_index_scores(data.by_round[r.id], r.questionnaire, r.questionnaire.index(index_id))
        village_alpha[r.id] = cronbach_alpha(own) if counts[r.id] >= options.min_n else NAN
    return Trend(
        key=index_id,
        kind="index",
        label=label,
        section_id="",
        values=values,
        segments=tuple(tuple(r.id for r in segment) for segment in segments),
        changes=changes,
        notes=tuple(_presence_notes(label, rounds, asked, options.lang) + notes),
        alpha=alpha,
        village_alpha=village_alpha,
    )


# --- sections and distributions ---------------------------------------------------------------------


def _layout(rounds: Sequence[RoundInfo], lang: str) -> list[tuple[str, str, list[str]]]:
    """Sections in the latest questionnaire's order; questions only earlier versions asked are
    appended to their old section, so a dropped item still shows its past rounds."""
    sections: dict[str, tuple[str, list[str]]] = {}
    placed: set[str] = set()
    for round_ in reversed(rounds):
        questionnaire = round_.questionnaire
        for section in questionnaire.sections:
            title = _label(section.title, questionnaire, lang)
            entry = sections.setdefault(section.id, (title, []))
            for question in section.questions:
                if question.id not in placed:
                    entry[1].append(question.id)
                    placed.add(question.id)
    return [(sid, title, ids) for sid, (title, ids) in sections.items()]


def _option_labels(question: Question, questionnaire: Questionnaire, lang: str) -> tuple[OptionLabel, ...]:
    return tuple(
        OptionLabel(o.code, _label(o.label, questionnaire, lang), o.special is not None) for o in question.options
    )


def _distribution(
    round_: RoundInfo, question: Question, kind: ItemKind, data: _VillageData, options: ReportOptions
) -> RoundDistribution:
    frame = data.by_round[round_.id]
    total = len(frame)
    column = frame[question.id] if question.id in frame.columns else pd.Series(dtype=object)
    suppression = options.suppression
    top2 = mean = None
    if kind == "multiple":
        chosen = column.dropna().explode().dropna().astype(str)
        specials = {o.code for o in question.options if o.special}
        counts = {str(k): int(v) for k, v in chosen.value_counts().items()}
        valid_n = int(chosen[~chosen.isin(specials)].index.nunique())
        missing = total - int(chosen.index.nunique())
    elif kind == "number":
        values = pd.to_numeric(column, errors="coerce")
        counts, valid_n = {}, int(values.notna().sum())
        missing = total - valid_n
        m, low, high, n = mean_ci(values)
        mean = _estimate(m, low, high, n, suppression)
    else:
        counts = data.counts_of(round_.id, question.id)
        known = {o.code for o in question.options}
        valid = {o.code for o in question.scale_options()}
        valid_n = sum(n for code, n in counts.items() if code in valid)
        missing = total - sum(n for code, n in counts.items() if code in known)
        counts = {code: counts.get(code, 0) for code in known}
        if kind == "scale":
            top2 = _share_estimate(share_from_counts(counts, question), suppression)
            mean = _mean_score(counts, question, suppression)
    flag = suppression.flag(valid_n)
    if flag == "suppressed":
        return RoundDistribution(round_.id, total, valid_n, flag, {}, None, top2, mean)
    return RoundDistribution(round_.id, total, valid_n, flag, counts, missing, top2, mean)


def _item_detail(
    qid: str, rounds: Sequence[RoundInfo], data: _VillageData, versions: Versions,
    options: ReportOptions, trend: Trend | None,
) -> ItemDetail:
    asked = [r for r in rounds if r.questionnaire.has_question(qid)]
    blocks: list[DistributionBlock] = []
    current: list[RoundDistribution] = []
    current_options: tuple[OptionLabel, ...] = ()
    previous: RoundInfo | None = None
    for round_ in asked:
        questionnaire = round_.questionnaire
        question = questionnaire.question(qid)
        labels = _option_labels(question, questionnaire, options.lang)
        same = previous is not None and versions.link(qid, previous, round_).comparability.kind == "same"
        if current and not (same and labels == current_options):
            blocks.append(DistributionBlock(current_options, tuple(current), _block_note(current, rounds, options)))
            current = []
        current_options = labels
        current.append(_distribution(round_, question, item_kind(question), data, options))
        previous = round_
    if current:
        blocks.append(DistributionBlock(current_options, tuple(current), _block_note(current, rounds, options)))
    latest_q = asked[-1].questionnaire
    question = latest_q.question(qid)
    return ItemDetail(qid, item_kind(question), _label(question.text, latest_q, options.lang), tuple(blocks), trend)


def _block_note(block: Sequence[RoundDistribution], rounds: Sequence[RoundInfo], options: ReportOptions) -> str:
    by_id = {r.id: r for r in rounds}
    versions = sorted({by_id[d.round_id].questionnaire.version for d in block})
    return t("block_versions", options.lang, versions=", ".join(f"v{v}" for v in versions))


def _free_text(rounds: Sequence[RoundInfo], data: _VillageData, lang: str) -> list[FreeText]:
    found = []
    for round_ in rounds:
        frame = data.by_round[round_.id]
        for question in round_.questionnaire.questions():
            if item_kind(question) != "text" or question.id not in frame.columns:
                continue
            answers = frame[question.id].dropna().astype(str).str.strip()
            # Sorted, so the order says nothing about who answered when.
            texts = tuple(sorted(a for a in answers if a))
            if texts:
                found.append(FreeText(question.id, _label(question.text, round_.questionnaire, lang), round_.id, texts))
    return found


# --- the whole village ----------------------------------------------------------------------------------


def _comparison(
    village: VillageInfo, latest: RoundInfo, data: _VillageData, population: Population | None,
    indices: Sequence[Trend], items: Sequence[Trend], options: ReportOptions,
) -> list[ComparisonRow]:
    # The latest round is the reference of its own segment, so the trends already hold the
    # village's figures in the latest round's coding: the same numbers round_figures gives.
    own = {
        (f"index:{trend.key}" if trend.kind == "index" else trend.key): estimate
        for trend in (*indices, *items)
        if (estimate := trend.values.get(latest.id)) is not None
    }
    district = regency = None
    if population is not None:
        district = population.area_figures(latest, "district_code", village.district.code, options)
        regency = population.area_figures(latest, "regency_code", village.regency.code, options)
    rows = []
    for trend in (*indices, *items):
        key = f"index:{trend.key}" if trend.kind == "index" else trend.key
        if key in own:
            rows.append(ComparisonRow(
                trend.key, trend.kind, trend.label, own[key],
                district.get(key) if district else None, regency.get(key) if regency else None,
            ))
    return rows


def _round_summaries(rounds: Sequence[RoundInfo], data: _VillageData) -> list[RoundSummary]:
    summaries = []
    for round_ in rounds:
        frame = data.by_round[round_.id]
        by_mode = {str(mode): int(n) for mode, n in frame["mode"].value_counts().items()}
        last = frame["submitted_at"].max() if len(frame) else None
        summaries.append(RoundSummary(round_, len(frame), by_mode, None if last is None else last.to_pydatetime()))
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
) -> VillageTables:
    """All figures of one village's report over ``rounds`` (oldest first; the last is the report's round).

    ``responses`` may hold other villages too (only ``village.id``'s rows are used).
    ``population`` gives alpha over all villages and the district/regency comparison; without
    it those are left out. ``versions`` loads questionnaire versions between the rounds'
    versions (``Catalog.get``); not needed when no version is skipped.
    """
    options = options or ReportOptions()
    if not rounds:
        raise ValueError("a village report needs at least one round")
    chain = Versions(rounds, versions)
    data = _VillageData(responses, village.id, rounds)
    layout = _layout(rounds, options.lang)
    headline = _headline(layout, rounds)
    items = [_item_trend(qid, rounds, data, chain, options) for qid in headline]
    indices = [_index_trend(iid, rounds, data, chain, options, population) for iid in _index_ids(rounds)]
    key_items = _key_items(options, headline)
    trends = {trend.key: trend for trend in items}
    sections = [
        SectionTables(sid, title, tuple(
            _item_detail(qid, rounds, data, chain, options, trends.get(qid)) for qid in ids
            if _reported_kind(qid, rounds) != "text"
        ))
        for sid, title, ids in layout
    ]
    summaries = _round_summaries(rounds, data)
    cutoffs = [s.last_submitted for s in summaries if s.last_submitted is not None]
    return VillageTables(
        village=village,
        rounds=tuple(summaries),
        options=options,
        indices=tuple(indices),
        items=tuple(items),
        key_items=key_items,
        sections=tuple(s for s in sections if s.items),
        comparison=tuple(_comparison(village, rounds[-1], data, population, indices, items, options)),
        notes=tuple(note for trend in (*indices, *items) for note in trend.notes),
        free_text=tuple(_free_text(rounds, data, options.lang)) if options.include_free_text else (),
        generated_at=generated_at or datetime.now(UTC),
        data_cutoff=max(cutoffs) if cutoffs else None,
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
) -> VillageTrends:
    """The index and key-item trends of one village, computed exactly as in its village report
    (without the alpha, distributions and comparison that only the report shows)."""
    options = options or ReportOptions()
    if not rounds:
        raise ValueError("a village overview needs at least one round")
    chain = Versions(rounds, versions)
    data = _VillageData(responses, village_id, rounds)
    headline = _headline(_layout(rounds, options.lang), rounds)
    keys = _key_items(options, headline)
    items = tuple(_item_trend(qid, rounds, data, chain, options) for qid in keys)
    indices = tuple(_index_trend(iid, rounds, data, chain, options, None) for iid in _index_ids(rounds))
    return VillageTrends(indices, items, {r.id: len(data.by_round[r.id]) for r in rounds})


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
