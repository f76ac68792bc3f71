"""Means and their changes over weighted answers (``reports.weights``), by linearisation.

A weighted mean is a ratio of two weighted sums; its variance is the linearised (Taylor)
variance with every respondent as their own unit, ``n / (n - 1) * sum (w (y - mean))^2 /
(sum w)^2``, and its interval uses Student's t with n - 1 degrees of freedom: what survey
software (samplics' ``TaylorEstimator``, Stata's ``svy: mean``) gives without strata or
clusters, checked against samplics in the tests. With equal weights every figure here
equals its unweighted twin in ``intervals``. Shares use Wilson's interval at the effective
n instead (``wilson_bounds``), so that they stay inside [0, 1] at village sizes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from reports.stats._core import FloatArray, Values, check_confidence, t_critical, t_two_sided_p, welch_from
from reports.stats.summaries import NOT_COMPUTED, Change

NAN = math.nan


def effective_n(weights: FloatArray) -> float:
    """Kish's effective sample size ``(sum w)^2 / sum w^2``: n for equal weights, less when
    they vary; 0 for no weights."""
    array = np.asarray(weights, dtype=float)
    squares = float((array * array).sum())
    return float(array.sum()) ** 2 / squares if squares else 0.0


@dataclass(frozen=True)
class WeightedScores:
    """The weighted mean of some scores, its linearised variance, the count and effective n."""

    n: int
    n_eff: float
    mean: float
    variance: float
    """Variance of the mean (the square of its standard error); NaN below 2 scores."""

    @classmethod
    def of(cls, values: Values, weights: FloatArray) -> WeightedScores:
        """Scores with NaN dropped, together with their weights."""
        scores = np.asarray(values, dtype=float).ravel()
        w = np.asarray(weights, dtype=float).ravel()
        if scores.shape != w.shape:
            raise ValueError(f"{scores.size} scores but {w.size} weights")
        kept = ~np.isnan(scores)
        scores, w = scores[kept], w[kept]
        if np.isinf(scores).any() or not np.isfinite(w).all() or (w <= 0).any():
            raise ValueError("scores must be finite and weights positive")
        n = int(scores.size)
        if n == 0:
            return cls(0, 0.0, NAN, NAN)
        total = float(w.sum())
        mean = float((w * scores).sum()) / total
        if n < 2:
            variance = NAN
        elif np.ptp(scores) == 0:
            variance = 0.0  # no spread at all: say so exactly, as sample_variance does
        else:
            variance = n / (n - 1) * float(((w * (scores - mean)) ** 2).sum()) / (total * total)
        return cls(n, effective_n(w), mean, variance)

    def ci(self, confidence: float = 0.95) -> tuple[float, float]:
        """The t interval of the mean; NaN below 2 scores."""
        check_confidence(confidence)
        if self.n < 2:
            return NAN, NAN
        half = t_critical(confidence, self.n - 1) * math.sqrt(self.variance)
        return self.mean - half, self.mean + half


def weighted_mean_change(before: WeightedScores, after: WeightedScores, min_n: float,
                         confidence: float = 0.95) -> Change:
    """Change in a weighted mean with Welch's interval and p-value built on the linearised
    variances; computed only when both effective bases reach ``min_n``."""
    check_confidence(confidence)
    if before.n_eff < min_n or after.n_eff < min_n:
        return NOT_COMPUTED
    terms = welch_from(after.mean - before.mean, before.variance, after.variance, before.n, after.n)
    if math.isnan(terms.df):
        return Change(terms.diff, NAN, NAN, NAN)
    half = t_critical(confidence, terms.df) * terms.se
    return Change(terms.diff, terms.diff - half, terms.diff + half, t_two_sided_p(terms.diff / terms.se, terms.df))
