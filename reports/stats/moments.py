"""Small sums that add up: the means, intervals and alphas of a whole area from its villages.

A village's index scores are kept as ``Moments`` (count, mean, sum of squared deviations,
smallest and largest value) and its complete index rows as ``CoMoments`` (count, item means,
co-moment matrix). Two parts combine exactly with Chan's pairwise update, which stays
accurate where ``sum of squares - square of sum`` would cancel, so a province's figures are
the sum of a few thousand village rows instead of a pass over every response. The results
equal ``mean_ci`` and ``cronbach_alpha`` on the pooled values (to rounding, tested).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from reports.stats._core import FloatArray, Values, check_confidence, finite_values, t_critical

NAN = math.nan


@dataclass(frozen=True)
class Moments:
    """Count, mean, sum of squared deviations (``m2``), smallest and largest of some values."""

    n: int = 0
    mean: float = NAN
    m2: float = 0.0
    low: float = NAN
    high: float = NAN

    @classmethod
    def of(cls, values: Values) -> Moments:
        """The moments of ``values`` (NaN dropped)."""
        array = finite_values(values)
        if array.size == 0:
            return cls()
        mean = float(array.mean())
        low, high = float(array.min()), float(array.max())
        m2 = 0.0 if low == high else float(((array - mean) ** 2).sum())
        return cls(int(array.size), mean, m2, low, high)

    def __add__(self, other: Moments) -> Moments:
        if other.n == 0:
            return self
        if self.n == 0:
            return other
        n = self.n + other.n
        delta = other.mean - self.mean
        low, high = min(self.low, other.low), max(self.high, other.high)
        # Equal values everywhere have no spread at all; say so exactly, as sample_variance does.
        m2 = 0.0 if low == high else self.m2 + other.m2 + delta * delta * self.n * other.n / n
        return Moments(n, self.mean + delta * other.n / n, m2, low, high)

    @property
    def variance(self) -> float:
        """Sample variance (ddof=1); NaN below 2 values."""
        return self.m2 / (self.n - 1) if self.n >= 2 else NAN

    def mean_ci(self, confidence: float = 0.95) -> tuple[float, float, float, int]:
        """``mean_ci`` of the values these moments came from: ``(mean, low, high, n)``."""
        check_confidence(confidence)
        if self.n == 0:
            return NAN, NAN, NAN, 0
        if self.n == 1:
            return self.mean, NAN, NAN, 1
        half = t_critical(confidence, self.n - 1) * math.sqrt(self.variance / self.n)
        return self.mean, self.mean - half, self.mean + half, self.n

    def to_list(self) -> list[float]:
        return [self.n, self.mean, self.m2, self.low, self.high]

    @classmethod
    def from_list(cls, values: Sequence[float]) -> Moments:
        n, mean, m2, low, high = values
        return cls(int(n), float(mean), float(m2), float(low), float(high))


def total_moments(parts: Iterable[Moments]) -> Moments:
    """The moments of all parts' values together."""
    total = Moments()
    for part in parts:
        total = total + part
    return total


@dataclass(frozen=True)
class CoMoments:
    """Complete rows of ``k`` item scores: count, item means, co-moment matrix (sums of products
    of deviations), and the moments of each row's total, whose range tells a constant total."""

    n: int
    means: FloatArray
    comoments: FloatArray
    totals: Moments

    @classmethod
    def empty(cls, k: int) -> CoMoments:
        return cls(0, np.zeros(k), np.zeros((k, k)), Moments())

    @classmethod
    def of(cls, rows: FloatArray) -> CoMoments:
        """The co-moments of the rows of ``rows`` with no NaN (listwise deletion, as alpha uses)."""
        array = np.asarray(rows, dtype=float)
        complete = array[~np.isnan(array).any(axis=1)]
        if complete.shape[0] == 0:
            return cls.empty(array.shape[1])
        means = complete.mean(axis=0)
        deviations = complete - means
        return cls(int(complete.shape[0]), means, deviations.T @ deviations, Moments.of(complete.sum(axis=1)))

    def __add__(self, other: CoMoments) -> CoMoments:
        if other.n == 0:
            return self
        if self.n == 0:
            return other
        n = self.n + other.n
        delta = other.means - self.means
        comoments = self.comoments + other.comoments + np.outer(delta, delta) * (self.n * other.n / n)
        return CoMoments(n, self.means + delta * (other.n / n), comoments, self.totals + other.totals)

    def cronbach_alpha(self) -> float:
        """``cronbach_alpha`` of the rows these co-moments came from."""
        k = self.means.size
        if k < 2 or self.n < 2 or self.totals.m2 == 0:
            return NAN
        total_variance = float(self.comoments.sum())
        item_variance = float(np.trace(self.comoments))
        return k / (k - 1) * (1.0 - item_variance / total_variance)

    def to_list(self) -> list[object]:
        return [self.n, self.means.tolist(), self.comoments.tolist(), self.totals.to_list()]

    @classmethod
    def from_list(cls, values: Sequence[Any]) -> CoMoments:
        n, means, comoments, totals = values
        return cls(int(n), np.asarray(means, dtype=float), np.asarray(comoments, dtype=float),
                   Moments.from_list(totals))


def total_comoments(parts: Sequence[CoMoments]) -> CoMoments:
    """The co-moments of all parts' rows together, in one step: ``C = sum C_i + sum n_i d_i d_i^T``
    with ``d_i`` each part's means less the pooled means (the pairwise update, for many parts)."""
    filled = [part for part in parts if part.n]
    if not filled:
        return parts[0] if parts else CoMoments.empty(0)
    if len(filled) == 1:
        return filled[0]
    counts = np.array([part.n for part in filled], dtype=float)
    means = np.stack([part.means for part in filled])
    n = int(counts.sum())
    pooled = counts @ means / n
    deviations = means - pooled
    comoments = np.sum([part.comoments for part in filled], axis=0) + (deviations.T * counts) @ deviations
    return CoMoments(n, pooled, comoments, total_moments(part.totals for part in filled))
