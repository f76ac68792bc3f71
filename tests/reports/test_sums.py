"""Summary sums: area figures from added-up village sums equal those from every response."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

import reports.tables.sums
from reports.stats import Suppression, cronbach_alpha, mean_ci
from reports.stats.moments import CoMoments, Moments, total_comoments, total_moments
from reports.tables.comparison import Population, all_area_figures
from reports.tables.sums import PlaceSums, population_from_sums, sums_by_place, total_sums
from tests.reports.conftest import Demo

# Index scores are means of 0-100 item scores: hundredths, and thirds like 100/3.
scores = st.lists(st.one_of(st.integers(0, 10_000).map(lambda i: i / 100),
                            st.sampled_from([0.0, 25.0, 100 / 3, 50.0, 200 / 3, 100.0])), max_size=40)


@settings(max_examples=200, deadline=None)
@given(values=scores, cuts=st.lists(st.integers(0, 40), max_size=4))
def test_moments_of_parts_add_up_to_the_moments_of_the_whole(values, cuts):
    bounds = sorted({0, len(values), *(c for c in cuts if c <= len(values))})
    parts = [Moments.of(values[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]
    whole, added = Moments.of(values), total_moments(parts)
    assert added.n == whole.n == len(values)
    expected = mean_ci(values)
    for got, want in zip(added.mean_ci(), expected, strict=True):
        assert got == pytest.approx(want, rel=1e-9, abs=1e-9, nan_ok=True)
    if len(values) >= 2 and len(set(values)) > 1:  # the independent check: scipy's t interval
        low, high = scipy_stats.t.interval(0.95, len(values) - 1, loc=np.mean(values),
                                           scale=scipy_stats.sem(values))
        assert added.mean_ci()[1:3] == pytest.approx((low, high), rel=1e-9, abs=1e-9)
    if len(set(values)) == 1:
        assert added.m2 == 0.0  # identical values: a zero-width interval, never rounding dust


rows = st.lists(
    st.lists(st.one_of(st.none(), st.sampled_from([0.0, 25.0, 50.0, 75.0, 100.0])), min_size=4, max_size=4),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(table=rows, cut=st.integers(0, 40))
def test_co_moments_of_parts_give_the_alpha_of_the_whole(table, cut):
    frame = pd.DataFrame(table, columns=list("abcd"), dtype=float) if table else pd.DataFrame(columns=list("abcd"))
    array = frame.to_numpy(dtype=float)
    parts = CoMoments.of(array[:cut]) + CoMoments.of(array[cut:])
    expected = cronbach_alpha(frame)
    assert parts.cronbach_alpha() == pytest.approx(expected, rel=1e-9, abs=1e-9, nan_ok=True)
    thirds = total_comoments([CoMoments.of(array[i::3]) for i in range(3)])  # many parts at once
    assert thirds.n == parts.n
    assert thirds.cronbach_alpha() == pytest.approx(expected, rel=1e-9, abs=1e-9, nan_ok=True)
    complete = array[~np.isnan(array).any(axis=1)]
    if len(complete) >= 2 and np.ptp(complete.sum(axis=1)) > 0:  # longhand: k/(k-1) (1 - sum var / var total)
        longhand = 4 / 3 * (1 - complete.var(axis=0, ddof=1).sum() / complete.sum(axis=1).var(ddof=1))
        assert parts.cronbach_alpha() == pytest.approx(longhand, rel=1e-9, abs=1e-9)


def test_sums_survive_a_round_trip_through_json(demo: Demo):
    latest = demo.rounds[-1]
    frame = demo.responses[demo.responses["round_id"] == latest.id]
    for sums in sums_by_place(frame, latest.questionnaire).values():
        again = PlaceSums.from_json(sums.to_json())
        assert again.to_json() == sums.to_json()
    with pytest.raises(ValueError, match="format"):
        PlaceSums.from_json('{"format": 0}')


@pytest.mark.parametrize("loop_rows", [0, 10**9], ids=["pandas-counts", "loop-counts"])
@pytest.mark.parametrize("min_n", [1, 5, 30])
def test_area_figures_and_alpha_from_village_sums_equal_those_from_every_response(demo: Demo, min_n: int,
                                                                                  loop_rows: int, monkeypatch):
    monkeypatch.setattr(reports.tables.sums, "LOOP_ROWS", loop_rows)
    suppression = Suppression(min_n, 60)
    reference = Population(demo.responses)
    for round_ in demo.rounds:
        frame = demo.responses[demo.responses["round_id"] == round_.id]
        villages = sums_by_place(frame, round_.questionnaire)
        district_of = dict(zip(frame["village_code"], frame["district_code"], strict=True))
        regency_of = dict(zip(frame["village_code"], frame["regency_code"], strict=True))
        for column, parent in (("district_code", district_of), ("regency_code", regency_of)):
            expected = all_area_figures(frame, round_.questionnaire, column, suppression)
            for code, figures in expected.items():
                added = total_sums(s for v, s in villages.items() if parent[v] == code)
                got = added.figures(round_.questionnaire, suppression)
                assert got.keys() == figures.keys()
                for key, estimate in figures.items():
                    _assert_same(got[key], estimate)
        whole = total_sums(villages.values())
        assert whole.responses == len(frame)
        for index in round_.questionnaire.indices:
            assert whole.alpha(index.id) == pytest.approx(reference.alpha(round_, index), rel=1e-9, nan_ok=True)
        population = population_from_sums(demo.rounds, {round_.id: whole}, {}, suppression)
        for index in round_.questionnaire.indices:
            assert population.alpha(round_, index) == pytest.approx(reference.alpha(round_, index), rel=1e-9,
                                                                    nan_ok=True)


def _assert_same(got, want) -> None:  # type: ignore[no-untyped-def]
    assert (got.n, got.flag) == (want.n, want.flag)
    for a, b in ((got.value, want.value), (got.ci_low, want.ci_low), (got.ci_high, want.ci_high)):
        assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-9, abs=1e-12)
