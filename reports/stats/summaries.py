"""The figures a village report shows: item shares, changes between rounds, base flags.

These are the only functions the workbook needs to call; each returns a small frozen
dataclass whose fields map one to one onto report columns.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from reports.stats._core import Values, finite_values
from reports.stats.intervals import newcombe_bounds, welch_diff_ci, wilson_ci
from reports.stats.significance import pooled_z_p_value, welch_p_value

BaseFlag = Literal["suppressed", "caution", "ok"]
Direction = Literal["up", "down", "none"]

MIN_N = 30
"""Brief's default minimum base: below it a percentage is not published (configurable)."""
CAUTION_BELOW = 60
"""Bases from ``MIN_N`` up to this (exclusive) are printed with "interpret with caution"."""


@dataclass(frozen=True)
class Suppression:
    """Small-base policy: suppress below ``min_n``, flag caution below ``caution_below``.

    When ``caution_below <= min_n`` there is simply no caution band.
    """

    min_n: int = MIN_N
    caution_below: int = CAUTION_BELOW

    def __post_init__(self) -> None:
        if self.min_n < 1:
            raise ValueError(f"min_n must be at least 1, got {self.min_n}")

    def flag(self, n: float) -> BaseFlag:
        """How a figure on base ``n`` (an effective n when weighted) may be shown."""
        if n < self.min_n:
            return "suppressed"
        if n < self.caution_below:
            return "caution"
        return "ok"

    def allows(self, n: float) -> bool:
        """True when a figure on base ``n`` may be published at all."""
        return n >= self.min_n


def base_flag(n: int, min_n: int = MIN_N, caution_below: int = CAUTION_BELOW) -> BaseFlag:
    """``"suppressed"`` below ``min_n``, ``"caution"`` below ``caution_below``, else ``"ok"``."""
    return Suppression(min_n, caution_below).flag(n)


@dataclass(frozen=True)
class ItemShare:
    """Top-2-box headline of one item: ``favourable`` of ``n`` valid answers, Wilson interval.

    ``share`` and the interval are fractions in [0, 1], NaN when ``n == 0``.
    """

    n: int
    favourable: int
    share: float
    ci_low: float
    ci_high: float
    effective_n: float | None = None
    """Kish's effective n of weighted answers; None when the answers are not weighted."""

    @property
    def base(self) -> float:
        """The base the interval, the change and min_n go by: the effective n when weighted."""
        return self.n if self.effective_n is None else self.effective_n

    @property
    def effective_favourable(self) -> float:
        """The favourable count at the effective base (the share times it)."""
        return self.favourable if self.effective_n is None else self.share * self.effective_n


def top2_share(
    codes: pd.Series,
    favourable: Collection[str],
    valid: Collection[str],
    confidence: float = 0.95,
) -> ItemShare:
    """Share of valid answers that fall in the favourable codes (the "top-2 box").

    ``valid`` lists the codes on the answer scale; everything else - don't know, refused,
    not applicable, missing or skipped - stays out of the base. ``favourable`` must be a
    subset of ``valid``; for a negatively worded item it holds the low end of the scale.
    """
    favourable_set, valid_set = set(favourable), set(valid)
    if not favourable_set <= valid_set:
        raise ValueError(f"favourable codes {sorted(favourable_set - valid_set)} are not valid scale codes")
    n = int(codes.isin(valid_set).sum())
    hits = int(codes.isin(favourable_set).sum())
    low, high = wilson_ci(hits, n, confidence)
    return ItemShare(n, hits, hits / n if n else math.nan, low, high)


def _direction(ci_low: float, ci_high: float) -> Direction:
    """Significant only when the interval excludes 0 (the brief's rule); NaN is never a change."""
    if ci_low > 0:
        return "up"
    if ci_high < 0:
        return "down"
    return "none"


@dataclass(frozen=True)
class Change:
    """Change from the earlier to the later round (later minus earlier).

    ``direction`` is derived from the interval, never from ``p_value``: the p-value exists
    so an overview across villages can apply Benjamini-Hochberg. A change that was not
    computed (a base below the minimum) is all NaN with direction ``"none"``.
    """

    estimate: float
    ci_low: float
    ci_high: float
    p_value: float
    direction: Direction = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "direction", _direction(self.ci_low, self.ci_high))

    @property
    def computed(self) -> bool:
        """False when the change was withheld, so the report prints a blank, not "no change"."""
        return not math.isnan(self.estimate)


NOT_COMPUTED = Change(math.nan, math.nan, math.nan, math.nan)


def proportion_change(before: ItemShare, after: ItemShare, min_n: int = MIN_N, confidence: float = 0.95) -> Change:
    """Change in a top-2 share with Newcombe's interval and the pooled z-test p-value.

    Only computed when both bases reach ``min_n``; the estimate is a fraction
    (0.12 = 12 percentage points). Weighted shares go by their effective counts and bases.
    """
    if before.base < min_n or after.base < min_n:
        return NOT_COMPUTED
    counts = (before.effective_favourable, before.base, after.effective_favourable, after.base)
    diff, low, high = newcombe_bounds(*counts, confidence)
    return Change(diff, low, high, pooled_z_p_value(*counts))


def mean_change(before_values: Values, after_values: Values, min_n: int = MIN_N, confidence: float = 0.95) -> Change:
    """Change in a mean index score with Welch's interval and p-value, in index points.

    Only computed when both rounds have at least ``min_n`` scores (NaN scores not counted).
    """
    before, after = finite_values(before_values), finite_values(after_values)
    if before.size < min_n or after.size < min_n:
        return NOT_COMPUTED
    diff, low, high, _ = welch_diff_ci(before, after, confidence)
    return Change(diff, low, high, welch_p_value(before, after))
