"""Results in the browser: a round's and a village's headline trends as server-drawn SVG charts,
with the workbook's own figures, suppression and access rules."""

from __future__ import annotations

import io

import openpyxl
import pytest
import sqlalchemy as sa

from reports.data import Place, VillageInfo, load_round_history, load_round_responses
from reports.tables import ReportOptions, build_village_tables
from reports.workbook.trend import short_label
from survey_app import questionnaires
from survey_app.extensions import db
from survey_app.models import Response, Role, Round, Village
from tests.factories import make_response, make_round, sign_in
from tests.html_pages import Node, parse

ROUND = "putaran-2-2025"
BASE = f"/downloads/{ROUND}"
VILLAGE = "32.73.01.1001"  # Sukarasa: 37 answers in round 1, 89 in round 2
OTHER_VILLAGE = "32.73.02.1002"
EVERYONE = VillageInfo(0, "0", "all", Place("0", "all"), Place("0", "all"), Place("0", "all"))
"""Every response of a reach as one place, for the reference path."""


def _figures(page: Node) -> dict[tuple[str, str], dict[str, str]]:
    """(chart title, line label) -> round name -> the cell's attributes, from the figures tables."""
    found: dict[tuple[str, str], dict[str, str]] = {}
    for table in page.all("table", **{"class": "figures"}):
        head = [th.text() for th in table.one("thead").all("th")]  # type: ignore[union-attr]
        for row in table.one("tbody").all("tr"):  # type: ignore[union-attr]
            label = row.one("th").text()  # type: ignore[union-attr]
            found[(head[0], label)] = {name: {**cell.attrs, "text": cell.text()}
                                       for name, cell in zip(head[1:], row.all("td"), strict=True)}
    return found


RECORDED_CRIME = "Recorded incidents per 1,000 residents per year"  # police figures: no survey base


def _trend_sheet(data: bytes) -> dict[str, dict[str, float | None]]:
    """Survey line label -> round name -> value, from the workbook's Trend sheet."""
    ws = openpyxl.load_workbook(io.BytesIO(data))["Trend"]
    header = [cell.value for cell in ws[4]]
    return {row[0].value: dict(zip(header[1:], (c.value for c in row[1:]), strict=False))
            for row in ws.iter_rows(min_row=5) if isinstance(row[0].value, str) and row[0].value != RECORDED_CRIME}


@pytest.fixture
def demo(demo_data):
    """The demo installation."""


def test_a_village_page_shows_the_workbooks_trend_figures(client, demo):
    sign_in(client, Role.COORDINATOR, scope=["32.73.01"])
    client.get("/lang/en")
    page = parse(client.get(f"{BASE}/village/{VILLAGE}/"))
    assert page.one("h1").text().startswith("Sukarasa")
    charts = page.all("figure", **{"class": "chart"})
    assert charts and all(chart.one("svg", role="img") is not None for chart in charts)
    figures = _figures(page)
    sheet = _trend_sheet(client.get(f"{BASE}/village/{VILLAGE}.xlsx?lang=en").data)
    compared = 0
    for (_title, label), by_round in figures.items():
        rows = {name: values for name, values in sheet.items() if name.startswith(short_label(label)[:40])}
        assert rows, label
        for round_name, cell in by_round.items():
            in_workbook = [values[round_name] for values in rows.values() if values.get(round_name) is not None]
            if "data-value" in cell:
                assert in_workbook == [pytest.approx(float(cell["data-value"]), rel=1e-12)], (label, round_name)
                compared += 1
            else:
                assert in_workbook == [], (label, round_name)
    assert compared >= 20
    # Every shown figure is also a point with its interval in the SVG.
    circles = [c for chart in charts for c in chart.all("circle", **{"data-value": True})]
    assert len(circles) == compared


def test_figures_under_min_n_are_not_drawn_as_on_the_workbook(client, demo):
    db.session.execute(sa.update(Round).where(Round.slug == ROUND).values(min_n=50))  # round 1 had 37 answers
    db.session.commit()
    sign_in(client, Role.ADMIN)
    client.get("/lang/en")
    page = parse(client.get(f"{BASE}/village/{VILLAGE}/"))
    first = [cells["Putaran 1 2025"] for cells in _figures(page).values()]
    assert first and all("data-value" not in cell for cell in first)
    assert any(cell.get("data-suppressed") == "37" and "too few answers (n = 37, under 50)" in cell["text"]
               for cell in first)
    assert not [c for c in page.all("circle", **{"data-value": True}) if c["data-round"] == first[0]["data-round"]]
    sheet = _trend_sheet(client.get(f"{BASE}/village/{VILLAGE}.xlsx?lang=en").data)
    assert all(values.get("Putaran 1 2025") is None for values in sheet.values())


