"""Village report tables against independent computations (statsmodels, scipy, plain pandas),
on the real demo (v1 -> v2 questionnaire change included) and on small hand-made frames."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from reports.data import META_COLUMNS, RoundInfo
from reports.tables import (
    Population,
    ReportOptions,
    build_village_tables,
    round_figures,
    share_from_counts,
)
from survey_app.questionnaire import Catalog, Questionnaire
from tests.reports.conftest import VILLAGE, Demo, make_frame, make_round


def _codes(frame: pd.DataFrame, round_id: int, village_id: int, qid: str) -> pd.Series:
    rows = frame[(frame.round_id == round_id) & (frame.village_id == village_id)]
    return rows[qid].dropna().astype(str)


def _share(codes: pd.Series, valid: set[str], favourable: set[str]) -> tuple[int, int, float, float]:
    n = int(codes.isin(valid).sum())
    hits = int(codes.isin(favourable).sum())
    low, high = proportion_confint(hits, n, alpha=0.05, method="wilson")
    return hits, n, low, high


def _scale(questionnaire: Questionnaire, qid: str) -> tuple[set[str], set[str]]:
    question = questionnaire.question(qid)
    return {o.code for o in question.options if o.special is None}, set(question.favourable)


def _index_values(rows: pd.DataFrame, questionnaire: Questionnaire, index_id: str,
                  recode: dict[str, dict[str, str]] | None = None,
                  target: Questionnaire | None = None) -> np.ndarray:
    """Respondents' 0-100 index scores by the brief's recipe, written out longhand."""
    target = target or questionnaire
    items = target.index(index_id).items
    columns = {}
    for item in items:
        question = target.question(item)
        scale = [o.code for o in question.options if o.special is None]
        codes = rows[item].astype("string")
        if recode and item in recode:
            codes = codes.map(lambda c, m=recode[item]: m.get(c) if isinstance(c, str) else c)
        position = codes.map(lambda c, s=scale: s.index(c) if isinstance(c, str) and c in s else np.nan)
        score = position.astype(float) / (len(scale) - 1) * 100
        columns[item] = 100 - score if question.reverse else score
    scores = pd.DataFrame(columns)
    answered = scores.notna().sum(axis=1)
    return scores[answered / len(items) >= 0.5].mean(axis=1).to_numpy()


def _alpha(scores: pd.DataFrame) -> float:
    complete = scores.dropna()
    k = complete.shape[1]
    return k / (k - 1) * (1 - complete.var(ddof=1).sum() / complete.sum(axis=1).var(ddof=1))


def test_loader_gives_one_row_per_response_with_answers_expanded(demo: Demo):
    frame = demo.responses
    assert list(frame.columns[: len(META_COLUMNS)]) == list(META_COLUMNS)
    assert frame.response_id.is_unique and len(frame) > 1000
    assert {"trust_police", "safe_walk_dark", "fkpm_active", "worry_online_fraud"} <= set(frame.columns)
    assert frame.local_problems.dropna().map(type).eq(list).all()
    assert (frame.regency_code == "32.73").all() and (frame.province_code == "32").all()
    assert set(frame["mode"]) == {"web", "paper"}
    village = demo.village(0)
    assert (village.district.name, village.regency.name, village.province.name) == (
        "Sukasari", "Kota Bandung", "Jawa Barat")
    assert [r.questionnaire.version for r in demo.rounds] == [1, 2, 3]


def test_item_share_and_change_match_statsmodels(demo: Demo):
    first, second = demo.through(2)
    village = demo.village(0)
    tables = build_village_tables(village, [first, second], demo.responses, population=Population(demo.responses))
    for qid in ("trust_help", "worry_burglary", "know_bhabin"):
        valid, favourable = _scale(second.questionnaire, qid)
        x1, n1, *_ = _share(_codes(demo.responses, first.id, village.id, qid), valid, favourable)
        x2, n2, low, high = _share(_codes(demo.responses, second.id, village.id, qid), valid, favourable)
        trend = tables.item(qid)
        estimate = trend.values[second.id]
        assert estimate is not None and estimate.n == n2
        assert estimate.value == pytest.approx(x2 / n2)
        assert (estimate.ci_low, estimate.ci_high) == pytest.approx((low, high), abs=1e-12)
        # Newcombe: statsmodels' first group is the later round, so the difference is later - earlier.
        diff_low, diff_high = confint_proportions_2indep(x2, n2, x1, n1, method="newcomb", compare="diff")
        change = trend.last_change(second.id)
        assert change.status == "computed" and change.from_round_id == first.id
        assert change.change.estimate == pytest.approx(x2 / n2 - x1 / n1)
        assert (change.change.ci_low, change.change.ci_high) == pytest.approx((diff_low, diff_high), abs=1e-9)
        expected = "up" if diff_low > 0 else "down" if diff_high < 0 else "none"
        assert change.change.direction == expected
    # reverse-worded: the favourable codes are the low end
    assert tables.item("worry_burglary").counted_as == "Sangat tidak setuju + Tidak setuju"


def test_mean_score_and_distribution_are_complete(demo: Demo):
    first, second = demo.through(2)
    village = demo.village(0)
    tables = build_village_tables(village, [first, second], demo.responses)
    detail = next(i for s in tables.sections for i in s.items if i.id == "trust_help")
    (block,) = detail.blocks
    dist = block.rounds[1]
    codes = _codes(demo.responses, second.id, village.id, "trust_help")
    total = int(((demo.responses.round_id == second.id) & (demo.responses.village_id == village.id)).sum())
    assert dist.total == total
    assert dict(dist.counts) == {o.code: int((codes == o.code).sum()) for o in block.options}
    assert sum(dist.counts.values()) + (dist.missing or 0) == total
    valid = codes[codes.isin(["1", "2", "3", "4", "5"])].astype(int)
    assert dist.valid_n == len(valid)
    low, high = scipy.stats.t.interval(0.95, len(valid) - 1, loc=valid.mean(), scale=scipy.stats.sem(valid))
    assert dist.mean is not None
    assert (dist.mean.value, dist.mean.ci_low, dist.mean.ci_high) == pytest.approx((valid.mean(), low, high))


def test_a_scale_that_grew_a_middle_category_is_drawn_as_a_break(demo: Demo):
    """safe_walk_dark went from 4 to 5 points in v2. The codes map, but the series breaks
    (amendments.yaml judges it "comparable with caution"): each round in its own coding."""
    first, second = demo.through(2)
    village = demo.village(1)
    tables = build_village_tables(village, [first, second], demo.responses)
    trend = tables.item("safe_walk_dark")
    assert trend.segments == ((first.id,), (second.id,))
    for round_ in (first, second):
        valid, favourable = _scale(round_.questionnaire, "safe_walk_dark")
        x, n, low, high = _share(_codes(demo.responses, round_.id, village.id, "safe_walk_dark"), valid, favourable)
        value = trend.values[round_.id]
        assert value is not None and (value.value, value.ci_low, value.ci_high, value.n) == pytest.approx(
            (x / n, low, high, n))
    assert _scale(first.questionnaire, "safe_walk_dark")[1] == {"3", "4"}  # v1's own top two
    change = trend.last_change(second.id)
    assert change.status == "not_comparable" and math.isnan(change.change.estimate)
    assert any("hati-hati" in note and "v2" in note for note in trend.notes)
    assert not any("dikodekan ulang" in note for note in trend.notes)
    # The safety index holds it, so the index breaks there too, saying why.
    safety = tables.index("safety")
    assert safety.segments == ((first.id,), (second.id,))
    assert any("skala jawaban" in note for note in safety.notes)
    # The section sheet keeps each round's own scale: a 4-point block and a 5-point block.
    detail = next(i for s in tables.sections for i in s.items if i.id == "safe_walk_dark")
    assert [len([o for o in b.options if not o.special]) for b in detail.blocks] == [4, 5]


RENUMBERED = """\
key: renumbered
version: {version}
languages: [id, en]
title: {{id: Uji, en: Test}}
scales:
  safe4:
    options:
      - {{code: "{c1}", label: {{id: Sangat tidak aman, en: Very unsafe}}}}
      - {{code: "{c2}", label: {{id: Kurang aman, en: Fairly unsafe}}}}
      - {{code: "{c3}", label: {{id: Cukup aman, en: Fairly safe}}}}
      - {{code: "{c4}", label: {{id: Sangat aman, en: Very safe}}}}
      - {{code: "8", label: {{id: Tidak tahu, en: "Don't know"}}, special: dont_know}}
    favourable: ["{c3}", "{c4}"]
