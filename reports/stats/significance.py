"""p-values that accompany each change, and the false discovery rate control across villages.

The intervals decide whether a single village changed; these p-values exist so that an
overview table over many villages can apply Benjamini-Hochberg, as the brief asks.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import SupportsIndex

import numpy as np

from reports.stats._core import (
    Values,
    check_counts,
    check_effective,
    finite_values,
    normal_two_sided_p,
    t_two_sided_p,
    welch_terms,
)


def two_proportion_p_value(x1: SupportsIndex, n1: SupportsIndex, x2: SupportsIndex, n2: SupportsIndex) -> float:
    """Two-sided pooled z-test of p1 == p2, the test conventionally paired with a difference
    in proportions (it equals the 2x2 chi-square test without continuity correction).

    NaN when either base is empty. When both rounds sit at 0% or both at 100% the pooled
    variance is 0 and the observed difference is exactly 0, so the p-value is 1.
    """
    return pooled_z_p_value(*check_counts(x1, n1), *check_counts(x2, n2))


def pooled_z_p_value(c1: float, t1: float, c2: float, t2: float) -> float:
    """``two_proportion_p_value`` of counts and bases that may be fractional (effective
    counts of weighted answers)."""
    check_effective(c1, t1)
    check_effective(c2, t2)
    if t1 == 0 or t2 == 0:
        return math.nan
    pooled = (c1 + c2) / (t1 + t2)
    variance = pooled * (1.0 - pooled) * (1.0 / t1 + 1.0 / t2)
    if variance == 0:
        return 1.0
    return normal_two_sided_p((c2 / t2 - c1 / t1) / math.sqrt(variance))


def welch_p_value(a_values: Values, b_values: Values) -> float:
    """Two-sided Welch t-test of mean(a) == mean(b), the test behind ``welch_diff_ci``.

    NaN when a round has fewer than 2 scores or neither round has any spread.
    """
    terms = welch_terms(finite_values(a_values), finite_values(b_values))
    if math.isnan(terms.df):
        return math.nan
    return t_two_sided_p(terms.diff / terms.se, terms.df)


def benjamini_hochberg(p_values: Iterable[float | None], alpha: float = 0.05) -> tuple[list[bool], list[float]]:
    """Benjamini-Hochberg step-up procedure: which changes stay significant at false discovery
    rate ``alpha``, and the adjusted p-values (q-values), in the input order.

    NaN or None (a suppressed village, no test) passes through as ``False`` / NaN and does not
    count towards the number of tests, so it cannot change the other villages' results.
    """
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be between 0 and 1 (exclusive), got {alpha!r}")
    p = np.array([math.nan if value is None else float(value) for value in p_values], dtype=float)
    tested = np.flatnonzero(~np.isnan(p))
    if ((p[tested] < 0) | (p[tested] > 1)).any():
        raise ValueError("p-values must lie in [0, 1]")
    rejected = np.zeros(p.size, dtype=bool)
    adjusted = np.full(p.size, math.nan)
    m = tested.size
    if m:
        order = tested[np.argsort(p[tested], kind="stable")]
        ranked = p[order]
        fraction = np.arange(1, m + 1) / m
        # Step-up: reject every hypothesis up to the largest rank k with p_(k) <= k/m * alpha.
        passing = np.flatnonzero(ranked <= fraction * alpha)
        if passing.size:
            rejected[order[: passing[-1] + 1]] = True
        # q_(k) = min over j >= k of m/j * p_(j), capped at 1.
        adjusted[order] = np.minimum(np.minimum.accumulate((ranked / fraction)[::-1])[::-1], 1.0)
    return rejected.tolist(), adjusted.tolist()
