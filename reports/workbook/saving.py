"""Saving a workbook to ``.xlsx`` bytes with openpyxl's own writer, in memory.

``Workbook.save`` writes every worksheet's XML to a named temporary file, copies it into the
zip and deletes it: three file-system calls per sheet, a dozen sheets per village, which on
a busy disk cost more than the zip compression. Here each sheet is serialised by openpyxl's
``WorksheetWriter`` into a ``BytesIO`` instead; the package (parts, relationships, content
types, styles, charts) is still written by openpyxl's ``ExcelWriter``, unchanged.

The cells themselves (``sheetData``) are the one part not serialised by openpyxl's own code:
it builds an ElementTree element per cell and runs the generic namespace-aware serialiser on
it, half the time of a save. ``_FastRowsWriter`` writes the same text directly for the cells
our workbooks hold (texts, finite numbers, booleans, empty styled cells) and hands any other
cell (dates, formulas, rich text, hyperlinks, comments) to openpyxl's ``write_cell``; the
saved XML is byte-for-byte what openpyxl writes (tests/reports/test_saving.py). This module is
the one place that uses openpyxl's private writers; tests/test_library_internals.py names each
part it relies on, so an upgrade that moves one fails there.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from math import isfinite
from typing import Any
from xml.sax.saxutils import escape
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import LXML, Workbook
from openpyxl.cell._writer import write_cell
from openpyxl.comments.comment_sheet import CommentRecord
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

_ATTRIBUTE_ENTITIES = {'"': "&quot;", "\r": "&#13;", "\n": "&#10;", "\t": "&#09;"}
"""What ElementTree's serialiser (under et_xmlfile) escapes in an attribute besides ``& < >``."""

COMPRESS_LEVEL = 6
"""zlib's default, what ``Workbook.save`` uses; lower levels saved little time for larger files."""


class _FastRowsWriter(WorksheetWriter):  # type: ignore[misc]  # openpyxl is untyped
    """``WorksheetWriter`` whose ``write_rows`` writes plain cells' XML text itself.

    The text is what openpyxl's ``etree_write_cell`` and et_xmlfile produce, character for
    character: attributes ``r``, ``s``, ``t`` in that order, ``"%.16g"`` numbers, texts as
    inline strings escaped as ElementTree escapes them, ``xml:space="preserve"`` on texts
    with outer whitespace, `` />`` for empty cells, rows as start and end tags.
    """

    def write_rows(self) -> None:
        xf = self.xf.send(True)
        ws = self.ws
        dims = ws.row_dimensions
        write = xf._file  # et_xmlfile's text writer, which every element below also goes through
        parts: list[str] = []  # written at once: each write to the stream has a cost of its own
        with xf.element("sheetData"):
            for row_idx, row in self.rows():
                attrs = {"r": f"{row_idx}"}
                attrs.update(dims.get(row_idx, {}))  # as WorksheetWriter.write_row
                parts += ["<row", *[f' {k}="{escape(v, _ATTRIBUTE_ENTITIES)}"' for k, v in attrs.items()], ">"]
                for cell in row:
                    if cell._comment is not None:
                        ws._comments.append(CommentRecord.from_cell(cell))
                    styled = cell.has_style
                    if cell._value is None and not styled and not cell._comment:
                        continue
                    text = _cell_xml(cell, styled)
                    if text is None:  # not one of ours: openpyxl writes it, after what came before
                        write("".join(parts))
                        parts = []
                        write_cell(xf, ws, cell, styled)
                    else:
                        parts.append(text)
                parts.append("</row>")
            write("".join(parts))
        self.xf.send(None)  # return control to the generator, as WorksheetWriter.write_rows


_COLUMN_LETTERS = [""] + [get_column_letter(i) for i in range(1, 16385)]
_NUMBERS = (int, float)  # bool is an int: "%.16g" % True == "1", as openpyxl writes it


def _cell_xml(cell: Any, styled: bool) -> str | None:
    """The cell's ``<c>`` element as openpyxl writes it, or None for a cell we leave to openpyxl."""
    kind = cell.data_type
    value = cell._value
    if cell.hyperlink is not None or cell._comment is not None:
        return None
    ref = f"{_COLUMN_LETTERS[cell.column]}{cell.row}"
    style = f' s="{cell.style_id}"' if styled else ""
    if kind == "s":
        if type(value) is not str:
            return None  # rich text
        if value == "":
            return f'<c r="{ref}"{style} t="inlineStr" />'
        stripped = value.strip()
        space = ' xml:space="preserve"' if stripped and stripped != value else ""
        return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{escape(value)}</t></is></c>'
    if kind == "n" or kind == "b":
        if value is None:
            return f'<c r="{ref}"{style} t="{kind}" />'
        if not isinstance(value, _NUMBERS) or not isfinite(value):
            return None
        return f'<c r="{ref}"{style} t="{kind}"><v>{"%.16g" % value}</v></c>'  # noqa: UP031 - as safe_string
    return None


class _WriteOnlyBuffer(io.BytesIO):
    """A ``BytesIO`` that says it cannot be read: et_xmlfile's text wrapper around a readable
    stream keeps a decoder and resets it on every write, thousands of times per sheet."""

    def readable(self) -> bool:
        return False


_ROWS_WRITER = WorksheetWriter if LXML else _FastRowsWriter
"""Our cells' text copies the standard-library serialiser's; with lxml openpyxl writes its own."""


class _InMemoryWriter(ExcelWriter):  # type: ignore[misc]  # openpyxl is untyped
    """``ExcelWriter`` with ``write_worksheet`` serialising into memory (same XML, same parts)."""

    def write_worksheet(self, ws: Worksheet) -> None:
        if self.workbook.write_only:
            super().write_worksheet(ws)
            return
        # As ExcelWriter.write_worksheet, with a BytesIO in place of the temporary file.
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        writer = _ROWS_WRITER(ws, out=_WriteOnlyBuffer())
        writer.write()
        ws._rels = writer._rels
        self._archive.writestr(ws.path[1:], writer.read())
        self.manifest.append(ws)


def workbook_bytes(workbook: Workbook) -> bytes:
    """The workbook as ``.xlsx`` bytes, as ``workbook.save`` would write them."""
    workbook.properties.modified = datetime.now(UTC).replace(tzinfo=None)  # as save_workbook does
    buffer = io.BytesIO()
    archive = ZipFile(buffer, "w", ZIP_DEFLATED, allowZip64=True, compresslevel=COMPRESS_LEVEL)
    _InMemoryWriter(workbook, archive).save()
    return buffer.getvalue()
