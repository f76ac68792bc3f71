"""Fonts, fills, number formats and page setup shared by every sheet of a village workbook.

Colour only ever repeats what a word or an arrow in the cell already says, so a report
printed in black and white, or read by someone who cannot tell red from green, loses nothing.
"""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.worksheet import Worksheet

TITLE = Font(bold=True, size=14)
HEADING = Font(bold=True, size=11)
BOLD = Font(bold=True)
NOTE = Font(italic=True, size=9, color="555555")
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
SUBHEADER_FILL = PatternFill("solid", fgColor="F1F3F6")
SUPPRESSED_FILL = PatternFill("solid", fgColor="EEEEEE")
UP_FILL = PatternFill("solid", fgColor="D8EFD3")
DOWN_FILL = PatternFill("solid", fgColor="F8D7D3")
CAUTION_FILL = PatternFill("solid", fgColor="FFF2CC")
WRAP = Alignment(wrap_text=True, vertical="top")
CENTRE = Alignment(horizontal="center", vertical="top", wrap_text=True)
THIN = Side(style="thin", color="BBBBBB")
BOTTOM_RULE = Border(bottom=THIN)

PERCENT = "0%"
PERCENT_1 = "0.0%"
INDEX = "0"
MEAN = "0.0"
COUNT = "0"
ALPHA = "0.00"
POINTS = '+0" pp";-0" pp";0" pp"'
INDEX_POINTS = '+0.0;-0.0;0.0'
DATE = "yyyy-mm-dd"
DATETIME = "yyyy-mm-dd hh:mm"


def print_setup(ws: Worksheet, title_rows: str | None = None) -> None:
    """A4 landscape, one page wide, header rows repeated: these reports are printed for meetings."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    if title_rows:
        ws.print_title_rows = title_rows


def widths(ws: Worksheet, columns: dict[str, float]) -> None:
    """Set column widths by letter."""
    for letter, width in columns.items():
        ws.column_dimensions[letter].width = width


def merge(ws: Worksheet, row: int, first_col: int, last_col: int) -> None:
    """Merge cells of one row without openpyxl's per-cell placeholders and border copying.

    ``ws.merge_cells`` creates a ``MergedCell`` for every covered cell and recomputes borders;
    our merged cells have no borders, and the file needs only the range itself.
    """
    if last_col > first_col:
        ws.merged_cells.add(CellRange(min_col=first_col, min_row=row, max_col=last_col, max_row=row))


StyleKey = tuple[int, int, int, str, bool]


class StyleCache:
    """Style indices of one workbook, computed once per combination of font, fill, alignment,
    number format and quote prefix.

    Setting ``cell.font`` hashes the Font and looks it up in the workbook's list on every
    cell, which was a fifth of a report's build time; a cached ``StyleArray`` is one copy.
    Keys use ``id()`` of the style objects, which stay alive in ``_keep``.
    """

    def __init__(self) -> None:
        self._arrays: dict[StyleKey, StyleArray] = {}
        self._keep: list[Any] = []

    def apply(self, cell: Cell, font: Font | None, fill: PatternFill | None, align: Alignment | None,
              fmt: str = "General", quote: bool = False) -> None:
        """Give ``cell`` this combination of styles (None leaves the workbook default)."""
        key = (id(font), id(fill), id(align), fmt, quote)
        cached = self._arrays.get(key)
        if cached is not None:
            cell._style = StyleArray(cached)
            return
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        if align is not None:
            cell.alignment = align
        if fmt != "General":
            cell.number_format = fmt
        if quote:
            cell.quotePrefix = True
        self._arrays[key] = StyleArray(cell._style) if cell._style else StyleArray()
        self._keep.append((font, fill, align))


_caches: WeakKeyDictionary[Workbook, StyleCache] = WeakKeyDictionary()


def style_cache(workbook: Workbook) -> StyleCache:
    """The workbook's ``StyleCache`` (indices belong to one workbook, so one cache each)."""
    cache = _caches.get(workbook)
    if cache is None:
        cache = _caches[workbook] = StyleCache()
    return cache
