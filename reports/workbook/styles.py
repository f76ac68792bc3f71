"""Fonts, fills, number formats and page setup shared by every sheet of a village workbook.

Colour only ever repeats what a word or an arrow in the cell already says, so a report
printed in black and white, or read by someone who cannot tell red from green, loses nothing.
"""

from __future__ import annotations

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
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
