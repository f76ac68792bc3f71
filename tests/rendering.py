"""Workbooks printed as a reader would print them: LibreOffice turns a file into PDF, and these
helpers read the pages back (text, the size it is printed at, where each word lands, PNG)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader


def to_pdf(workbook: Path, tmp_path: Path) -> Path:
    """``workbook`` printed to PDF by LibreOffice (every sheet, with its page setup)."""
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        pytest.fail("LibreOffice is not installed; install it with "
                    "`apt-get install -y libreoffice-calc-nogui` (`make test` does) to run this test.")
    profile = (tmp_path / "lo-profile").as_uri()  # own profile: parallel tests do not share a lock
    converted = subprocess.run(  # noqa: S603
        [office, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir",
         str(tmp_path / "pdf"), str(workbook)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    pdf = tmp_path / "pdf" / (workbook.stem + ".pdf")
    assert converted.returncode == 0 and pdf.exists(), converted.stdout + converted.stderr
    return pdf


def page_texts(pdf: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(pdf).pages]


def printed_sizes(pdf: Path) -> list[float]:
    """The smallest printed text size of each page, in points (font size times the scale the
    page was printed at); 0 for a page without text."""
    smallest = []
    for page in PdfReader(pdf).pages:
        sizes: list[float] = []

        def visit(text: str, cm: list[float], tm: list[float], _font: object, size: float,
                  found: list[float] = sizes) -> None:
            if text.strip():
                found.append(size * abs(cm[3] * tm[3] or cm[0] * tm[0]))

        page.extract_text(visitor_text=visit)
        smallest.append(min(sizes, default=0.0))
    return smallest


_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


def overlapping_words(pdf: Path) -> list[tuple[int, str, str]]:
    """Pairs of words printed over each other (a third of the smaller one covered), by page:
    what wrapped text in a row too low, or a note run past its page, look like on paper."""
    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,  # noqa: S603,S607
                           check=True).stdout
    found = []
    for number, page in enumerate(boxes.split("<page ")[1:], start=1):
        words = [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in _WORD.findall(page)]
        for i, (x0, y0, x1, y1, word) in enumerate(words):
            for a0, b0, a1, b1, other in words[i + 1:]:
                width, height = min(x1, a1) - max(x0, a0), min(y1, b1) - max(y0, b0)
                smaller = min((x1 - x0) * (y1 - y0), (a1 - a0) * (b1 - b0))
                if width > 0.5 and height > 0.5 and smaller and width * height / smaller > 0.3:
                    found.append((number, word, other))
    return found


def page_png(pdf: Path, page: int, out: Path, dpi: int = 50) -> Path:
    """One page as a PNG (poppler's pdftoppm)."""
    subprocess.run(["pdftoppm", "-f", str(page), "-l", str(page), "-r", str(dpi), "-png", "-singlefile",  # noqa: S603,S607
                    str(pdf), str(out)], check=True)
    return out.with_suffix(".png")
