"""Printed questionnaires as an A4 PDF, drawn with ReportLab from ``questionnaire.printing``.

Why ReportLab: its layout engine keeps a question on one page (``KeepTogether``), it is fast
enough for a district's thousand forms in one file, and it needs no system library (Bitstream
Vera, the font it ships, covers Indonesian and English and the symbols the form prints).

Black on white only, at least 10 pt, tick boxes drawn as squares. Every page carries the
form's serial and "page k/N of this form", so loose pages can be put back together. All
forms of a run have the same questions, so N is counted once, on the first form.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

import reportlab
import segno
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from survey_app.questionnaire import Questionnaire, text_in
from survey_app.questionnaire.consent import Consent
from survey_app.questionnaire.printing import (
    END,
    PrintedQuestion,
    condition_in_words,
    printed_numbers,
    printed_questions,
    words,
)

MARGIN = 15 * mm
"""Inside what cheap printers print (most lose 4-6 mm at each edge)."""
FOOTER = 10 * mm
BODY_PT = 10
SMALL_PT = 8.5
"""Only the second language of a bilingual form is this small, as asked."""
BOX = 4.2 * mm
QR_SIZE = 16 * mm

_FONTS = Path(reportlab.__file__).parent / "fonts"
for _name, _file in (("Vera", "Vera.ttf"), ("Vera-Bold", "VeraBd.ttf"), ("Vera-Italic", "VeraIt.ttf")):
    if _name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(_name, os.fspath(_FONTS / _file)))

_BODY = ParagraphStyle("body", fontName="Vera", fontSize=BODY_PT, leading=BODY_PT * 1.3)
_QUESTION = ParagraphStyle("question", parent=_BODY, fontName="Vera-Bold")
_SECOND = ParagraphStyle("second", parent=_BODY, fontName="Vera-Italic", fontSize=SMALL_PT, leading=SMALL_PT * 1.25)
_NOTE = ParagraphStyle("note", parent=_BODY, fontName="Vera-Italic")
_TITLE = ParagraphStyle("title", parent=_BODY, fontName="Vera-Bold", fontSize=14, leading=17)

FORM_WORDS = {
    "id": {"village": "Desa/Kelurahan", "serial": "Nomor seri", "date": "Tanggal wawancara (hari-bulan-tahun)",
           "interviewer": "Kode pewawancara", "page": "Halaman {k}/{n}", "round": "Putaran",
           "dk": "Kode 8 = tidak tahu, 9 = tidak mau menjawab, bila tercantum.",
           "many": "Boleh centang lebih dari satu.", "version": "versi", "alone": "hanya sendiri",
           "check": "Periksa", "dmy": "hari - bulan - tahun", "consent": "Persetujuan responden",
           "agree": "Responden setuju (Saya setuju). Centang sebelum bertanya.",
           "no_agree": "Bila responden tidak setuju, hentikan wawancara dengan sopan: formulir ini tidak diketik.",
           "consent_version": "Teks persetujuan"},
    "en": {"village": "Village", "serial": "Serial number", "date": "Interview date (day-month-year)",
           "interviewer": "Interviewer code", "page": "Page {k}/{n}", "round": "Round",
           "dk": "Code 8 = don't know, 9 = refused, where printed.", "many": "Tick all that apply.",
           "version": "version", "alone": "only on its own", "check": "Check", "dmy": "day - month - year",
           "consent": "Respondent's consent", "agree": "The respondent agrees (I agree). Tick before asking.",
           "no_agree": "If the respondent does not agree, end the interview politely: this form is not keyed.",
           "consent_version": "Consent text"},
}


@dataclass(frozen=True)
class FormCopy:
    """One form to print: its serial (None: boxes to write one) and village (None: boxes)."""

    serial: str | None
    village_code: str | None = None
    village_name: str | None = None


@dataclass(frozen=True)
class PrintOptions:
    lang: str
    second_lang: str | None = None
    """A bilingual form: each text in ``lang``, then in this language in smaller type."""
    round_name: str = ""
    consent: Consent | None = None
    """Read out before the questions, with a box the interviewer ticks (``operations.paper``)."""


def write_forms(questionnaire: Questionnaire, copies: Sequence[FormCopy], options: PrintOptions,
                out: BinaryIO | str | os.PathLike[str]) -> int:
    """Write every copy to ``out`` (a file name or a binary file); return the pages of one form."""
    if isinstance(out, os.PathLike):
        out = os.fspath(out)  # ReportLab takes a str or a file, not a Path
    plan = _Plan(printed_questions(questionnaire), printed_numbers(questionnaire))
    pages = _pages_per_form(questionnaire, copies[0] if copies else FormCopy(None), options, plan)
    _build(questionnaire, copies, options, out, pages, plan)
    return pages


def _pages_per_form(questionnaire: Questionnaire, sample: FormCopy, options: PrintOptions, plan: _Plan) -> int:
    counter = _Document(_Null(), pages_per_form=0)
    counter.build(list(_form(questionnaire, sample, options, plan)))
    return counter.page


class _Null:
    def write(self, data: bytes) -> int:
        return len(data)


def _build(questionnaire: Questionnaire, copies: Sequence[FormCopy], options: PrintOptions, out: Any,
           pages: int, plan: _Plan) -> None:
    doc = _Document(out, pages_per_form=pages, lang=options.lang)

    def forms() -> Iterator[list[Flowable]]:
        for number, copy in enumerate(copies):
            yield [*([PageBreak()] if number else []), *_form(questionnaire, copy, options, plan)]

    doc.build(_Story(forms()))


class _Story(list):  # type: ignore[type-arg]
    """The flowables of one form at a time: ReportLab takes the story as a list and eats it from
    the front, so a thousand forms' flowables (150 MB) need never exist at once."""

    def __init__(self, forms: Iterator[list[Flowable]]) -> None:
        super().__init__()
        self._forms = forms

    def _refill(self) -> None:
        if not super().__len__():
            self.extend(next(self._forms, []))

    def __len__(self) -> int:
        self._refill()
        return super().__len__()

    def __getitem__(self, index: Any) -> Any:
        self._refill()
        return super().__getitem__(index)