def test_a_partnership_village_page_counts_where_the_forum_is_too_small(client, demo):
    """Partners are few: under min_n the page says "3 of 7", counted here from the stored
    answers, and draws no point, as the partnership workbook does."""
    sign_in(client, Role.ADMIN)
    client.get("/lang/en")
    page = parse(client.get(f"/downloads/kemitraan-2026/village/{VILLAGE}/"))
    questionnaire = questionnaires.load("partnership", 1)
    answers = [r.answers for r in db.session.scalars(
        sa.select(Response).join(Village).where(Village.code == VILLAGE, Response.questionnaire_key == "partnership"))]
    counted = {}
    for (_title, label), by_round in _figures(page).items():
        (cell,) = by_round.values()
        question = next((q for q in questionnaire.questions() if q.text["en"].startswith(label[:30])), None)
        if question is None or "data-count" not in cell:
            continue
        codes = [a[question.id] for a in answers if question.id in a]
        n = sum(code in {o.code for o in question.scale_options()} for code in codes)
        hits = sum(code in question.favourable for code in codes)
        assert (cell["data-count"], cell["data-n"], cell["text"]) == (str(hits), str(n), f"{hits} of {n}")
        counted[question.id] = n
    assert counted and all(0 < n < 30 for n in counted.values())
    assert not page.all("circle", **{"data-value": True})


def test_the_round_page_shows_the_reach_of_the_user_from_stored_sums(client, demo, app):
    """An admin sees the whole round, a coordinator their district: each figure equals the one
    computed from every response of that reach (the reference path)."""
    options = ReportOptions(lang="en")
    with db.engine.connect() as connection:
        round_id = connection.execute(sa.select(Round.id).where(Round.slug == ROUND)).scalar_one()
        rounds = load_round_history(connection, round_id, questionnaires.load)
        responses = load_round_responses(connection, [r.id for r in rounds])
    for role, scope, rows in ((Role.ADMIN, None, responses),
                              (Role.COORDINATOR, ["32.73.01"], responses[responses["district_code"] == "32.73.01"])):
        user_client = app.test_client()
        sign_in(user_client, role, scope=scope, email=f"{role.value}-results@example.org")
        user_client.get("/lang/en")
        page = parse(user_client.get(f"{BASE}/"))
        db.session.remove()  # the app context outlives requests here: end the request's read
        figures = _figures(page)
        pooled = rows.assign(village_id=0)
        reference = build_village_tables(EVERYONE, rounds, pooled, options, versions=questionnaires.load)
        latest = rounds[-1]
        expected = {trend.label: trend.values[latest.id] for trend in (*reference.indices, *reference.items)}
        checked = 0
        for (_title, label), by_round in figures.items():
            cell, want = by_round[latest.name], expected[label]
            if want is None:  # not asked in this round (dropped from the questionnaire)
                assert "data-value" not in cell and cell["text"] == "not asked", label
                continue
            assert want.shown and "data-value" in cell, label
            assert float(cell["data-value"]) == pytest.approx(want.value, rel=1e-12)
            assert (float(cell["data-low"]), float(cell["data-high"])) == pytest.approx((want.ci_low, want.ci_high))
            assert int(cell["data-n"]) == want.n
            checked += 1
        assert checked >= 10
        counts = page.one("section", **{"aria-labelledby": "results-heading"}).text()  # type: ignore[union-attr]
        assert f"{latest.name}: {int((rows['round_id'] == latest.id).sum())}" in counts


def test_a_viewer_sees_their_village_only(client, demo):
    sign_in(client, Role.VIEWER, scope=[VILLAGE])
    client.get("/lang/en")
    page = parse(client.get(f"{BASE}/"))
    text = page.one("section", **{"aria-labelledby": "results-heading"}).text()  # type: ignore[union-attr]
    assert "Putaran 1 2025: 37" in text and "Putaran 2 2025: 89" in text
    assert client.get(f"{BASE}/village/{VILLAGE}/").status_code == 200
    assert client.get(f"{BASE}/village/{OTHER_VILLAGE}/").status_code == 403
    assert client.get(f"{BASE}/village/99.99.99.9999/").status_code == 404


