"""Raw data export of a round: one row per response, one column per stable question id.

Columns: the response, its round, its village and area codes, collection mode and
questionnaire version, then the questions in questionnaire order. A single-answer question
is one column holding the answer code (or its label); a multiple-choice question is one
0/1 column per option, named ``<question id>/<option code>``, blank when the question was
not answered at all, so "not chosen" and "not asked" stay apart. Free-text columns are only
included on request (they are the one place a resident could be recognised).

Text safety, for people who open the file in a spreadsheet:

- XLSX: every text cell is written as text, never as a formula; a value starting with
  ``=``, ``+``, ``-``, ``@``, tab or CR also gets Excel's quote prefix, and XML-illegal
  control characters are removed (``reports.safety``).
- CSV has no cell types, so a text value starting with one of those characters is written
  with a leading apostrophe (``'=1+1``), the convention spreadsheets recognise: the text
  shows as typed and is never run. Numbers are written as numbers, without it.

XLSX is written with openpyxl's ``write_only`` mode, row by row, so memory does not grow
with the number of cells (pandas ``to_excel`` with ``constant_memory`` can silently drop
data and is not used).
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Literal

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from reports.data import QuestionnaireLookup, ResponseRecord, RoundInfo
from reports.files import written_whole
from reports.safety import looks_like_formula, safe_text
from survey_app.questionnaire import Question, Questionnaire, text_in
from survey_app.questionnaire.redaction import redact
from survey_app.questionnaire.types import ReportKind, report_kind, takes_answer

ExportFormat = Literal["csv", "xlsx"]
Value = str | int | float | datetime | None

META_HEADERS = (
    "response_id",
    "round_id",
    "round",
    "village_code",
    "village",
    "district_code",
    "regency_code",
    "province_code",
    "mode",
    "questionnaire_key",
    "questionnaire_version",
    "submitted_at_utc",
    "consent",
)
CSV_TEXT_GUARD = "'"
"""Prefix for CSV text that a spreadsheet would otherwise read as a formula."""


@dataclass(frozen=True)
class ExportOptions:
    labels: bool = False
    """Answer labels instead of codes (multiple-choice columns stay 0/1 either way)."""
    lang: str = "id"
    include_free_text: bool = False


@dataclass(frozen=True)
class Column:
    """One question column: the whole answer, or one option of a multiple-choice question."""

    header: str
    question_id: str
    option_code: str | None = None


def question_columns(questionnaires: Sequence[Questionnaire], options: ExportOptions) -> list[Column]:
    """Columns for every question of the versions, in the order they first appear."""
    columns: list[Column] = []
    seen: set[str] = set()
    for questionnaire in questionnaires:
        for question in questionnaire.questions():
            if not takes_answer(question):
                continue  # a note: no answer, no column
            kind = report_kind(question)
            if kind == "text" and not options.include_free_text:
                continue
            if kind == "multiple":
                for option in question.options:
                    header = f"{question.id}/{option.code}"
                    if header not in seen:
                        seen.add(header)
                        columns.append(Column(header, question.id, option.code))
            elif question.id not in seen:
                seen.add(question.id)
                columns.append(Column(question.id, question.id))
    return columns


@dataclass
class ResponseTable:
    """The export as a header and lazily produced rows, for any renderer."""

    header: list[str]
    rows: Iterable[list[Value]]
    row_count: int


def response_table(
    round_: RoundInfo,
    records: Iterable[ResponseRecord],
    refs: Iterable[tuple[str, int]],
    row_count: int,
    village_names: Mapping[int, str],
    options: ExportOptions | None = None,
    versions: QuestionnaireLookup | None = None,
    weights: Mapping[int, float] | None = None,
) -> ResponseTable:
    """The export of one round's responses, given as ``response_records`` (rows are produced as
    the records are read), with the questionnaire versions ``refs`` they use and their number
    (``response_versions`` gives both). ``weights`` (response id -> weight) adds a ``weight``
    column after the meta columns: the round's reports are weighted."""
    options = options or ExportOptions()
    questionnaires = _versions_in(round_, refs, versions)
    columns = question_columns(list(questionnaires.values()), options)
    orders = order_columns(list(questionnaires.values()))
    header = [*META_HEADERS, *((WEIGHT_HEADER,) if weights is not None else ()),
              *(column.header for column in columns), *(f"{ORDER_PREFIX}{name}" for _k, name in orders)]
    rows = _rows(round_, records, village_names, questionnaires, columns, options, orders)
    if weights is not None:
        rows = _weighted(rows, weights)
    return ResponseTable(header, rows, row_count)


WEIGHT_HEADER = "weight"


def _weighted(rows: Iterable[list[Value]], weights: Mapping[int, float]) -> Iterator[list[Value]]:
    """Each row with its response's weight after the meta columns."""
    at = len(META_HEADERS)
    for row in rows:
        row.insert(at, weights.get(int(row[0])))  # type: ignore[arg-type]
        yield row


