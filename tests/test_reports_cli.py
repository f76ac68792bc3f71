"""``flask reports build`` and ``flask reports overview`` on the demo data: files, names,
languages, processes, audit, error messages and exit codes; and LibreOffice opens a workbook."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import AuditEvent
from tests.factories import make_round
from tests.rendering import to_pdf

ROUND = "Putaran 2 2025"  # closed, v2, follows the v1 round: a real change across versions


@pytest.fixture
def demo(demo_data, runner):
    return runner


def _build(runner, *args: str):
    return runner.invoke(args=["reports", "build", "--round", ROUND, *args])


def _events(action: str = "report.downloaded") -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def test_build_one_village(demo, tmp_path: Path):
    tmp_path = tmp_path / "reports"  # the test database lives in tmp_path itself
    result = _build(demo, "--village", "32.73.02.1002", "--out", str(tmp_path), "-j", "1")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["32.73.02.1002-lebak-gede.xlsx"]
    workbook = openpyxl.load_workbook(tmp_path / "32.73.02.1002-lebak-gede.xlsx")
    assert workbook.sheetnames[:3] == ["Sekilas", "Ringkasan", "Tren"]
    assert "Jawaban terbuka" not in workbook.sheetnames  # free text is off by default
    summary = pd.read_excel(tmp_path / "32.73.02.1002-lebak-gede.xlsx", sheet_name="Ringkasan", header=None)
    assert "Lebak Gede" in summary.to_string()
    (event,) = _events()
    assert event.actor == "cli" and event.details["villages"] == 1 and event.details["what"] == "village_reports"


def test_build_an_area_in_parallel_in_english(demo, tmp_path: Path):
    result = _build(demo, "--area", "32.73.01", "--lang", "en", "--processes", "2", "--out", str(tmp_path / "new"))
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (tmp_path / "new").iterdir())
    assert names == [
        "32.73.01.1001-sukarasa.xlsx",
        "32.73.01.1002-gegerkalong.xlsx",
        "32.73.01.1003-isola.xlsx",
        "32.73.01.1004-sarijadi.xlsx",
    ]
    assert "Wrote 4 workbook(s)" in result.output
    for name in names:
        workbook = openpyxl.load_workbook(tmp_path / "new" / name)
        assert workbook.sheetnames[:2] == ["At a glance", "Summary"]
        assert workbook["Summary"]["A1"].value.startswith("Village report: ")


def test_build_whole_round_with_min_n_and_free_text(demo, tmp_path: Path):
    tmp_path = tmp_path / "reports"
    result = _build(demo, "--min-n", "10", "--free-text", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    files = sorted(tmp_path.glob("*.xlsx"))
    assert len(files) == 10
    assert not list(tmp_path.glob("*.part"))
    workbook = openpyxl.load_workbook(files[0])
    assert "Jawaban terbuka" in workbook.sheetnames
    method = "\n".join(str(c.value) for row in workbook["Metode"].iter_rows() for c in row if c.value)
    assert "10" in method


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--round", "No such round", "--out", "{out}"], 1, "No round named 'No such round'"),
        (["--round", ROUND, "--village", "32.73.09.9999", "--out", "{out}"], 1, "No village with code"),
        (["--round", ROUND, "--area", "99.99", "--out", "{out}"], 1, "No area or village with code '99.99'"),
        (["--round", ROUND, "--village", "32.73.01.1001", "--area", "32.73", "--out", "{out}"], 2, "not both"),
        (["--round", ROUND, "--lang", "fr", "--out", "{out}"], 1, "no report language 'fr': choose one of id, en"),
        (["--round", ROUND, "--min-n", "0", "--out", "{out}"], 2, "--min-n"),
        (["--round", ROUND], 2, "Missing option '--out'"),
    ],
)
def test_build_errors(demo, tmp_path: Path, args, code, message):
    result = demo.invoke(args=["reports", "build", *[a.format(out=tmp_path / "out") for a in args]])
    assert result.exit_code == code, result.output
    assert message in result.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    assert _events() == []


def test_build_refuses_a_file_as_out(demo, tmp_path: Path):
    target = tmp_path / "report.xlsx"
    target.write_text("not a folder")
    result = _build(demo, "--out", str(target))
    assert result.exit_code == 2
    assert "is a file" in result.output


def test_build_refuses_a_village_outside_the_round(demo, tmp_path: Path):
    make_round("Only Sukasari", "trust-safety@2", opened=True, scope=["32.73.01"])
    result = demo.invoke(args=["reports", "build", "--round", "Only Sukasari", "--village", "32.73.02.1001",
                               "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "is not in round 'Only Sukasari'" in result.output


def test_overview_command(demo, tmp_path: Path):
    out = tmp_path / "sub" / "overview.xlsx"
    result = demo.invoke(args=["reports", "overview", "--round", ROUND, "--area", "32.73", "--out", str(out)])
    assert result.exit_code == 0, result.output
    frame = pd.read_excel(out, header=6)
    assert list(frame.columns[:4]) == ["Kode", "Desa/kelurahan", "Kecamatan", "Jumlah jawaban"]
    assert len(frame) == 10
    (event,) = _events()
    assert (event.actor, event.object_type, event.object_id) == ("cli", "area", "32.73")


def test_overview_errors(demo, tmp_path: Path):
    result = demo.invoke(args=["reports", "overview", "--round", ROUND, "--area", "12.01", "--out",
                               str(tmp_path / "o.xlsx")])
    assert result.exit_code == 1
    assert "No area or village with code '12.01'" in result.output
    result = demo.invoke(args=["reports", "overview", "--round", ROUND, "--area", "32.73", "--out", str(tmp_path)])
    assert result.exit_code == 2


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # LibreOffice is slow; the engine does not matter
def test_libreoffice_converts_a_village_workbook(demo, tmp_path: Path):
    """The workbook opens in LibreOffice without repair: headless conversion to PDF succeeds
    (tests/test_print_layout.py reads the printed pages)."""
    result = _build(demo, "--village", "32.73.01.1001", "--lang", "en", "--out", str(tmp_path / "x"), "-j", "1")
    assert result.exit_code == 0, result.output
    (workbook,) = (tmp_path / "x").glob("*.xlsx")
    pdf = to_pdf(workbook, tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000


def test_refresh_rebuilds_the_summary_sums_of_changed_villages_once(demo):
    from survey_app.models import PlaceSummary, SummaryDirty, SummaryLevel

    def count(model, *where) -> int:  # type: ignore[no-untyped-def]
        found = db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))
        db.session.commit()  # as if each command ran in its own process: no transaction left open
        return int(found)

    first = demo.invoke(args=["reports", "refresh", "--round", ROUND])
    assert first.exit_code == 0, first.output
    villages = count(PlaceSummary, PlaceSummary.level == SummaryLevel.VILLAGE)
    assert f"Rebuilt the summary sums of {villages} village(s)." in first.output and villages > 0
    assert count(SummaryDirty) > 0  # the other rounds
    everything = demo.invoke(args=["reports", "refresh"])
    assert everything.exit_code == 0 and "village(s)" in everything.output
    assert count(SummaryDirty) == 0
    again = demo.invoke(args=["reports", "refresh"])
    assert "Rebuilt the summary sums of 0 village(s)." in again.output
    unknown = demo.invoke(args=["reports", "refresh", "--round", "No such round"])
    assert unknown.exit_code == 1 and "Traceback" not in unknown.output
