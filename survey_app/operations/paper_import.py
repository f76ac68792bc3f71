"""Bulk upload of paper forms keyed offline: the Excel template, and importing it (or a CSV).

The template has one row per paper form and one column per question id (the id on the
first row, the question on the second), dropdowns with the valid codes, a ``codes``
sheet, the villages the volunteer may key and an ``about`` sheet naming the round and
questionnaire version. Importing is all or nothing: every row is checked with the entry
screen's rules (``operations.paper``) plus the spreadsheet's own (no formulas, no text a
spreadsheet would run), every problem is reported by row, column and reason, and only a
clean file is stored, each row as a first entry. Serials already stored with the same
values are skipped, so uploading a file twice changes nothing.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import openpyxl
import sqlalchemy as sa
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy.orm import selectinload

from survey_app import audit, clock, questionnaires
from survey_app.extensions import db
from survey_app.models import EntrySource, PaperEntry, PaperForm, Round, User, Village
from survey_app.operations.keying import BLANK, KeyedResult, key_answers
from survey_app.operations.paper import (
    CONSENT,
    CONSENT_GIVEN,
    DATE,
    HEADER_FIELDS,
    INTERVIEWER,
    SERIAL,
    VILLAGE,
    EntryForbidden,
    EntryInvalid,
    Header,
    answer_errors,
    check_header,
    entry_villages,
    keeps_redacted,
    normalise_serial,
    printed_villages,
    save_first_entry,
)
from survey_app.operations.spreadsheets import (
    ABOUT_SHEET,
    FORMS_SHEET,
    RISKY_START,
    ImportRejected,
    Problem,
    Table,
    cell_text,
    risky,
)
from survey_app.operations.texts import _
from survey_app.questionnaire import QUESTION_TYPES, Questionnaire, text_in
from survey_app.questionnaire.types import CellCheck, takes_answer

CODES_SHEET, VILLAGES_SHEET = "codes", "villages"
TEMPLATE_ROWS = 1000


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------
# The template


def header_labels(questionnaire: Questionnaire, lang: str) -> list[tuple[str, str]]:
    """(column key, label) for the header fields and then every question."""
    fixed = [
        (VILLAGE, _("Village code")),
        (SERIAL, _("Serial number on the paper")),
        (DATE, _("Interview date (YYYY-MM-DD)")),
        (INTERVIEWER, _("Interviewer code (optional)")),
        *([(CONSENT, _("Consent box ticked (%(given)s)", given=CONSENT_GIVEN))]
          if questionnaires.catalog().consent(questionnaire.key) is not None else []),
    ]
    questions = [(q.id, text_in(q.text, lang, questionnaire.default_language)) for q in questionnaire.questions()
                 if takes_answer(q)]
    return fixed + questions


def neutral(text: str) -> str:
    """Text written to a sheet never starts like a formula (Indico's habit)."""
    return "'" + text if text.startswith(RISKY_START) and text != BLANK else text


def build_template(round_: Round, questionnaire: Questionnaire, villages: list[Village], lang: str) -> bytes:
    """The round's Excel template, for the given villages."""
    wb = openpyxl.Workbook()
    forms = wb.active
    forms.title = FORMS_SHEET
    codes = wb.create_sheet(CODES_SHEET)
    village_sheet = wb.create_sheet(VILLAGES_SHEET)
    about = wb.create_sheet(ABOUT_SHEET)

    columns = header_labels(questionnaire, lang)
    bold, shade = Font(bold=True), PatternFill("solid", fgColor="DDE7F0")
    for index, (key, label) in enumerate(columns, start=1):
        forms.cell(row=1, column=index, value=key).font = bold
        forms.cell(row=2, column=index, value=neutral(label)).fill = shade
        forms.column_dimensions[get_column_letter(index)].width = max(12, min(len(key) + 2, 30))
    forms.freeze_panes = "C3"

    codes.append([_("question"), _("code"), _("label")])
    codes.append(["*", BLANK, _("left blank on paper")])
    ranges: dict[str, str] = {}
    for question in questionnaire.questions():
        start = codes.max_row + 1
        for option in question.options:
            label = text_in(option.label, lang, questionnaire.default_language)
            codes.append([question.id, option.code, neutral(label)])
        if question.options:
            codes.append([question.id, BLANK, _("left blank on paper")])
            ranges[question.id] = f"{CODES_SHEET}!$B${start}:$B${codes.max_row}"

    village_sheet.append([_("code"), _("name"), _("district")])
    for village in villages:
        village_sheet.append([village.code, neutral(village.name), village.district_code])

    about.append(["round", round_.slug])
    about.append(["round_name", neutral(round_.name)])
    about.append(["questionnaire", questionnaire.ref])
    about.append(["blank_code", BLANK])
    about.append(["note", _("Keep rows 1 and 2; type one paper form per row from row 3. Type %(blank)s for a "
                            "question left blank on paper; separate several codes with spaces.", blank=BLANK)])

    last = TEMPLATE_ROWS + 2
    for index, (key, _label) in enumerate(columns, start=1):
        cells = f"{get_column_letter(index)}3:{get_column_letter(index)}{last}"
        validation = _validation(key, questionnaire, ranges, len(villages))
        if validation is not None:
            forms.add_data_validation(validation)
            validation.add(cells)

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _validation(key: str, questionnaire: Questionnaire, ranges: Mapping[str, str],
                n_villages: int) -> DataValidation | None:
    if key == VILLAGE:
        return DataValidation(type="list", formula1=f"{VILLAGES_SHEET}!$A$2:$A${n_villages + 1}", allow_blank=True,
                              showErrorMessage=True, error=_("Choose one of your villages."))
    if key == CONSENT:
        return DataValidation(type="list", formula1=f'"{CONSENT_GIVEN}"', allow_blank=True, showErrorMessage=True,
                              error=_("Only forms with the consent box ticked may be keyed: type %(given)s.",
                                      given=CONSENT_GIVEN))
    if not questionnaire.has_question(key):
        return None
    question = questionnaire.question(key)
    check = QUESTION_TYPES[question.type].cell_check(question)
    return CELL_RULES[check.kind](check, question.id, ranges.get(key, "")) if check else None


def _one_code_validation(check: CellCheck, question_id: str, cells: str) -> DataValidation:
    return DataValidation(type="list", formula1=cells, allow_blank=True, showErrorMessage=True,
                          error=_("Choose a code from the list (or %(blank)s).", blank=BLANK))


def _many_codes_validation(check: CellCheck, question_id: str, cells: str) -> DataValidation:
    prompt = _("Codes separated by spaces: %(codes)s", codes=" ".join(check.codes))
    if check.alone:
        prompt += " " + _("(%(alone)s: only on its own)", alone=", ".join(check.alone))
    return DataValidation(allow_blank=True, showInputMessage=True, promptTitle=question_id[:32], prompt=prompt[:255])


def _number_validation(check: CellCheck, question_id: str, cells: str) -> DataValidation:
    low = "" if check.low is None else str(check.low)
    high = "" if check.high is None else str(check.high)
    return DataValidation(allow_blank=True, showInputMessage=True, promptTitle=question_id[:32],
                          prompt=_("A whole number %(low)s..%(high)s, or %(blank)s", low=low, high=high, blank=BLANK))


def _date_validation(check: CellCheck, question_id: str, cells: str) -> DataValidation:
    # Its bounds move with each form's interview date, so the import checks them, not Excel.
    return DataValidation(allow_blank=True, showInputMessage=True, promptTitle=question_id[:32],
                          prompt=_("A date as day-month-year (31-12-2026), or %(blank)s", blank=BLANK))


CELL_RULES: dict[str, Callable[[CellCheck, str, str], DataValidation]] = {
    "one_code": _one_code_validation,
    "many_codes": _many_codes_validation,
    "number": _number_validation,
    "date": _date_validation,
}
"""What a type's ``cell_check`` asks for -> the Excel cell validation that does it."""


# ---------------------------------------------------------------------------
# Reading a file


# ---------------------------------------------------------------------------
# Checking and storing


def _check_columns(table: Table, round_: Round, questionnaire: Questionnaire) -> list[Problem]:
    problems = []
    if table.about:
        if table.about.get("round") != round_.slug:
            problems.append(Problem(None, None, _("This file is the template of round %(other)s, not of round "
                                                  "%(round)s.", other=table.about.get("round") or "?",
                                                  round=round_.slug)))
        if table.about.get("questionnaire") != questionnaire.ref:
            problems.append(Problem(None, None, _("This file is for questionnaire %(other)s; round %(round)s uses "
                                                  "%(ref)s.", other=table.about.get("questionnaire") or "?",
                                                  round=round_.slug, ref=questionnaire.ref)))
    known = set(HEADER_FIELDS) | {q.id for q in questionnaire.questions() if takes_answer(q)}
    seen: set[str] = set()
    for key in table.headers:
        if not key:
            continue
        if key in seen:
            problems.append(Problem(1, key, _("This column appears twice.")))
        elif key not in known:
            problems.append(Problem(1, key, _("Not a column of questionnaire %(ref)s; is the file for another "
                                              "round or version?", ref=questionnaire.ref)))
        seen.add(key)
    for key in (VILLAGE, SERIAL, *(q.id for q in questionnaire.questions() if takes_answer(q))):
        if key not in seen:
            problems.append(Problem(1, key, _("This column is missing; start from the round's template.")))
    return problems


def _typed_row(table: Table, number: int, cells: list[object], problems: list[Problem]) -> dict[str, str]:
    typed: dict[str, str] = {}
    for index, value in enumerate(cells):
        key = table.headers[index] if index < len(table.headers) else ""
        text = cell_text(value)
        if not key:
            if text:  # never drop a value silently: it may be an answer typed one column too far
                problems.append(Problem(number, get_column_letter(index + 1),
                                        _("A value in a column without a heading on row 1.")))
            continue
        reason = risky(text)
        if reason:
            problems.append(Problem(number, key, reason))
            continue
        typed[key] = text
    return typed


def _label_texts(questionnaire: Questionnaire) -> dict[str, set[str]]:
    """Question id -> its text in every language: how the template's second row reads."""
    return {q.id: {text.strip() for text in q.text.values()} for q in questionnaire.questions() if takes_answer(q)}


def _is_label_row(typed: Mapping[str, str], labels: Mapping[str, set[str]]) -> bool:
    """The template's row of labels, kept when the template was saved as CSV (which loses
    the ``about`` sheet that otherwise says to skip it)."""
    texts = {key: typed.get(key, "").removeprefix("'") for key in labels}
    return bool(labels) and all(texts[key] in labels[key] for key in labels)


def _same_entry(entry: PaperEntry | None, header: Header, answers: Mapping[str, object], blank: Iterable[str]) -> bool:
    return (
        entry is not None
        and entry.form.village_id == header.village.id
        and entry.answers == dict(answers)
        and sorted(entry.blank_fields) == sorted(blank)
        and entry.interview_date == header.interview_date
        and entry.interviewer_code == header.interviewer_code
    )


@dataclass(frozen=True)
class _Row:
    number: int
    header: Header
    result: KeyedResult


def _checked_rows(user: User | None, round_: Round, questionnaire: Questionnaire,
                  table: Table) -> tuple[list[_Row], list[Problem]]:
    """Every row checked with the entry screen's rules; serials repeated in the file refused."""
    villages = {v.code: v for v in entry_villages(user, round_)}
    printed_for = printed_villages(round_)
    labels = _label_texts(questionnaire)
    rows: list[_Row] = []
    problems: list[Problem] = []
    serials: dict[tuple[int, str], int] = {}
    first = True
    for number, cells in table.rows:
        if all(cell_text(c) == "" for c in cells):
            continue
        row_problems: list[Problem] = []
        typed = _typed_row(table, number, cells, row_problems)
        if first and _is_label_row(typed, labels):
            first = False
            continue
        first = False
        header, header_errors = check_header(user, round_, typed, villages, printed_for)
        result = key_answers(questionnaire, typed, header.interview_date if header else None,
                             redact=keeps_redacted(round_))
        row_problems += [Problem(number, key, reason)
                         for key, reason in {**header_errors, **answer_errors(result)}.items()]
        serial = normalise_serial(typed.get(SERIAL, ""))
        # Repeated only where the round wants serials unique (``Round.serial_scope_id``): in
        # one village, or anywhere. A row naming no known village has its own error already.
        place = villages.get(str(typed.get(VILLAGE) or "").strip())
        where = round_.serial_scope_id(place.id if place is not None else 0)
        if serial and (where, serial) in serials:
            row_problems.append(Problem(number, SERIAL, _("Serial %(serial)s is also on row %(row)s.",
                                                          serial=serial, row=serials[where, serial])))
        serials.setdefault((where, serial), number)
        problems += row_problems
        if not row_problems and header is not None:
            rows.append(_Row(number, header, result))
    return rows, problems


def _forms_by_serial(round_: Round, serials: list[str]) -> dict[tuple[int, str], PaperForm]:
    """The round's forms already keyed under these serials, with their entries, in one query,
    by (``serial_scope_id``, serial): the key the round's uniqueness rule uses."""
    if not serials:
        return {}
    query = (sa.select(PaperForm).where(PaperForm.round_id == round_.id, PaperForm.serial.in_(serials))
             .options(selectinload(PaperForm.entries)))
    return {(form.serial_scope_id, form.serial): form for form in db.session.scalars(query)}


def import_table(user: User | None, round_: Round, questionnaire: Questionnaire, table: Table,
                 actor_label: str | None = None, filename: str = "") -> ImportReport:
    """Check every row, then store all as first entries, or raise ``ImportRejected`` with
    every problem and store nothing (the caller rolls back)."""
    if not round_.takes_paper(clock.today()):
        raise EntryForbidden(_("Round %(name)s is not open for paper entry.", name=round_.name))
    problems = _check_columns(table, round_, questionnaire)
    if problems:
        raise ImportRejected(problems)
    rows, problems = _checked_rows(user, round_, questionnaire, table)
    existing = _forms_by_serial(round_, [row.header.serial for row in rows])
    pending, report = [], ImportReport()
    for row in rows:
        form = existing.get((round_.serial_scope_id(row.header.village.id), row.header.serial))
        if form is None:
            pending.append(row)
        elif _same_entry(form.entry(1), row.header, row.result.answers, row.result.blank):
            report.unchanged.append(row.header.serial)
        else:
            problems.append(Problem(row.number, SERIAL, _("Serial %(serial)s is already keyed in this round with "
                                                          "other values; check the serial on the paper.",
                                                          serial=row.header.serial)))
    if problems:
        raise ImportRejected(problems)
    for row in pending:
        try:
            save_first_entry(user, round_, questionnaire, row.header, row.result, EntrySource.UPLOAD, actor_label)
        except EntryInvalid as exc:  # someone saved this serial on the screen meanwhile
            raise ImportRejected([Problem(row.number, key, reason) for key, reason in exc.errors.items()]) from None
        report.created.append(row.header.serial)
    audit.record("paper.imported", actor=user or actor_label, object_type="round", object_id=round_.id,
                 filename=filename[:200], created=len(report.created), unchanged=len(report.unchanged))
    return report