ORDER_PREFIX = "order/"
"""Columns of the order a response was shown, where its questionnaire draws one per response."""


def order_columns(questionnaires: Sequence[Questionnaire]) -> list[tuple[str, str]]:
    """("sections" or "options", id) of every shuffled section and question of the versions: a
    column each, holding what was shown first to last, so order effects can be studied."""
    found: list[tuple[str, str]] = []
    for questionnaire in questionnaires:
        found += [("sections", s.id) for s in questionnaire.sections if s.randomise]
        found += [("options", q.id) for q in questionnaire.questions() if q.randomise_options]
    return list(dict.fromkeys(found))


def _versions_in(
    round_: RoundInfo, refs: Iterable[tuple[str, int]], versions: QuestionnaireLookup | None
) -> dict[tuple[str, int], Questionnaire]:
    """The round's questionnaire first, then any other version its responses were given on."""
    found = {(round_.questionnaire.key, round_.questionnaire.version): round_.questionnaire}
    for key, version in sorted(refs):
        if (key, version) not in found:
            if versions is None:
                raise ValueError(f"responses on {key}@{version}: pass versions= to load that questionnaire")
            found[(key, version)] = versions(key, version)
    return found


def _rows(
    round_: RoundInfo,
    records: Iterable[ResponseRecord],
    village_names: Mapping[int, str],
    questionnaires: Mapping[tuple[str, int], Questionnaire],
    columns: Sequence[Column],
    options: ExportOptions,
    orders: Sequence[tuple[str, str]] = (),
) -> Iterator[list[Value]]:
    """One row per record. Each column's getter is made once per questionnaire version, so per
    cell there is one dict lookup and one small call: a province has fifteen million cells."""
    getters = {ref: [(column.question_id, getter) for column, getter in zip(columns, _getters(q, columns, options),
                                                                            strict=True)]
               for ref, q in questionnaires.items()}
    areas: dict[str, tuple[str, str]] = {}
    for (response_id, _round, village_id, code, district, mode, key, version, submitted, consent,
         *shown), answers in records:
        if district not in areas:
            areas[district] = (".".join(district.split(".")[:2]), district.split(".")[0])
        regency, province = areas[district]
        get = answers.get
        yield [
            response_id, round_.id, round_.name, code, village_names.get(village_id), district, regency, province,
            str(mode), key, version, _utc(submitted), consent,
            *[getter(get(qid)) for qid, getter in getters[(key, version)]],
            *_order_cells(shown[0] if shown else None, orders),
        ]


def _order_cells(shown: Mapping[str, Mapping[str, Sequence[str]]] | None,
                 orders: Sequence[tuple[str, str]]) -> list[Value]:
    """Ids or codes shown, first to last and space-separated; empty where the file's order was shown."""
    if not orders:
        return []
    return [" ".join(shown[kind][name]) if shown and name in shown.get(kind, {}) else None for kind, name in orders]


def _utc(moment: datetime | None) -> datetime | None:
    """A naive UTC time for the cell (SQLite gives naive UTC, PostgreSQL an aware time)."""
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


Getter = Callable[[Any], Value]


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _getters(questionnaire: Questionnaire, columns: Sequence[Column], options: ExportOptions) -> list[Getter]:
    """For each column, how to turn a raw answer of this version into the cell (always None
    for a column whose question this version does not have)."""
    getters: list[Getter] = []
    for column in columns:
        if not questionnaire.has_question(column.question_id):
            getters.append(_nothing)
            continue
        question = questionnaire.question(column.question_id)
        maker = _GETTERS[report_kind(question)]
        getters.append(maker(question, questionnaire, column, options))
    return getters


def _nothing(_value: Any) -> Value:
    return None


def _choice_getter(question: Question, questionnaire: Questionnaire, _column: Column, options: ExportOptions) -> Getter:
    cells: dict[Any, Value] = {o.code: o.code for o in question.options}
    if options.labels:
        cells = {o.code: text_in(o.label, options.lang, questionnaire.default_language) for o in question.options}
    cells[None] = None

    def get(value: Any) -> Value:
        if (type(value) is str or value is None) and value in cells:
            return cells[value]
        return None if _missing(value) else str(value)  # a code the questionnaire does not know: as stored

    return get


def _multiple_getter(question: Question, _q: Questionnaire, column: Column, _options: ExportOptions) -> Getter:
    code = column.option_code

    def get(value: Any) -> Value:
        if type(value) is list:  # cleaned answers store option codes as text
            return int(code in value)
        if _missing(value):
            return None
        return int(str(value) == code)

    return get


def _number_getter(_question: Question, _q: Questionnaire, _column: Column, _options: ExportOptions) -> Getter:
    def get(value: Any) -> Value:
        if _missing(value):
            return None
        if type(value) is int:
            return value
        number = pd.to_numeric(value, errors="coerce")
        if pd.isna(number):
            return str(value)
        return int(number) if float(number).is_integer() else float(number)

    return get


