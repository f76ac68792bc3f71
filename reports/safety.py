"""Text from answers or questionnaire files, made safe to put in a spreadsheet cell.

Residents type free text and anyone with commit rights writes YAML labels, so neither may
become a formula (``=HYPERLINK(...)``, ``@SUM(...)``) or break the file with a control
character that XML forbids. Every cell the report writes from such text goes through
``write_text``.
"""

from __future__ import annotations

import re

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

# Characters that make Excel, LibreOffice or a CSV import read a cell as a formula or
# command; tab and CR are on the list because some importers strip them first.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL_CHARS = 32_767
"""Excel's limit: a longer text is cut rather than making the file fail to open."""
MAX_SHEET_TITLE = 31
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def safe_text(value: object) -> str:
    """``value`` as text without XML-illegal control characters, cut to Excel's cell limit."""
    text = "" if value is None else str(value)
    return ILLEGAL_CHARACTERS_RE.sub("", text)[:MAX_CELL_CHARS]


def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet could read ``text`` as a formula if it were typed in."""
    return text.startswith(FORMULA_START)


def write_text(cell: Cell, value: object) -> None:
    """Write ``value`` into ``cell`` as literal text, never as a formula.

    openpyxl turns any string starting with ``=`` into a formula, so the type is forced back
    to text; ``quotePrefix`` keeps Excel from turning it into one when somebody edits it.
    """
    text = safe_text(value)
    cell.value = text
    cell.data_type = "s"
    if looks_like_formula(text):
        cell.quotePrefix = True


def safe_sheet_title(title: str, taken: set[str]) -> str:
    """A legal, unique worksheet name (31 characters, no ``[]:*?/\\``) and records it in ``taken``."""
    base = _SHEET_TITLE_FORBIDDEN.sub(" ", safe_text(title)).strip().strip("'") or "Sheet"
    if len(base) > MAX_SHEET_TITLE:  # cut at a word, and say so: "How well the police do their…"
        cut = base[: MAX_SHEET_TITLE - 1]
        base = (cut[: cut.rfind(" ")] if " " in cut else cut).rstrip(" ,;:-") + "…"
    candidate, number = base, 2
    while candidate.casefold() in {name.casefold() for name in taken}:
        suffix = f" ({number})"
        candidate = base[: MAX_SHEET_TITLE - len(suffix)] + suffix
        number += 1
    taken.add(candidate)
    return candidate
