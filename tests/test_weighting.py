"""Weighted reports through the doors users use: the CLI switch, the console form, the village
workbook (Summary, Data, Method) and the raw export's weight column; the weighted figures are
recomputed here from the export with samplics and from the demo population file."""

from __future__ import annotations

import io
import warnings

import numpy as np
import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa
from statsmodels.stats.proportion import proportion_confint

from reports.data import load_round_history, load_round_responses
from reports.export import META_HEADERS
from reports.stats import index_scores
from reports.tables.figures import own_index_scores
from reports.weights import SEXES, targets_from_bands
from survey_app import questionnaires
from survey_app.demo import POPULATION_CSV
from survey_app.extensions import db
from survey_app.models import AuditEvent, PopulationCount, Role, Round, Village
from tests.factories import sign_in, token_in

with warnings.catch_warnings():
    warnings.simplefilter("ignore", FutureWarning)  # "samplics is archived": still the reference
    from samplics.estimation import TaylorEstimator
    from samplics.utils.types import PopParam

ROUND = "Putaran 1 2026"
SLUG = "putaran-1-2026"
VILLAGE = "32.73.01.1001"


def _export(runner, tmp_path) -> pd.DataFrame:
    out = tmp_path / "responses.csv"
    result = runner.invoke(args=["export", "responses", "--round", ROUND, "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return pd.read_csv(out, dtype=str, encoding="utf-8-sig")


def _data_rows(workbook) -> list[dict]:
    ws = workbook["Data"]
    header = [cell.value for cell in ws[1]]
    return [dict(zip(header, (cell.value for cell in row), strict=True)) for row in ws.iter_rows(min_row=2)]


def _workbook(client, village: str = VILLAGE):
    response = client.get(f"/downloads/{SLUG}/village/{village}.xlsx?lang=en")
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.data))


def test_reports_are_unweighted_until_an_admin_turns_weights_on(client, runner, demo_data, tmp_path):
    sign_in(client, Role.ADMIN)
    workbook = _workbook(client)
    summary = [cell.value for row in workbook["Summary"].iter_rows() for cell in row if cell.value]
    assert "Figures are unweighted." in summary
    assert all(row["Effective n (Kish)"] is None for row in _data_rows(workbook))
    assert "weight" not in _export(runner, tmp_path).columns

    result = runner.invoke(args=["rounds", "weights", ROUND, "on"])
    assert result.exit_code == 0, result.output
    assert "weighted to the population" in result.output
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "round.weighting_changed")).one()
    assert event.details["weighted"] is True
    again = runner.invoke(args=["rounds", "weights", ROUND, "on"])
    assert "(no change)" in again.output
    db.session.remove()
    workbook = _workbook(client)
    summary = [cell.value for row in workbook["Summary"].iter_rows() for cell in row if cell.value]
    assert "Figures weighted to the population by age x sex (see Method: Weights)." in summary
    assert any(isinstance(v, str) and v.startswith(("Weighting Putaran 1 2026: post-stratified, n eff.",
                                                     "Weighting Putaran 1 2026: raked, n eff.")) for v in summary)
    method = [cell.value for row in workbook["Method"].iter_rows() for cell in row if cell.value]
    assert any(isinstance(v, str) and v.startswith("This village's figures are WEIGHTED") for v in method)
    # The village's page in the browser says so too, with the effective n beside n.
    client.get("/lang/en")
    page = client.get(f"/downloads/{SLUG}/village/{VILLAGE}/").get_data(as_text=True)
    assert "data-weighted" in page and "n eff. = " in page
    data = {(row["Id"], row["Round"]): row for row in _data_rows(workbook)}
    trust = data[("trust_police", ROUND)]
    assert f"n = {trust['n']}, n eff. = {trust['Effective n (Kish)']:.0f})" in page


def test_weights_need_the_population_table(runner, demo_data):
    db.session.execute(sa.delete(PopulationCount))
    db.session.commit()
    result = runner.invoke(args=["rounds", "weights", ROUND, "on"])
    assert result.exit_code != 0
    assert "flask population import" in result.output
    assert db.session.scalar(sa.select(Round.weighted).where(Round.name == ROUND)) is False


def test_the_console_switches_weights_for_admins_only(app, client, demo_data):
    coordinator = app.test_client()
    sign_in(coordinator, Role.COORDINATOR, scope=["32.73"])
    db.session.remove()
    token = token_in(coordinator.get(f"/admin/rounds/{SLUG}").get_data(as_text=True))
    refused = coordinator.post(f"/admin/rounds/{SLUG}/weights", data={"weighted": "on", "csrf_token": token})
    assert refused.status_code == 403
    db.session.remove()
    sign_in(client, Role.ADMIN)
    page = client.get(f"/admin/rounds/{SLUG}").get_data(as_text=True)
    assert "Report figures are unweighted" in page or "tidak ditimbang" in page
    token = token_in(page)
    assert client.post(f"/admin/rounds/{SLUG}/weights", data={"weighted": "on"}).status_code == 400  # no CSRF token
    response = client.post(f"/admin/rounds/{SLUG}/weights", data={"weighted": "on", "csrf_token": token})
    assert response.status_code == 303
    db.session.remove()
    assert db.session.scalar(sa.select(Round.weighted).where(Round.name == ROUND)) is True


def _demo_targets(code: str) -> dict[tuple[str, str], float]:
    table = pd.read_csv(POPULATION_CSV, dtype=str)
    mine = table[table["code"] == code]
    sex = {"L": "male", "P": "female"}
    return targets_from_bands((r.age_band, sex[r.sex], float(r["count"])) for _, r in mine.iterrows())


