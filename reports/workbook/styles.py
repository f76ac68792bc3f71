"""Fonts, fills, number formats and page setup shared by every sheet of a village workbook.

Colour only ever repeats what a word or an arrow in the cell already says, so a report
printed in black and white, or read by someone who cannot tell red from green, loses nothing.
"""

from __future__ import annotations

import math
from typing import Any
from weakref import WeakKeyDictionary

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import column_index_from_string, get_column_letter, range_boundaries
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.pagebreak import Break
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
TOP = Alignment(vertical="top")  # a row grown for wrapped text keeps its figures beside the label's first line
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


LANDSCAPE_WIDTH = 112
"""Column-width units that fill A4 landscape at 100% within our margins (measured: LibreOffice
prints 200 units at 56%); portrait holds 210/297 of it."""
PORTRAIT_WIDTH = 77
MIN_SCALE = 0.7
"""Never print smaller than this: 11-pt text stays 7.7 pt and 9-pt notes 6.3 pt. A sheet too
wide for one page at this scale is printed across more pages, its label columns repeated."""


def print_setup(ws: Worksheet, title_rows: str | None = None, title_cols: str | None = None,
                portrait: bool = False) -> None:
    """A4, as many pages wide as keep the print at ``MIN_SCALE`` or larger (``title_cols``
    repeated on each), header rows repeated: these reports are printed for meetings.
    Call it once the column widths are set."""
    ws.page_setup.orientation = "portrait" if portrait else "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    pages = pages_wide(ws, PORTRAIT_WIDTH if portrait else LANDSCAPE_WIDTH, title_cols)
    if pages == 1:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    else:  # a fixed scale: fitting to N pages lets the program shrink further than the arithmetic says
        ws.page_setup.scale = round(MIN_SCALE * 100)
        ws.sheet_properties.pageSetUpPr.fitToPage = False
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    if title_rows:
        ws.print_title_rows = title_rows
    if title_cols and pages > 1:
        ws.print_title_cols = title_cols


def column_width(ws: Worksheet, col: int) -> float:
    """A column's width in character units (Excel's default where none is set)."""
    dimension = ws.column_dimensions.get(get_column_letter(col))
    return dimension.width if dimension is not None and dimension.customWidth else DEFAULT_WIDTH


DEFAULT_WIDTH = 8.43
DEFAULT_HEIGHT = 15.0  # points: one line of 11-pt text


def pages_wide(ws: Worksheet, page: float, title_cols: str | None = None) -> int:
    """Pages across that print the used columns at ``MIN_SCALE`` or larger."""
    widths = [column_width(ws, col) for col in range(1, printed_columns(ws) + 1)]
    room = page / MIN_SCALE
    if sum(widths) <= room:
        return 1
    repeated = 0.0
    if title_cols:
        first, last = (column_index_from_string(letter) for letter in title_cols.split(":"))
        repeated = sum(widths[first - 1:last])
    rest = sum(widths) - repeated
    return max(1, math.ceil(rest / max(room - repeated, room / 4)))


def printed_columns(ws: Worksheet) -> int:
    """The last column on paper: the print area's, else the last one used."""
    if not ws.print_area:
        return ws.max_column
    # "'Trend'!$A$1:$D$80[,...]"
    return max(range_boundaries(part.split("!")[-1].replace("$", ""))[2] or ws.max_column
               for part in str(ws.print_area).split(","))


def fit_row_heights(ws: Worksheet) -> None:
    """Give rows with wrapped text the height it needs: Excel grows such rows when the file
    opens, but LibreOffice prints them at the stored height, one line, over the next row."""
    spans = {(r.min_row, r.min_col): (r.min_col, r.max_col) for r in ws.merged_cells.ranges}
    covered = {(r.min_row, col) for r in ws.merged_cells.ranges for col in range(r.min_col + 1, r.max_col + 1)}
    widths: dict[int, float] = {}
    needed: dict[int, float] = {}
    printed = printed_columns(ws)  # columns kept off paper keep their height
    workbook = ws.parent
    # Read the style ids, not cell.alignment and cell.font: those build a proxy per cell.
    wraps = [bool(alignment.wrap_text) for alignment in workbook._alignments]
    sizes = [float(font.sz or 11) for font in workbook._fonts]
    # The cells written, not every coordinate: iter_rows() would create (and save) the empty ones.
    for (row, col), cell in list(ws._cells.items()):
        value = cell._value
        if type(value) is not str or col > printed or (row, col) in covered:
            continue
        style = cell._style
        if not wraps[style.alignmentId]:
            continue
        first, last = spans.get((row, col), (col, col))
        width = 0.0
        for c in range(first, last + 1):
            if c not in widths:
                widths[c] = column_width(ws, c)
            width += widths[c]
        size = sizes[style.fontId]
        per_line = max(1.0, width * 11 / size / TEXT_WIDTH)
        lines = sum(max(1, math.ceil(len(part) / per_line)) for part in value.split("\n"))
        if lines > 1 or size > 11:  # one line of 11 pt fits the default height
            needed[row] = max(needed.get(row, 0.0), lines * size * LINE_HEIGHT + 3)
    for number, height in needed.items():
        known = ws.row_dimensions[number].height if number in ws.row_dimensions else None
        if height > (known or DEFAULT_HEIGHT):
            ws.row_dimensions[number].height = round(height, 1)


TEXT_WIDTH = 1.15
"""Width units one character of running text takes at 11 pt (a little over the digit '0',
which defines the unit, so a line never runs out of its cell)."""
LINE_HEIGHT = 1.3
"""Line height as a multiple of the font size."""


def page_break_before(ws: Worksheet, row: int) -> None:
    """Start a new printed page at ``row``."""
    ws.row_breaks.append(Break(id=row - 1))


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
