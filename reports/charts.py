"""Trend charts as plain geometry: where each round's point, interval and line go.

The browser's SVG (a console template) only draws what this module decides, so the rules of
the workbook's Trend sheet hold in both: a line joins rounds only within a comparable
segment, and a suppressed figure (a base below min_n) is a gap, never a point. Every
figure keeps its estimate, so the template can print the numbers beside the picture.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from reports.tables import Estimate, Trend
from reports.text import t

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 36
"""The plot area's margins: room for the value axis on the left and round names below."""
DODGE = 7.0
"""Pixels between the points of neighbouring lines at one round, so their intervals stay apart."""
TICKS = (0, 25, 50, 75, 100)


class Charted(Protocol):
    """A trend as a chart reads it (``reports.tables.Trend`` and ``AreaTrend`` both fit)."""

    @property
    def label(self) -> str: ...

    @property
    def values(self) -> Mapping[int, Estimate | None]: ...

    @property
    def segments(self) -> tuple[tuple[int, ...], ...]: ...


@dataclass(frozen=True)
class Mark:
    """One round of one line: its estimate, and where it is drawn when it may be shown."""

    round_id: int
    round_name: str
    estimate: Estimate | None
    x: float
    y: float | None = None
    y_low: float | None = None
    y_high: float | None = None

    @property
    def shown(self) -> bool:
        return self.y is not None


@dataclass(frozen=True)
class Line:
    label: str
    number: int
    """Position among the chart's lines: picks its colour and marker."""
    marks: tuple[Mark, ...]
    paths: tuple[tuple[tuple[float, float], ...], ...]
    """Runs of two or more shown points that may be joined."""


@dataclass(frozen=True)
class Chart:
    title: str
    share: bool
    """Top-2 shares (fractions, drawn as %) rather than 0-100 indices."""
    width: int
    height: int
    ticks: tuple[tuple[float, int], ...]
    """(y, value) of each value-axis line."""
    columns: tuple[tuple[float, str], ...]
    """(x, round name) of each round."""
    lines: tuple[Line, ...]
    left: int = LEFT
    right: float = WIDTH - RIGHT


@dataclass(frozen=True)
class ChartGroup:
    """Trends drawn on one chart: the indices (0-100), or one section's key items (top-2 shares)."""

    title: str
    trends: Sequence[Charted]
    share: bool


def headline_groups(
    indices: Sequence[Charted], items: Sequence[Trend], section_titles: Mapping[str, str], lang: str
) -> list[ChartGroup]:
    """The charts of a headline, as the workbook's Trend sheet groups them: the indices, then
    each section's key items (sections in ``section_titles`` order, empty groups left out)."""
    groups = [ChartGroup(t("trend_chart_indices", lang), indices, share=False)]
    for section_id, title in section_titles.items():
        members = [trend for trend in items if trend.section_id == section_id]
        groups.append(ChartGroup(t("trend_chart_items", lang, section=title), members, share=True))
    return [group for group in groups if group.trends]


def headline_charts(
    indices: Sequence[Charted], items: Sequence[Trend], section_titles: Mapping[str, str],
    rounds: Sequence[tuple[int, str]], lang: str,
) -> list[Chart]:
    """One chart per ``headline_groups`` group, over ``rounds`` ((id, name), oldest first)."""
    return [trend_chart(group.title, group.trends, rounds, share=group.share)
            for group in headline_groups(indices, items, section_titles, lang)]


def trend_chart(title: str, trends: Sequence[Charted], rounds: Sequence[tuple[int, str]], *, share: bool) -> Chart:
    """A chart of ``trends`` over ``rounds`` ((id, name), oldest first)."""
    scale = 100.0 if share else 1.0
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_width / len(rounds)
    columns = tuple((LEFT + step * (number + 0.5), name) for number, (_id, name) in enumerate(rounds))

    def y(value: float) -> float:
        return TOP + plot_height * (1 - min(max(value * scale, 0.0), 100.0) / 100)

    lines = []
    for number, trend in enumerate(trends):
        offset = (number - (len(trends) - 1) / 2) * DODGE
        marks = []
        for (round_id, name), (x, _name) in zip(rounds, columns, strict=True):
            estimate = trend.values.get(round_id)
            if estimate is not None and estimate.shown:
                low, high = estimate.ci_low, estimate.ci_high
                marks.append(Mark(round_id, name, estimate, x + offset, y(estimate.value),
                                  None if math.isnan(low) else y(low), None if math.isnan(high) else y(high)))
            else:
                marks.append(Mark(round_id, name, estimate, x + offset))
        lines.append(Line(trend.label, number, tuple(marks), _paths(marks, trend.segments)))
    ticks = tuple((y(tick / scale), tick) for tick in TICKS)
    return Chart(title, share, WIDTH, HEIGHT, ticks, columns, tuple(lines))


def _paths(marks: Sequence[Mark], segments: Sequence[Sequence[int]]) -> tuple[tuple[tuple[float, float], ...], ...]:
    """Consecutive shown marks of one segment (round ids, oldest first); a suppressed round
    in between is a gap."""
    by_round = {mark.round_id: mark for mark in marks}
    paths = []
    for segment in segments:
        run: list[tuple[float, float]] = []
        for round_id in segment:
            mark = by_round[round_id]
            if mark.y is None:
                if len(run) > 1:
                    paths.append(tuple(run))
                run = []
            else:
                run.append((mark.x, mark.y))
        if len(run) > 1:
            paths.append(tuple(run))
    return tuple(paths)
