"""The village workbook read back with openpyxl and pandas: numbers against independent
computations, both languages through one code path, charts, print setup and hostile text."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from datetime import UTC, datetime

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa
from openpyxl.chart import BarChart, LineChart
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from reports.data import Place, VillageInfo, load_round_history, load_round_responses, load_village
from reports.tables import Population, ReportOptions, VillageTables, build_village_tables
from reports.workbook import build_village_workbook
from survey_app.extensions import db
from survey_app.questionnaire import Questionnaire
from tests.reports.conftest import Demo, make_frame, make_round

GENERATED = datetime(2025, 11, 1, 9, 30, tzinfo=UTC)


def _tables(demo: Demo, position: int, rounds: int = 2, **options: object) -> VillageTables:
    return build_village_tables(
        demo.village(position), demo.through(rounds), demo.responses, ReportOptions(**options),  # type: ignore[arg-type]
        population=Population(demo.responses), generated_at=GENERATED,
    )


def _open(tables: VillageTables) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(build_village_workbook(tables)))


def _row_of(ws, label: str) -> int:
    for row in ws.iter_rows(min_col=1, max_col=1):
        if row[0].value == label:
            return row[0].row
    raise AssertionError(f"no row labelled {label!r}")


def _signed(value: float) -> str:
    places = 1 if value != 0 and round(value) == 0 else 0
    return f"{value:+.{places}f}".replace("-", "−").replace(".", ",")


def test_summary_numbers_agree_with_statsmodels(demo: Demo):
    tables = _tables(demo, 0)
    first, second = demo.through(2)
    village = demo.village(0)
    ws = _open(tables)["Ringkasan"]
    question = second.questionnaire.question("trust_help")
    row = _row_of(ws, question.text["id"])
    counts = []
    for round_ in (first, second):
        rows = demo.responses[(demo.responses.round_id == round_.id) & (demo.responses.village_id == village.id)]
        codes = rows.trust_help.dropna().astype(str)
        n = int(codes.isin(["1", "2", "3", "4", "5"]).sum())
        x = int(codes.isin(["4", "5"]).sum())
        counts.append((x, n))
    header = _row_of(ws, "Ukuran")
    columns = {ws.cell(row=header, column=c).value for c in range(1, 16)}
    assert {"Nilai", "Rentang 95%", "n", "Catatan", "Perubahan", "Arah"} <= columns
    for number, (x, n) in enumerate(counts):
        col = 3 + 4 * number
        low, high = proportion_confint(x, n, method="wilson")
        assert ws.cell(row=row, column=col).value == pytest.approx(x / n)
        assert ws.cell(row=row, column=col).number_format == "0%"
        assert ws.cell(row=row, column=col + 1).value == f"{low * 100:.0f}–{high * 100:.0f}%"
        assert ws.cell(row=row, column=col + 2).value == n
        assert ws.cell(row=row, column=col + 3).value == ("hati-hati" if n < 60 else None)
    (x1, n1), (x2, n2) = counts
    low, high = confint_proportions_2indep(x2, n2, x1, n1, method="newcomb", compare="diff")
    assert ws.cell(row=row, column=11).value == pytest.approx((x2 / n2 - x1 / n1) * 100)
    assert ws.cell(row=row, column=12).value == f"{_signed(low * 100)} – {_signed(high * 100)}"
    word = "▲ naik" if low > 0 else "▼ turun" if high < 0 else "● tidak ada perubahan jelas"
    assert ws.cell(row=row, column=13).value == word
    # The marker column has fills by conditional formatting, but the word is always there.
    assert any("LEFT(" in rule.formula[0] for cf in ws.conditional_formatting for rule in cf.rules)


def test_workbook_reads_back_with_pandas_and_has_every_sheet(demo: Demo):
    tables = _tables(demo, 0)
    sheets = pd.read_excel(io.BytesIO(build_village_workbook(tables)), sheet_name=None, header=None)
    titles = [section.title for section in tables.sections]
    assert list(sheets) == ["Sekilas", "Ringkasan", "Tren", *titles, "Perbandingan", "Metode", "Data angka"]
    summary = sheets["Ringkasan"]
    assert (summary[0] == "Indeks kepercayaan").any()
    # Labelled by meaning: for the worry items the favourable answers are the bottom two.
    text = summary.astype(str).to_string()
    assert "dua pilihan teratas" not in text and "lihat 'Dihitung sebagai'" in text
    method = sheets["Metode"].astype(str).to_string()
    assert "trust-safety v1" in method and "trust-safety v2" in method and "n<30" in method
    safety = sheets["Rasa aman"].astype(str).to_string()
    assert "Kuesioner v1" in safety and "Kuesioner v2" in safety  # safe_walk_dark's two scales


def test_english_is_the_same_workbook_in_other_words(demo: Demo):
    indonesian = _open(_tables(demo, 0))
    english = _open(_tables(demo, 0, lang="en"))
    assert english.sheetnames[:3] == ["At a glance", "Summary", "Trend"]
    assert english.sheetnames[-3:] == ["Comparison", "Method", "Data"]
    # v2 gives no short titles: a long one is cut at a word, and says so (not "... do their jo").
    assert "How well the police do their…" in english.sheetnames
    v3 = _open(_tables(demo, 0, rounds=3, lang="en"))
    assert {"Police work", "Working together"} <= set(v3.sheetnames)  # v3's short titles
    assert "Trust in the police" in english.sheetnames
    for id_sheet, en_sheet in zip(indonesian.worksheets, english.worksheets, strict=True):
        numbers = [[c.value for c in row if isinstance(c.value, int | float)] for row in id_sheet.iter_rows()]
        assert numbers == [[c.value for c in row if isinstance(c.value, int | float)] for row in en_sheet.iter_rows()]
    words = {c.value for row in english["Summary"].iter_rows() for c in row if isinstance(c.value, str)}
    assert words & {"▲ up", "▼ down", "● no clear change"}
    assert not words & {"▲ naik", "● tidak ada perubahan jelas"}


def test_trend_charts_break_where_comparability_breaks(demo: Demo):
    tables = _tables(demo, 0)
    workbook = _open(tables)
    ws = workbook["Tren"]
    charts = ws._charts
    sections_with_key_items = {tables.item(key).section_id for key in tables.key_items}
    assert len(charts) == 1 + len(sections_with_key_items)
    assert all(isinstance(chart, LineChart) and chart.display_blanks == "gap" for chart in charts)
    label = tables.item("access_easy_contact").label[:30]
    rows = [row for row in ws.iter_rows(min_row=5) if isinstance(row[0].value, str) and row[0].value.startswith(label)]
    assert len(rows) == 2  # one series per comparable segment
    assert rows[0][1].value is not None and rows[0][2].value is None
    assert rows[1][1].value is None and rows[1][2].value is not None
    for section in tables.sections:
        assert [type(chart) for chart in workbook[section.title]._charts] == [BarChart]


def test_a_scale_length_change_is_drawn_as_a_break_and_the_amendment_is_cited(demo: Demo):
    """safe_walk_dark grew from 4 to 5 points in v2: the safety index's line is two series, and
    the Method sheet cites the amendment that says so, with its date and reason."""
    tables = _tables(demo, 0)
    workbook = _open(tables)
    ws = workbook["Tren"]
    label = tables.index("safety").label
    rows = [row for row in ws.iter_rows(min_row=5) if isinstance(row[0].value, str) and row[0].value.startswith(label)]
    assert len(rows) == 2  # one series per side of the break
    assert rows[0][1].value is not None and rows[0][2].value is None
    assert rows[1][1].value is None and rows[1][2].value is not None
    method = " ".join(str(cell.value) for row in workbook["Metode"].iter_rows() for cell in row if cell.value)
    assert "Keputusan perbandingan setelah terbit" in method
    assert "trust-safety@2, 'safe_walk_dark': dapat dibandingkan dengan hati-hati (diputuskan 2026-12-04)" in method
    assert "pilihan tengah" in method  # the amendment's own reason, in the report's language
    assert "hati-hati" in method and "garis tren diputus" in method  # the break's note
    english = _open(_tables(demo, 0, lang="en"))["Method"]
    text = " ".join(str(cell.value) for row in english.iter_rows() for cell in row if cell.value)
    assert "'safe_walk_dark': comparable with caution (decided 2026-12-04). The scale went from 4 to 5" in text


def test_every_sheet_is_set_up_for_printing(demo: Demo):
    workbook = _open(_tables(demo, 0, include_free_text=True))
    assert "Jawaban terbuka" in workbook.sheetnames
    glance, *others = workbook.worksheets
    assert glance.title == "Sekilas" and glance.page_setup.orientation == "portrait"
    assert int(glance.page_setup.fitToWidth) == int(glance.page_setup.fitToHeight) == 1  # one page
    for ws in others:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert int(ws.page_setup.paperSize) == 9  # A4
        # One page wide, or printed across pages at a fixed legible scale with the labels repeated.
        fits = ws.sheet_properties.pageSetUpPr.fitToPage and int(ws.page_setup.fitToWidth) == 1
        assert fits or (ws.page_setup.scale == 70 and ws.print_title_cols), ws.title
        assert ws.print_title_rows, ws.title
        assert ws.freeze_panes, ws.title
    assert workbook["Ringkasan"].column_dimensions["A"].width > 30


def test_small_bases_show_words_instead_of_numbers(demo: Demo):
    tables = _tables(demo, len(demo.villages) - 1)
    ws = _open(tables)["Ringkasan"]
    row = _row_of(ws, "Indeks kepercayaan")
    for col in (3, 7):
        assert ws.cell(row=row, column=col).value == "n<30: terlalu sedikit"
        assert ws.cell(row=row, column=col + 1).value is None
        assert ws.cell(row=row, column=col + 2).value < 30
    assert ws.cell(row=row, column=11).value == "n<30: tidak dihitung"
    # In the open v3 round the small village is still under 30 everywhere: the report builds.
    latest = _open(_tables(demo, len(demo.villages) - 1, rounds=3))["Ringkasan"]
    assert latest.cell(row=_row_of(latest, "Indeks kepercayaan"), column=11).value == "n<30: terlalu sedikit"


def test_the_demos_v3_round_breaks_where_v3_changed_and_carries_the_rest(demo: Demo):
    """A newcomer's first report: v3 split fair_respect, so it and the trust index break; an
    item v3 kept carries its trend on, with a change figure, in a village with enough answers."""
    tables = _tables(demo, 0, rounds=3)
    first, second, third = demo.through(3)
    assert tables.item("fair_respect").segments == ((first.id, second.id), (third.id,))
    assert tables.index("trust").last_change(third.id).status == "not_comparable"
    kept = tables.item("trust_help")
    assert kept.segments == ((first.id, second.id, third.id),)
    assert kept.last_change(third.id).status == "computed"
    ws = _open(tables)["Ringkasan"]
    row = _row_of(ws, "Indeks kepercayaan")
    assert ws.cell(row=row, column=15).value == "tidak dapat dibandingkan"
    assert isinstance(ws.cell(row=_row_of(ws, third.questionnaire.question("trust_help").text["id"]),
                              column=11).value, float)


def test_method_sheet_dates_the_report(demo: Demo):
    tables = _tables(demo, 0)
    ws = _open(tables)["Metode"]
    row = _row_of(ws, "Dibuat pada")
    assert ws.cell(row=row, column=2).value == GENERATED.replace(tzinfo=None)
    assert ws.cell(row=row + 1, column=2).value == tables.data_cutoff.replace(tzinfo=None)  # type: ignore[union-attr]


HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"klik\")", "+1+2", "-3+4", "@SUM(A1:A9)", "\t=1", "=cmd|' /C calc'!A0"]


def _hostile(questionnaire: Questionnaire) -> Questionnaire:
    """The real questionnaire with formula-like labels, as a careless YAML edit could make it."""
    sections = []
    for number, section in enumerate(questionnaire.sections):
        questions = tuple(
            replace(
                question,
                text={"id": HOSTILE[0] + "\x07", "en": HOSTILE[0]} if question.id == "trust_police" else question.text,
                options=tuple(replace(option, label={"id": HOSTILE[3], "en": HOSTILE[3]}) if option.code == "4"
                              else option for option in question.options),
            )
            for question in section.questions
        )
        title = {"id": HOSTILE[5], "en": HOSTILE[5]} if number == 0 else section.title
        sections.append(replace(section, title=title, questions=questions))
    indices = tuple(replace(index, label={"id": HOSTILE[1], "en": HOSTILE[1]}) for index in questionnaire.indices)
    return replace(questionnaire, sections=tuple(sections), indices=indices)


def test_hostile_text_is_written_as_text(catalog):
    questionnaire = _hostile(catalog.get("trust-safety", 2))
    village = VillageInfo(7, "32.73.01.1001", HOSTILE[2], Place("32.73.01", HOSTILE[4]),
                          Place("32.73", "Kota"), Place("32", "Prov"))
    answers = [{"trust_police": "4", "work_together": text} for text in [*HOSTILE, "bel\x07l", "tab\x0bx"]]
    frame = make_frame([(1, a) for a in answers * 5], village=village)
    tables = build_village_tables(village, [make_round(1, questionnaire)], frame,
                                  ReportOptions(include_free_text=True, min_n=5))
    data = build_village_workbook(tables)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert b"<f>" not in archive.read(name), name
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    texts = set()
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.add(cell.value)
                    assert cell.data_type == "s"
                    assert "\x07" not in cell.value and "\x0b" not in cell.value
                    if cell.value.startswith(("=", "+", "-", "@", "\t")):
                        assert cell.quotePrefix, (ws.title, cell.coordinate, cell.value)
    assert {HOSTILE[0], HOSTILE[1], HOSTILE[3], "bell", "tabx"} <= texts
    assert set(HOSTILE) <= texts  # the free-text answers, literally
    assert "Laporan desa/kelurahan: -3+4" in texts
    assert any(name.startswith("=cmd") for name in workbook.sheetnames)


def test_a_partnership_report_counts_where_a_forum_is_too_small_to_publish(demo_data, catalog):
    """Partners are few: under min_n the summary says "3 of 7" (counted here by hand from the
    stored answers) where a resident report would hide the figure, and the Method sheet says why."""
    with db.engine.connect() as connection:
        round_id = connection.execute(
            sa.text("SELECT id FROM rounds WHERE questionnaire_key = 'partnership'")).scalar_one()
        rounds = load_round_history(connection, round_id, catalog.get)
        responses = load_round_responses(connection, [round_id])
        village = load_village(connection, int(responses.village_id.iloc[0]))
    tables = build_village_tables(village, rounds, responses, generated_at=GENERATED)
    assert tables.options.counts_below_min_n
    workbook = _open(tables)
    ws = workbook["Ringkasan"]
    mine = responses[responses.village_id == village.id]
    questionnaire = rounds[-1].questionnaire
    checked = 0
    for qid in ("chal_resources", "chal_fear", "ben_trust"):
        question = questionnaire.question(qid)
        codes = mine[qid].dropna().astype(str)
        n = int(codes.isin([o.code for o in question.scale_options()]).sum())
        hits = int(codes.isin(question.favourable).sum())
        assert 0 < n < 30
        assert ws.cell(row=_row_of(ws, question.text["id"]), column=3).value == f"{hits} dari {n}"
        checked += 1
    assert checked == 3
    method = " ".join(str(cell.value) for row in workbook["Metode"].iter_rows() for cell in row if cell.value)
    assert "\"3 dari 7\" berarti 3 dari 7 orang" in method
    # An index under min_n still shows no figure: a mean of a handful is not a count.
    assert ws.cell(row=_row_of(ws, questionnaire.index("challenges").label["id"]), column=3).value == (
        "n<30: terlalu sedikit")


def test_a_change_across_a_large_shift_in_the_web_paper_mix_is_flagged(catalog):
    """Round 1 all on the web, round 2 mostly on paper: every change between them says the
    mix moved, with the points; the rounds table gives each round's web share."""
    from tests.reports.conftest import VILLAGE

    v2 = catalog.get("trust-safety", 2)
    rows = [(1, {"trust_help": "4" if i % 2 else "2"}) for i in range(60)]
    rows += [(2, {"trust_help": "5" if i % 3 else "1"}) for i in range(60)]

    def mode(number: int) -> str:  # rows 1-60 are round 1 (all web); of round 2, 15 of 60 on the web
        return "web" if number <= 60 or number % 4 == 0 else "paper"

    frame = make_frame(rows, mode=mode)
    tables = build_village_tables(VILLAGE, [make_round(1, v2), make_round(2, v2)], frame, ReportOptions())
    assert tables.web_share(1) == 1.0 and tables.web_share(2) == pytest.approx(15 / 60)
    change = tables.item("trust_help").last_change(2)
    assert change.status == "computed" and tables.mode_shift(change, 2) == pytest.approx(75.0)
    ws = _open(tables)["Ringkasan"]
    row = _row_of(ws, v2.question("trust_help").text["id"])
    flags = [c.value for c in ws[row] if isinstance(c.value, str) and c.value.startswith("Hati-hati: porsi")]
    assert flags == ["Hati-hati: porsi jawaban lewat HP berubah 75 poin; perubahan ini bisa karena orang yang "
                     "menjawab berbeda, bukan pendapat."]
    header = next(c for r in ws.iter_rows() for c in r if c.value == "% lewat HP/web")
    shares = [ws.cell(row=header.row + n, column=header.column) for n in (1, 2)]
    assert [c.value for c in shares] == [1, pytest.approx(0.25)] and shares[1].number_format == "0%"
    # The same answers with the same mix: no flag.
    steady = build_village_tables(VILLAGE, [make_round(1, v2), make_round(2, v2)], make_frame(rows), ReportOptions())
    assert steady.mode_shift(steady.item("trust_help").last_change(2), 2) is None
    sheet = _open(steady)["Ringkasan"]
    assert not any(isinstance(c.value, str) and c.value.startswith("Hati-hati: porsi")
                   for r in sheet.iter_rows() for c in r)