class _Document(BaseDocTemplate):
    """A4 with a footer on every page: the current form's serial and its page k/N."""

    def __init__(self, out: Any, pages_per_form: int, lang: str = "id") -> None:
        super().__init__(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                         bottomMargin=MARGIN + FOOTER, title="Kuesioner", author="Polmas survey",
                         pageCompression=1)  # a thousand forms' pages wait in memory until saved
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate("form", frames=[frame], onPageEnd=self._footer)])
        self.pages_per_form = pages_per_form
        self.lang = lang
        self.serial: str | None = None
        self.form_start = 1

    def _footer(self, canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Vera", BODY_PT)
        page = canvas.getPageNumber() - self.form_start + 1
        said = FORM_WORDS.get(self.lang, FORM_WORDS["id"])
        if self.pages_per_form:
            canvas.drawRightString(A4[0] - MARGIN, MARGIN, said["page"].format(k=page, n=self.pages_per_form))
        canvas.drawString(MARGIN, MARGIN, f"{said['serial']}: {self.serial or '________________'}")
        canvas.restoreState()


class _FormStart(Flowable):
    """Marks where a form begins, so the footer knows its serial and first page."""

    def __init__(self, serial: str | None) -> None:
        super().__init__()
        self.serial = serial
        self.width = self.height = 0

    def draw(self) -> None:
        doc = self.canv._doctemplate
        doc.serial = self.serial
        doc.form_start = self.canv.getPageNumber()


class _QR(Flowable):
    """The serial as a QR code, drawn as squares (a vector, crisp on any printer)."""

    def __init__(self, text: str, size: float = QR_SIZE) -> None:
        super().__init__()
        self.matrix = [list(row) for row in segno.make(text, error="m").matrix]
        self.width = self.height = size

    def draw(self) -> None:
        modules = len(self.matrix) + 8  # the quiet zone
        cell = self.width / modules
        self.canv.setFillColor(colors.black)
        for y, row in enumerate(self.matrix):
            for x, dark in enumerate(row):
                if dark:
                    self.canv.rect((x + 4) * cell, self.height - (y + 5) * cell, cell, cell, stroke=0, fill=1)


class _Boxes(Flowable):
    """Writing boxes: ``groups`` of digit boxes separated by a dash (a date: 2-2-4)."""

    def __init__(self, groups: Sequence[int]) -> None:
        super().__init__()
        self.groups = groups
        self.width = sum(groups) * BOX + (len(groups) - 1) * BOX
        self.height = BOX + 1 * mm

    def draw(self) -> None:
        self.canv.setLineWidth(0.8)
        x = 0.0
        for number, group in enumerate(self.groups):
            if number:
                self.canv.line(x + BOX * 0.25, BOX / 2, x + BOX * 0.75, BOX / 2)
                x += BOX
            for _ in range(group):
                self.canv.rect(x, 0, BOX, BOX)
                x += BOX


class _Lines(Flowable):
    """Ruled lines to write free text on."""

    def __init__(self, count: int, width: float) -> None:
        super().__init__()
        self.count, self.width, self.height = count, width, count * 8 * mm

    def draw(self) -> None:
        self.canv.setLineWidth(0.5)
        for line in range(self.count):
            y = self.height - (line + 1) * 8 * mm
            self.canv.line(0, y, self.width, y)


@dataclass(frozen=True)
class _Plan:
    """What every form of a run prints, worked out once: numbers, answer spaces, skip targets."""

    blocks: list[PrintedQuestion]
    numbers: dict[str, int]


def _form(questionnaire: Questionnaire, copy: FormCopy, options: PrintOptions, plan: _Plan) -> Iterable[Flowable]:
    yield _FormStart(copy.serial)
    yield from _header(questionnaire, copy, options)
    for block in plan.blocks:
        yield KeepTogether(list(_question(block, questionnaire, plan.numbers, options)))


def _texts(texts: Any, questionnaire: Questionnaire, options: PrintOptions, style: ParagraphStyle,
           prefix: str = "") -> list[Flowable]:
    main = Paragraph(prefix + escape(text_in(texts, options.lang, questionnaire.default_language)), style)
    if options.second_lang is None:
        return [main]
    return [main, Paragraph(escape(text_in(texts, options.second_lang, questionnaire.default_language)), _SECOND)]


def _header(questionnaire: Questionnaire, copy: FormCopy, options: PrintOptions) -> Iterable[Flowable]:
    said = FORM_WORDS.get(options.lang, FORM_WORDS["id"])
    title = text_in(questionnaire.title, options.lang, questionnaire.default_language)
    yield Paragraph(escape(f"{title} ({said['version']} {questionnaire.version})"), _TITLE)
    if options.round_name:
        yield Paragraph(escape(f"{said['round']}: {options.round_name}"), _BODY)
    code = f" ({copy.village_code})"
    name = _one_line(copy.village_name or "", VILLAGE_CELL - pdfmetrics.stringWidth(code, "Vera-Bold", BODY_PT))
    village: Flowable = Paragraph(escape(name + code), _QUESTION) if copy.village_code else _Lines(1, 90 * mm)
    serial: Flowable = Paragraph(escape(copy.serial), _QUESTION) if copy.serial else _Boxes([12])
    rows = [
        [Paragraph(said["village"], _BODY), village, _QR(copy.serial) if copy.serial else ""],
        [Paragraph(said["serial"], _BODY), serial, ""],
        [Paragraph(said["date"], _BODY), _Boxes([2, 2, 4]), ""],
        [Paragraph(said["interviewer"], _BODY), _Boxes([6]), ""],
    ]
    table = Table(rows, colWidths=[55 * mm, VILLAGE_CELL + 12, QR_SIZE + 2 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("SPAN", (2, 0), (2, 3)),
                               ("BOX", (0, 0), (-1, -1), 0.8, colors.black),
                               ("LINEBELOW", (0, 0), (1, -2), 0.3, colors.black)]))
    yield Spacer(0, 3 * mm)
    yield table
    if questionnaire.description:
        yield Spacer(0, 2 * mm)
        yield from _texts(questionnaire.description, questionnaire, options, _BODY)
    yield Paragraph(escape(said["dk"]), _NOTE)
    yield Spacer(0, 4 * mm)
    if options.consent is not None:
        yield KeepTogether(list(_consent(options.consent, questionnaire, options)))


