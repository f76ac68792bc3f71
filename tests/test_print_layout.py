"""Reports on paper: the village workbook and the area overview as LibreOffice prints them.
The one-page summary comes first and fits its page; nothing is printed smaller than the
minimum scale allows; no wrapped text runs over the next row; the overview has a view that
prints on one page."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from PIL import Image

from reports.workbook.styles import MIN_SCALE, NOTE
from survey_app.models import Role
from tests.factories import sign_in
from tests.rendering import overlapping_words, page_png, page_texts, printed_sizes, to_pdf

BASE = "/downloads/putaran-1-2026"
VILLAGE = "32.73.02.1001"
SMALLEST = MIN_SCALE * NOTE.sz  # the notes' 9 pt at the smallest scale any sheet prints at

# What is printed does not depend on the database engine, and printing takes LibreOffice a
# while: one backend is enough (the workbooks' figures are tested on both elsewhere).
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def admin(client, demo_data):
    sign_in(client, Role.ADMIN)
    return client


def _download(client, path: str, tmp_path: Path, name: str) -> Path:
    response = client.get(path)
    assert response.status_code == 200
    out = tmp_path / name
    out.write_bytes(response.data)
    return out


def test_the_village_report_prints_legibly_with_its_summary_on_the_first_page(admin, tmp_path):
    workbook_path = _download(admin, f"{BASE}/village/{VILLAGE}.xlsx?lang=en", tmp_path, "village.xlsx")
    workbook = openpyxl.load_workbook(workbook_path)
    assert workbook.sheetnames[:3] == ["At a glance", "Summary", "Trend"]
    glance = [[c.value for c in row] for row in workbook["At a glance"].iter_rows()]
    summary = [[c.value for c in row] for row in workbook["Summary"].iter_rows()]
    labels = glance[3][0:6:2]  # three indices side by side
    assert labels == ["Trust index", "Safety index", "Cooperation index"]
    latest_value_col = 2 + 4 * 2  # the Summary's value column of the third round
    for position, label in enumerate(labels):
        summary_row = next(row for row in summary if row[0] == label)
        assert glance[4][2 * position] == pytest.approx(summary_row[latest_value_col])
    # Each index says how it moved since the previous round, in words and points.
    assert re.fullmatch(r"(▲ up: \+|▼ down: −|● no clear change: [+−])\d+\.\d points since Putaran 2 2025",
                        glance[5][2]), glance[5][2]

    pdf = to_pdf(workbook_path, tmp_path)
    texts = page_texts(pdf)
    assert texts[0].lstrip().startswith("At a glance: Cipaganti")
    assert "Village report" not in texts[0] and texts[1].lstrip().startswith("Village report: Cipaganti")
    for position, label in enumerate(labels):
        assert label in texts[0] and f"{glance[4][2 * position]:.0f}" in texts[0]
    assert "Indices (0–100)" in texts[0]  # the trend chart's title
    sizes = printed_sizes(pdf)
    assert min(sizes) >= SMALLEST - 0.05, [(page, size) for page, size in enumerate(sizes, 1) if size < SMALLEST]
    assert overlapping_words(pdf) == []
    # Every sheet prints: the notes of the Summary, the sections, the crime sheet, the Data sheet.
    joined = "\n".join(texts)
    for text in ("How to read", "Trust in the police", "Police-recorded crime and perception", "computed"):
        assert text in joined

    image = Image.open(page_png(pdf, 1, tmp_path / "glance")).convert("L")
    width, height = image.size
    ink = [(x, y) for y in range(height) for x in range(width) if image.getpixel((x, y)) < 200]
    margin = round(50 / 25.4 * 5)  # 5 mm at 50 dpi
    assert min(x for x, _ in ink) > margin and max(x for x, _ in ink) < width - margin
    assert min(y for _, y in ink) > margin and max(y for _, y in ink) < height - margin
    lower = [y for _, y in ink if y > height * 0.35]
    assert len(lower) > 2000  # the chart is drawn, not just its title


def test_the_overview_has_a_print_view_on_one_page_and_prints_legibly(admin, tmp_path):
    path = _download(admin, f"{BASE}/area/32.73/overview.xlsx?lang=en", tmp_path, "overview.xlsx")
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames[:2] == ["Overview", "Print view"]
    view = [[c.value for c in row] for row in workbook["Print view"].iter_rows()]
    full = [[c.value for c in row] for row in workbook["Overview"].iter_rows()]
    assert [row[0] for row in view[5:]] == [row[0] for row in full[7:]]  # the same villages, in order
    assert view[3][3] == "Trust index" and view[4][3:7] == ["Value", "Change", "Dir.", "After BH correction"]
    trust = full[5].index("Trust index")
    for view_row, full_row in zip(view[5:], full[7:], strict=True):
        shown = isinstance(full_row[trust], float)
        assert view_row[3] == (full_row[trust] if shown else "n<30")  # the index as on the full sheet
        changed = isinstance(full_row[trust + 2], float)
        assert view_row[4] == (full_row[trust + 2] if changed else "–")  # its change, or none
        arrows = {"▲ up": "▲", "▼ down": "▼", "● no clear change": "●"}
        assert view_row[5] == arrows.get(full_row[trust + 4])
    pdf = to_pdf(path, tmp_path)
    texts = page_texts(pdf)
    view_pages = [number for number, text in enumerate(texts) if "The sheet to print" in text]
    assert len(view_pages) == 1
    assert all(row[1] in texts[view_pages[0]] for row in view[5:])  # every village on that one page
    sizes = printed_sizes(pdf)
    assert min(sizes) >= SMALLEST - 0.05
    assert overlapping_words(pdf) == []


def test_a_weighted_village_report_prints_legibly_too(admin, runner, tmp_path):
    """The weighted report's extra words (each round's weighting, "n eff." beside each
    figure) wrap inside their cells instead of running over the next round's columns."""
    assert runner.invoke(args=["rounds", "weights", "Putaran 1 2026", "on"]).exit_code == 0
    from survey_app.extensions import db

    db.session.remove()
    workbook_path = _download(admin, f"{BASE}/village/{VILLAGE}.xlsx?lang=en", tmp_path, "weighted.xlsx")
    summary = [c.value for row in openpyxl.load_workbook(workbook_path)["Summary"].iter_rows() for c in row]
    assert any(isinstance(v, str) and v.startswith("Weighting Putaran 1 2026: ") for v in summary)
    assert any(isinstance(v, str) and v.startswith("n eff. ") for v in summary)
    pdf = to_pdf(workbook_path, tmp_path)
    sizes = printed_sizes(pdf)
    assert min(sizes) >= SMALLEST - 0.05
    assert overlapping_words(pdf) == []
    assert "Figures weighted to the population by age x sex" in "\n".join(page_texts(pdf))
