"""Intermediate goals judged honestly: by the 95% interval, never by the point estimate.

A goal is a target for one indicator (an index, 0-100, or an item's % favourable) in an area
by one round: a level ("safety index at least 60") or a change from an earlier round ("+10
points in trust", from the previous comparable round or over several rounds from a named
baseline). Each village in the area is judged on its own figure:

- **reached**: the interval lies entirely above the target;
- **not yet**: it straddles the target, or lies below it while the target round is still open;
- **missed**: it lies entirely below the target once the target round is over;
- **too few answers**: the base is under min_n (or the change could not be computed);
- **not comparable**: a change goal whose baseline and target rounds lie across a series break.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace

from reports.tables.model import (
    ChangeEstimate,
    Estimate,
    GoalResult,
    GoalSpec,
    GoalStatus,
    ReportOptions,
    Trend,
    VillageTables,
)
from reports.text import t


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
    return judge_goals(tables.village.code, (*tables.indices, *tables.items),
                       {summary.info.id for summary in tables.rounds}, goals)


def judge_goals(code: str, trends: Sequence[Trend], rounds: Collection[int],
                goals: Sequence[GoalSpec]) -> list[GoalResult]:
    """Judge, for the village ``code``, each goal of its area whose target round is among
    ``rounds`` and whose indicator is among ``trends``."""
    by_key = {trend.key: trend for trend in trends}
    results = []
    for goal in goals:
        trend = by_key.get(goal.indicator)
        if goal.round_id not in rounds or trend is None or not covers_code(goal.area_code, code):
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
            if change.status == "not_comparable":
                results.append(GoalResult(goal, trend.label, "not_comparable", value, low, high, n))
                continue
        results.append(GoalResult(goal, trend.label, judge(low, high, goal.target, goal.round_over), value, low,
                                  high, n))
    return results


def describe(goal: GoalSpec, round_names: Mapping[int, str], lang: str) -> str:
    """The goal in words: "at least 60", "up 10 points", "up 10 points since Putaran 1 2025"."""
    target = f"{goal.target:g}"
    if goal.kind == "level":
        return t("goal_level", lang, target=target)
    if goal.baseline_round_id is not None:
        return t("goal_change_from", lang, target=target, round=round_names.get(goal.baseline_round_id, "?"))
    return t("goal_change", lang, target=target)


def covers_code(area_code: str, code: str) -> bool:
    """True when the village ``code`` lies in ``area_code`` (or is it)."""
    return code == area_code or code.startswith(area_code + ".")


def _change(trend: Trend, goal: GoalSpec) -> ChangeEstimate:
    """The change from the goal's baseline round (the previous comparable round when it names
    none) into its target round."""
    if goal.baseline_round_id is None:
        return trend.last_change(goal.round_id)
    return trend.change_between(goal.baseline_round_id, goal.round_id)


def change_spans(goals: Sequence[GoalSpec]) -> frozenset[tuple[int, int]]:
    """The (baseline, target) round pairs the change goals need, for ``ReportOptions``."""
    return frozenset((goal.baseline_round_id, goal.round_id) for goal in goals
                     if goal.kind == "change" and goal.baseline_round_id is not None)


def with_spans(options: ReportOptions, goals: Sequence[GoalSpec]) -> ReportOptions:
    """``options`` asking for every change the goals are judged on."""
    spans = change_spans(goals)
    return replace(options, change_spans=options.change_spans | spans) if spans else options


def with_goals(tables: VillageTables, goals: Sequence[GoalSpec]) -> VillageTables:
    """``tables`` with its goals judged (the same tables when there are none)."""
    judged = tuple(village_goals(tables, goals))
    return replace(tables, goals=judged) if judged else tables
