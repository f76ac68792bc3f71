"""Input checks, critical values and the Welch terms shared by intervals and tests.

Quantiles come from ``scipy.special`` (plain functions, no distribution objects); the
intervals themselves are computed here so that statsmodels and scipy.stats stay an
independent check in the tests.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterable
from dataclasses import dataclass
from typing import SupportsIndex, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import special

FloatArray: TypeAlias = npt.NDArray[np.float64]
Values: TypeAlias = Iterable[float | None] | FloatArray | pd.Series
"""Numeric answers; NaN or None means "no score" and is dropped before any computation."""


def check_confidence(confidence: float) -> float:
    """Reject a confidence level outside (0, 1): 95 instead of 0.95 is a common slip."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1 (exclusive), got {confidence!r}")
    return float(confidence)


def z_critical(confidence: float) -> float:
    """Two-sided standard normal critical value, e.g. 1.959964 for 95%."""
    return float(special.ndtri(0.5 + check_confidence(confidence) / 2.0))


def t_critical(confidence: float, df: float) -> float:
    """Two-sided Student t critical value; ``df`` may be fractional (Welch)."""
    return float(special.stdtrit(df, 0.5 + check_confidence(confidence) / 2.0))


def t_two_sided_p(t: float, df: float) -> float:
    """Two-sided p-value of a t statistic, computed on the lower tail to keep precision."""
    return float(2.0 * special.stdtr(df, -abs(t)))


def normal_two_sided_p(z: float) -> float:
    """Two-sided p-value of a z statistic; erfc keeps precision far in the tail."""
    return math.erfc(abs(z) / math.sqrt(2.0))


def check_counts(successes: SupportsIndex, n: SupportsIndex) -> tuple[int, int]:
    """Counts must be whole numbers with 0 <= successes <= n; anything else is a bug upstream."""
    x, total = operator.index(successes), operator.index(n)
    if total < 0 or x < 0 or x > total:
        raise ValueError(f"need 0 <= successes <= n, got successes={x}, n={total}")
    return x, total


def check_effective(x: float, n: float) -> None:
    """An effective count and base (weighted answers) need only be finite with 0 <= x <= n;
    a little rounding above n is allowed, as a share of 1 times n_eff can land there."""
    if not (math.isfinite(x) and math.isfinite(n)) or n < 0 or x < 0 or x > n * (1 + 1e-12):
        raise ValueError(f"need 0 <= successes <= n, got successes={x}, n={n}")


def finite_values(values: Values) -> FloatArray:
    """Scores as a float array with NaN/None dropped; infinities are rejected as corrupt data."""
    if isinstance(values, pd.Series):
        array = values.to_numpy(dtype=float, na_value=np.nan)
    else:
        array = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=float)
    array = array.ravel()
    array = array[~np.isnan(array)]
    if np.isinf(array).any():
        raise ValueError("scores must be finite numbers (NaN marks a missing score)")
    return array


def sample_variance(values: FloatArray) -> float:
    """Variance with ddof=1; exactly 0 for identical values, where rounding would leave dust."""
    if values.size < 2:
        return math.nan
    if np.ptp(values) == 0:
        return 0.0
    return float(np.var(values, ddof=1))


@dataclass(frozen=True)
class WelchTerms:
    """Ingredients of Welch's interval and test for mean(b) - mean(a)."""

    diff: float
    se: float
    df: float


def welch_terms(a: FloatArray, b: FloatArray) -> WelchTerms:
    """Difference, standard error and Welch-Satterthwaite df; NaN where they do not exist.

    With fewer than 2 scores in a round there is no variance, so no se and no df. When
    neither round has any spread the se is 0 and df is undefined (0/0), so df is NaN and
    callers report no interval rather than a zero-width one.
    """
    diff = float(b.mean() - a.mean()) if a.size and b.size else math.nan
    if a.size < 2 or b.size < 2:
        return WelchTerms(diff, math.nan, math.nan)
    return welch_from(diff, sample_variance(a) / a.size, sample_variance(b) / b.size, a.size, b.size)


def welch_from(diff: float, va: float, vb: float, na: float, nb: float) -> WelchTerms:
    """Welch's terms from each round's variance of its mean and its count: shared by plain
    scores (s^2 / n) and weighted ones (the linearised variance of a weighted mean)."""
    total = va + vb
    if total == 0:
        return WelchTerms(diff, 0.0, math.nan)
    # Written with the share w of the variance from round a so that tiny variances cannot
    # underflow to 0/0: df = (va + vb)^2 / (va^2/(na-1) + vb^2/(nb-1)).
    w = va / total
    df = 1.0 / (w * w / (na - 1) + (1.0 - w) * (1.0 - w) / (nb - 1))
    return WelchTerms(diff, math.sqrt(total), df)
