"""Weights (reports.weights) and weighted figures (reports.stats.weighted) against samplics'
post-stratification, raking and Taylor estimator, and statsmodels' Wilson and Welch, to 1e-9."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from reports.stats import ItemShare, mean_change, mean_ci, proportion_change
from reports.stats.intervals import wilson_bounds
from reports.stats.weighted import WeightedScores, effective_n, weighted_mean_change
from reports.weights import AGE_BANDS, SEXES, WEIGHT_CAP, targets_from_bands, trim, weigh

with warnings.catch_warnings():
    warnings.simplefilter("ignore", FutureWarning)  # "samplics is archived": still the reference
    from samplics.estimation import TaylorEstimator
    from samplics.utils.types import PopParam
    from samplics.weighting import SampleWeight

CENSUS = [("0-4", 800), ("5-14", 1500), ("15-19", 500), ("20-24", 600), ("25-29", 550), ("30-34", 500),
          ("35-44", 900), ("45-54", 800), ("55-59", 300), ("60+", 600)]
"""Five- and ten-year census bands, not the questionnaire's, with an open band that straddles two."""


def census_targets(female_share: float = 0.5) -> dict[tuple[str, str], float]:
    rows = [(band, sex, count * (female_share if sex == "female" else 1 - female_share) * 2)
            for band, count in CENSUS for sex in ("male", "female")]
    return targets_from_bands(rows)


def sample(n: int, seed: int, age_p=(0.3, 0.25, 0.2, 0.12, 0.08, 0.05), male=0.65) -> tuple[list, list]:
    rng = np.random.default_rng(seed)
    ages = list(rng.choice(list(AGE_BANDS), n, p=age_p))
    sexes = list(rng.choice(["1", "2"], n, p=[male, 1 - male]))
    return ages, sexes


def test_census_bands_are_split_by_years_onto_the_questionnaire_bands():
    targets = census_targets()
    # 15-19 gives 3 of its 5 years (17, 18, 19) to 17-24; 0-4 and 5-14 give nothing.
    assert targets[("1", "male")] == pytest.approx(500 * 3 / 5 + 600)
    # 60+ is taken to end at 89: 5 of its 30 years fall in 55-64, the rest in 65+.
    assert targets[("5", "female")] == pytest.approx(300 + 600 * 5 / 30)
    assert targets[("6", "female")] == pytest.approx(600 * 25 / 30)
    adults = 500 * 3 / 5 + sum(count for band, count in CENSUS if band not in ("0-4", "5-14", "15-19"))
    assert sum(targets.values()) == pytest.approx(2 * adults)
    with pytest.raises(ValueError, match="17-24 or 65"):
        targets_from_bands([("tua", "male", 3)])


def test_post_stratification_matches_samplics():
    ages, sexes = sample(400, seed=1)
    targets = census_targets(0.52)
    weighting = weigh(ages, sexes, targets)
    assert weighting.method == "poststratified" and weighting.collapsed == () and weighting.trimmed == 0
    labels = np.array([f"{a}/{SEXES[s]}" for a, s in zip(ages, sexes, strict=True)])
    total = sum(targets.values())
    control = {f"{a}/{s}": t / total * len(ages) for (a, s), t in targets.items()}
    expected = SampleWeight().poststratify(np.ones(len(ages)), control=control, domain=labels)
    np.testing.assert_allclose(weighting.weights, expected, rtol=1e-9)
    # The weighted sample has the population's shares in every cell.
    for (a, s), t in targets.items():
        in_cell = labels == f"{a}/{s}"
        assert weighting.weights[in_cell].sum() / len(ages) == pytest.approx(t / total, rel=1e-9)


def test_thin_cells_switch_to_raking_which_matches_samplics():
    ages, sexes = sample(80, seed=4)  # few 55-64 and 65+ women: some cells under 5
    targets = census_targets(0.5)
    weighting = weigh(ages, sexes, targets)
    assert weighting.method == "raked"
    # Raking to the same (possibly merged) margins with samplics gives the same weights.
    groups = _merged_groups(weighting.collapsed)
    age_labels = np.array([groups.get(a, a) for a in ages])
    sex_labels = np.array([SEXES[s] for s in sexes])
    total = sum(targets.values())
    age_control: dict[str, float] = {}
    for (a, _s), t in targets.items():
        age_control[groups.get(a, a)] = age_control.get(groups.get(a, a), 0) + t / total * len(ages)
    sex_control = {s: sum(t for (_a, x), t in targets.items() if x == s) / total * len(ages) for s in SEXES.values()}
    expected = SampleWeight().rake(np.ones(len(ages)), margins={"age": age_labels, "sex": sex_labels},
                                   control={"age": age_control, "sex": sex_control}, tol=1e-13, max_iter=2000)
    if weighting.trimmed:
        expected, _ = trim(expected, WEIGHT_CAP)
    np.testing.assert_allclose(weighting.weights, expected, rtol=1e-9)


