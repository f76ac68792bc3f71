"""Intermediate goals judged honestly: by the 95% interval, never by the point estimate.

A goal is a target for one indicator (an index, 0-100, or an item's % favourable) in an area
by one round: a level ("safety index at least 60") or a change from an earlier round ("+10
points in trust"). Each village in the area is judged on its own figure:

- **reached**: the interval lies entirely above the target;
- **not yet**: it straddles the target, or lies below it while the target round is still open;
- **missed**: it lies entirely below the target once the target round is over;
- **too few answers**: the base is under min_n (or the change could not be computed).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from reports.tables.model import ChangeEstimate, Estimate, GoalResult, GoalSpec, GoalStatus, Trend, VillageTables


def judge(low: float, high: float, target: float, round_over: bool) -> GoalStatus:
    """The status of an interval against a target (both in the same units)."""
    if math.isnan(low) or math.isnan(high):
        return "too_few"
    if low > target:
        return "reached"
    if high < target and round_over:
        return "missed"
    return "not_yet"


def village_goals(tables: VillageTables, goals: Sequence[GoalSpec]) -> list[GoalResult]:
    """The goals whose area holds this village and whose target round this report covers."""
    rounds = {summary.info.id for summary in tables.rounds}
    code = tables.village.code
    results = []
    for goal in goals:
        if goal.round_id not in rounds or not (code == goal.area_code or code.startswith(goal.area_code + ".")):
            continue
        trend = _trend(tables, goal.indicator)
        if trend is None:
            continue
        scale = 1.0 if trend.kind == "index" else 100.0  # shares are fractions; targets are in points
        if goal.kind == "level":
            estimate: Estimate | None = trend.values.get(goal.round_id)
            if estimate is None:
                continue
            shown = estimate.shown
            value, low, high = ((estimate.value * scale, estimate.ci_low * scale, estimate.ci_high * scale)
                                if shown else (math.nan, math.nan, math.nan))
            n = estimate.n
        else:
            change = _change(trend, goal)
            computed = change.status == "computed"
            value, low, high = ((change.change.estimate * scale, change.change.ci_low * scale,
                                 change.change.ci_high * scale) if computed else (math.nan, math.nan, math.nan))
            latest = trend.values.get(goal.round_id)
            n = latest.n if latest is not None else 0
        results.append(GoalResult(goal, trend.label, judge(low, high, goal.target, goal.round_over), value, low,
                                  high, n))
    return results


def _trend(tables: VillageTables, indicator: str) -> Trend | None:
    for trend in (*tables.indices, *tables.items):
        if trend.key == indicator:
            return trend
    return None


def _change(trend: Trend, goal: GoalSpec) -> ChangeEstimate:
    """The change from the goal's baseline round into its target round, where they join."""
    change = trend.last_change(goal.round_id)
    if goal.baseline_round_id is not None and change.from_round_id != goal.baseline_round_id:
        return ChangeEstimate("not_comparable", change.change)
    return change


def with_goals(tables: VillageTables, goals: Sequence[GoalSpec]) -> VillageTables:
    """``tables`` with its goals judged (the same tables when there are none)."""
    judged = tuple(village_goals(tables, goals))
    return replace(tables, goals=judged) if judged else tables
