"""Recorded crime beside perception, and the dark figure.

- **Recorded incidents per 1,000 residents**, per round: the incidents the police recorded
  in the twelve months that end with the round's last month (the period a victimisation
  question asks about), divided by the residents. Months missing from the police table
  are "not reported", not zero: the rate is scaled up from the months that are there
  (incidents / months covered x 12) and the months covered are shown. A village without a
  table of its own takes its district's, and says so.
- **The dark figure**: of residents who were victims in the last 12 months and said
  whether the latest incident was reported, the share who said it was not, with Wilson's
  interval. It counts people, not incidents.

``reports.crime_data`` loads the police and population tables.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from reports.data import RoundInfo
from reports.stats import Suppression, wilson_ci
from reports.tables.model import NAN, Estimate
from survey_app.questionnaire import Questionnaire

PER = 1000
"""Rates are per 1,000 residents per year."""
WINDOW_MONTHS = 12

DARK_FIGURE_QUESTION = "victim_reported"
"""The yes/no question "was the most recent incident reported to the police?" (asked only
of victims). Published questionnaires cannot gain a new key, so the report knows the
question by this id; a version that asks it under another id gives no dark figure."""
NOT_REPORTED, REPORTED = "no", "yes"



@dataclass(frozen=True)
class CrimeSource:
    """The recorded incidents a village's report uses: its own, or its district's."""

    code: str
    name: str
    level: Literal["village", "district"]
    months: Mapping[date, Mapping[str, int]]
    """First day of a month -> category -> incidents."""
    population: int | None
    """Residents of the area; None when the population table does not cover it."""


@dataclass(frozen=True)
class RoundCrime:
    """Recorded incidents in the twelve months up to one round."""

    round_id: int
    first_month: date
    last_month: date
    months_covered: int
    incidents: Mapping[str, int]
    """Category -> incidents in the months covered."""

    @property
    def total(self) -> int:
        return sum(self.incidents.values())

    def rate(self, population: int | None) -> float:
        """Incidents per 1,000 residents per year; NaN without months or residents."""
        if not self.months_covered or not population:
            return NAN
        return self.total / self.months_covered * WINDOW_MONTHS / population * PER


@dataclass(frozen=True)
class CrimeTable:
    """What a village report shows of recorded crime and the dark figure, round by round."""

    source: CrimeSource | None
    rounds: tuple[RoundCrime, ...]
    categories: tuple[str, ...]
    dark: Mapping[int, Estimate]
    """Round id -> share of victims whose latest incident was not reported (rounds that asked)."""

    def rate(self, round_id: int) -> float:
        found = next((r for r in self.rounds if r.round_id == round_id), None)
        return found.rate(self.source.population) if found is not None and self.source is not None else NAN


def round_window(round_: RoundInfo) -> tuple[date, date]:
    """The first and last month of the twelve months that end with the round's last month."""
    end = round_.closes_on or round_.opens_on or date.today()
    last = end.replace(day=1)
    index = last.year * 12 + last.month - 1 - (WINDOW_MONTHS - 1)
    return date(index // 12, index % 12 + 1, 1), last


def crime_by_round(source: CrimeSource, rounds: Sequence[RoundInfo]) -> tuple[RoundCrime, ...]:
    """Each round's twelve months of recorded incidents."""
    found = []
    for round_ in rounds:
        first, last = round_window(round_)
        months = [month for month in source.months if first <= month <= last]
        incidents: dict[str, int] = defaultdict(int)
        for month in months:
            for category, count in source.months[month].items():
                incidents[category] += count
        found.append(RoundCrime(round_.id, first, last, len(months), dict(incidents)))
    return tuple(found)


def asks_dark_figure(questionnaire: Questionnaire) -> bool:
    return questionnaire.has_question(DARK_FIGURE_QUESTION)


def dark_figure(counts: Mapping[str, int], suppression: Suppression) -> Estimate:
    """Share of answers "not reported" among "reported" and "not reported" (don't know left
    out), with Wilson's interval; suppressed under min_n like any share."""
    hits, n = counts.get(NOT_REPORTED, 0), counts.get(NOT_REPORTED, 0) + counts.get(REPORTED, 0)
    low, high = wilson_ci(hits, n)
    if not suppression.allows(n):
        return Estimate(NAN, NAN, NAN, n, suppression.flag(n), hits)
    return Estimate(hits / n if n else NAN, low, high, n, suppression.flag(n), hits)


def crime_table(source: CrimeSource | None, rounds: Sequence[RoundInfo],
                counts_of: Mapping[int, Mapping[str, int]], suppression: Suppression) -> CrimeTable | None:
    """The table for a report, or None when there is neither recorded crime nor a dark
    figure to show. ``counts_of`` gives each round's answer counts of the dark-figure question."""
    asked = [r for r in rounds if asks_dark_figure(r.questionnaire)]
    if source is None and not asked:
        return None
    by_round = crime_by_round(source, rounds) if source is not None else ()
    categories = tuple(sorted({c for r in by_round for c in r.incidents}))
    dark = {r.id: dark_figure(counts_of.get(r.id, {}), suppression) for r in asked}
    return CrimeTable(source, by_round, categories, dark)
