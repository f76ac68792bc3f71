"""Weights for who answered: each round's respondents in a village are weighted to the
village's population by age band x sex, so that a round with more young men than the last
does not pass a change of composition off as a change of opinion.

- **Post-stratification** when every cell (age band x sex) with residents has at least
  ``MIN_CELL`` respondents: a cell's weight is its share of the population over its share
  of the respondents.
- **Raking** on the two margins (age band, sex) otherwise: iterative proportional fitting
  to both margins. An age band with fewer than ``MIN_CELL`` respondents is first merged
  with its neighbour, and the sex margin is dropped when one sex has fewer than that; the
  weighting says what was merged.
- Weights are **trimmed** at ``WEIGHT_CAP`` times the mean weight, the excess spread over the
  others, so one respondent can never speak for a crowd.
- Respondents who did not give their age band or sex keep weight 1, the mean weight.

Weights average 1 over a round's respondents, so weighted sums are on the scale of counts.
Pure Python and numpy: the report engine applies them, ``reports.crime_data`` loads the
population table they are fitted to.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from reports.stats._core import FloatArray
from reports.stats.weighted import effective_n

AGE_QUESTION = "age_band"
SEX_QUESTION = "sex"
"""The questions a respondent's cell is read from. Every published version of trust-safety
asks them with the codes below; a questionnaire without them is reported unweighted."""
AGE_BANDS: Mapping[str, tuple[int, int | None]] = {
    "1": (17, 24), "2": (25, 34), "3": (35, 44), "4": (45, 54), "5": (55, 64), "6": (65, None),
}
"""Answer code of ``age_band`` -> inclusive years (None: open-ended), as the option labels say."""
SEXES: Mapping[str, str] = {"1": "male", "2": "female"}
"""Answer code of ``sex`` -> the population table's sex."""

OPEN_TOP = 89
"""Where an open census band ("60+") is taken to end when it must be split by years."""
MIN_CELL = 5
"""Post-stratify only when every populated cell has this many respondents; rake otherwise."""
WEIGHT_CAP = 5.0
"""No weight above this many times the mean weight (5 is a common survey practice)."""
RAKE_TOLERANCE = 1e-12
RAKE_ITERATIONS = 1000

Cell = tuple[str, str]
"""(age band code, sex)."""
Targets = Mapping[Cell, float]
Method = Literal["unweighted", "poststratified", "raked"]

_BAND = re.compile(r"(\d+)\s*(?:-\s*(\d+)|(\+))")


def targets_from_bands(rows: Iterable[tuple[str, str, float]]) -> dict[Cell, float]:
    """Residents per questionnaire cell from population rows ``(band, sex, count)`` whose bands
    ("15-19", "65+") need not be the questionnaire's: a band that straddles two of ours is
    split in proportion to its years (15-19 gives 3/5 of its count to 17-24)."""
    targets: dict[Cell, float] = defaultdict(float)
    for band, sex, count in rows:
        match = _BAND.fullmatch(band.strip())
        if match is None:
            raise ValueError(f"age band {band!r} is not like 17-24 or 65+")
        low = int(match[1])
        high = max(OPEN_TOP, low) if match[3] else int(match[2])
        years = high - low + 1
        for code, (first, last) in AGE_BANDS.items():
            overlap = min(high, last if last is not None else high) - max(low, first) + 1
            if overlap > 0:
                targets[(code, sex)] += count * overlap / years
    return dict(targets)


@dataclass(frozen=True)
class Weighting:
    """One round's weights in one village, and how they were made."""

    weights: FloatArray
    method: Method
    collapsed: tuple[str, ...] = ()
    """What raking merged: age band groups such as "55-64 + 65+", or "sex"."""
    trimmed: int = 0
    """Respondents whose weight was cut to the cap."""
    without_cell: int = 0
    """Respondents without an age band or sex, kept at weight 1."""

    @property
    def n_eff(self) -> float:
        return effective_n(self.weights)

    @property
    def weighted(self) -> bool:
        return self.method != "unweighted"


def unweighted(n: int) -> Weighting:
    return Weighting(np.ones(n), "unweighted")


