"""Trend charts: where points, intervals and lines go, and area trends from stored sums
against the same trends computed from every response."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import pytest
from statsmodels.stats.proportion import proportion_confint

from reports.charts import BOTTOM, HEIGHT, TOP, headline_charts, headline_groups, trend_chart
from reports.tables import Estimate, ReportOptions, build_village_tables
from reports.tables.area import build_area_trends
from reports.tables.sums import sums_by_place
from tests.reports.conftest import Demo

NAN = math.nan


@dataclass(frozen=True)
class Line:
    label: str
    values: dict[int, Estimate | None]
    segments: tuple[tuple[int, ...], ...]
    section_id: str = ""


def _shown(value: float) -> Estimate:
    return Estimate(value, value - 0.1, value + 0.1, 80, "ok")


SUPPRESSED = Estimate(NAN, NAN, NAN, 12, "suppressed")
ROUNDS = [(1, "R1"), (2, "R2"), (3, "R3"), (4, "R4"), (5, "R5")]


def test_lines_join_only_shown_rounds_of_one_segment():
    line = Line("trust", {1: _shown(0.5), 2: _shown(0.6), 3: SUPPRESSED, 4: _shown(0.7), 5: _shown(0.4)},
                ((1, 2, 3, 4), (5,)))
    chart = trend_chart("Items", [line], ROUNDS, share=True)
    (drawn,) = chart.lines
    assert [mark.shown for mark in drawn.marks] == [True, True, False, True, True]
    assert len(drawn.paths) == 1 and [x for x, _y in drawn.paths[0]] == [drawn.marks[0].x, drawn.marks[1].x]
    middle = TOP + (HEIGHT - TOP - BOTTOM) / 2
    assert drawn.marks[0].y == pytest.approx(middle)  # 50 % is half-way up
    assert drawn.marks[0].y_low > drawn.marks[0].y > drawn.marks[0].y_high  # SVG's y grows downwards
    assert drawn.marks[2].y is None and drawn.marks[2].estimate is SUPPRESSED


def test_an_index_chart_is_scaled_0_to_100_and_neighbouring_lines_are_dodged():
    a = Line("a", {1: _shown(50.0), 2: None}, ((1,),))
    b = Line("b", {1: _shown(50.0), 2: _shown(100.0)}, ((1, 2),))
    chart = trend_chart("Indices", [a, b], ROUNDS[:2], share=False)
    first, second = chart.lines
    assert first.marks[0].y == pytest.approx(second.marks[0].y) and first.marks[0].x < second.marks[0].x
    assert second.marks[1].y == pytest.approx(TOP) and not first.marks[1].shown and first.paths == ()
    assert [value for _y, value in chart.ticks] == [0, 25, 50, 75, 100]


def test_groups_are_the_indices_then_each_section_with_key_items():
    index = Line("index", {1: _shown(50.0)}, ((1,),))
    items = [Line("x", {1: _shown(0.5)}, ((1,),), "safety"), Line("y", {1: _shown(0.5)}, ((1,),), "trust")]
    groups = headline_groups([index], items, {"trust": "Trust", "empty": "Empty", "safety": "Safety"}, "en")
    assert [(g.title, [t.label for t in g.trends], g.share) for g in groups] == [
        ("Indices (0–100)", ["index"], False), ("Trust: % favourable", ["y"], True),
        ("Safety: % favourable", ["x"], True)]
    assert headline_groups([], items, {"trust": "Kepercayaan"}, "id")[0].title == "Kepercayaan: % jawaban positif"


def _pairs(segments: tuple[tuple[int, ...], ...]) -> set[tuple[int, int]]:
    """The neighbouring rounds a trend line joins."""
    return {pair for segment in segments for pair in zip(segment, segment[1:], strict=False)}


def test_area_trends_from_sums_equal_the_trends_of_every_response(demo: Demo):
    """The whole demo as one place: item trends from added-up sums equal the village path over
    the pooled responses (recodes included); indices too, except where an item was recoded."""
    rounds = demo.through(3)
    pooled = demo.responses.assign(village_id=0)
    options = ReportOptions()
    sums = {r.id: sums_by_place(pooled[pooled["round_id"] == r.id], r.questionnaire, "village_id")["0"]
            for r in rounds}
    area = build_area_trends(rounds, sums, options, versions=demo.catalog.get)
    reference = build_village_tables(replace(demo.village(0), id=0), rounds, pooled, options,
                                     versions=demo.catalog.get)
    assert [t.key for t in area.items] == list(reference.key_items)
    for trend in area.items:
        expected = reference.item(trend.key)
        assert trend.segments == expected.segments
        for round_ in rounds:
            got, want = trend.values[round_.id], expected.values[round_.id]
            assert (got is None) == (want is None)
            if got is not None and want is not None:
                assert (got.value, got.ci_low, got.ci_high, got.n) == pytest.approx(
                    (want.value, want.ci_low, want.ci_high, want.n), nan_ok=True)
    for trend in area.indices:
        expected = reference.index(trend.key)
        # The area never joins rounds the village path keeps apart; where it joins them, or a
        # round ends the village path's segment (its own coding), the figures agree exactly.
        joined = _pairs(trend.segments)
        assert joined <= _pairs(expected.segments)
        same_coding = {segment[-1] for segment in expected.segments} | {b for _a, b in joined} | {
            a for a, _b in joined}
        for round_id in same_coding:
            got, want = trend.values[round_id], expected.values[round_id]
            assert got is not None and want is not None
            assert (got.value, got.ci_low, got.ci_high, got.n) == pytest.approx(
                (want.value, want.ci_low, want.ci_high, want.n))
    # The safety index holds safe_walk_dark, whose scale grew from 4 to 5 points in v2
    # (comparable with caution): both paths break there, with the same note.
    safety = next(t for t in area.indices if t.key == "safety")
    assert safety.segments == reference.index("safety").segments and len(safety.segments) == 2
    assert any("Indeks rasa aman" in note and "skala jawaban" in note for note in safety.notes)
    # And the independent check of one share: statsmodels' Wilson interval on the pooled counts.
    latest, trend = rounds[-1].id, area.items[0]
    estimate = trend.values[latest]
    assert estimate is not None
    question = rounds[-1].questionnaire.question(trend.key)
    answers = pooled.loc[pooled["round_id"] == latest, trend.key].dropna().astype(str)
    valid = answers[answers.isin([o.code for o in question.scale_options()])]
    low, high = proportion_confint(int(valid.isin(list(question.favourable)).sum()), len(valid), method="wilson")
    assert (estimate.ci_low, estimate.ci_high) == pytest.approx((low, high))


def test_headline_charts_draw_one_chart_per_group(demo: Demo):
    rounds = demo.through(2)
    village = demo.village(0)
    tables = build_village_tables(village, rounds, demo.responses, ReportOptions(lang="en"))
    charts = headline_charts(tables.indices, [tables.item(k) for k in tables.key_items],
                             {s.id: s.title for s in tables.sections}, [(r.id, r.name) for r in rounds], "en")
    assert charts[0].title == "Indices (0–100)" and not charts[0].share
    assert all(chart.share for chart in charts[1:]) and len(charts) > 1
    assert [line.label for line in charts[0].lines] == [trend.label for trend in tables.indices]