def _merged_groups(collapsed: tuple[str, ...]) -> dict[str, str]:
    labels = {f"{first}+" if last is None else f"{first}-{last}": code for code, (first, last) in AGE_BANDS.items()}
    groups = {}
    for note in collapsed:
        if note != "sex":
            codes = [labels[part] for part in note.split(" + ")]
            groups.update({code: "+".join(codes) for code in codes})
    return groups


def test_an_empty_age_band_is_merged_with_its_neighbour_and_reported():
    ages = ["1"] * 20 + ["2"] * 20 + ["3"] * 15 + ["4"] * 10 + ["5"] * 6  # nobody 65+
    sexes = ["1", "2"] * (len(ages) // 2) + ["1"] * (len(ages) % 2)
    weighting = weigh(ages, sexes, census_targets())
    assert weighting.method == "raked"
    assert weighting.collapsed == ("55-64 + 65+",)
    # The merged group carries the residents of both bands.
    targets, total = census_targets(), sum(census_targets().values())
    old = sum(t for (a, _s), t in targets.items() if a in ("5", "6")) / total
    assert weighting.trimmed == 0
    assert weighting.weights[-6:].sum() / len(ages) == pytest.approx(old, rel=1e-9)


def test_one_sex_too_thin_drops_the_sex_margin():
    ages, _ = sample(60, seed=7)
    sexes = ["1"] * 57 + ["2"] * 3
    weighting = weigh(ages, sexes, census_targets())
    assert "sex" in weighting.collapsed


def test_weights_are_trimmed_at_the_cap_and_keep_their_total():
    ages = ["1"] * 95 + ["6"] * 5  # the old are 1 in 20 of the sample and 1 in 6 of adults
    sexes = ["1", "2"] * 50
    targets = {("1", "male"): 100.0, ("1", "female"): 100.0, ("6", "male"): 500.0, ("6", "female"): 500.0}
    weighting = weigh(ages, sexes, targets)
    assert weighting.trimmed == 5
    assert weighting.weights.max() == pytest.approx(WEIGHT_CAP)
    assert weighting.weights.sum() == pytest.approx(100)
    untrimmed = weigh(ages, sexes, targets, cap=1000)
    assert untrimmed.weights.max() > WEIGHT_CAP and untrimmed.trimmed == 0


def test_respondents_without_a_cell_keep_weight_one_and_no_targets_means_unweighted():
    ages, sexes = sample(100, seed=9)
    ages[0], sexes[1] = "9", None  # refused the age; not asked the sex
    weighting = weigh(ages, sexes, census_targets())
    assert weighting.without_cell == 2
    assert weighting.weights[0] == weighting.weights[1] == 1.0
    assert weighting.weights[2:].sum() == pytest.approx(98)
    assert weigh(ages, sexes, None).method == "unweighted"
    assert weigh(ages, sexes, {}).n_eff == 100


def test_effective_n_is_kish():
    w = np.array([0.5, 1.0, 1.5, 3.0])
    assert effective_n(w) == pytest.approx(w.sum() ** 2 / (w**2).sum(), rel=1e-12)
    assert effective_n(np.ones(37)) == 37


@pytest.mark.parametrize("seed", range(5))
def test_weighted_mean_matches_samplics_taylor_estimator(seed):
    rng = np.random.default_rng(seed)
    scores = rng.uniform(0, 100, 60).round(1)
    scores[:4] = np.nan  # respondents without an index score
    weights = rng.uniform(0.3, 3.0, 60)
    found = WeightedScores.of(scores, weights)
    kept = ~np.isnan(scores)
    estimator = TaylorEstimator(PopParam.mean)
    estimator.estimate(scores[kept], samp_weight=weights[kept])
    assert found.mean == pytest.approx(estimator.point_est, abs=1e-9)
    assert math.sqrt(found.variance) == pytest.approx(estimator.stderror, abs=1e-9)
    low, high = found.ci()
    assert (low, high) == pytest.approx((estimator.lower_ci, estimator.upper_ci), abs=1e-9)
    assert found.n == 56 and found.n_eff == pytest.approx(effective_n(weights[kept]), rel=1e-12)


def test_equal_weights_give_the_unweighted_figures():
    rng = np.random.default_rng(11)
    before, after = rng.uniform(0, 100, 45), rng.uniform(10, 100, 50)
    plain = mean_ci(before)
    weighted = WeightedScores.of(before, np.ones(45))
    assert (weighted.mean, *weighted.ci()) == pytest.approx(plain[:3], abs=1e-9)
    change = weighted_mean_change(weighted, WeightedScores.of(after, np.ones(50)), 30)
    expected = mean_change(before, after, 30)
    assert (change.estimate, change.ci_low, change.ci_high, change.p_value) == pytest.approx(
        (expected.estimate, expected.ci_low, expected.ci_high, expected.p_value), abs=1e-9)
    low, high = CompareMeans(DescrStatsW(after), DescrStatsW(before)).tconfint_diff(usevar="unequal")
    assert (change.ci_low, change.ci_high) == pytest.approx((low, high), abs=1e-9)


def test_weighted_mean_change_is_welch_on_the_linearised_variances():
    rng = np.random.default_rng(5)
    a = WeightedScores.of(rng.uniform(0, 100, 70), rng.uniform(0.5, 2, 70))
    b = WeightedScores.of(rng.uniform(20, 100, 80), rng.uniform(0.5, 4, 80))
    change = weighted_mean_change(a, b, 30)
    va, vb = a.variance, b.variance
    df = (va + vb) ** 2 / (va**2 / (a.n - 1) + vb**2 / (b.n - 1))
    from scipy import stats
    half = stats.t.ppf(0.975, df) * math.sqrt(va + vb)
    diff = b.mean - a.mean
    assert (change.estimate, change.ci_low, change.ci_high) == pytest.approx((diff, diff - half, diff + half), abs=1e-9)
    assert change.p_value == pytest.approx(2 * stats.t.sf(abs(diff) / math.sqrt(va + vb), df), abs=1e-12)


def test_min_n_applies_to_the_effective_n():
    rng = np.random.default_rng(2)
    uneven = np.r_[np.full(5, 8.0), np.ones(35)]  # 40 answers, n_eff about 10
    a = WeightedScores.of(rng.uniform(0, 100, 40), uneven)
    b = WeightedScores.of(rng.uniform(0, 100, 40), np.ones(40))
    assert a.n == 40 and a.n_eff < 30
    assert not weighted_mean_change(a, b, 30).computed
    share = ItemShare(40, 20, 0.5, *wilson_bounds(0.5 * a.n_eff, a.n_eff), effective_n=a.n_eff)
    even = ItemShare(40, 20, 0.5, *wilson_bounds(20, 40), effective_n=40.0)
    assert not proportion_change(share, even, 30).computed
    assert proportion_change(even, even, 30).computed


def test_weighted_share_interval_is_wilson_at_the_effective_n():
    rng = np.random.default_rng(8)
    weights = rng.uniform(0.4, 2.5, 90)
    favourable = rng.random(90) < 0.55
    share = float(weights[favourable].sum() / weights.sum())
    n_eff = effective_n(weights)
    estimator = TaylorEstimator(PopParam.prop)
    estimator.estimate(favourable.astype(float), samp_weight=weights)
    assert share == pytest.approx(estimator.point_est[1.0], abs=1e-12)
    low, high = wilson_bounds(share * n_eff, n_eff)
    assert (low, high) == pytest.approx(proportion_confint(share * n_eff, n_eff, method="wilson"), abs=1e-9)
    # The change: Newcombe's hybrid score interval on the effective counts and bases.
    later = ItemShare(80, 60, 0.75, *wilson_bounds(0.75 * 70.5, 70.5), effective_n=70.5)
    before = ItemShare(90, int(favourable.sum()), share, low, high, effective_n=n_eff)
    change = proportion_change(before, later, 30)
    expected = confint_proportions_2indep(0.75 * 70.5, 70.5, share * n_eff, n_eff, method="newcomb")
    assert (change.ci_low, change.ci_high) == pytest.approx(expected, abs=1e-9)
