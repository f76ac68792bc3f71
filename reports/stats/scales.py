"""Multi-item indices (Trust, Safety) on 0-100, and their internal consistency."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from reports.stats._core import FloatArray, sample_variance


def _as_float_frame(frame: pd.DataFrame) -> FloatArray:
    """Item scores as a float matrix (nullable dtypes' NA becomes NaN); infinities are corrupt data."""
    array = frame.to_numpy(dtype=float, na_value=np.nan)
    if np.isinf(array).any():
        raise ValueError("item scores must be finite numbers (NaN marks a missing score)")
    return array


def index_scores(scores: pd.DataFrame, min_share: float = 0.5) -> pd.Series:
    """Each respondent's index: the mean of their item scores, already rescaled to 0-100.

    One column per index item, NaN where the item was not answered (skipped, don't know,
    refused). A respondent counts only when they answered at least ``min_share`` of the
    items (the brief's "at least half"), so 2 of 4 items qualifies and 1 of 3 does not;
    everyone else gets NaN and drops out of the base.
    """
    if not 0.0 < min_share <= 1.0:
        raise ValueError(f"min_share must be in (0, 1], got {min_share!r}")
    array = _as_float_frame(scores)
    if ((array < 0) | (array > 100)).any():
        raise ValueError("index item scores must already be rescaled to 0-100")
    values = np.full(array.shape[0], np.nan)
    n_items = array.shape[1]
    if n_items:
        answered = (~np.isnan(array)).sum(axis=1)
        # answered / n_items is correctly rounded, so 1/2 or 3/10 compare exactly with 0.5 or 0.3.
        keep = (answered > 0) & (answered / n_items >= min_share)
        values[keep] = np.nansum(array[keep], axis=1) / answered[keep]
    return pd.Series(values, index=scores.index, dtype=float)


def cronbach_alpha(items: pd.DataFrame) -> float:
    """Cronbach's alpha over respondents who answered every item (listwise deletion).

    ``k/(k-1) * (1 - sum of item variances / variance of the total)``; 0.70 or more is the
    brief's "acceptable". NaN with fewer than 2 items or 2 complete rows, or when the totals
    do not vary (alpha is then 0/0).
    """
    array = _as_float_frame(items)
    complete = array[~np.isnan(array).any(axis=1)]
    n_rows, k = complete.shape
    if k < 2 or n_rows < 2:
        return math.nan
    total_variance = sample_variance(complete.sum(axis=1))
    if total_variance == 0:
        return math.nan
    item_variance = float(np.var(complete, axis=0, ddof=1).sum())
    return k / (k - 1) * (1.0 - item_variance / total_variance)