def test_weighted_figures_match_samplics_on_the_exported_weights(app, client, runner, demo_data, tmp_path):
    assert runner.invoke(args=["rounds", "weights", ROUND, "on"]).exit_code == 0
    db.session.remove()
    export = _export(runner, tmp_path)
    assert list(export.columns).index("weight") == len(META_HEADERS)  # after the meta columns
    export["weight"] = export["weight"].astype(float)
    # Weights average 1 in every village, and the weighted cells have the population's shares
    # (post-stratified) or at least its margins (raked, thin groups merged).
    mine = export[export["village_code"] == VILLAGE]
    assert mine["weight"].sum() == pytest.approx(len(mine), rel=1e-9)
    targets = _demo_targets(VILLAGE)
    total = sum(targets.values())
    for code in SEXES:
        share = mine.loc[mine["sex"] == code, "weight"].sum() / mine.loc[mine["sex"].isin(list(SEXES)), "weight"].sum()
        assert share == pytest.approx(sum(t for (a, s), t in targets.items() if s == SEXES[code]) / total, rel=1e-6)

    sign_in(client, Role.ADMIN)
    db.session.remove()
    workbook = _workbook(client)
    data = {(row["Id"], row["Round"]): row for row in _data_rows(workbook)}
    # An item: the weighted share of favourable answers, Wilson at the effective n.
    with app.app_context():
        questionnaire = questionnaires.load("trust-safety", 3)
    question = questionnaire.question("trust_police")
    valid = {o.code for o in question.scale_options()}
    answered = mine[mine["trust_police"].isin(valid)]
    weights = answered["weight"].to_numpy()
    favourable = answered["trust_police"].isin(set(question.favourable)).to_numpy(dtype=float)
    estimator = TaylorEstimator(PopParam.prop)
    estimator.estimate(favourable, samp_weight=weights)
    n_eff = weights.sum() ** 2 / (weights**2).sum()
    row = data[("trust_police", ROUND)]
    assert row["Value"] == pytest.approx(estimator.point_est[1.0], abs=1e-9)
    assert row["Effective n (Kish)"] == pytest.approx(n_eff, abs=1e-9)
    assert row["n"] == len(answered) and n_eff < len(answered)
    low, high = proportion_confint(row["Value"] * n_eff, n_eff, method="wilson")
    assert (row["95% lower bound"], row["95% upper bound"]) == pytest.approx((low, high), abs=1e-9)

    # An index: the weighted mean with its linearised t interval, as samplics' Taylor estimator.
    round_id = db.session.scalar(sa.select(Round.id).where(Round.name == ROUND))
    village_id = db.session.scalar(sa.select(Village.id).where(Village.code == VILLAGE))
    db.session.remove()
    with app.app_context(), db.engine.connect() as connection:
        rounds = load_round_history(connection, round_id, questionnaires.load)
        frame = load_round_responses(connection, [rounds[-1].id], [village_id])
    index = questionnaire.indices[0]
    scores = index_scores(own_index_scores(frame, questionnaire, index)).to_numpy()
    by_id = dict(zip(export["response_id"].astype(int), export["weight"], strict=True))
    w = np.array([by_id[int(i)] for i in frame["response_id"]])
    kept = ~np.isnan(scores)
    estimator = TaylorEstimator(PopParam.mean)
    estimator.estimate(scores[kept], samp_weight=w[kept])
    row = data[(index.id, ROUND)]
    assert row["Value"] == pytest.approx(estimator.point_est, abs=1e-9)
    assert (row["95% lower bound"], row["95% upper bound"]) == pytest.approx(
        (estimator.lower_ci, estimator.upper_ci), abs=1e-9)
    assert row["Effective n (Kish)"] == pytest.approx(w[kept].sum() ** 2 / (w[kept] ** 2).sum(), abs=1e-9)


def test_min_n_goes_by_the_effective_n(client, runner, demo_data):
    """Weighted figures are flagged and hidden by their effective n, which is below n."""
    assert runner.invoke(args=["rounds", "weights", ROUND, "on"]).exit_code == 0
    sign_in(client, Role.ADMIN)
    rows = {(row["Id"], row["Round"]): row for row in _data_rows(_workbook(client))}
    shown = [row for row in rows.values() if row["Round"] == ROUND and row["Effective n (Kish)"] is not None]
    assert shown, "the latest round's figures carry their effective n"
    for row in shown:
        assert row["Base flag"] == _flag(row["Effective n (Kish)"])
        assert (row["Value"] is None) == (row["Base flag"] == "suppressed")
    assert any(_flag(row["n"]) != row["Base flag"] for row in shown), "some flag is stricter than n alone"


def _flag(n: float) -> str:
    return "suppressed" if n < 30 else ("caution" if n < 60 else "ok")


def test_the_overview_judges_each_village_on_its_weighted_figures(client, runner, demo_data):
    assert runner.invoke(args=["rounds", "weights", ROUND, "on"]).exit_code == 0
    db.session.remove()
    sign_in(client, Role.ADMIN)
    ws = openpyxl.load_workbook(io.BytesIO(
        client.get(f"/downloads/{SLUG}/area/32.73/overview.xlsx?lang=en").data)).worksheets[0]
    assert "Each village's figures are weighted to its population" in ws["A4"].value
    row = next(r for r in range(8, ws.max_row + 1) if ws.cell(r, 1).value == VILLAGE)
    value_col = 5  # the first measure (the first index): value, then n
    own = {(r["Id"], r["Round"]): r for r in _data_rows(_workbook(client))}
    first_index = next(r for r in own.values() if r["Kind"] == "index" and r["Round"] == ROUND)
    assert ws.cell(row, value_col).value == pytest.approx(first_index["Value"], abs=1e-12)
    assert ws.cell(row, value_col + 1).value == first_index["n"]