indices:
  safety:
    label: {{id: Indeks rasa aman, en: Safety index}}
    items: [safe_walk, safe_home]
sections:
  - id: safety
    title: {{id: Rasa aman, en: Safety}}
    questions:
      - id: safe_walk
        type: single_choice
        text: {{id: Aman berjalan malam hari, en: Safe walking after dark}}
        scale: safe4
{compare}
      - id: safe_home
        type: single_choice
        text: {{id: Aman di rumah, en: Safe at home}}
        scale: safe4
{compare}
"""
# v2 numbers the same four points the other way round: the same scale, so a recode joins it.
RENUMBER = {"1": "4", "2": "3", "3": "2", "4": "1", "8": "8"}


def renumbered(folder: Path, codes: tuple[int, int, int, int], recode: dict[str, str]) -> Catalog:
    """A catalog of ``renumbered`` v1 (codes 1-4) and v2 (``codes``, compared through ``recode``)."""
    (folder / "renumbered").mkdir()
    (folder / "renumbered" / "v1.yaml").write_text(
        RENUMBERED.format(version=1, c1=1, c2=2, c3=3, c4=4, compare=""), encoding="utf-8")
    pairs = ", ".join(f'"{old}": "{new}"' for old, new in recode.items())
    c1, c2, c3, c4 = codes
    (folder / "renumbered" / "v2.yaml").write_text(RENUMBERED.format(
        version=2, c1=c1, c2=c2, c3=c3, c4=c4, compare=f"        compare:\n          recode: {{{pairs}}}"),
        encoding="utf-8")
    return Catalog(folder)


def test_a_recode_of_the_same_scale_is_applied_before_comparing(tmp_path):
    catalog = renumbered(tmp_path, (4, 3, 2, 1), {"1": "4", "2": "3", "3": "2", "4": "1"})
    v1, v2 = catalog.get("renumbered", 1), catalog.get("renumbered", 2)
    assert v2.question("safe_walk").compare.kind == "recoded"
    pattern = ["1", "2", "3", "3", "4", "4", "8"]
    rows = [(1, {"safe_walk": c, "safe_home": pattern[(i + 2) % 7]}) for i, c in enumerate(pattern * 8)]
    rows += [(2, {"safe_walk": c, "safe_home": pattern[(i + 3) % 7]}) for i, c in enumerate(["1", "2", "2", "4"] * 12)]
    frame = make_frame(rows)
    tables = build_village_tables(VILLAGE, [make_round(1, v1), make_round(2, v2)], frame)
    trend = tables.item("safe_walk")
    assert trend.segments == ((1, 2),)
    before = frame[frame.round_id == 1]["safe_walk"].map(RENUMBER)
    after = frame[frame.round_id == 2]["safe_walk"]
    valid, favourable = _scale(v2, "safe_walk")
    assert favourable == {"2", "1"}
    x1, n1, low1, high1 = _share(before, valid, favourable)
    x2, n2, *_ = _share(after, valid, favourable)
    value = trend.values[1]
    assert value is not None and (value.value, value.ci_low, value.ci_high) == pytest.approx((x1 / n1, low1, high1))
    change = trend.last_change(2)
    assert change.status == "computed" and change.change.estimate == pytest.approx(x2 / n2 - x1 / n1)
    assert any("dikodekan ulang" in note for note in trend.notes)
    # The index joins too, round 1 scored on v2's numbering; Welch's interval from scipy.
    recodes = {"safe_walk": RENUMBER, "safe_home": RENUMBER}
    a = _index_values(frame[frame.round_id == 1], v1, "safety", recodes, target=v2)
    b = _index_values(frame[frame.round_id == 2], v2, "safety")
    index = tables.index("safety")
    assert index.segments == ((1, 2),)
    assert index.values[1] is not None and index.values[1].value == pytest.approx(a.mean())
    welch = scipy.stats.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
    got = index.last_change(2).change
    assert (got.estimate, got.ci_low, got.ci_high) == pytest.approx((b.mean() - a.mean(), welch.low, welch.high))


def test_changed_dropped_and_added_items_break_or_start_the_trend(demo: Demo):
    first, second = demo.through(2)
    tables = build_village_tables(demo.village(0), [first, second], demo.responses)
    reworded = tables.item("access_easy_contact")
    assert reworded.segments == ((first.id,), (second.id,))
    assert reworded.last_change(second.id).status == "not_comparable"
    assert math.isnan(reworded.last_change(second.id).change.estimate)
    assert any("v2" in note and "terputus" in note for note in reworded.notes)
    dropped = tables.item("fkpm_active")
    assert dropped.values[second.id] is None and dropped.last_change(second.id).status == "not_asked"
    assert any("tidak ditanyakan lagi" in note for note in dropped.notes)
    added = tables.item("worry_online_fraud")
    assert added.values[first.id] is None and added.last_change(second.id).status == "first"
    assert any("pertanyaan baru" in note for note in added.notes)
    assert set(tables.notes) >= set(reworded.notes) | set(dropped.notes) | set(added.notes)
    english = build_village_tables(demo.village(0), [first, second], demo.responses, ReportOptions(lang="en"))
    assert any("trend line breaks" in note for note in english.item("access_easy_contact").notes)
    assert english.item("access_easy_contact").label.startswith("It is easy for me")


def test_indices_match_a_longhand_computation(demo: Demo):
    first, second = demo.through(2)
    village = demo.village(2)
    population = Population(demo.responses)
    tables = build_village_tables(village, [first, second], demo.responses, population=population)
    rows1 = demo.responses[(demo.responses.round_id == first.id) & (demo.responses.village_id == village.id)]
    rows2 = demo.responses[(demo.responses.round_id == second.id) & (demo.responses.village_id == village.id)]
    # The safety index breaks at v2 (safe_walk_dark's scale grew): each round in its own coding.
    for rows, round_ in ((rows1, first), (rows2, second)):
        values = _index_values(rows, round_.questionnaire, "safety")
        estimate = tables.index("safety").values[round_.id]
        low, high = scipy.stats.t.interval(0.95, len(values) - 1, loc=values.mean(), scale=scipy.stats.sem(values))
        assert estimate is not None and estimate.n == len(values)
        assert (estimate.value, estimate.ci_low, estimate.ci_high) == pytest.approx((values.mean(), low, high))
    # The trust index is comparable from v1 to v2: its change is Welch's interval.
    a, b = _index_values(rows1, first.questionnaire, "trust"), _index_values(rows2, second.questionnaire, "trust")
    welch = scipy.stats.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
    change = tables.index("trust").last_change(second.id)
    assert change.status == "computed"
    assert change.change.estimate == pytest.approx(b.mean() - a.mean())
    assert (change.change.ci_low, change.change.ci_high) == pytest.approx((welch.low, welch.high))
    # Alpha per round over all villages, in the round's own coding.
    everyone = demo.responses[demo.responses.round_id == second.id]
    items = second.questionnaire.index("trust").items
    own = pd.DataFrame({
        item: everyone[item].map(
            {o.code: second.questionnaire.question(item).score_0_100(o.code)
             for o in second.questionnaire.question(item).options if o.special is None}).astype(float)
        for item in items
    })
    assert tables.index("trust").alpha[second.id] == pytest.approx(_alpha(own))
    mine = own[everyone.village_id == village.id]
    assert tables.index("trust").village_alpha[second.id] == pytest.approx(_alpha(mine))


def test_small_bases_are_suppressed(demo: Demo):
    small = demo.village(len(demo.villages) - 1)  # the demo's village with too few answers
    rounds = demo.through(2)
    tables = build_village_tables(small, rounds, demo.responses)
    for trend in (*tables.indices, *tables.items):
        for estimate in trend.values.values():
            if estimate is not None:
                assert estimate.n < 30 and estimate.flag == "suppressed" and math.isnan(estimate.value)
        assert trend.last_change(rounds[-1].id).status in ("suppressed", "not_comparable", "not_asked", "first")
    dist = tables.sections[0].items[0].blocks[0].rounds[0]
    assert dist.flag == "suppressed" and dict(dist.counts) == {} and dist.missing is None
    # With a lower installation minimum the same village is published, flagged for caution.
    relaxed = build_village_tables(small, rounds, demo.responses, ReportOptions(min_n=10))
    assert relaxed.index("trust").values[rounds[-1].id].flag == "caution"  # type: ignore[union-attr]


def test_comparison_uses_the_same_figures_for_district_and_regency(demo: Demo):
    rounds = demo.through(2)
    village = demo.village(0)
    tables = build_village_tables(village, rounds, demo.responses, population=Population(demo.responses))
    latest = rounds[-1]
    row = next(r for r in tables.comparison if r.key == "trust_police")
    district = demo.responses[(demo.responses.round_id == latest.id)
                              & (demo.responses.district_code == village.district.code)]
    valid, favourable = _scale(latest.questionnaire, "trust_police")
    hits, n, low, high = _share(district.trust_police.dropna().astype(str), valid, favourable)
    assert row.district is not None and row.district.n == n
    assert (row.district.value, row.district.ci_low, row.district.ci_high) == pytest.approx((hits / n, low, high))
    assert row.village == tables.item("trust_police").values[latest.id]
    assert row.regency is not None and row.regency.n > row.district.n
    without = build_village_tables(village, rounds, demo.responses)
    assert all(r.district is None for r in without.comparison)


def test_rounds_list_responses_by_mode_and_the_cutoff(demo: Demo):
    village = demo.village(0)
    tables = build_village_tables(village, demo.rounds, demo.responses)
    for summary in tables.rounds:
        rows = demo.responses[(demo.responses.round_id == summary.info.id) & (demo.responses.village_id == village.id)]
        assert summary.responses == len(rows)
        assert dict(summary.by_mode) == rows["mode"].value_counts().to_dict()
    mine = demo.responses[demo.responses.village_id == village.id]
    assert tables.data_cutoff == mine.submitted_at.max().to_pydatetime()


# --- hand-made data ---------------------------------------------------------------------------------


def test_options_are_checked(catalog):
    for wrong in ("french", "EN", "e", ""):
        with pytest.raises(ValueError, match="language code"):
            ReportOptions(lang=wrong)
    assert ReportOptions(lang="jv").lang == "jv"  # any language code: wording falls back to Indonesian
    with pytest.raises(ValueError, match="min_n"):
        ReportOptions(min_n=0)
    v1 = catalog.get("trust-safety", 1)
    with pytest.raises(ValueError, match="key items"):
        build_village_tables(VILLAGE, [make_round(1, v1)], make_frame([]), ReportOptions(key_items=("nope",)))


def test_an_empty_round_is_reported_as_suppressed_not_as_an_error(catalog):
    v1 = catalog.get("trust-safety", 1)
    tables = build_village_tables(VILLAGE, [make_round(1, v1)], make_frame([]))
    estimate = tables.item("trust_police").values[1]
    assert estimate is not None and estimate.n == 0 and estimate.flag == "suppressed"
    assert tables.rounds[0].responses == 0 and tables.data_cutoff is None


def test_a_skipped_version_needs_the_lookup(catalog):
    """Rounds on v1 and v2 chain directly; a lookup is only asked for versions in between."""
    v1, v2 = catalog.get("trust-safety", 1), catalog.get("trust-safety", 2)
    calls: list[tuple[str, int]] = []

    def lookup(key: str, version: int) -> Questionnaire:
        calls.append((key, version))
        return catalog.get(key, version)

    rows = [(1, {"trust_help": "4"})] * 40 + [(2, {"trust_help": "4"})] * 40
    tables = build_village_tables(VILLAGE, [make_round(1, v1), make_round(2, v2)], make_frame(rows), versions=lookup)
    assert calls == []
    change = tables.item("trust_help").last_change(2)
    assert change.status == "computed" and change.change.estimate == pytest.approx(0.0)


def test_free_text_is_left_out_unless_asked_for(catalog):
    v1 = catalog.get("trust-safety", 1)
    rows = [(1, {"work_together": "Ronda malam"}), (1, {"work_together": "  "}), (1, {})]
    rounds: list[RoundInfo] = [make_round(1, v1)]
    assert build_village_tables(VILLAGE, rounds, make_frame(rows)).free_text == ()
    with_text = build_village_tables(VILLAGE, rounds, make_frame(rows), ReportOptions(include_free_text=True))
    assert [(f.question_id, f.answers) for f in with_text.free_text] == [("work_together", ("Ronda malam",))]


@settings(max_examples=60, deadline=None)
@given(counts=st.lists(st.integers(0, 40), min_size=7, max_size=7), missing=st.integers(0, 10))
def test_round_figures_match_statsmodels_on_any_counts(catalog, counts, missing):
    v2 = catalog.get("trust-safety", 2)
    codes = ["1", "2", "3", "4", "5", "8", "9"]
    rows = [(1, {"trust_help": code}) for code, n in zip(codes, counts, strict=True) for _ in range(n)]
    rows += [(1, {})] * missing
    figure = round_figures(make_frame(rows), v2, ReportOptions(min_n=1))["trust_help"]
    n = sum(counts[:5])
    hits = counts[3] + counts[4]
    assert figure.n == n
    if n == 0:
        assert figure.flag == "suppressed"
        return
    low, high = proportion_confint(hits, n, method="wilson")
    assert (figure.value, figure.ci_low, figure.ci_high) == pytest.approx((hits / n, low, high), abs=1e-12)
    share = share_from_counts(dict(zip(codes, counts, strict=True)), v2.question("trust_help"))
    assert (share.n, share.favourable) == (n, hits)


def test_fast_paths_agree_with_the_plain_ones(demo: Demo):
    """The set-based area figures and the per-village counting loop, which the bulk build and
    the web download use for speed, give exactly what filtering and melt + groupby give."""
    from reports.stats import Suppression
    from reports.tables import all_area_figures, code_counts
    from reports.tables.figures import small_code_counts

    latest = demo.rounds[-1]
    frame = demo.responses[demo.responses.round_id == latest.id]
    for column in ("district_code", "regency_code"):
        every = all_area_figures(frame, latest.questionnaire, column, Suppression(10, 60))
        assert sorted(every) == sorted(frame[column].astype(str).unique())
        for code, figures in every.items():
            assert figures == round_figures(frame[frame[column] == code], latest.questionnaire, ReportOptions(min_n=10))
    village = demo.responses[demo.responses.village_id == demo.village(0).id]
    ids = [q.id for r in demo.rounds for q in r.questionnaire.questions() if q.type == "single_choice"]
    assert small_code_counts(village, ids) == code_counts(village, ids)