def test_results_pages_are_closed_to_volunteers_and_strangers(client, demo):
    assert client.get(f"{BASE}/village/{VILLAGE}/").status_code == 302
    sign_in(client, Role.VOLUNTEER)
    assert client.get(f"{BASE}/village/{VILLAGE}/").status_code == 403


def test_the_pages_speak_the_interface_language(client, demo):
    sign_in(client, Role.ADMIN)
    page = parse(client.get(f"{BASE}/village/{VILLAGE}/"))
    assert page.one("title", id="village-1-title").text() == "Indeks (0–100)"  # type: ignore[union-attr]
    client.get("/lang/en")
    page = parse(client.get(f"{BASE}/village/{VILLAGE}/"))
    assert page.one("title", id="village-1-title").text() == "Indices (0–100)"  # type: ignore[union-attr]


def test_a_coordinators_district_figures_are_the_workbooks_comparison_column(client, demo):
    """The round page of a coordinator of one district, against the district column of a
    village workbook of that district (the Comparison sheet: the latest round)."""
    sign_in(client, Role.COORDINATOR, scope=["32.73.01"])
    client.get("/lang/en")
    figures = _figures(parse(client.get(f"{BASE}/")))
    db.session.remove()
    ws = openpyxl.load_workbook(io.BytesIO(client.get(f"{BASE}/village/{VILLAGE}.xlsx?lang=en").data))["Comparison"]
    district = {row[0].value: row[5].value for row in ws.iter_rows(min_row=6) if isinstance(row[0].value, str)}
    compared = 0
    for (_title, label), by_round in figures.items():
        cell = by_round["Putaran 2 2025"]
        if label in district and "data-value" in cell:
            assert float(cell["data-value"]) == pytest.approx(district[label], rel=1e-12), label
            compared += 1
    assert compared >= 10


def test_the_consoles_round_page_shows_the_same_results(client, demo):
    sign_in(client, Role.COORDINATOR, scope=["32.73.01"])
    client.get("/lang/en")
    console = _figures(parse(client.get(f"/admin/rounds/{ROUND}")))
    db.session.remove()
    assert console and console == _figures(parse(client.get(f"{BASE}/")))
    draft = make_round("Draft round", "trust-safety@2", scope=["32.73.01"])
    page = parse(client.get(f"/admin/rounds/{draft.slug}"))
    assert page.one("section", **{"aria-labelledby": "results-heading"}) is None


def test_a_large_backlog_is_shown_as_stored_and_said_not_rebuilt_while_the_page_waits(client, demo, monkeypatch):
    from survey_app.reporting import summaries

    sign_in(client, Role.ADMIN)
    client.get("/lang/en")

    def counted() -> tuple[str, str | None]:
        page = parse(client.get(f"{BASE}/"))
        db.session.remove()
        section = page.one("section", **{"aria-labelledby": "results-heading"})
        stale = page.one("p", id="results-stale")
        return section.text(), (stale.text() if stale is not None else None)  # type: ignore[union-attr]

    round_ = db.session.scalar(sa.select(Round).where(Round.slug == ROUND))
    stored = db.session.scalar(sa.select(sa.func.count()).select_from(Response).where(
        Response.round_id == round_.id, Response.deleted_at.is_(None)))
    before, note = counted()
    assert f"Putaran 2 2025: {stored}" in before and note is None
    round_ = db.session.scalar(sa.select(Round).where(Round.slug == ROUND))
    make_response(round_, 1, answers={"trust_police": "4"})
    db.session.commit()
    monkeypatch.setattr(summaries, "REFRESH_IN_REQUEST", 0)  # as if a bulk import had marked thousands
    stale, note = counted()
    assert f"Putaran 2 2025: {stored}" in stale and note is not None
    assert "Villages with answers newer than these figures: 1." in note
    monkeypatch.setattr(summaries, "REFRESH_IN_REQUEST", 500)
    after, note = counted()
    assert f"Putaran 2 2025: {stored + 1}" in after and note is None