def test_the_data_sheet_gives_every_headline_figure_and_interval_as_numbers(demo: Demo):
    tables = _tables(demo, 0)
    ws = _open(tables)["Data angka"]
    rows = {(r[1].value, r[3].value): r for r in ws.iter_rows(min_row=2)}
    first, second = demo.through(2)
    for trend in (*tables.indices, *(tables.item(key) for key in tables.key_items)):
        for round_ in (first, second):
            estimate = trend.values.get(round_.id)
            if estimate is None:
                assert (trend.key, round_.name) not in rows
                continue
            row = rows[(trend.key, round_.name)]
            assert row[7].value == estimate.n and row[8].value == estimate.flag
            if estimate.shown:
                assert (row[4].value, row[5].value, row[6].value) == pytest.approx(
                    (estimate.value, estimate.ci_low, estimate.ci_high), abs=1e-12)
            else:
                assert (row[4].value, row[5].value, row[6].value) == (None, None, None)
        if (trend.key, second.name) not in rows:
            continue
        change = trend.last_change(second.id)
        row = rows[(trend.key, second.name)]
        assert row[12].value == change.status
        if change.status == "computed":
            assert (row[9].value, row[10].value, row[11].value) == pytest.approx(
                (change.change.estimate, change.change.ci_low, change.change.ci_high), abs=1e-12)


