"""Confidence intervals for shares, means and their changes between two independent rounds."""

from __future__ import annotations

import math
from typing import SupportsIndex

from reports.stats._core import (
    Values,
    check_confidence,
    check_counts,
    check_effective,
    finite_values,
    sample_variance,
    t_critical,
    welch_terms,
    z_critical,
)

NAN = math.nan


def wilson_ci(successes: SupportsIndex, n: SupportsIndex, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a share, the brief's choice because it stays inside [0, 1]
    and keeps its coverage at the small bases (30-150) of a village round.

    ``n == 0`` returns ``(nan, nan)``: an empty base is a normal state of a table (nobody
    answered), not an error. Invalid counts raise ``ValueError``.
    """
    return wilson_bounds(*check_counts(successes, n), confidence)


def wilson_bounds(x: float, total: float, confidence: float = 0.95) -> tuple[float, float]:
    """``wilson_ci`` of a count and base that may be fractional: the effective count
    (share x effective n) and effective n of weighted answers, which are not whole numbers."""
    check_effective(x, total)
    z = z_critical(confidence)
    if total == 0:
        return NAN, NAN
    p = x / total
    z2 = z * z
    denom = 1.0 + z2 / total
    centre = (p + z2 / (2.0 * total)) / denom
    half = z * math.sqrt(p * (1.0 - p) / total + z2 / (4.0 * total * total)) / denom
    # At 0 and n the bounds are exactly 0 and 1; pin them so rounding cannot leave 1e-17.
    low = 0.0 if x == 0 else max(0.0, centre - half)
    high = 1.0 if x == total else min(1.0, centre + half)
    return low, high


def newcombe_diff_ci(
    x1: SupportsIndex,
    n1: SupportsIndex,
    x2: SupportsIndex,
    n2: SupportsIndex,
    confidence: float = 0.95,
) -> tuple[float, float, float]:
    """Change in a share, ``p2 - p1`` (later round minus earlier), with Newcombe's hybrid score
    interval (method 10 of Newcombe 1998) built from the two Wilson intervals.

    Returns ``(diff, low, high)``; all NaN when either base is empty.
    """
    return newcombe_bounds(*check_counts(x1, n1), *check_counts(x2, n2), confidence)


def newcombe_bounds(c1: float, t1: float, c2: float, t2: float, confidence: float = 0.95) -> tuple[float, float, float]:
    """``newcombe_diff_ci`` of counts and bases that may be fractional (effective counts of
    weighted answers: Newcombe's interval is built from two Wilson intervals, which take them)."""
    l1, u1 = wilson_bounds(c1, t1, confidence)
    l2, u2 = wilson_bounds(c2, t2, confidence)
    if t1 == 0 or t2 == 0:
        return NAN, NAN, NAN
    p1, p2 = c1 / t1, c2 / t2
    diff = p2 - p1
    low = diff - math.hypot(p2 - l2, u1 - p1)
    high = diff + math.hypot(u2 - p2, p1 - l1)
    return diff, low, high


def mean_ci(values: Values, confidence: float = 0.95) -> tuple[float, float, float, int]:
    """Mean with a Student t interval; returns ``(mean, low, high, n)`` over non-missing values.

    ``n == 0`` gives all NaN; ``n == 1`` gives the mean with a NaN interval (no spread can be
    estimated from one respondent). Identical values give a zero-width interval.
    """
    check_confidence(confidence)
    array = finite_values(values)
    n = int(array.size)
    if n == 0:
        return NAN, NAN, NAN, 0
    mean = float(array.mean())
    if n == 1:
        return mean, NAN, NAN, 1
    half = t_critical(confidence, n - 1) * math.sqrt(sample_variance(array) / n)
    return mean, mean - half, mean + half, n


def welch_diff_ci(a_values: Values, b_values: Values, confidence: float = 0.95) -> tuple[float, float, float, float]:
    """Change in a mean, ``mean(b) - mean(a)`` (later minus earlier), with Welch's t interval,
    which does not assume equal variances in the two rounds. Returns ``(diff, low, high, df)``.

    The interval and df are NaN when a round has fewer than 2 scores, or when neither round
    has any spread (df is then 0/0); the difference is NaN only when a round is empty.
    """
    check_confidence(confidence)
    terms = welch_terms(finite_values(a_values), finite_values(b_values))
    if math.isnan(terms.df):
        return terms.diff, NAN, NAN, NAN
    half = t_critical(confidence, terms.df) * terms.se
    return terms.diff, terms.diff - half, terms.diff + half, terms.df
