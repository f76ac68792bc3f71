"""Reading an uploaded spreadsheet (.xlsx or .csv) for an all-or-nothing import: the size,
row and unzip limits, the reasons a file is refused (by row and column, in the user's
language), and the cell text a person typed, with formulas refused (CSV injection)."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

import openpyxl

from survey_app.operations import OperationError
from survey_app.operations.keying import BLANK
from survey_app.operations.texts import _

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNZIPPED_BYTES = 60 * 1024 * 1024  # an xlsx is a zip: refuse a small file that unpacks huge
MAX_ROWS = 5000
MAX_PROBLEMS = 200  # enough to fix a file; more would bury the first ones

FORMS_SHEET, ABOUT_SHEET = "forms", "about"
# Spreadsheet programs run a cell starting with these as a formula (CSV injection).
RISKY_START = ("=", "+", "-", "@", "\t", "\r")
_NEGATIVE_NUMBER = re.compile(r"-\d+")



@dataclass(frozen=True)
class Problem:
    """One reason a file is refused; row and column as the volunteer sees them."""

    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(_("row %(n)s", n=self.row))
        if self.column:
            where.append(_("column %(name)s", name=self.column))
        return f"{', '.join(where)}: {self.reason}" if where else self.reason


class ImportRejected(OperationError):
    """The file was refused; nothing was stored."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems[:MAX_PROBLEMS]
        self.more = max(0, len(problems) - MAX_PROBLEMS)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class Table:
    """Rows read from a file: header keys, (row number, cells), and the template's metadata."""

    headers: list[str]
    rows: list[tuple[int, list[object]]]
    about: dict[str, str] = field(default_factory=dict)



def read_table(filename: str, data: bytes, *, sheet: str = FORMS_SHEET, max_rows: int = MAX_ROWS,
               max_bytes: int = MAX_UPLOAD_BYTES) -> Table:
    """Rows of an uploaded .xlsx (the sheet named ``sheet``, else the first) or .csv;
    anything else is refused with a reason."""
    name = (filename or "").lower()
    if len(data) > max_bytes:
        raise ImportRejected([Problem(None, None, _("The file is larger than %(mb)s MB.",
                                                    mb=max_bytes // (1024 * 1024)))])
    if not data.strip():
        raise ImportRejected([Problem(None, None, _("The file is empty."))])
    if name.endswith(".xlsx") and data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, sheet, max_rows)
    if name.endswith(".csv") and b"\x00" not in data:
        return _read_csv(data, max_rows)
    raise ImportRejected([Problem(None, None, _("This is not a spreadsheet we can read: upload the Excel template "
                                                "(.xlsx) or a CSV file (.csv)."))])


def _not_readable() -> ImportRejected:
    return ImportRejected([Problem(None, None, _("The file could not be read as an Excel workbook (.xlsx)."))])


def _read_xlsx(data: bytes, sheet_name: str, max_rows: int) -> Table:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_BYTES:
                raise ImportRejected([Problem(None, None, _("The workbook unpacks to more than %(mb)s MB.",
                                                            mb=MAX_UNZIPPED_BYTES // (1024 * 1024)))])
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except ImportRejected:
        raise
    except Exception:  # openpyxl raises many kinds on a damaged or disguised file
        raise _not_readable() from None
    try:
        sheet = workbook[sheet_name] if sheet_name in workbook.sheetnames else workbook.worksheets[0]
        about: dict[str, str] = {}
        if ABOUT_SHEET in workbook.sheetnames:
            for key, value, *_rest in workbook[ABOUT_SHEET].iter_rows(values_only=True, max_col=2):
                if key is not None:
                    about[str(key)] = "" if value is None else str(value)
        rows = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > max_rows + 2:
                raise ImportRejected([Problem(None, None, _("The file has more than %(n)s rows; split it.",
                                                            n=max_rows))])
            rows.append((number, list(values)))
    finally:
        workbook.close()
    if not rows:
        raise ImportRejected([Problem(None, None, _("The file is empty."))])
    headers = [cell_text(v) for v in rows[0][1]]
    body = rows[2:] if about else rows[1:]  # the template's second row holds the labels
    return Table(headers, body, about)


def _read_csv(data: bytes, max_rows: int) -> Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected([Problem(None, None, _("The CSV file must be saved as UTF-8 text."))]) from None
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = [(n, list(cells)) for n, cells in enumerate(csv.reader(io.StringIO(text), dialect), start=1)]
    except csv.Error:  # a field over the csv module's size limit, a stray quote at the end...
        raise ImportRejected([Problem(None, None, _("The CSV file could not be read; save it again from the "
                                                    "spreadsheet as CSV (UTF-8)."))]) from None
    if len(rows) > max_rows + 1:
        raise ImportRejected([Problem(None, None, _("The file has more than %(n)s rows; split it.", n=max_rows))])
    if not rows:
        raise ImportRejected([Problem(None, None, _("The file is empty."))])
    return Table([c.strip() for c in rows[0][1]], rows[1:])


def cell_text(value: object) -> str:
    """A cell as the text a person would have typed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def risky(text: str) -> str | None:
    """Why a cell's text is refused, or None: formulas and text a spreadsheet would run."""
    if text.startswith("="):
        return _("Formulas are not accepted; type the value itself.")
    if text == BLANK or _NEGATIVE_NUMBER.fullmatch(text):
        return None
    if text.startswith(RISKY_START):
        return _("Text may not start with =, +, - or @ (a spreadsheet could run it as a formula).")
    return None
