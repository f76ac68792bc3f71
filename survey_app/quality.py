"""Data-quality signals: per village for the progress dashboard, and straight-lining per
response, judged where answers are written and stored with them. Pure: no Flask, no database.

Each signal points a coordinator at villages worth a second look (a volunteer filling in
forms for residents, one phone submitting many times, people clicking through without
reading). They only flag; nothing is ever deleted or down-weighted because of them, and
the thresholds below are deliberately loose so a flag means "look", not "wrong".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from survey_app.questionnaire import Questionnaire

FAST_SHARE_FLAG = 0.10
"""Flag a village when at least this share of its timed web forms were very fast: a few quick
readers are normal, one in ten suggests forms filled without reading them."""
FAST_MIN_WEB = 5
"""...and it has at least this many timed web forms, so one quick form of two does not flag."""

STRAIGHT_MIN_ITEMS = 4
"""A battery counts for straight-lining only with this many answered on-scale items: the same
answer to two or three questions is often honest, to four or more in a row rarely."""
STRAIGHT_SHARE_FLAG = 0.20
"""Flag a village when at least this share of its responses are straight-lined; some residents
really agree with everything, so the bar is higher than for fast forms."""
STRAIGHT_MIN_RESPONSES = 5
"""...and it has at least this many responses."""

BURST_WINDOW = timedelta(minutes=10)
BURST_MIN = 10
"""Ten or more web forms from one village within ten minutes: a form takes residents about
ten minutes, so that many finishing together means one device or one gathering answering
in a batch (a village meeting is a legitimate cause, which is why it is only a flag)."""

FAST, STRAIGHT, BURST = "fast", "straight", "burst"
"""Flag keys, in display order; labels are the web layer's business."""


class ResponseRow(NamedTuple):
    """What the signals need of one stored, non-deleted response."""

    village_id: int
    mode: str  # "web" or "paper"
    duration_s: int | None
    submitted_at: datetime | None
    straightlined: bool  # as stored with the answers (``straightlined``)


@dataclass(frozen=True)
class Battery:
    """Single-choice questions sharing one answer scale, where one repeated answer means something."""

    question_ids: tuple[str, ...]
    scale_codes: frozenset[str]


@dataclass
class VillageQuality:
    """Counts behind the signals of one village, and the flags they raise."""

    responses: int = 0
    web_timed: int = 0
    fast: int = 0
    straightlined: int = 0
    largest_burst: int = 0
    _web_times: list[datetime] = field(default_factory=list, repr=False)

    @property
    def fast_share(self) -> float | None:
        return self.fast / self.web_timed if self.web_timed else None

    @property
    def straight_share(self) -> float | None:
        return self.straightlined / self.responses if self.responses else None

    @property
    def flags(self) -> tuple[str, ...]:
        """The raised flags, in display order."""
        raised = []
        if self.web_timed >= FAST_MIN_WEB and self.fast / self.web_timed >= FAST_SHARE_FLAG:
            raised.append(FAST)
        if self.responses >= STRAIGHT_MIN_RESPONSES and self.straightlined / self.responses >= STRAIGHT_SHARE_FLAG:
            raised.append(STRAIGHT)
        if self.largest_burst >= BURST_MIN:
            raised.append(BURST)
        return tuple(raised)


def batteries(questionnaire: Questionnaire) -> tuple[Battery, ...]:
    """Groups of single-choice questions with the same on-scale option codes, large enough to judge."""
    groups: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for question in questionnaire.questions():
        if question.type == "single_choice":
            codes = tuple(option.code for option in question.scale_options())
            if len(codes) >= 2:
                groups[codes].append(question.id)
    return tuple(
        Battery(tuple(ids), frozenset(codes)) for codes, ids in groups.items() if len(ids) >= STRAIGHT_MIN_ITEMS
    )


def is_straightlined(answers: Mapping[str, Any], groups: Sequence[Battery]) -> bool:
    """True when, in some battery, at least ``STRAIGHT_MIN_ITEMS`` on-scale answers are all one
    option. Unanswered items and don't know/refused are left out, not counted as different."""
    for battery in groups:
        chosen = [answers.get(qid) for qid in battery.question_ids]
        on_scale = [str(code) for code in chosen if code is not None and str(code) in battery.scale_codes]
        if len(on_scale) >= STRAIGHT_MIN_ITEMS and len(set(on_scale)) == 1:
            return True
    return False


def straightlined(answers: Mapping[str, Any], questionnaire: Questionnaire) -> bool:
    """``is_straightlined`` on the questionnaire's own batteries: the flag stored with every
    response when its answers are written, so the submissions table can filter on it."""
    return is_straightlined(answers, batteries(questionnaire))


def largest_burst(times: Iterable[datetime], window: timedelta = BURST_WINDOW) -> int:
    """The most submissions that fall within any one ``window`` (both ends included)."""
    ordered = sorted(times)
    best, start = 0, 0
    for end, moment in enumerate(ordered):
        while moment - ordered[start] > window:
            start += 1
        best = max(best, end - start + 1)
    return best


def assess(rows: Iterable[ResponseRow], fast_seconds: int) -> dict[int, VillageQuality]:
    """Signals per village id for ``rows``; ``fast_seconds`` is the very-fast threshold."""
    result: dict[int, VillageQuality] = defaultdict(VillageQuality)
    for row in rows:
        village = result[row.village_id]
        village.responses += 1
        if row.mode == "web":
            if row.duration_s is not None:
                village.web_timed += 1
                village.fast += row.duration_s < fast_seconds
            if row.submitted_at is not None:
                village._web_times.append(row.submitted_at)
        village.straightlined += row.straightlined
    for village in result.values():
        village.largest_burst = largest_burst(village._web_times)
        village._web_times = []
    return dict(result)
