"""Our in-memory save writes the same package as openpyxl's ``Workbook.save``: every part's
bytes equal (the creation time in docProps/core.xml aside), the cells' XML included."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.comments import Comment
from openpyxl.styles import Font

from reports.tables import Population, ReportOptions, build_village_tables
from reports.workbook import saving, village_workbook, workbook_bytes
from tests.reports.conftest import Demo

GENERATED = datetime(2025, 11, 1, 9, 30, tzinfo=UTC)


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist() if name != "docProps/core.xml"}


def _openpyxl_save(workbook: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _odd_cells(workbook: openpyxl.Workbook) -> None:
    """A sheet with every kind of cell, ours and those left to openpyxl."""
    ws = workbook.create_sheet("Odd")
    values: list[object] = [
        "plain", "", " ", "  padded ", "tab\t", "line\nbreak", "a & b < c > d \"q\" 'a'", "\x85 ünï ☃ 😀",
        0, -0.0, 1, -17, 10**20, 2**70, 1 / 3, 1e-300, 12345678901234567.0, 2.5, True, False, None,
        float("nan"), float("inf"), datetime(2025, 1, 2, 3, 4, 5), "=SUM(A1:A2)",
        CellRichText(["bold ", TextBlock(InlineFont(b=True), "part")]),
    ]
    for number, value in enumerate(values, start=1):
        ws.cell(row=number, column=1, value=value)
        styled = ws.cell(row=number, column=3, value=value)
        styled.font = Font(bold=number % 2 == 0)
        styled.number_format = "0.0" if number % 3 else "General"
    ws.cell(row=2, column=5, value="linked").hyperlink = "https://example.org/?a=1&b=2"
    ws.cell(row=3, column=5, value="noted").comment = Comment("a note", "tester")
    ws.cell(row=4, column=5).font = Font(italic=True)  # styled, no value
    ws.row_dimensions[40].height = 30  # a styled row with no cells
    ws.row_dimensions[2].height = 22
    ws.merge_cells("F1:G2")
    ws.cell(row=1, column=16384, value="last column")


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("free_text", [False, True])
def test_saved_parts_are_byte_identical_to_openpyxl(demo: Demo, lang: str, free_text: bool):
    options = ReportOptions(lang=lang, include_free_text=free_text)
    population = Population(demo.responses)
    for position in (0, 3):
        tables = build_village_tables(demo.village(position), demo.through(3), demo.responses, options,
                                      population=population, generated_at=GENERATED)
        ours, theirs = village_workbook(tables), village_workbook(tables)
        if position == 3:
            _odd_cells(ours)
            _odd_cells(theirs)
        expected = _parts(_openpyxl_save(theirs))
        actual = _parts(workbook_bytes(ours))
        assert list(actual) == list(expected)
        for name, content in expected.items():
            assert actual[name] == content, name


def test_plain_cells_do_not_fall_back_to_openpyxl(demo: Demo, monkeypatch: pytest.MonkeyPatch):
    handed_over: list[object] = []
    original = saving.write_cell

    def counting(xf: object, ws: object, cell: object, styled: object = None) -> None:
        handed_over.append(cell)
        original(xf, ws, cell, styled)

    monkeypatch.setattr(saving, "write_cell", counting)
    options = ReportOptions(include_free_text=True)
    tables = build_village_tables(demo.village(0), demo.through(3), demo.responses, options,
                                  population=Population(demo.responses), generated_at=GENERATED)
    workbook_bytes(village_workbook(tables))
    # Only the round dates on the Summary sheet: openpyxl writes dates.
    assert handed_over and all(cell.data_type == "d" for cell in handed_over)  # type: ignore[attr-defined]
