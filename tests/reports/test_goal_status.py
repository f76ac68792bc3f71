"""Intermediate goals judged by the 95% interval: statsmodels' Wilson interval for an item."""

from __future__ import annotations

import math

import pytest
from statsmodels.stats.proportion import proportion_confint

from reports.goals import judge, village_goals
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
