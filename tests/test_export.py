"""``flask export responses``: one row per response, one column per question id, 0/1 per
multiple-choice option, codes or labels, CSV and XLSX, and hostile text kept harmless."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa

from reports.export import META_HEADERS
from survey_app.extensions import db
from survey_app.models import AuditEvent, Response, Round
from survey_app.questionnaire import Catalog

QUESTIONNAIRES = Path(__file__).resolve().parents[1] / "questionnaires"
ROUND = "Putaran 2 2025"
HOSTILE = {
    "work_together": '=HYPERLINK("http://evil.example","klik")',
    "local_problems_other": "@SUM(1+1)\x0b",
}


@pytest.fixture
def demo(demo_data, runner):
    return runner


def _export(runner, out: Path, *args: str):
    result = runner.invoke(args=["export", "responses", "--round", ROUND, "--out", str(out), *args])
    assert result.exit_code == 0, result.output
    return result


def _round_responses() -> list[Response]:
    round_ = db.session.scalar(sa.select(Round).where(Round.name == ROUND))
    return list(db.session.scalars(sa.select(Response).where(Response.round_id == round_.id).order_by(Response.id)))


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def test_csv_codes_one_column_per_question_and_01_per_option(demo, tmp_path: Path):
    _export(demo, tmp_path / "codes.csv", "--format", "csv")
    frame = _csv(tmp_path / "codes.csv")
    responses = _round_responses()
    v2 = Catalog(QUESTIONNAIRES).get("trust-safety", 2)
    assert list(frame.columns[: len(META_HEADERS)]) == list(META_HEADERS)
    assert len(frame) == len(responses)
    assert frame["response_id"].astype(int).tolist() == [r.id for r in responses]
    assert set(frame["questionnaire_version"]) == {"2"}
    assert set(frame["mode"]) <= {"web", "paper"}
    assert frame["village_code"].str.startswith("32.73.").all()
    local = v2.question("local_problems")
    option_columns = [f"local_problems/{o.code}" for o in local.options]
    assert [c for c in frame.columns if c.startswith("local_problems/")] == option_columns
    assert "local_problems" not in frame.columns
    assert "work_together" not in frame.columns  # free text only on request
    for response, (_, row) in zip(responses, frame.iterrows(), strict=True):
        chosen = response.answers.get("local_problems")
        for option in local.options:
            expected = "" if chosen is None else str(int(option.code in chosen))
            assert row[f"local_problems/{option.code}"] == expected
        assert row["trust_help"] == str(response.answers.get("trust_help", ""))
    (event,) = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "report.downloaded"))
    assert event.actor == "cli" and event.details["format"] == "csv" and event.details["rows"] == len(responses)


def test_labels_instead_of_codes(demo, tmp_path: Path):
    _export(demo, tmp_path / "labels.csv", "--format", "csv", "--labels")
    _export(demo, tmp_path / "labels-en.csv", "--format", "csv", "--labels", "--lang", "en")
    codes_path = tmp_path / "codes.csv"
    _export(demo, codes_path, "--format", "csv")
    codes, labels, english = _csv(codes_path), _csv(tmp_path / "labels.csv"), _csv(tmp_path / "labels-en.csv")
    question = Catalog(QUESTIONNAIRES).get("trust-safety", 2).question("trust_help")
    for code, label, label_en in zip(codes["trust_help"], labels["trust_help"], english["trust_help"], strict=True):
        if code == "":
            assert label == label_en == ""
            continue
        option = next(o for o in question.options if o.code == code)
        assert label == option.label["id"] and label_en == option.label["en"]
    # Multiple choice stays 0/1 with labels.
    assert set(labels["local_problems/theft"]) <= {"0", "1", ""}


def test_xlsx_matches_csv(demo, tmp_path: Path):
    _export(demo, tmp_path / "r.csv", "--format", "csv")
    _export(demo, tmp_path / "r.xlsx", "--format", "xlsx")
    from_csv = _csv(tmp_path / "r.csv")
    from_xlsx = pd.read_excel(tmp_path / "r.xlsx", dtype=str, keep_default_na=False)
    assert list(from_xlsx.columns) == list(from_csv.columns)
    assert len(from_xlsx) == len(from_csv)
    for column in ("response_id", "village_code", "trust_help", "local_problems/drugs", "fkpm_meetings_12m"):
        assert from_xlsx[column].tolist() == from_csv[column].tolist(), column
    workbook = openpyxl.load_workbook(tmp_path / "r.xlsx", read_only=True)  # holds the file open
    try:
        assert sum(1 for _ in workbook["responses"].iter_rows()) == len(from_csv) + 1
    finally:
        workbook.close()


def test_hostile_text_is_never_a_formula(demo, tmp_path: Path):
    target = _round_responses()[0]
    target.answers = {**target.answers, "local_problems": ["other"], **HOSTILE}
    db.session.commit()
    _export(demo, tmp_path / "h.csv", "--format", "csv", "--free-text")
    _export(demo, tmp_path / "h.xlsx", "--format", "xlsx", "--free-text")
    row = _csv(tmp_path / "h.csv").set_index("response_id").loc[str(target.id)]
    # CSV: a leading apostrophe keeps a spreadsheet from reading the cell as a formula.
    assert row["work_together"] == "'" + HOSTILE["work_together"]
    assert row["local_problems_other"] == "'@SUM(1+1)"  # control character removed
    raw = (tmp_path / "h.csv").read_text(encoding="utf-8-sig")
    assert "\n=HYPERLINK" not in raw and ",=HYPERLINK" not in raw and '"=HYPERLINK' not in raw
    ws = openpyxl.load_workbook(tmp_path / "h.xlsx")["responses"]
    header = [c.value for c in ws[1]]
    cells = next(r for r in ws.iter_rows(min_row=2) if r[0].value == target.id)
    cell = cells[header.index("work_together")]
    assert cell.value == HOSTILE["work_together"] and cell.data_type == "s" and cell.quotePrefix
    assert cells[header.index("local_problems_other")].value == "@SUM(1+1)"


def test_export_errors(demo, tmp_path: Path):
    result = demo.invoke(args=["export", "responses", "--round", "Nope", "--format", "csv", "--out",
                               str(tmp_path / "x.csv")])
    assert result.exit_code == 1 and "No round named 'Nope'" in result.output
    result = demo.invoke(args=["export", "responses", "--round", ROUND, "--format", "pdf", "--out",
                               str(tmp_path / "x.pdf")])
    assert result.exit_code == 2
    result = demo.invoke(args=["export", "responses", "--round", ROUND, "--format", "csv", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "is a directory" in result.output
    assert not (tmp_path / "x.csv").exists()


def test_export_of_an_area(demo, tmp_path: Path):
    _export(demo, tmp_path / "a.csv", "--format", "csv", "--area", "32.73.02")
    frame = _csv(tmp_path / "a.csv")
    assert len(frame) > 0 and frame["district_code"].eq("32.73.02").all()