def test_trend_charts_carry_each_points_interval_as_native_error_bars(demo: Demo):
    tables = _tables(demo, 0)
    ws = _open(tables)["Tren"]
    rounds = [summary.info for summary in tables.rounds]
    checked = 0
    for chart in ws._charts:
        for series in chart.series:
            bars = series.errBars
            assert bars is not None and bars.errValType == "cust" and bars.errBarType == "both"
            row = int(series.val.numRef.f.split("$")[-1])
            label = ws.cell(row=row, column=1).value
            trend = next(t for t in (*tables.indices, *(tables.item(k) for k in tables.key_items))
                         if label.startswith(t.label[:40]) or t.label[:40] in label)
            plus_ref, minus_ref = bars.plus.numRef.f, bars.minus.numRef.f
            assert f"${row}:" in plus_ref and f"${row}:" in minus_ref
            for number, info in enumerate(rounds):
                value = ws.cell(row=row, column=2 + number).value
                if value is None:
                    continue
                estimate = trend.values[info.id]
                plus = ws.cell(row=row, column=2 + number + len(rounds) + 1).value
                minus = ws.cell(row=row, column=2 + number + 2 * len(rounds) + 2).value
                assert (plus, minus) == pytest.approx((estimate.ci_high - estimate.value,
                                                       estimate.value - estimate.ci_low), abs=1e-12)
                checked += 1
    assert checked >= 10
