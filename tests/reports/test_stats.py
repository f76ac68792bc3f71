"""reports.stats against independent implementations: statsmodels, scipy and textbook formulas.

Every figure the report prints is checked on fixed cases (edges included: 0 successes, all
successes, n = 1, tiny samples), on published reference values, and on property-based data.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.stats
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint, proportions_ztest
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

import reports.stats as stats
from reports.stats import (
    Change,
    ItemShare,
    Suppression,
    base_flag,
    benjamini_hochberg,
    cronbach_alpha,
    index_scores,
    mean_change,
    mean_ci,
    newcombe_diff_ci,
    proportion_change,
    top2_share,
    two_proportion_p_value,
    welch_diff_ci,
    welch_p_value,
    wilson_ci,
)

PROPERTY = settings(max_examples=150, deadline=None)
CONFIDENCES = [0.8, 0.9, 0.95, 0.99]

# Likert-like 5-point scale with don't know / refused as separate codes.
SCALE = {"1", "2", "3", "4", "5"}
TOP2 = {"4", "5"}


def approx(value: float) -> object:
    """Agreement to about nine significant digits: different formulas, same number."""
    return pytest.approx(value, rel=1e-9, abs=1e-12)


@st.composite
def counts(draw: st.DrawFn, min_n: int = 1, max_n: int = 500) -> tuple[int, int]:
    n = draw(st.integers(min_n, max_n))
    return draw(st.integers(0, n)), n


# Index scores are averages of items rescaled to 0-100, so quarters of a point are realistic
# and keep the reference implementations away from catastrophic cancellation.
score = st.integers(0, 400).map(lambda v: v / 4)


def scores(min_size: int, max_size: int = 200) -> st.SearchStrategy[list[float]]:
    return st.lists(score, min_size=min_size, max_size=max_size)


def test_public_names_are_importable_from_reports_stats() -> None:
    for name in stats.__all__:
        assert hasattr(stats, name), name


# --- Wilson ---------------------------------------------------------------------------------

EDGE_COUNTS = [(0, 1), (1, 1), (0, 2), (1, 2), (0, 5), (5, 5), (2, 7), (0, 30), (1, 30), (15, 30), (30, 30), (57, 120)]


@pytest.mark.parametrize(("x", "n"), EDGE_COUNTS)
@pytest.mark.parametrize("confidence", CONFIDENCES)
def test_wilson_matches_statsmodels_on_edge_cases(x: int, n: int, confidence: float) -> None:
    low, high = proportion_confint(x, n, alpha=1 - confidence, method="wilson")
    assert wilson_ci(x, n, confidence) == (approx(low), approx(high))


def test_wilson_matches_newcombe_1998_published_value() -> None:
    # Newcombe (1998), Statistics in Medicine 17:857, example 81/263: 0.2553 to 0.3662.
    low, high = wilson_ci(81, 263)
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)


def test_wilson_bounds_are_exact_at_zero_and_all() -> None:
    assert wilson_ci(0, 40)[0] == 0.0
    assert wilson_ci(40, 40)[1] == 1.0


def test_wilson_empty_base_is_nan_not_an_error() -> None:
    low, high = wilson_ci(0, 0)
    assert math.isnan(low) and math.isnan(high)


@pytest.mark.parametrize(("x", "n"), [(-1, 10), (11, 10), (0, -1)])
def test_wilson_rejects_impossible_counts(x: int, n: int) -> None:
    with pytest.raises(ValueError, match="successes"):
        wilson_ci(x, n)


def test_counts_must_be_whole_numbers_but_numpy_integers_are_fine() -> None:
    with pytest.raises(TypeError):
        wilson_ci(2.5, 10)  # type: ignore[arg-type]
    assert wilson_ci(np.int64(3), np.int64(10)) == wilson_ci(3, 10)


@pytest.mark.parametrize("confidence", [0, 1, 95, -0.5])
def test_confidence_outside_unit_interval_is_rejected(confidence: float) -> None:
    with pytest.raises(ValueError, match="confidence"):
        wilson_ci(3, 10, confidence)
    with pytest.raises(ValueError, match="confidence"):
        mean_ci([1.0, 2.0], confidence)


@PROPERTY
@given(counts(), st.sampled_from(CONFIDENCES))
def test_wilson_matches_statsmodels(case: tuple[int, int], confidence: float) -> None:
    x, n = case
    low, high = wilson_ci(x, n, confidence)
    ref_low, ref_high = proportion_confint(x, n, alpha=1 - confidence, method="wilson")
    assert (low, high) == (approx(ref_low), approx(ref_high))
    assert 0.0 <= low <= x / n <= high <= 1.0


# --- Newcombe -------------------------------------------------------------------------------


def reference_newcombe(x1: int, n1: int, x2: int, n2: int, confidence: float = 0.95) -> tuple[float, float]:
    # statsmodels gives the interval for p1 - p2 of its (count1, nobs1) minus (count2, nobs2),
    # so the later round goes first to get p_later - p_earlier.
    low, high = confint_proportions_2indep(x2, n2, x1, n1, method="newcomb", compare="diff", alpha=1 - confidence)
    return float(low), float(high)


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2"),
    [(0, 1, 1, 1), (1, 1, 0, 1), (0, 30, 0, 30), (30, 30, 30, 30), (0, 30, 30, 30), (2, 7, 5, 6), (48, 80, 56, 70)],
)
@pytest.mark.parametrize("confidence", CONFIDENCES)
def test_newcombe_matches_statsmodels_on_edge_cases(x1: int, n1: int, x2: int, n2: int, confidence: float) -> None:
    diff, low, high = newcombe_diff_ci(x1, n1, x2, n2, confidence)
    assert diff == approx(x2 / n2 - x1 / n1)
    assert (low, high) == tuple(approx(v) for v in reference_newcombe(x1, n1, x2, n2, confidence))


@pytest.mark.parametrize(
    ("earlier", "later", "published"),
    # Newcombe (1998), Statistics in Medicine 17:873, method 10, examples (a) and (b).
    [((48, 80), (56, 70), (0.2000, 0.0524, 0.3339)), ((3, 10), (9, 10), (0.6000, 0.1705, 0.8090))],
)
def test_newcombe_matches_published_values(
    earlier: tuple[int, int], later: tuple[int, int], published: tuple[float, float, float]
) -> None:
    assert tuple(round(v, 4) for v in newcombe_diff_ci(*earlier, *later)) == published


def test_newcombe_difference_is_later_minus_earlier() -> None:
    diff, low, high = newcombe_diff_ci(10, 50, 30, 50)
    assert diff == pytest.approx(0.4)
    assert low > 0
    flipped = newcombe_diff_ci(30, 50, 10, 50)
    assert flipped == (approx(-diff), approx(-high), approx(-low))


@pytest.mark.parametrize(("n", "half_width"), [(100, 0.14), (30, 0.24)])
def test_newcombe_detectable_change_matches_the_brief(n: int, half_width: float) -> None:
    # Brief: ~14 points can be told from noise with 100 per round, ~25 with 30 (at 50%).
    _, low, high = newcombe_diff_ci(n // 2, n, n // 2, n)
    assert (high - low) / 2 == pytest.approx(half_width, abs=0.005)


def test_newcombe_with_an_empty_base_is_nan() -> None:
    assert all(math.isnan(v) for v in newcombe_diff_ci(0, 0, 3, 10))
    assert all(math.isnan(v) for v in newcombe_diff_ci(3, 10, 0, 0))


@PROPERTY
@given(counts(), counts(), st.sampled_from(CONFIDENCES))
def test_newcombe_matches_statsmodels(before: tuple[int, int], after: tuple[int, int], confidence: float) -> None:
    (x1, n1), (x2, n2) = before, after
    diff, low, high = newcombe_diff_ci(x1, n1, x2, n2, confidence)
    ref_low, ref_high = reference_newcombe(x1, n1, x2, n2, confidence)
    assert (low, high) == (approx(ref_low), approx(ref_high))
    assert -1.0 <= low <= diff <= high <= 1.0


# --- Two-proportion z-test ------------------------------------------------------------------


@pytest.mark.parametrize(("x1", "n1", "x2", "n2"), [(0, 1, 1, 1), (0, 30, 30, 30), (2, 7, 5, 6), (48, 80, 56, 70)])
def test_two_proportion_p_value_matches_statsmodels(x1: int, n1: int, x2: int, n2: int) -> None:
    _, ref = proportions_ztest([x1, x2], [n1, n2])
    assert two_proportion_p_value(x1, n1, x2, n2) == approx(ref)


@pytest.mark.parametrize(("x", "n"), [(0, 30), (30, 30)])
def test_two_proportion_p_value_is_one_when_both_rounds_sit_at_the_same_boundary(x: int, n: int) -> None:
    later = x and n + 5  # 0 of 35, or 35 of 35
    assert two_proportion_p_value(x, n, later, n + 5) == 1.0


def test_two_proportion_p_value_with_an_empty_base_is_nan() -> None:
    assert math.isnan(two_proportion_p_value(0, 0, 3, 10))


@PROPERTY
@given(counts(), counts())
def test_two_proportion_p_value_matches_statsmodels_everywhere(before: tuple[int, int], after: tuple[int, int]) -> None:
    (x1, n1), (x2, n2) = before, after
    assume(0 < x1 + x2 < n1 + n2)  # statsmodels divides by zero at a shared boundary
    _, ref = proportions_ztest([x1, x2], [n1, n2])
    assert two_proportion_p_value(x1, n1, x2, n2) == pytest.approx(float(ref), rel=1e-9, abs=1e-15)


# --- Means and Welch ------------------------------------------------------------------------


@pytest.mark.parametrize("values", [[1.0, 2.0], [0.0, 100.0, 50.0], [12.5, 40.0, 40.0, 90.0, 100.0]])
@pytest.mark.parametrize("confidence", CONFIDENCES)
def test_mean_ci_matches_statsmodels(values: list[float], confidence: float) -> None:
    ref_low, ref_high = DescrStatsW(np.array(values)).tconfint_mean(alpha=1 - confidence)
    mean, low, high, n = mean_ci(values, confidence)
    assert (mean, low, high, n) == (approx(sum(values) / len(values)), approx(ref_low), approx(ref_high), len(values))


def test_mean_ci_drops_missing_scores_from_the_base() -> None:
    for values in ([10.0, None, 30.0], [10.0, math.nan, 30.0], pd.Series([10.0, None, 30.0], dtype="Float64")):
        assert mean_ci(values) == mean_ci([10.0, 30.0])
        assert mean_ci(values)[3] == 2


def test_mean_ci_small_samples() -> None:
    mean, low, high, n = mean_ci([])
    assert n == 0 and all(math.isnan(v) for v in (mean, low, high))
    mean, low, high, n = mean_ci([42.0])
    assert (mean, n) == (42.0, 1) and math.isnan(low) and math.isnan(high)
    assert mean_ci([0.1, 0.1, 0.1]) == (approx(0.1), approx(0.1), approx(0.1), 3)


def test_scores_must_be_finite() -> None:
    with pytest.raises(ValueError, match="finite"):
        mean_ci([1.0, math.inf])


@PROPERTY
@given(scores(min_size=2), st.sampled_from(CONFIDENCES))
def test_mean_ci_matches_scipy(values: list[float], confidence: float) -> None:
    assume(np.ptp(values) > 0)
    array = np.array(values)
    ref_low, ref_high = scipy.stats.t.interval(
        confidence, len(values) - 1, loc=array.mean(), scale=scipy.stats.sem(array)
    )
    mean, low, high, n = mean_ci(values, confidence)
    assert (low, high, n) == (approx(ref_low), approx(ref_high), len(values))
    assert low <= mean <= high


def reference_welch(a: list[float], b: list[float], confidence: float) -> tuple[float, float, float, float]:
    with warnings.catch_warnings():
        # scipy warns about "catastrophic cancellation" for a round with no spread, where the
        # result is nevertheless exact; only the reference is excused, reports.stats is not.
        warnings.filterwarnings("ignore", message="Precision loss", category=RuntimeWarning)
        result = scipy.stats.ttest_ind(b, a, equal_var=False)
    ci = result.confidence_interval(confidence_level=confidence)
    return float(ci.low), float(ci.high), float(result.df), float(result.pvalue)


WELCH_CASES = [
    ([1.0, 2.0], [3.0, 5.0]),
    ([50.0, 50.0, 50.0], [40.0, 60.0, 75.0, 80.0]),  # no spread in one round only
    ([0.0, 25.0, 50.0, 75.0, 100.0], [60.0, 70.0]),
    ([10.0, 20.0, 30.0, 40.0] * 10, [12.5, 87.5] * 20),
]


@pytest.mark.parametrize(("a", "b"), WELCH_CASES)
@pytest.mark.parametrize("confidence", CONFIDENCES)
def test_welch_matches_scipy_and_statsmodels(a: list[float], b: list[float], confidence: float) -> None:
    ref_low, ref_high, ref_df, ref_p = reference_welch(a, b, confidence)
    diff, low, high, df = welch_diff_ci(a, b, confidence)
    assert (diff, low, high, df) == (
        approx(float(np.mean(b) - np.mean(a))),
        approx(ref_low),
        approx(ref_high),
        approx(ref_df),
    )
    sm_low, sm_high = CompareMeans(DescrStatsW(np.array(b)), DescrStatsW(np.array(a))).tconfint_diff(
        alpha=1 - confidence, usevar="unequal"
    )
    assert (low, high) == (approx(sm_low), approx(sm_high))
    assert welch_p_value(a, b) == approx(ref_p)


def test_welch_without_enough_data_or_spread_gives_no_interval() -> None:
    for a, b in (([1.0], [2.0, 3.0]), ([1.0, 2.0], [3.0]), ([50.0, 50.0], [75.0, 75.0, 75.0])):
        diff, low, high, df = welch_diff_ci(a, b)
        assert diff == approx(float(np.mean(b) - np.mean(a)))
        assert math.isnan(low) and math.isnan(high) and math.isnan(df)
        assert math.isnan(welch_p_value(a, b))
    assert all(math.isnan(v) for v in welch_diff_ci([], [1.0, 2.0]))


@PROPERTY
@given(scores(min_size=2), scores(min_size=2), st.sampled_from(CONFIDENCES))
def test_welch_matches_scipy_everywhere(a: list[float], b: list[float], confidence: float) -> None:
    assume(np.ptp(a) > 0 or np.ptp(b) > 0)
    ref_low, ref_high, ref_df, ref_p = reference_welch(a, b, confidence)
    diff, low, high, df = welch_diff_ci(a, b, confidence)
    assert [low, high, df] == pytest.approx([ref_low, ref_high, ref_df], rel=1e-8, abs=1e-9)
    assert welch_p_value(a, b) == pytest.approx(ref_p, rel=1e-7, abs=1e-12)
    assert low <= diff <= high
    assert min(len(a), len(b)) - 1 <= df + 1e-9 and df <= len(a) + len(b) - 2 + 1e-9


# --- Cronbach's alpha -----------------------------------------------------------------------


def reference_alpha(frame: pd.DataFrame) -> float:
    # Covariance-matrix route: k/(k-1) * (1 - trace(C) / sum(C)), a different path from the
    # item-variance / variance-of-total computation in reports.stats.
    complete = frame.dropna().to_numpy(dtype=float)
    cov = np.cov(complete, rowvar=False)
    k = complete.shape[1]
    return k / (k - 1) * (1 - np.trace(cov) / cov.sum())


def test_alpha_on_a_known_table() -> None:
    items = pd.DataFrame({"a": [1, 2, 3, 4, 5, 3], "b": [2, 2, 3, 5, 4, 3], "c": [1, 3, 3, 4, 5, 2]})
    assert cronbach_alpha(items) == approx(reference_alpha(items))
    assert cronbach_alpha(items) >= 0.70


def test_alpha_of_identical_items_is_one_and_uses_complete_rows_only() -> None:
    items = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0, None], "b": [1.0, 2.0, 3.0, 4.0, 5.0]})
    assert cronbach_alpha(items) == approx(1.0)
    with_gap = pd.DataFrame({"a": [1.0, 5.0, 3.0, 4.0, 2.0], "b": [2.0, None, 3.0, 5.0, 1.0]})
    assert cronbach_alpha(with_gap) == approx(cronbach_alpha(with_gap.drop(index=1)))


@pytest.mark.parametrize(
    "items",
    [
        pd.DataFrame({"only": [1, 2, 3]}),  # one item
        pd.DataFrame({"a": [1, None], "b": [2, 3]}),  # one complete row
        pd.DataFrame({"a": [1, 2, 3], "b": [3, 2, 1]}),  # totals do not vary
        pd.DataFrame({"a": [2, 2], "b": [4, 4]}),  # nothing varies
        pd.DataFrame(),
    ],
)
def test_alpha_is_nan_when_undefined(items: pd.DataFrame) -> None:
    assert math.isnan(cronbach_alpha(items))


@PROPERTY
@given(
    st.integers(2, 8).flatmap(
        lambda k: st.lists(
            # Gaps are rare enough (1 in 16) that listwise deletion leaves rows to compare.
            st.lists(st.sampled_from([1, 2, 3, 4, 5] * 3 + [None]), min_size=k, max_size=k),
            min_size=3,
            max_size=150,
        )
    )
)
def test_alpha_matches_the_covariance_formula(rows: list[list[int | None]]) -> None:
    frame = pd.DataFrame(rows, dtype=float)
    complete = frame.dropna()
    assume(len(complete) >= 2 and np.ptp(complete.sum(axis=1).to_numpy()) > 0)
    assert cronbach_alpha(frame) == pytest.approx(reference_alpha(frame), rel=1e-9, abs=1e-9)


# --- Benjamini-Hochberg ---------------------------------------------------------------------


def test_bh_matches_statsmodels_on_a_known_list() -> None:
    p = [0.001, 0.008, 0.039, 0.041, 0.042, 0.060, 0.074, 0.205, 0.212, 0.216]
    rejected, adjusted = benjamini_hochberg(p)
    ref_rejected, ref_adjusted, _, _ = multipletests(p, alpha=0.05, method="fdr_bh")
    assert rejected == ref_rejected.tolist()
    assert adjusted == [approx(v) for v in ref_adjusted]
    assert rejected[:2] == [True, True] and not any(rejected[2:])


def test_bh_nan_villages_pass_through_without_affecting_others() -> None:
    p = [0.01, math.nan, 0.04, None, 0.03]
    rejected, adjusted = benjamini_hochberg(p)
    alone_rejected, alone_adjusted = benjamini_hochberg([0.01, 0.04, 0.03])
    assert [rejected[i] for i in (0, 2, 4)] == alone_rejected
    assert [adjusted[i] for i in (0, 2, 4)] == alone_adjusted
    assert rejected[1] is False and rejected[3] is False
    assert math.isnan(adjusted[1]) and math.isnan(adjusted[3])


def test_bh_edge_cases() -> None:
    assert benjamini_hochberg([]) == ([], [])
    rejected, adjusted = benjamini_hochberg([math.nan])
    assert rejected == [False] and math.isnan(adjusted[0])
    assert benjamini_hochberg([0.05]) == ([True], [0.05])
    assert benjamini_hochberg([0.9, 0.95]) == ([False, False], [0.95, 0.95])


@pytest.mark.parametrize("p", [[-0.1], [1.5]])
def test_bh_rejects_impossible_p_values(p: list[float]) -> None:
    with pytest.raises(ValueError, match="p-values"):
        benjamini_hochberg(p)


@PROPERTY
@given(
    st.lists(st.one_of(st.floats(0, 1), st.just(math.nan)), max_size=80),
    st.sampled_from([0.01, 0.05, 0.10]),
)
def test_bh_matches_statsmodels(p: list[float], alpha: float) -> None:
    rejected, adjusted = benjamini_hochberg(p, alpha)
    tested = [i for i, value in enumerate(p) if not math.isnan(value)]
    assert [rejected[i] for i in range(len(p)) if i not in tested] == [False] * (len(p) - len(tested))
    assert all(math.isnan(adjusted[i]) for i in range(len(p)) if i not in tested)
    assume(tested)
    ref_rejected, ref_adjusted, _, _ = multipletests([p[i] for i in tested], alpha=alpha, method="fdr_bh")
    assert [rejected[i] for i in tested] == ref_rejected.tolist()
    assert [adjusted[i] for i in tested] == [approx(v) for v in ref_adjusted]


# --- Item shares (top-2 box) ----------------------------------------------------------------


def test_top2_share_excludes_special_codes_and_missing_from_the_base() -> None:
    codes = pd.Series(["5", "4", "3", "dont_know", "refused", None, math.nan, "1", "4", "not_applicable"])
    share = top2_share(codes, TOP2, SCALE)
    assert (share.n, share.favourable) == (5, 3)
    assert share.share == approx(3 / 5)
    assert (share.ci_low, share.ci_high) == wilson_ci(3, 5)


def test_top2_share_works_on_pandas_string_dtype_and_tuples() -> None:
    codes = pd.Series(["4", "2", pd.NA, "5"], dtype="string")
    assert top2_share(codes, ("4", "5"), tuple(sorted(SCALE))) == top2_share(codes.astype(object), TOP2, SCALE)


def test_top2_share_of_a_negatively_worded_item_counts_the_low_end() -> None:
    worry = pd.Series(["1", "2", "4", "dont_know"])
    assert top2_share(worry, {"1", "2"}, {"1", "2", "3", "4"}).favourable == 2


def test_top2_share_with_no_valid_answers_is_nan() -> None:
    share = top2_share(pd.Series(["dont_know", None]), TOP2, SCALE)
    assert share.n == 0 and share.favourable == 0
    assert math.isnan(share.share) and math.isnan(share.ci_low) and math.isnan(share.ci_high)


def test_top2_share_rejects_favourable_codes_off_the_scale() -> None:
    with pytest.raises(ValueError, match="dont_know"):
        top2_share(pd.Series(["4"]), {"4", "dont_know"}, SCALE)


@PROPERTY
@given(st.lists(st.sampled_from(["1", "2", "3", "4", "5", "dont_know", "refused", None]), max_size=300))
def test_top2_share_counts_like_a_plain_loop(answers: list[str | None]) -> None:
    share = top2_share(pd.Series(answers, dtype=object), TOP2, SCALE)
    valid = [a for a in answers if a in SCALE]
    hits = sum(a in TOP2 for a in valid)
    assert (share.n, share.favourable) == (len(valid), hits)
    if valid:
        ref_low, ref_high = proportion_confint(hits, len(valid), method="wilson")
        assert (share.share, share.ci_low, share.ci_high) == (
            approx(hits / len(valid)),
            approx(ref_low),
            approx(ref_high),
        )


# --- Index scores ---------------------------------------------------------------------------


def test_index_requires_at_least_half_of_the_items() -> None:
    frame = pd.DataFrame(
        {
            "trust": [100.0, 100.0, None, 0.0, None],
            "fair": [50.0, None, None, 75.0, None],
            "effective": [None, None, 25.0, 75.0, None],
            "reliable": [None, None, None, 50.0, None],
        },
        index=["two_of_four", "one_of_four", "one_of_four_b", "all", "none"],
    )
    result = index_scores(frame)
    assert result["two_of_four"] == 75.0
    assert result["all"] == 50.0
    assert result[["one_of_four", "one_of_four_b", "none"]].isna().all()
    assert list(result.index) == list(frame.index)


def test_index_half_rule_with_an_odd_number_of_items() -> None:
    frame = pd.DataFrame({"a": [100.0, 100.0], "b": [None, 0.0], "c": [None, None]})
    result = index_scores(frame)
    assert math.isnan(result.iloc[0])  # 1 of 3 is less than half
    assert result.iloc[1] == 50.0  # 2 of 3 is more than half


def test_index_min_share_is_configurable() -> None:
    frame = pd.DataFrame({"a": [100.0, 40.0], "b": [None, 60.0], "c": [None, None]})
    assert index_scores(frame, min_share=1 / 3).tolist() == [100.0, 50.0]
    result = index_scores(frame, min_share=1.0)
    assert result.isna().all()


def test_index_inputs_are_checked() -> None:
    with pytest.raises(ValueError, match="0-100"):
        index_scores(pd.DataFrame({"a": [101.0]}))
    with pytest.raises(ValueError, match="min_share"):
        index_scores(pd.DataFrame({"a": [1.0]}), min_share=0)
    assert index_scores(pd.DataFrame(index=[1, 2])).isna().all()


@PROPERTY
@given(
    st.integers(1, 8).flatmap(
        lambda k: st.lists(st.lists(st.one_of(score, st.none()), min_size=k, max_size=k), max_size=100)
    ),
    st.sampled_from([0.5, 0.3, 2 / 3, 1.0]),
)
def test_index_matches_a_row_by_row_reference(rows: list[list[float | None]], min_share: float) -> None:
    frame = pd.DataFrame(rows, columns=[f"item{i}" for i in range(len(rows[0]))] if rows else None, dtype=float)
    result = index_scores(frame, min_share)
    for (_, row), value in zip(frame.iterrows(), result, strict=True):
        answered = [v for v in row if not math.isnan(v)]
        if answered and len(answered) >= min_share * len(row) - 1e-9:
            assert value == approx(sum(answered) / len(answered))
        else:
            assert math.isnan(value)


# --- Suppression ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "flag"), [(0, "suppressed"), (29, "suppressed"), (30, "caution"), (59, "caution"), (60, "ok"), (150, "ok")]
)
def test_base_flag_default_policy(n: int, flag: str) -> None:
    assert base_flag(n) == flag
    assert Suppression().flag(n) == flag
    assert Suppression().allows(n) == (flag != "suppressed")


def test_base_flag_minimum_is_configurable() -> None:
    assert base_flag(45, min_n=50) == "suppressed"
    assert base_flag(55, min_n=50) == "caution"
    assert base_flag(70, min_n=80) == "suppressed"
    assert base_flag(80, min_n=80) == "ok"  # caution band empty when it ends below the minimum
    assert base_flag(30, min_n=30, caution_below=40) == "caution"
    with pytest.raises(ValueError, match="min_n"):
        Suppression(min_n=0)


# --- Changes --------------------------------------------------------------------------------


def share(favourable: int, n: int) -> ItemShare:
    low, high = wilson_ci(favourable, n)
    return ItemShare(n, favourable, favourable / n if n else math.nan, low, high)


@pytest.mark.parametrize(
    ("low", "high", "direction"),
    [(0.01, 0.2, "up"), (-0.2, -0.01, "down"), (-0.1, 0.1, "none"), (0.0, 0.2, "none"), (-0.2, 0.0, "none")],
)
def test_direction_needs_the_interval_to_exclude_zero(low: float, high: float, direction: str) -> None:
    assert Change((low + high) / 2, low, high, 0.5).direction == direction


def test_proportion_change_up_down_and_none() -> None:
    up = proportion_change(share(30, 100), share(60, 100))
    assert up.direction == "up" and up.estimate == approx(0.3) and up.p_value < 0.05
    assert (up.ci_low, up.ci_high) == tuple(approx(v) for v in reference_newcombe(30, 100, 60, 100))
    assert up.p_value == approx(proportions_ztest([30, 60], [100, 100])[1])
    assert proportion_change(share(60, 100), share(30, 100)).direction == "down"
    # 10 points on 100 per round is inside the noise (the brief: ~14 points needed).
    assert proportion_change(share(50, 100), share(60, 100)).direction == "none"


def test_proportion_change_is_withheld_below_the_minimum_base() -> None:
    change = proportion_change(share(0, 29), share(29, 29))
    assert not change.computed and change.direction == "none"
    assert all(math.isnan(v) for v in (change.estimate, change.ci_low, change.ci_high, change.p_value))
    assert proportion_change(share(0, 30), share(30, 30)).direction == "up"
    assert not proportion_change(share(0, 30), share(30, 30), min_n=40).computed
    assert proportion_change(share(0, 10), share(10, 10), min_n=10).computed


def test_mean_change_uses_welch_and_counts_only_scored_respondents() -> None:
    before = [40.0, 50.0, 60.0] * 10
    after = [60.0, 70.0, 80.0] * 10 + [None] * 5
    change = mean_change(before, after)
    ref_low, ref_high, _, ref_p = reference_welch(before, [60.0, 70.0, 80.0] * 10, 0.95)
    assert (change.estimate, change.ci_low, change.ci_high, change.p_value) == (
        approx(20.0),
        approx(ref_low),
        approx(ref_high),
        approx(ref_p),
    )
    assert change.direction == "up"
    assert mean_change(after, before).direction == "down"
    assert not mean_change(before[:29] + [None], after).computed


def test_mean_change_without_spread_is_computed_but_not_significant() -> None:
    change = mean_change([50.0] * 30, [50.0] * 30)
    assert change.computed and change.estimate == 0.0 and change.direction == "none"
