"""What a village report's figures are: report options, estimates, trends, distributions and
the whole village's tables as plain dataclasses; and how each question type is summarised."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal

from reports.data import RoundInfo, VillageInfo
from reports.stats import CAUTION_BELOW, MIN_N, BaseFlag, Change, Suppression
from reports.text import LANGUAGES
from survey_app.questionnaire import Questionnaire, text_in
from survey_app.questionnaire.build import LANGUAGE_RE
from survey_app.questionnaire.types import ReportKind, report_kind

if TYPE_CHECKING:
    from reports.tables.crime import CrimeTable
    from reports.weights import Weighting

NAN = math.nan


ItemKind = ReportKind

UNCOUNTED: frozenset[ItemKind] = frozenset({"text", "date"})
"""Kinds a village report leaves out: free text (privacy) and dates (the export carries them)."""


ChangeStatus = Literal["computed", "suppressed", "not_comparable", "first", "not_asked"]


@dataclass(frozen=True)
class ReportOptions:
    """What an installation or a download may change about a village report."""

    min_n: int = MIN_N
    caution_below: int = CAUTION_BELOW
    lang: str = "id"
    include_free_text: bool = False
    counts_below_min_n: bool = False
    """Show "3 of 7" where a share's base is under min_n (a partner questionnaire's choice)."""
    key_items: tuple[str, ...] | None = None
    """Items shown on the Summary; None means every item with a top-2 headline."""
    change_spans: frozenset[tuple[int, int]] = frozenset()
    """(earlier, later) round ids whose change is wanted beyond the step from the previous
    comparable round: change goals set over several rounds."""
    weighted: bool = False
    """Weight each round's respondents to the population by age band x sex (``reports.weights``)
    where the village has population targets; unweighted otherwise, and by default."""

    def __post_init__(self) -> None:
        if not LANGUAGE_RE.fullmatch(self.lang):  # any questionnaire's language; wording falls back to id
            raise ValueError(f"report language must be a language code such as {', '.join(LANGUAGES)}, "
                             f"got {self.lang!r}")
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
    count: int | None = None
    """Favourable answers of a share, kept under min_n too: only a questionnaire that asks for
    counts (``small_bases: counts``) prints it."""
    n_eff: float | None = None
    """Kish's effective n of weighted answers (the flag goes by it); None when unweighted."""

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
    spans: Mapping[tuple[int, int], ChangeEstimate] = field(default_factory=dict)
    """Changes over the longer spans ``ReportOptions.change_spans`` asked for."""
    notes: tuple[str, ...] = ()
    counted_as: str = ""
    """Items: the answers counted as favourable, e.g. "Agree + Strongly agree"."""
    alpha: Mapping[int, float] = field(default_factory=dict)
    """Index only: Cronbach's alpha over all villages of the round (NaN when unknown)."""
    village_alpha: Mapping[int, float] = field(default_factory=dict)
    """Index only: alpha within this village, NaN below ``min_n``."""

    def last_change(self, round_id: int) -> ChangeEstimate:
        """The change into ``round_id`` (normally the latest round)."""
        return self.changes.get(round_id, ChangeEstimate("not_asked", NO_CHANGE))

    def change_between(self, before_id: int, after_id: int) -> ChangeEstimate:
        """The change from ``before_id`` into ``after_id``: the step into it when ``before_id``
        is the previous comparable round, else a span the options asked for."""
        step = self.last_change(after_id)
        if step.from_round_id == before_id:
            return step
        if after_id not in self.values or self.values[after_id] is None:
            return ChangeEstimate("not_asked", NO_CHANGE)
        if (before_id, after_id) not in self.spans:  # a wrong answer would be worse than none
            raise LookupError(f"the change {before_id} -> {after_id} was not asked for (ReportOptions.change_spans)")
        return self.spans[(before_id, after_id)]


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
    sheet_title: str = ""
    """The section's short title where the questionnaire gives one, else its title."""


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
    weighting: Weighting | None = None
    """How the round's respondents were weighted; None when the report is unweighted."""
    without_consent: int = 0
    """Responses given without recorded consent (before it was asked)."""
    purged_on: date | None = None
    """When the round's individual answers were deleted (retention); its figures come from
    what was kept then (``reports.retained``)."""


@dataclass(frozen=True)
class FreeText:
    question_id: str
    label: str
    round_id: int
    answers: tuple[str, ...]


GoalKind = Literal["level", "change"]
GoalStatus = Literal["reached", "not_yet", "missed", "too_few", "not_comparable"]
GOAL_STATUSES: tuple[GoalStatus, ...] = ("reached", "not_yet", "missed", "too_few", "not_comparable")
"""In the order reports list them; "not_comparable": a change goal across a series break."""


@dataclass(frozen=True)
class GoalSpec:
    """A goal as set: ``target`` is in index points, or in percentage points for an item."""

    indicator: str
    kind: GoalKind
    target: float
    round_id: int
    area_code: str
    baseline_round_id: int | None = None
    round_over: bool = False


@dataclass(frozen=True)
class GoalResult:
    """A goal judged for one village: the figure (or change) it was judged on, in the target's
    units, and its interval."""

    goal: GoalSpec
    label: str
    status: GoalStatus
    value: float
    low: float
    high: float
    n: int


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
    stale_villages: int = 0
    """Villages whose newest answers the area figures (district, regency, alpha) leave out:
    their stored sums were not rebuilt while the report waited."""
    companions: tuple[VillageTables, ...] = ()
    """The same village in rounds of other questionnaires held in the same period (the
    partners' beside the residents'), each on its own round and its own rules."""
    goals: tuple[GoalResult, ...] = ()
    """The intermediate goals set for this village's area in the report's rounds, judged
    (``reports.goals``)."""
    crime: CrimeTable | None = None
    """Recorded crime beside the rounds, and the dark figure; None when there is neither."""

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

    def web_share(self, round_id: int) -> float | None:
        """The share of this village's answers of ``round_id`` given on the web (None: none)."""
        summary = next((s for s in self.rounds if s.info.id == round_id), None)
        if summary is None or not summary.responses:
            return None
        return summary.by_mode.get("web", 0) / summary.responses

    def mode_shift(self, change: ChangeEstimate, latest: int) -> float | None:
        """How far the web share moved (in points, either way) between the two rounds a change
        compares, when it moved more than ``MODE_SHIFT_POINTS``: the two modes can answer
        differently, so such a change may be composition, not opinion."""
        if change.status != "computed" or change.from_round_id is None:
            return None
        before, after = self.web_share(change.from_round_id), self.web_share(latest)
        if before is None or after is None:
            return None
        shift = abs(after - before) * 100
        return shift if shift > MODE_SHIFT_POINTS else None


MODE_SHIFT_POINTS = 20
"""A change in the web/paper mix of more than this many points between two rounds is flagged
next to every change between them (issue 16)."""


NO_CHANGE = Change(NAN, NAN, NAN, NAN)


item_kind = report_kind
"""How a question is summarised: the registry's ``report_kind``."""


def localised(texts: Mapping[str, str] | None, questionnaire: Questionnaire, lang: str) -> str:
    return text_in(texts, lang, questionnaire.default_language)
