"""Statistics behind every figure in a village report, checked against statsmodels and scipy.

Conventions shared by the whole package:

- A change is always *later round minus earlier round* (``after - before``, ``b - a``), so a
  positive estimate means the share or index rose since the earlier round.
- Proportions are fractions in [0, 1]; a change in a proportion is a fraction too
  (0.12 = 12 percentage points). Index scores and their changes are on the 0-100 scale.
- Missing information is NaN, never an exception: an empty base, a single respondent, a
  suppressed village. NaN flows through to the workbook, where it is shown as a blank.
  Inputs that cannot be right (negative counts, successes above the base, p-values outside
  [0, 1], infinite scores) raise ``ValueError``, and fractional counts ``TypeError``, so
  that a bug upstream is never printed as a result.
- Direction of a change comes from its confidence interval (the brief's rule); p-values are
  only there for Benjamini-Hochberg across villages.
"""

from reports.stats.intervals import mean_ci, newcombe_diff_ci, welch_diff_ci, wilson_ci
from reports.stats.scales import cronbach_alpha, index_scores
from reports.stats.significance import benjamini_hochberg, two_proportion_p_value, welch_p_value
from reports.stats.summaries import (
    CAUTION_BELOW,
    MIN_N,
    BaseFlag,
    Change,
    Direction,
    ItemShare,
    Suppression,
    base_flag,
    mean_change,
    proportion_change,
    top2_share,
)

__all__ = [
    "CAUTION_BELOW",
    "MIN_N",
    "BaseFlag",
    "Change",
    "Direction",
    "ItemShare",
    "Suppression",
    "base_flag",
    "benjamini_hochberg",
    "cronbach_alpha",
    "index_scores",
    "mean_change",
    "mean_ci",
    "newcombe_diff_ci",
    "proportion_change",
    "top2_share",
    "two_proportion_p_value",
    "welch_diff_ci",
    "welch_p_value",
    "wilson_ci",
]
