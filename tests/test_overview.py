"""The area overview: one row per village, the same figures as the village reports, and
Benjamini–Hochberg beside the unadjusted result, checked against statsmodels."""

from __future__ import annotations

import io
import math
from dataclasses import replace
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa
from statsmodels.stats.multitest import multipletests

from reports.data import Place, load_round_history, load_round_responses, load_villages
from reports.overview import MEASURE_COLUMNS, Overview, build_overview, overview_workbook
from reports.tables import Population, ReportOptions, build_village_tables
from survey_app.extensions import db
from survey_app.questionnaire import Catalog

QUESTIONNAIRES = Path(__file__).resolve().parents[1] / "questionnaires"
AREA = Place("32.73", "Kota Bandung")


@pytest.fixture
def data(demo_data):
    catalog = Catalog(QUESTIONNAIRES)
    with db.engine.connect() as connection:
        second = connection.execute(sa.text("SELECT id FROM rounds WHERE name = 'Putaran 2 2025'")).scalar_one()
        rounds = load_round_history(connection, second, catalog.get)
        responses = load_round_responses(connection, [r.id for r in rounds])
        ids = connection.execute(sa.text("SELECT id FROM villages")).scalars().all()
        villages = load_villages(connection, ids)
    return rounds, responses, villages, catalog


def _overview(data, **options) -> Overview:
    rounds, responses, villages, catalog = data
    return build_overview(AREA, villages, rounds, responses, ReportOptions(**options), versions=catalog.get)


@pytest.mark.parametrize("min_n", [10, 30])
def test_bh_agrees_with_statsmodels(data, min_n):
    overview = _overview(data, min_n=min_n)
    assert len(overview.rows) == 10
    compared = 0
    for number, _measure in enumerate(overview.measures):
        cells = [row.cells[number] for row in overview.rows]
        tested = [cell for cell in cells if cell.tested]
        if not tested:
            assert all(not cell.bh_significant and math.isnan(cell.q_value) for cell in cells)
            continue
        reject, q_values, _, _ = multipletests([c.change.change.p_value for c in tested], alpha=0.05,
                                               method="fdr_bh")
        assert [c.bh_significant for c in tested] == list(reject)
        assert [c.q_value for c in tested] == pytest.approx(list(q_values))
        # Adjusting never makes a change more significant than its own p-value says.
        assert all(c.q_value >= c.change.change.p_value - 1e-12 for c in tested)
        compared += 1
    assert compared >= 5


def test_rows_agree_with_the_village_reports(data):
    rounds, responses, villages, catalog = data
    overview = _overview(data, min_n=10)
    options = ReportOptions(min_n=10)
    village = villages[4]
    tables = build_village_tables(village, rounds, responses, options, population=Population(responses),
                                  versions=catalog.get)
    row = next(r for r in overview.rows if r.village.code == village.code)
    assert row.responses == tables.rounds[-1].responses
    trends = [*tables.indices, *(tables.item(k) for k in tables.key_items)]
    assert [m.key for m in overview.measures] == [t.key for t in trends]
    for measure, cell, trend in zip(overview.measures, row.cells, trends, strict=True):
        assert cell.estimate == trend.values[rounds[-1].id], measure.key
        assert cell.change == trend.last_change(rounds[-1].id), measure.key


def test_workbook_is_filterable_frozen_and_explains_bh(data):
    overview = _overview(data, min_n=10, lang="en")
    content = overview_workbook(overview)
    ws = openpyxl.load_workbook(io.BytesIO(content)).active
    assert ws.title == "Overview"
    assert ws.freeze_panes == "C8"
    assert ws.auto_filter.ref.startswith("A7:")
    assert ws.auto_filter.ref.endswith("17")  # header row 7 and 10 villages
    texts = " ".join(str(ws.cell(row=r, column=1).value) for r in range(1, 5))
    assert "Benjamini–Hochberg" in texts and "1 in 20" in texts
    frame = pd.read_excel(io.BytesIO(content), header=6)
    assert len(frame) == 10
    # Each measure's columns, side by side: unadjusted direction, then the BH q-value and flag.
    width = len(MEASURE_COLUMNS)
    for number, measure in enumerate(overview.measures):
        col = 5 + number * width
        assert ws.cell(row=6, column=col).value == measure.label
        header = [ws.cell(row=7, column=col + k).value for k in range(width)]
        assert header == ["Value", "n", "Change", "95% range", "Unadjusted", "Adjusted p (BH)",
                          "After BH correction"]
        for row_number, row in enumerate(overview.rows, start=8):
            cell = row.cells[number]
            flag = ws.cell(row=row_number, column=col + 6).value
            if cell.tested:
                assert flag == ("significant" if cell.bh_significant else "no")
                assert ws.cell(row=row_number, column=col + 5).value == pytest.approx(cell.q_value)
                direction = ws.cell(row=row_number, column=col + 4).value
                assert direction.startswith({"up": "▲", "down": "▼", "none": "●"}[cell.change.change.direction])
            else:
                assert flag is None


def test_hostile_village_names_stay_text(data):
    rounds, responses, villages, catalog = data
    hostile = [replace(villages[0], name="=HYPERLINK(\"http://x\",\"y\")"), replace(villages[1], name="@SUM(1)\x07")]
    overview = build_overview(AREA, hostile, rounds, responses, ReportOptions(), versions=catalog.get)
    ws = openpyxl.load_workbook(io.BytesIO(overview_workbook(overview))).active
    assert ws["B8"].value == "=HYPERLINK(\"http://x\",\"y\")" and ws["B8"].data_type == "s"
    assert ws["B8"].quotePrefix
    assert ws["B9"].value == "@SUM(1)" and ws["B9"].data_type == "s"
