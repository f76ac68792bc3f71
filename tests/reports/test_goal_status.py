"""Intermediate goals judged by the 95% interval: statsmodels' Wilson interval for an item's
level, Newcombe's and Welch's intervals for a change over several rounds."""

from __future__ import annotations

import math

import pytest
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from reports.goals import judge, village_goals, with_spans
from reports.tables import ReportOptions, build_village_tables
from reports.tables.model import GoalSpec
from tests.reports.conftest import Demo


@pytest.mark.parametrize(("low", "high", "target", "over", "status"), [
    (61.0, 70.0, 60.0, False, "reached"),
    (55.0, 70.0, 60.0, True, "not_yet"),  # straddles
    (40.0, 59.0, 60.0, False, "not_yet"),  # below, but the round is still open
    (40.0, 59.0, 60.0, True, "missed"),
    (math.nan, math.nan, 60.0, True, "too_few"),
])
def test_the_interval_decides(low, high, target, over, status):
    assert judge(low, high, target, over) == status


def test_an_items_goal_is_judged_on_its_wilson_interval(demo: Demo):
    first, second = demo.through(2)
    village = demo.village(0)
    tables = build_village_tables(village, [first, second], demo.responses, ReportOptions())
    rows = demo.responses[(demo.responses.round_id == second.id) & (demo.responses.village_id == village.id)]
    codes = rows.trust_help.dropna().astype(str)
    n = int(codes.isin(["1", "2", "3", "4", "5"]).sum())
    hits = int(codes.isin(["4", "5"]).sum())
    low, high = (100 * bound for bound in proportion_confint(hits, n, alpha=0.05, method="wilson"))
    goals = [GoalSpec("trust_help", "level", low - 1, second.id, "32.73.01", round_over=True),
             GoalSpec("trust_help", "level", (low + high) / 2, second.id, "32.73", round_over=True),
             GoalSpec("trust_help", "level", high + 1, second.id, "32.73.01", round_over=True),
             GoalSpec("trust_help", "level", high + 1, second.id, "32.73.01", round_over=False),
             GoalSpec("trust_help", "level", 10, second.id, "32.73.02", round_over=True)]  # another district
    results = village_goals(tables, goals)
    assert [r.status for r in results] == ["reached", "not_yet", "missed", "not_yet"]
    assert (results[0].low, results[0].high, results[0].n) == pytest.approx((low, high, n))
    small = demo.village(len(demo.villages) - 1)
    small_tables = build_village_tables(small, [first, second], demo.responses, ReportOptions())
    (result,) = village_goals(small_tables, [GoalSpec("trust", "level", 50, second.id, small.code[:8])])
    assert result.status == "too_few"


def _village_rows(demo: Demo, round_id: int, village_id: int):
    return demo.responses[(demo.responses.round_id == round_id) & (demo.responses.village_id == village_id)]


def test_a_change_goal_over_two_rounds_is_judged_on_newcombes_interval_from_its_baseline(demo: Demo):
    """trust_help carries from v1 through v3: '+N since Putaran 1 2025' spans two steps."""
    first, second, third = demo.through(3)

    def share(round_id: int, village_id: int) -> tuple[int, int]:
        codes = _village_rows(demo, round_id, village_id).trust_help.dropna().astype(str)
        return int(codes.isin(["4", "5"]).sum()), int(codes.isin(["1", "2", "3", "4", "5"]).sum())

    village = max(demo.villages.values(), key=lambda v: min(share(first.id, v.id)[1], share(third.id, v.id)[1]))
    (hits1, n1), (hits3, n3) = share(first.id, village.id), share(third.id, village.id)
    assert min(n1, n3) >= 30
    low, high = (100 * b for b in confint_proportions_2indep(hits3, n3, hits1, n1, method="newcomb",
                                                             compare="diff"))
    change = 100 * (hits3 / n3 - hits1 / n1)
    goals = [GoalSpec("trust_help", "change", low - 1, third.id, village.code, baseline_round_id=first.id),
             GoalSpec("trust_help", "change", high + 1, third.id, village.code, baseline_round_id=first.id,
                      round_over=True),
             GoalSpec("trust_help", "change", change, third.id, village.code),  # from the previous round
             GoalSpec("trust", "change", 0, third.id, village.code, baseline_round_id=first.id)]  # v3 breaks it
    options = with_spans(ReportOptions(), goals)
    assert options.change_spans == {(first.id, third.id)}
    tables = build_village_tables(village, [first, second, third], demo.responses, options)
    results = village_goals(tables, goals)
    assert [r.status for r in results] == ["reached", "missed", results[2].status, "not_comparable"]
    assert (results[0].value, results[0].low, results[0].high) == pytest.approx((change, low, high), abs=1e-9)
    (hits2, n2) = share(second.id, village.id)
    step = 100 * (hits3 / n3 - hits2 / n2)
    assert results[2].value == pytest.approx(step, abs=1e-9)  # no baseline: the step from Putaran 2 2025
    # Without the span asked for, judging it fails loudly rather than judge the wrong change.
    plain = build_village_tables(village, [first, second, third], demo.responses, ReportOptions())
    with pytest.raises(LookupError, match="was not asked for"):
        village_goals(plain, goals[:1])


def test_an_index_change_over_two_rounds_is_welchs_interval_of_the_hand_scored_means(catalog):
    """Three rounds of one version: the cooperation index (two agree5 items) from round 1 to 3."""
    import numpy as np
    from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

    from tests.reports.conftest import VILLAGE, make_frame, make_round

    questionnaire = catalog.get("trust-safety", 2)
    rounds = [make_round(number, questionnaire) for number in (1, 2, 3)]
    rng = np.random.default_rng(7)
    rows, scores = [], {1: [], 3: []}
    for round_id, shift in ((1, 0), (2, 1), (3, 1)):
        for _ in range(45):
            a, b = (int(min(5, max(1, rng.integers(1, 5) + shift * rng.integers(0, 2)))) for _ in range(2))
            rows.append((round_id, {"coop_report_crime": str(a), "coop_give_info": str(b)}))
            if round_id in scores:
                scores[round_id].append(((a - 1) / 4 * 100 + (b - 1) / 4 * 100) / 2)
    frame = make_frame(rows).assign(questionnaire_version=2)
    goal = GoalSpec("cooperation", "change", 0, 3, VILLAGE.code[:8], baseline_round_id=1)
    tables = build_village_tables(VILLAGE, rounds, frame, with_spans(ReportOptions(), [goal]))
    (result,) = village_goals(tables, [goal])
    compare = CompareMeans(DescrStatsW(np.array(scores[3])), DescrStatsW(np.array(scores[1])))
    low, high = compare.tconfint_diff(alpha=0.05, usevar="unequal")
    expected = np.mean(scores[3]) - np.mean(scores[1])
    assert (result.value, result.low, result.high) == pytest.approx((expected, low, high), abs=1e-9)
    assert result.status == judge(low, high, 0, False)