def test_a_village_report_with_a_large_backlog_says_its_area_figures_leave_villages_out(client, demo, monkeypatch):
    """The village's own figures are read from its answers every time; its district and
    regency come from the stored sums, which a large backlog does not wait for."""
    from survey_app.reporting import summaries

    sign_in(client, Role.ADMIN)
    client.get("/lang/en")
    assert client.get(f"{BASE}/village/{VILLAGE}.xlsx?lang=en").status_code == 200  # sums up to date
    db.session.remove()
    round_ = db.session.scalar(sa.select(Round).where(Round.slug == ROUND))
    other = db.session.scalar(sa.select(Village.id).where(Village.code == OTHER_VILLAGE))
    make_response(round_, other, answers={"trust_police": "4"})
    db.session.commit()
    monkeypatch.setattr(summaries, "REFRESH_IN_REQUEST", 0)
    ws = openpyxl.load_workbook(io.BytesIO(client.get(f"{BASE}/village/{VILLAGE}.xlsx?lang=en").data))["Comparison"]
    assert "do not yet include the newest answers of some villages (1)" in str(ws["A3"].value)
    page = parse(client.get(f"{BASE}/village/{VILLAGE}/"))
    assert page.one("p", id="results-stale") is not None
    db.session.remove()
    monkeypatch.setattr(summaries, "REFRESH_IN_REQUEST", 500)
    ws = openpyxl.load_workbook(io.BytesIO(client.get(f"{BASE}/village/{VILLAGE}.xlsx?lang=en").data))["Comparison"]
    assert ws["A3"].value is None


def _sheet_values(data: bytes, title: str) -> list[list[object]]:
    ws = openpyxl.load_workbook(io.BytesIO(data))[title]
    return [[cell.value for cell in row] for row in ws.iter_rows()]


def test_a_village_report_puts_the_partners_round_of_the_same_period_beside_the_residents(client, demo, app):
    """The demo's resident round (v3) and partnership round run at the same time: each village
    workbook has a Same period sheet with the other, under its own rules (partners counted, as
    counted here from the stored answers), the same from the single download and the bulk build."""
    from reports.tables import ReportOptions
    from survey_app.reporting.service import bulk_inputs

    sign_in(client, Role.ADMIN)
    resident = client.get(f"/downloads/putaran-1-2026/village/{VILLAGE}.xlsx")
    assert resident.status_code == 200
    rows = _sheet_values(resident.data, "Periode sama")
    text = " ".join(str(v) for row in rows for v in row if v is not None)
    assert "Kemitraan Polisi dan Masyarakat: Kemitraan 2026 (15-09-2026 – 31-12-2026)" in text
    questionnaire = questionnaires.load("partnership", 1)
    answers = [r.answers for r in db.session.scalars(
        sa.select(Response).join(Village).where(Village.code == VILLAGE, Response.questionnaire_key == "partnership"))]
    assert f"Jumlah jawaban di desa ini: {len(answers)}" in text
    checked = 0
    for row in rows:
        question = next((q for q in questionnaire.questions() if q.text["id"] == row[0]), None)
        if question is None:
            continue
        codes = [a[question.id] for a in answers if question.id in a]
        n = sum(code in {o.code for o in question.scale_options()} for code in codes)
        hits = sum(code in question.favourable for code in codes)
        # Counted even below the minimum base; a question nobody answered has nothing to count.
        assert row[1:4] == [f"{hits} dari {n}" if n else "n<30: terlalu sedikit", None, n]
        checked += 1
    assert checked >= 3
    # The partners' report shows the residents' round beside it, as percentages.
    partners = _sheet_values(client.get(f"/downloads/kemitraan-2026/village/{VILLAGE}.xlsx").data, "Periode sama")
    trust = next(row for row in partners if row[0] == "Indeks kepercayaan")
    assert isinstance(trust[1], float) and isinstance(trust[3], int) and trust[3] >= 30
    # The bulk build (the zip of every village) gives the same sheet.
    round_ = db.session.scalar(sa.select(Round).where(Round.slug == "putaran-1-2026"))
    village = db.session.scalar(sa.select(Village).where(Village.code == VILLAGE))
    inputs = bulk_inputs(round_, [village], ReportOptions(min_n=round_.min_n or 30))
    bulk = inputs.workbook(inputs.villages[0])
    assert _sheet_values(bulk, "Periode sama")[2:] == rows[2:]
    # A past round held alone has no such sheet.
    past = openpyxl.load_workbook(io.BytesIO(client.get(f"{BASE}/village/{VILLAGE}.xlsx").data))
    assert "Periode sama" not in past.sheetnames