def _consent(consent: Consent, questionnaire: Questionnaire, options: PrintOptions) -> Iterable[Flowable]:
    """The consent text as residents read it on the web, and the box that lets the form be keyed."""
    said = FORM_WORDS.get(options.lang, FORM_WORDS["id"])
    yield Paragraph(escape(said["consent"]), _QUESTION)
    for part in consent.parts.values():
        yield from _texts(part, questionnaire, options, _BODY)
    box = Table([[_Boxes([1]), Paragraph(escape(said["agree"]), _QUESTION)]], colWidths=[BOX + 3 * mm, None])
    box.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (0, 0), 0)]))
    yield box
    yield Paragraph(escape(f"{said['no_agree']} {said['consent_version']}: {consent.hash[:8]}"), _NOTE)
    yield Spacer(0, 4 * mm)


VILLAGE_CELL = A4[0] - 2 * MARGIN - 55 * mm - QR_SIZE - 2 * mm - 12


def _one_line(text: str, width: float) -> str:
    """``text`` cut to one line of the header, so every form of a run has the same pages (the
    footer's "page k/N" counts them once)."""
    if pdfmetrics.stringWidth(text, "Vera-Bold", BODY_PT) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", "Vera-Bold", BODY_PT) > width:
        text = text[:-1]
    return text + "…"