def _plain_getter(_question: Question, _q: Questionnaire, _column: Column, _options: ExportOptions) -> Getter:
    return lambda value: None if _missing(value) else str(value)


def _text_getter(_question: Question, _q: Questionnaire, _column: Column, _options: ExportOptions) -> Getter:
    """Free text redacted on the way out too: answers stored before redaction existed, or
    kept for review, never leave with a phone number or a NIK in them."""
    return lambda value: None if _missing(value) else redact(str(value)).text


_GETTERS: dict[ReportKind, Callable[[Question, Questionnaire, Column, ExportOptions], Getter]] = {
    "scale": _choice_getter,
    "categorical": _choice_getter,
    "multiple": _multiple_getter,
    "number": _number_getter,
    "date": _plain_getter,
    "text": _text_getter,
}
"""How reports summarise a question (its type's ``report_kind``) -> how its cells are made."""


# --- renderers ---------------------------------------------------------------------------------


def csv_text(value: Value) -> Value:
    """A CSV cell: text made safe (see the module docstring); numbers unchanged."""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    """``value`` as write-only mode should write it (``ws`` is the write-only sheet, a type
    openpyxl keeps in a private module); formula-like text becomes a quoted text cell."""
    if not isinstance(value, str):
        return value
    text = safe_text(value)
    return CSV_TEXT_GUARD + text if looks_like_formula(text) else text


def write_csv(table: ResponseTable, stream: IO[str]) -> None:
    """Write the table as UTF-8 CSV (the caller opens the stream; a BOM helps Excel)."""
    for text in csv_chunks(table):
        stream.write(text)


def csv_chunks(table: ResponseTable, rows_per_chunk: int = 1_000) -> Iterator[str]:
    """The CSV text a few hundred KB at a time, as the rows are read: a streamed download."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_text(h) for h in table.header])
    texts = _SafeTexts(csv_text)
    for number, row in enumerate(table.rows, start=1):
        # Datetimes need no conversion: csv writes str(value), which is isoformat(sep=" ").
        writer.writerow([texts[value] if type(value) is str else value for value in row])
        if number % rows_per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


class _SafeTexts(dict):  # type: ignore[type-arg]
    """Text -> its safe cell, computed once per distinct text: answer codes and labels repeat
    hundreds of thousands of times. Bounded, since free-text answers do not repeat."""

    LIMIT = 50_000

    def __init__(self, make: Callable[[str], Any]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, text: str) -> Any:
        if len(self) >= self.LIMIT:
            self.clear()
        value = self[text] = self.make(text)
        return value


def write_xlsx(table: ResponseTable, stream: IO[bytes]) -> None:
    """Write the table as one sheet in openpyxl's write-only mode."""
    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet("responses")
    ws.freeze_panes = "B2"
    ws.append([_xlsx_cell(ws, h) for h in table.header])
    texts = _SafeTexts(lambda text: _xlsx_cell(ws, text))
    try:
        for row in table.rows:
            ws.append([texts[value] if type(value) is str else value for value in row])
    except BaseException:
        ws.close()  # end the sheet's writer now, not when its temporary file is already gone
        raise
    workbook.save(stream)


def _xlsx_cell(ws: Any, value: Value) -> Value | WriteOnlyCell:
    """``value`` as write-only mode should write it (``ws`` is the write-only sheet, a type
    openpyxl keeps in a private module); formula-like text becomes a quoted text cell."""
    if not isinstance(value, str):
        return value
    text = safe_text(value)
    if not looks_like_formula(text):
        return text  # openpyxl writes other strings as text already
    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


WRITERS: dict[str, tuple[Callable[[ResponseTable, Any], None], str, str]] = {
    # format: (writer, binary or text mode, media type)
    "csv": (write_csv, "text", "text/csv; charset=utf-8"),
    "xlsx": (write_xlsx, "binary", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


def export_bytes(table: ResponseTable, fmt: str) -> bytes:
    """The export in memory (web downloads); CSV with a BOM so Excel detects UTF-8."""
    writer, mode, _media = WRITERS[fmt]
    if mode == "text":
        text = io.StringIO()
        text.write("\ufeff")
        writer(table, text)
        return text.getvalue().encode("utf-8")
    binary = io.BytesIO()
    writer(table, binary)
    return binary.getvalue()


def write_file(table: ResponseTable, fmt: str, path: str | os.PathLike[str]) -> None:
    """Write the export to ``path`` as it is (the caller decides where a partial file may lie)."""
    writer, mode, _media = WRITERS[fmt]
    if mode == "text":
        with open(path, "w", encoding="utf-8-sig", newline="") as stream:
            writer(table, stream)
    else:
        with open(path, "wb") as stream:
            writer(table, stream)


def write_export(table: ResponseTable, fmt: str, path: str | os.PathLike[str]) -> None:
    """Write the export to a file path, complete or not at all (``written_whole``)."""
    with written_whole(Path(path)) as partial:
        write_file(table, fmt, partial)
