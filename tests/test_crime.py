"""Recorded crime and population: the imports through the CLI (all or nothing, row and column
errors, idempotent), and the figures beside perception in the village workbook and on its
page, recomputed here from the imported files with pandas and statsmodels."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa
from statsmodels.stats.proportion import proportion_confint

from survey_app.demo import CRIME_CSV, POPULATION_CSV
from survey_app.extensions import db
from survey_app.models import AuditEvent, PopulationCount, RecordedCrime, Response, Role, Round, Village
from tests.factories import sign_in

ROUND = "putaran-1-2026"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_crime_file_with_mistakes_is_refused_whole_naming_rows_and_columns(runner, demo_data, tmp_path):
    before = _count(RecordedCrime)
    bad = _write(tmp_path, "crime.csv", "\n".join([
        "code,month,category,incidents",
        "32.73.01.1001,2026-01,pencurian,3",            # fine, but the file is refused whole
        "32.73.99.9999,2026-01,pencurian,3",            # unknown village
        "32.73.01.1001,2026-13,pencurian,3",            # no such month
        "32.73.01.1001,2099-01,pencurian,3",            # not yet
        "32.73.01.1001,2026-02,pencurian,-1",           # negative
        "32.73.01.1001,2026-02,curanmor,2.5",           # not whole
        "32.73.01.1001,2026-01,Pencurian,4",            # the same cell again (case folded)
        "32.73.01.1001,2026-03,=HYPERLINK(\"x\"),1",    # a formula
        "32.73,2026-03,pencurian,1",                    # a regency: villages and districts only
    ]))
    result = runner.invoke(args=["crime", "import", str(bad)])
    assert result.exit_code == 1
    out = result.output
    assert "Nothing was imported from crime.csv" in out
    for line in ("row 3, column code: 32.73.99.9999 is not a village or district code we know.",
                 "row 4, column month: Write the month as YYYY-MM",
                 "row 5, column month: 2099-01 has not happened yet.",
                 "row 6, column incidents: Write a whole number (0 or more), not -1.",
                 "row 7, column incidents: Write a whole number (0 or more), not 2.5.",
                 "row 8, column category: Row 2 already gives pencurian for this area and month.",
                 "row 9, column category: Formulas are not accepted",
                 "row 10, column code: 32.73 is not a village or district code we know."):
        assert line in out, (line, out)
    assert _count(RecordedCrime) == before
    missing = runner.invoke(args=["crime", "import", str(_write(tmp_path, "c2.csv", "code,month,incidents\n"))])
    assert "row 1, column category: This column is missing" in missing.output


def test_crime_import_is_idempotent_and_replaces_the_months_it_names(runner, demo_data, tmp_path):
    code = "32.73.01.1003"
    stored = lambda: {(r.month, r.category): r.incidents for r in db.session.scalars(  # noqa: E731
        sa.select(RecordedCrime).where(RecordedCrime.area_code == code, RecordedCrime.month >= date(2026, 1, 1)))}
    events = lambda: len(db.session.scalars(sa.select(AuditEvent).where(  # noqa: E731
        AuditEvent.action == "crime.imported")).all())
    demo_jan = {k: v for k, v in stored().items() if k[0] == date(2026, 1, 1)}
    assert demo_jan  # the demo's series
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = "crime"
    ws.append(["code", "name", "month", "category", "incidents"])
    ws.append([code, "Isola", "2026-01", "pencurian", 9])
    ws.append([code, "Isola", "2026-01", "  Lain  lain ", 0])  # a zero is data: the month is covered
    path = tmp_path / "crime.xlsx"
    workbook.save(path)
    first = runner.invoke(args=["crime", "import", str(path)])
    assert first.exit_code == 0, first.output
    assert "1 area(s): 1 added, 1 changed" in first.output and f"{len(demo_jan) - 1} removed" in first.output
    jan = {k[1]: v for k, v in stored().items() if k[0] == date(2026, 1, 1)}
    assert jan == {"pencurian": 9, "lain lain": 0}
    assert {k: v for k, v in stored().items() if k[0] == date(2026, 2, 1)}  # other months untouched
    count = events()
    again = runner.invoke(args=["crime", "import", str(path)])
    assert "0 added, 0 changed, 0 removed, 2 unchanged" in again.output
    assert events() == count  # nothing changed, nothing audited


def test_population_import_checks_bands_and_sexes(runner, demo_data, tmp_path):
    before = _count(PopulationCount)
    bad = _write(tmp_path, "pop.csv", "\n".join([
        "code,age_band,sex,count,year",
        "32.73.01.1001,17-24,L,100,2025",
        "32.73.01.1001,20-29,P,100,2025",   # overlaps 17-24
        "32.73.01.1001,30-39,X,100,2025",   # no such sex
        "32.73.01.1001,40+,P,100,1890",     # year out of range
        "32.73.01.1001,50-45,P,100,2025",   # reversed band
    ]))
    out = runner.invoke(args=["population", "import", str(bad)]).output
    for line in ("row 3, column age_band: 20-29 overlaps 17-24 (row 2).",
                 "row 4, column sex: Write the sex as L or P",
                 "row 5, column year: Write a number from 1990 to",
                 "row 6, column age_band: The band's first age is above its last."):
        assert line in out, (line, out)
    assert _count(PopulationCount) == before


def _expected_crime(code: str, first: date, last: date, residents: int) -> tuple[int, int, float]:
    """Incidents, months covered and the yearly rate per 1,000, from the demo file itself."""
    frame = pd.read_csv(CRIME_CSV, dtype={"code": str})
    frame["month"] = pd.to_datetime(frame["month"] + "-01").dt.date
    rows = frame[(frame.code == code) & (frame.month >= first) & (frame.month <= last)]
    months = rows.month.nunique()
    return int(rows.incidents.sum()), months, rows.incidents.sum() / months * 12 / residents * 1000


def _residents(codes: list[str]) -> int:
    population = pd.read_csv(POPULATION_CSV, dtype={"code": str})
    return int(population[population.code.isin(codes)]["count"].sum())


def _sheet_rows(ws) -> dict[str, tuple]:
    return {row[0]: row for row in ws.iter_rows(values_only=True) if row and isinstance(row[0], str)}


@pytest.mark.parametrize(("village", "source", "members"), [
    ("32.73.01.1002", "32.73.01.1002", ["32.73.01.1002"]),  # its own data, two months missing in 2025
    ("32.73.02.1004", "32.73.02", [f"32.73.02.100{n}" for n in range(1, 7)]),  # its district's, summed residents
])
def test_the_workbook_sets_recorded_crime_beside_perception(client, demo_data, village, source, members):
    sign_in(client, Role.ADMIN)
    data = client.get(f"/downloads/{ROUND}/village/{village}.xlsx?lang=en").data
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    rows = _sheet_rows(workbook["Recorded crime"])
    residents = _residents(members)
    windows = [(date(2024, 5, 1), date(2025, 4, 1)), (date(2024, 11, 1), date(2025, 10, 1)),
               (date(2026, 1, 1), date(2026, 12, 1))]  # 12 months up to each round's last month
    for col, (first, last) in enumerate(windows, start=1):
        incidents, months, rate = _expected_crime(source, first, last, residents)
        assert rows["Period (12 months)"][col] == f"{first:%m-%Y} – {last:%m-%Y}"
        assert rows["Months with data"][col] == f"{months} of 12"
        assert rows["Recorded incidents, all categories"][col] == incidents
        assert rows["Recorded incidents per 1,000 residents per year"][col] == pytest.approx(rate, rel=1e-12)
    assert any(key.startswith("Police data: ") and f"({source})" in key for key in rows)
    assert f"Residents: {residents:,}".replace(",", ".") + " (population table)." in rows
    assert "because residents report more" in next(k for k in rows if k.startswith("How to read this"))
    trend = _sheet_rows(workbook["Trend"])
    assert trend["Recorded incidents per 1,000 residents per year"][1:4] == pytest.approx(
        rows["Recorded incidents per 1,000 residents per year"][1:4])
    assert len(workbook["Trend"]._charts) >= 2  # the perception charts and the rate's own


def test_the_dark_figure_is_the_share_of_victims_not_reporting_with_wilsons_interval(client, demo_data):
    village = "32.73.02.1001"
    said = [response.answers.get("victim_reported") for response in db.session.scalars(
        sa.select(Response).join(Round).join(Village).where(Round.name == "Putaran 1 2026", Village.code == village,
                                                            Response.deleted_at.is_(None)))]
    db.session.remove()
    no, yes = said.count("no"), said.count("yes")
    low, high = proportion_confint(no, no + yes, alpha=0.05, method="wilson")
    sign_in(client, Role.ADMIN)
    rows = _sheet_rows(openpyxl.load_workbook(io.BytesIO(
        client.get(f"/downloads/{ROUND}/village/{village}.xlsx?lang=en").data))["Recorded crime"])
    assert rows["n (victims who answered yes or no)"][3] == no + yes >= 30
    assert rows["% of victims whose latest incident was not reported"][3] == pytest.approx(no / (no + yes))
    assert rows["95% range"][3] == f"{100 * low:.0f}–{100 * high:.0f}%"
    assert rows["% of victims whose latest incident was not reported"][1] == "–"  # v1 did not ask
    assert "it counts people, not incidents" in next(k for k in rows if k.startswith("What it means"))
    # The village's page shows the same.
    client.get("/lang/en")
    page = client.get(f"/downloads/{ROUND}/village/{village}/").get_data(as_text=True)
    row = page[page.index('data-round="Putaran 1 2026"'):]
    assert f"{100 * no / (no + yes):.0f}% ({100 * low:.0f}–{100 * high:.0f}%), n = {no + yes}" in row.split("</tr>")[0]
    rate = rows["Recorded incidents per 1,000 residents per year"][3]
    assert f"<td class=\"num\" data-rate>{rate:.1f}</td>" in row.split("</tr>")[0]
    assert "Recorded crime often rises when trust rises" in page


def test_no_population_means_no_rate_and_no_police_data_says_so(client, runner, demo_data, tmp_path):
    db.session.execute(sa.delete(PopulationCount))
    db.session.execute(sa.delete(RecordedCrime).where(RecordedCrime.area_code.like("32.73.02%")))
    db.session.commit()
    db.session.remove()
    sign_in(client, Role.ADMIN)
    own = _sheet_rows(openpyxl.load_workbook(io.BytesIO(
        client.get(f"/downloads/{ROUND}/village/32.73.01.1001.xlsx?lang=en").data))["Recorded crime"])
    assert "No population imported: the rate per 1,000 residents is not computed." in own
    assert all(v is None for v in own["Recorded incidents per 1,000 residents per year"][1:4])
    assert isinstance(own["Recorded incidents, all categories"][1], int)
    none = _sheet_rows(openpyxl.load_workbook(io.BytesIO(
        client.get(f"/downloads/{ROUND}/village/32.73.02.1001.xlsx?lang=en").data))["Recorded crime"])
    assert "No police-recorded crime has been imported for this village or its district." in none
    assert "% of victims whose latest incident was not reported" in none  # the survey's own figure stays


def test_the_area_overview_gives_the_areas_dark_figure(client, demo_data):
    said = [response.answers.get("victim_reported") for response in db.session.scalars(
        sa.select(Response).join(Round).join(Village).where(Round.name == "Putaran 1 2026",
                                                            Village.code.like("32.73.%"),
                                                            Response.deleted_at.is_(None)))]
    db.session.remove()
    no, yes = said.count("no"), said.count("yes")
    low, high = proportion_confint(no, no + yes, alpha=0.05, method="wilson")
    sign_in(client, Role.ADMIN)
    ws = openpyxl.load_workbook(io.BytesIO(client.get(f"/downloads/{ROUND}/area/32.73/overview.xlsx?lang=en").data))
    line = ws.worksheets[0]["A5"].value
    assert line.startswith(f"This area's dark figure: {100 * no / (no + yes):.0f}% of victims")
    assert f"(95% range {100 * low:.0f}–{100 * high:.0f}%, n = {no + yes} victims)" in line