def _question(block: PrintedQuestion, questionnaire: Questionnaire, numbers: dict[str, int],
              options: PrintOptions) -> Iterable[Flowable]:
    question = block.question
    said = words(options.lang)
    if block.number is None:  # a note: read aloud, nothing asked
        yield from _texts(question.text, questionnaire, options, _NOTE)
        yield Spacer(0, 3 * mm)
        return
    yield from _texts(question.text, questionnaire, options, _QUESTION, prefix=f"P{block.number}. ")
    if question.show_if is not None:
        rule = condition_in_words(question.show_if, questionnaire, numbers, options.lang)
        yield Paragraph(escape(f"({said['only_if']} {rule})"), _NOTE)
    if question.help:
        yield from _texts(question.help, questionnaire, options, _NOTE)
    yield Spacer(0, 1 * mm)
    yield from _ANSWER_SPACES[block.answer.kind](block, questionnaire, options)
    check = FORM_WORDS.get(options.lang, FORM_WORDS["id"])["check"]
    for constraint in questionnaire.constraints:  # a rule across questions, checked where it is shown
        if constraint.on == question.id:
            yield from _texts(constraint.message, questionnaire, options, _NOTE, prefix=f"{check}: ")
    yield Spacer(0, 4 * mm)


def _choices(block: PrintedQuestion, questionnaire: Questionnaire, options: PrintOptions) -> Iterable[Flowable]:
    """Answer options with a box and the code typed on the entry screen; don't know and refused
    in the last columns, at the same place on every question. A short scale runs across the
    page; a long list runs down it."""
    said = words(options.lang)
    question = block.question
    if block.answer.kind == "many":
        yield Paragraph(escape(FORM_WORDS.get(options.lang, FORM_WORDS["id"])["many"]), _NOTE)

    def label(option: Any) -> str:
        text = text_in(option.label, options.lang, questionnaire.default_language)
        if options.second_lang is not None:
            text += " / " + text_in(option.label, options.second_lang, questionnaire.default_language)
        if option.exclusive:  # "none of these": not with another tick
            text += f" ({FORM_WORDS.get(options.lang, FORM_WORDS['id'])['alone']})"
        goto = block.goto.get(option.code)
        if goto is not None:
            text += f" » {said['go_to']} " + (f"P{goto}" if goto != END else said["end"])
        return escape(text)

    main = [(o.code, label(o)) for o in question.options if o.special is None]
    special = {SPECIAL_SLOT.get(o.special, 0): (o.code, label(o)) for o in question.options if o.special is not None}
    yield _Options(main, special, A4[0] - 2 * MARGIN)


ACROSS = 5
"""Scales of up to this many points run across the page; longer lists run down it."""
SPECIAL_COLUMN = 28 * mm
SPECIAL_SLOT = {"dont_know": 0, "not_applicable": 0, "refused": 1}
"""Don't know and refused sit in the same one of the last two columns on every question, so a
volunteer's eye finds them where it found them before."""
LEADING = BODY_PT * 1.25


