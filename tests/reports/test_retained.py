"""What a village keeps of a round whose answers were deleted (``reports.retained``): every
unweighted figure its reports show comes out the same from the kept sums as from the rows,
and an index that a later version recoded leaves the trend with a note instead of a wrong value."""

from __future__ import annotations

import math
from datetime import date

import pytest

from reports.retained import RetainedRound
from reports.tables import build_village_tables
from reports.tables.model import VillageTables
from reports.tables.retain import retain_round
from tests.reports.conftest import VILLAGE, Demo, make_frame, make_round
from tests.reports.test_tables import renumbered

PURGED = date(2029, 5, 1)


def _kept(frame, rounds) -> dict[int, dict[int, RetainedRound]]:  # type: ignore[no-untyped-def]
    """What the purge keeps of ``rounds`` (all villages at once, as it runs), through its
    stored form (JSON and back): village id -> round id -> kept."""
    kept: dict[int, dict[int, RetainedRound]] = {}
    for round_ in rounds:
        for village_id, sums in retain_round(frame[frame["round_id"] == round_.id], round_.questionnaire,
                                             PURGED).items():
            text = sums.to_json()
            kept.setdefault(village_id, {})[round_.id] = RetainedRound.from_json(text)
            assert kept[village_id][round_.id].to_json() == text
    return kept


def _figures(tables: VillageTables) -> dict[tuple[object, ...], tuple[object, ...]]:
    found: dict[tuple[object, ...], tuple[object, ...]] = {}
    for trend in (*tables.indices, *tables.items):
        for round_id, value in trend.values.items():
            found[(trend.key, round_id)] = () if value is None else (value.value, value.ci_low, value.ci_high, value.n,
                                                                        value.flag)
        for round_id, change in trend.changes.items():
            found[(trend.key, "change", round_id)] = (change.status, change.change.estimate, change.change.ci_low,
                                                      change.change.ci_high, change.change.p_value)
        for round_id, alpha in trend.village_alpha.items():
            found[(trend.key, "alpha", round_id)] = (alpha,)
    for section in tables.sections:
        for item in section.items:
            for block in item.blocks:
                for dist in block.rounds:
                    estimates = [e for e in (dist.top2, dist.mean) if e is not None]
                    found[(item.id, "distribution", dist.round_id)] = (
                        dist.total, dist.valid_n, dist.missing, dist.flag, *sorted(dist.counts.items()),
                        *(x for e in estimates for x in (e.value, e.ci_low, e.ci_high)))
    found[("rounds",)] = tuple((r.responses, tuple(sorted(r.by_mode.items())), r.without_consent, r.last_submitted)
                               for r in tables.rounds)
    return found


def _same(live: dict, kept: dict) -> None:  # type: ignore[type-arg]
    assert live.keys() == kept.keys()
    for key, values in live.items():
        for one, other in zip(values, kept[key], strict=True):
            if isinstance(one, float) and math.isnan(one):
                assert isinstance(other, float) and math.isnan(other), key
            elif isinstance(one, float):
                assert other == pytest.approx(one, rel=1e-9, abs=1e-9), key
            else:
                assert one == other, key


def test_every_village_reports_the_same_figures_from_the_kept_sums(demo: Demo):
    rounds = demo.rounds
    kept = _kept(demo.responses, rounds[:2])
    rest = demo.responses[~demo.responses["round_id"].isin([r.id for r in rounds[:2]])]
    for code in sorted(demo.villages):
        village = demo.villages[code]
        live = build_village_tables(village, rounds, demo.responses, versions=demo.catalog.get)
        purged = build_village_tables(village, rounds, rest, versions=demo.catalog.get, retained=kept[village.id])
        _same(_figures(live), _figures(purged))
        assert [r.purged_on for r in purged.rounds] == [PURGED, PURGED, None]
        assert sum("dihapus pada 01-05-2029" in note for note in purged.notes) == 2


def test_an_index_recoded_by_a_later_version_leaves_the_trend_with_a_note(tmp_path):
    # v2 keeps the numbering but reads v1's answers at the ends of the scale: a recode that
    # moves scores, so v1's kept scores (0, 33, 67, 100) are not v2's (0, 0, 100, 100).
    catalog = renumbered(tmp_path, (1, 2, 3, 4), {"1": "1", "2": "1", "3": "4", "4": "4"})
    rounds = [make_round(1, catalog.get("renumbered", 1)), make_round(2, catalog.get("renumbered", 2))]
    pattern = ["1", "2", "3", "3", "4", "4", "8"]
    rows = [(1, {"safe_walk": c, "safe_home": pattern[(i + 2) % 7]}) for i, c in enumerate(pattern * 8)]
    rows += [(2, {"safe_walk": c, "safe_home": pattern[(i + 3) % 7]}) for i, c in enumerate(["1", "2", "2", "4"] * 12)]
    frame = make_frame(rows)
    live = build_village_tables(VILLAGE, rounds, frame)
    kept = _kept(frame, rounds[:1])[VILLAGE.id]
    purged = build_village_tables(VILLAGE, rounds, frame[frame["round_id"] == 2], retained=kept)
    # The items' shares come from counts, which recode exactly: the same trend, the same change.
    assert purged.item("safe_walk").values == live.item("safe_walk").values
    assert purged.item("safe_walk").changes == live.item("safe_walk").changes
    # The index was kept on v1's numbering: round 1 leaves its trend, and a note says why.
    assert live.index("safety").values[1] is not None and purged.index("safety").values[1] is None
    assert purged.index("safety").segments == ((2,),)
    assert purged.index("safety").values[2] == live.index("safety").values[2]
    assert any("Round 1 tidak ditampilkan" in note for note in purged.notes)
    assert not any("tidak ditampilkan" in note for note in live.notes)