def weigh(ages: Iterable[object], sexes: Iterable[object], targets: Targets | None,
          min_cell: int = MIN_CELL, cap: float = WEIGHT_CAP) -> Weighting:
    """Weights of respondents whose answers to ``age_band`` and ``sex`` are ``ages`` and
    ``sexes`` (codes, None when not asked or not answered), fitted to ``targets``."""
    cells: list[Cell | None] = [
        (a, SEXES[s]) if isinstance(a, str) and isinstance(s, str) and a in AGE_BANDS and s in SEXES else None
        for a, s in zip(ages, sexes, strict=True)
    ]
    n = len(cells)
    known = np.array([i for i, cell in enumerate(cells) if cell is not None], dtype=int)
    populated = {cell: float(t) for cell, t in (targets or {}).items() if t > 0}
    if not populated or known.size == 0:
        return unweighted(n)
    sample = [cell for cell in cells if cell is not None]
    counts = Counter(sample)
    collapsed: tuple[str, ...] = ()
    if all(counts[cell] >= min_cell for cell in populated) and all(cell in populated for cell in counts):
        total = sum(populated.values())
        fitted = np.array([populated[c] / total * known.size / counts[c] for c in sample])
        method: Method = "poststratified"
    else:
        fitted, collapsed = _rake(sample, populated, min_cell)
        method = "raked"
    fitted, trimmed = trim(fitted, cap)
    weights = np.ones(n)
    weights[known] = fitted
    return Weighting(weights, method, collapsed, trimmed, n - known.size)


def _rake(sample: Sequence[Cell], targets: Mapping[Cell, float], min_cell: int) -> tuple[FloatArray, tuple[str, ...]]:
    """Iterative proportional fitting to the age and sex margins, after merging thin groups."""
    age_groups, notes = _age_groups([a for a, _ in sample], {a for a, _ in targets}, min_cell)
    margins = [(np.array([age_groups[a] for a, _ in sample]),
                _margin_targets(targets, lambda cell: age_groups.get(cell[0])))]
    by_sex = Counter(sex for _, sex in sample)
    if all(by_sex[sex] >= min_cell for sex in SEXES.values()):
        margins.append((np.array([sex for _, sex in sample]), _margin_targets(targets, lambda cell: cell[1])))
    else:
        notes = (*notes, "sex")
    weights = np.ones(len(sample))
    for _ in range(RAKE_ITERATIONS):
        worst = 0.0
        for labels, wanted in margins:
            for group, share in wanted.items():
                members = labels == group
                current = weights[members].sum() / len(sample)
                worst = max(worst, abs(current - share))
                if current > 0:
                    weights[members] *= share / current
        if worst < RAKE_TOLERANCE:
            break
    return weights, notes


def _margin_targets(targets: Mapping[Cell, float], group_of: Callable[[Cell], str | None]) -> dict[str, float]:
    """A margin's population shares by group (``group_of`` a cell; None leaves it out)."""
    totals: dict[str, float] = defaultdict(float)
    for cell, count in targets.items():
        group = group_of(cell)
        if group is not None:
            totals[group] += count
    whole = sum(totals.values())
    return {group: count / whole for group, count in totals.items()}


def _age_groups(ages: Sequence[str], populated: set[str], min_cell: int) -> tuple[dict[str, str], tuple[str, ...]]:
    """Age band code -> its group's label: neighbouring bands merged, youngest first, until
    every group has ``min_cell`` respondents and residents (or one group is left)."""
    counts = Counter(ages)
    groups = [[code] for code in AGE_BANDS]
    def thin(group: list[str]) -> bool:
        return sum(counts[c] for c in group) < min_cell or not any(c in populated for c in group)
    while len(groups) > 1 and any(thin(g) for g in groups):
        at = next(i for i, g in enumerate(groups) if thin(g))
        into = at + 1 if at + 1 < len(groups) else at - 1
        low, high = sorted((at, into))
        groups[low:high + 1] = [groups[low] + groups[high]]
    notes = tuple(" + ".join(band_label(c) for c in g) for g in groups if len(g) > 1)
    return {code: "+".join(g) for g in groups for code in g}, notes


def band_label(code: str) -> str:
    """"17-24", "65+": an age band code's years."""
    first, last = AGE_BANDS[code]
    return f"{first}+" if last is None else f"{first}-{last}"


def trim(weights: FloatArray, cap: float = WEIGHT_CAP) -> tuple[FloatArray, int]:
    """Weights cut at ``cap`` times their mean, the others scaled up to keep the total, repeated
    until none is above the cap; returns the weights and how many sit at the cap."""
    fitted = np.asarray(weights, dtype=float) * (len(weights) / float(np.sum(weights)))
    limit = float(cap)
    for _ in range(100):
        capped = fitted > limit
        if not capped.any():
            break
        fitted = np.minimum(fitted, limit)
        free = fitted < limit
        if not free.any():
            break
        fitted[free] *= (len(fitted) - limit * (~free).sum()) / fitted[free].sum()
    return fitted, int(np.isclose(fitted, limit, rtol=1e-12, atol=0).sum())