class _Options(Flowable):
    """Tick boxes with the code in bold and the label, drawn directly: a district's thousand
    forms hold a hundred thousand options, and tables of paragraphs took seconds per hundred."""

    def __init__(self, main: Sequence[tuple[str, str]], special: dict[int, tuple[str, str]], width: float) -> None:
        super().__init__()
        self.main, self.special, self.width = main, special, width
        self.across = len(main) <= ACROSS and all(len(text) <= 40 for _code, text in main)
        self.cells: list[tuple[float, float, str, list[str]]] = []  # x, y from the top, code, label lines

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.cells = []
        if self.across:
            specials_x = self.width - 2 * SPECIAL_COLUMN
            column = specials_x / max(1, len(self.main))
            heights = [self._place(x * column, 0, code, text, column, stacked=True)
                       for x, (code, text) in enumerate(self.main)]
            heights += [self._place(specials_x + slot * SPECIAL_COLUMN, 0, code, text, SPECIAL_COLUMN, stacked=True)
                        for slot, (code, text) in sorted(self.special.items())]
            self.height = max(heights, default=0)
            return self.width, self.height
        specials_x = self.width - SPECIAL_COLUMN
        y = 0.0
        for code, text in self.main:
            y += self._place(0, y, code, text, specials_x - 2 * mm, stacked=False)
        row = BOX + 1.2 * mm + LEADING
        side = [self._place(specials_x, slot * row, code, text, SPECIAL_COLUMN, stacked=False) + slot * row
                for slot, (code, text) in sorted(self.special.items())]
        self.height = max([y, *side])
        return self.width, self.height

    def _place(self, x: float, y: float, code: str, text: str, width: float, stacked: bool) -> float:
        code_width = pdfmetrics.stringWidth(code, "Vera-Bold", BODY_PT) + 1.5 * mm
        if stacked:  # box and code, the label under them
            lines = simpleSplit(text, "Vera", BODY_PT, width - 2 * mm)
            self.cells.append((x, y, code, lines))
            return BOX + 1 * mm + len(lines) * LEADING + 1.5 * mm
        lines = simpleSplit(text, "Vera", BODY_PT, width - BOX - 2 * mm - code_width)
        self.cells.append((x, y, code, lines))
        return max(BOX, len(lines) * LEADING) + 1.2 * mm

    def draw(self) -> None:
        canvas = self.canv
        canvas.setLineWidth(0.9)
        for x, y, code, lines in self.cells:
            top = self.height - y
            canvas.rect(x, top - BOX, BOX, BOX)
            canvas.setFont("Vera-Bold", BODY_PT)
            canvas.drawString(x + BOX + 1 * mm, top - BOX + 0.8 * mm, code)
            canvas.setFont("Vera", BODY_PT)
            if self.across:
                for number, line in enumerate(lines):
                    canvas.drawString(x, top - BOX - 1 * mm - (number + 1) * LEADING + 2, line)
            else:
                left = x + BOX + 2 * mm + pdfmetrics.stringWidth(code, "Vera-Bold", BODY_PT) + 1.5 * mm
                for number, line in enumerate(lines):
                    canvas.drawString(left, top - BOX + 0.8 * mm - number * LEADING, line)


def _digits(block: PrintedQuestion, questionnaire: Questionnaire, options: PrintOptions) -> Iterable[Flowable]:
    boxes = _Boxes([block.answer.size])
    boxes.hAlign = "LEFT"
    yield boxes


def _date(block: PrintedQuestion, questionnaire: Questionnaire, options: PrintOptions) -> Iterable[Flowable]:
    boxes = _Boxes([2, 2, 4])
    boxes.hAlign = "LEFT"
    yield boxes
    yield Paragraph(escape(FORM_WORDS.get(options.lang, FORM_WORDS["id"])["dmy"]), _NOTE)


def _lines(block: PrintedQuestion, questionnaire: Questionnaire, options: PrintOptions) -> Iterable[Flowable]:
    yield _Lines(block.answer.size, A4[0] - 2 * MARGIN)


_ANSWER_SPACES = {"one": _choices, "many": _choices, "digits": _digits, "date": _date, "lines": _lines}
"""What a type's ``printed`` answer space is -> how it is drawn."""
