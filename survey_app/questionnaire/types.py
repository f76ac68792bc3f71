"""Registry of question types: each type's one home.

A type says what it accepts in the file, how it cleans an answer, how a volunteer's typed
code becomes an answer (``key``), what its column of the paper-entry template checks
(``cell_check``), how reports summarise it (``report_kind``) and what a synthetic
respondent answers (``demo_answer``). Adding a type means adding one class and one line in
``QUESTION_TYPES``: the schema's list of types, the loader, the answer cleaner, keying,
the template, the reports and the demo all dispatch through this table. What only a web
page can say (its form field, its entry input, its export cells) stays in the web layer,
where a test holds each of those tables to cover every registered type.

Raw answers come from HTML forms (``str`` or ``list[str]``) or JSON (also ``int``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal

from . import messages
from .model import Option, Question

ReportKind = Literal["scale", "categorical", "multiple", "number", "date", "text"]
"""How reports summarise a question: a top-2 share, a distribution, ticks per option, a
number, a date (in the export, not counted in village reports), or free text (never counted)."""

DEMO_SPECIAL_SHARE = 0.04
"""Share of synthetic answers that are don't know / refused, where a question offers them."""
DEMO_TEXTS = ("Ronda malam lebih sering.", "Lampu jalan di gang.", "Patroli dekat sekolah.")

# Typed codes of a multiple-choice answer: spaces, commas or semicolons between them.
_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class PaperAnswer:
    """The answer space of a question on the printed form: tick one or several boxes, write
    ``size`` digits or a date in boxes, or write on ``size`` ruled lines; a note has none."""

    kind: Literal["one", "many", "digits", "date", "lines", "none"]
    size: int = 0


@dataclass(frozen=True)
class CellCheck:
    """What a question's column of the paper-entry template checks, whatever the spreadsheet
    library: one code from a list, codes separated by spaces, or a whole number in a range."""

    kind: Literal["one_code", "many_codes", "number", "date"]
    codes: tuple[str, ...] = ()
    alone: tuple[str, ...] = ()
    """Codes that cannot be combined with another (special or exclusive)."""
    low: int | None = None
    high: int | None = None
    earliest: str | None = None
    latest: str | None = None


def expand_code(question: Question, token: str) -> str:
    """The option code ``token`` stands for: exact, then case-insensitive, then a unique prefix
    (``y`` for ``yes``, ``th`` for ``theft``); anything else is returned as typed."""
    codes = [option.code for option in question.options]
    if token in codes:
        return token
    folded = token.casefold()
    same = [code for code in codes if code.casefold() == folded]
    if len(same) == 1:
        return same[0]
    starts = [code for code in codes if code.casefold().startswith(folded)]
    return starts[0] if len(starts) == 1 else token


class AnswerError(ValueError):
    """A raw answer that cannot be stored.

    ``template`` is one of ``messages`` and ``params`` fill it, so the web layer can show
    the message translated; ``message`` is the English text.
    """

    def __init__(self, template: str, **params: object) -> None:
        self.template = template
        self.params = params
        self.message = template.format(**params)
        super().__init__(self.message)


def _as_text(raw: object) -> str:
    if isinstance(raw, bool):  # JSON true/false must not pass as the code "True"
        raise AnswerError(messages.NOT_TEXT)
    if isinstance(raw, str):
        return raw.strip()
    if isinstance(raw, int):
        return str(raw)
    raise AnswerError(messages.NOT_TEXT)


class QuestionType:
    """Base type: which optional fields a question may use and how to clean its answer."""

    name: ClassVar[str]
    fields: ClassVar[frozenset[str]] = frozenset()
    has_options: ClassVar[bool] = False
    # Whether items of this type can join a 0-100 index.
    scorable: ClassVar[bool] = False
    default_max_length: ClassVar[int | None] = None
    # Scale codes the type insists on (yes_no must offer exactly yes and no).
    required_codes: ClassVar[frozenset[str]] = frozenset()
    # Whether an answer is a list; other types accept a one-item list (``getlist``).
    accepts_many: ClassVar[bool] = False
    # False for text shown with nothing asked: no field, no column, never an answer.
    takes_answer: ClassVar[bool] = True

    def implicit_options(self) -> tuple[Option, ...]:
        """Options a question gets when the file gives none."""
        return ()

    def score_codes(self, options: Sequence[Option]) -> tuple[str, ...] | None:
        """Codes in scoring order; None = scale options as written, () = not scored."""
        return ()

    def default_favourable(self, reverse: bool) -> tuple[str, ...]:
        """Favourable codes when neither the question nor its scale names any."""
        return ()

    def clean(self, question: Question, raw: object) -> object:
        """Turn a non-empty single raw answer into the stored value or raise ``AnswerError``."""
        raise NotImplementedError

    def clean_raw(self, question: Question, raw: object) -> object:
        """Like ``clean``, but first unwraps the one-item lists that form libraries produce."""
        if isinstance(raw, list | tuple) and not self.accepts_many:
            values = [v for v in raw if not (v is None or isinstance(v, str) and not v.strip())]
            if len(values) != 1:
                raise AnswerError(messages.ONE_ANSWER_ONLY)
            raw = values[0]
        return self.clean(question, raw)

    def key(self, question: Question, text: str) -> object:
        """The raw answer a volunteer's typed text stands for, before ``clean``."""
        return text

    def check_on(self, question: Question, value: object, interview: dt.date) -> None:
        """Checks a clean answer needs the interview's date for; raise ``AnswerError``."""

    def cell_check(self, question: Question) -> CellCheck | None:
        """What the question's template column checks; None for free text."""
        return None

    def printed(self, question: Question) -> PaperAnswer:
        """Its answer space on the printed questionnaire."""
        raise NotImplementedError

    def report_kind(self, question: Question) -> ReportKind:
        return "text"

    def demo_answer(self, question: Question, level: float, rng: random.Random) -> object:
        """A plausible raw answer of a synthetic respondent whose favourable tendency is
        ``level`` (0..1)."""
        raise NotImplementedError


class SingleChoice(QuestionType):
    name = "single_choice"
    fields = frozenset({"scale", "options", "favourable", "reverse", "randomise_options"})
    has_options = True
    scorable = True

    def score_codes(self, options: Sequence[Option]) -> tuple[str, ...] | None:
        return None

    def clean(self, question: Question, raw: object) -> str:
        code = _as_text(raw)
        if question.option(code) is None:
            raise AnswerError(messages.INVALID_OPTION, code=code)
        return code

    def key(self, question: Question, text: str) -> object:
        return expand_code(question, text)

    def cell_check(self, question: Question) -> CellCheck | None:
        return CellCheck("one_code", tuple(option.code for option in question.options))

    def report_kind(self, question: Question) -> ReportKind:
        return "scale" if question.favourable else "categorical"

    def printed(self, question: Question) -> PaperAnswer:
        return PaperAnswer("one")

    def demo_answer(self, question: Question, level: float, rng: random.Random) -> object:
        codes = [option.code for option in question.scale_options()]
        if not (question.scale or question.favourable):
            return rng.choice(codes)
        specials = [option.code for option in question.options if option.special]
        if specials and rng.random() < DEMO_SPECIAL_SHARE:
            return rng.choice(specials)
        if question.reverse:
            level = 1 - level
        position = rng.gauss(level * (len(codes) - 1), 0.9)
        return codes[min(len(codes) - 1, max(0, round(position)))]


_YES_NO_LABELS = {
    "yes": {"id": "Ya", "en": "Yes"},
    "no": {"id": "Tidak", "en": "No"},
}


class YesNo(SingleChoice):
    name = "yes_no"
    fields = frozenset({"options", "favourable", "reverse"})
    required_codes = frozenset({"yes", "no"})

    def implicit_options(self) -> tuple[Option, ...]:
        return tuple(Option(code, dict(label)) for code, label in _YES_NO_LABELS.items())

    def score_codes(self, options: Sequence[Option]) -> tuple[str, ...] | None:
        # "Yes" is the high end whatever order the options are shown in.
        return ("no", "yes")

    def default_favourable(self, reverse: bool) -> tuple[str, ...]:
        return ("no",) if reverse else ("yes",)

    def demo_answer(self, question: Question, level: float, rng: random.Random) -> object:
        return "yes" if rng.random() < level else "no"


class MultipleChoice(QuestionType):
    name = "multiple_choice"
    fields = frozenset({"scale", "options", "randomise_options"})
    has_options = True
    accepts_many = True

    def clean(self, question: Question, raw: object) -> list[str]:
        items = raw if isinstance(raw, list | tuple) else [raw]
        chosen = {code for code in (_as_text(item) for item in items) if code}
        for code in sorted(chosen):
            if question.option(code) is None:
                raise AnswerError(messages.INVALID_OPTION, code=code)
        if len(chosen) > 1:
            for code in sorted(chosen):
                if question.stands_alone(code):  # don't know, refused, or "none of these"
                    raise AnswerError(messages.SPECIAL_ALONE, code=code)
        return [option.code for option in question.options if option.code in chosen]

    def key(self, question: Question, text: str) -> object:
        return [expand_code(question, token) for token in _SEPARATORS.split(text) if token]

    def cell_check(self, question: Question) -> CellCheck | None:
        return CellCheck("many_codes", tuple(option.code for option in question.options),
                         alone=tuple(option.code for option in question.options if question.stands_alone(option.code)))

    def report_kind(self, question: Question) -> ReportKind:
        return "multiple"

    def printed(self, question: Question) -> PaperAnswer:
        return PaperAnswer("many")

    def demo_answer(self, question: Question, level: float, rng: random.Random) -> object:
        codes = [option.code for option in question.scale_options()]
        picked = [code for code in codes if rng.random() < 0.3]
        if len(picked) > 1:  # "none of these" only stands alone; no extra draw, so other demos stay the same
            picked = [code for code in picked if not question.stands_alone(code)] or picked[:1]
        return picked or [rng.choice(codes)]


_WHOLE_NUMBER = re.compile(r"[+-]?\d+")


class Integer(QuestionType):
    name = "integer"
    fields = frozenset({"min", "max"})

    def clean(self, question: Question, raw: object) -> int:
        value = self._to_int(raw)
        if question.min is not None and value < question.min:
            raise AnswerError(messages.AT_LEAST, min=question.min)
        if question.max is not None and value > question.max:
            raise AnswerError(messages.AT_MOST, max=question.max)
        return value

    @staticmethod
    def _to_int(raw: object) -> int:
        if isinstance(raw, bool):
            raise AnswerError(messages.WHOLE_NUMBER)
        if isinstance(raw, int):
            return raw
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        if isinstance(raw, str) and _WHOLE_NUMBER.fullmatch(raw.strip()):
            return int(raw.strip())
        raise AnswerError(messages.WHOLE_NUMBER)

    def cell_check(self, question: Question) -> CellCheck | None:
        return CellCheck("number", low=question.min, high=question.max)

    def report_kind(self, question: Question) -> ReportKind:
        return "number"

    def printed(self, question: Question) -> PaperAnswer:
        high = question.max if question.max is not None else 999
        return PaperAnswer("digits", max(len(str(question.min or 0)), len(str(high))))

    def demo_answer(self, question: Question, level: float, rng: random.Random) -> object:
        low, high = question.min or 0, question.max if question.max is not None else 20
        return min(high, low + int(rng.expovariate(1 / max(1, (high - low) / 8))))


class ShortText(QuestionType):
    name = "short_text"
    fields = frozenset({"max_length"})
    default_max_length = 200

    def clean(self, question: Question, raw: object) -> str:
        if not isinstance(raw, str):
            raise AnswerError(messages.NOT_TEXT)
        text = self._normalise(raw)
        limit = question.max_length or self.default_max_length
        if limit is not None and len(text) > limit:
            raise AnswerError(messages.TOO_LONG, max_length=limit)
        return text

    @staticmethod
    def _normalise(raw: str) -> str:
        return " ".join(raw.split())

    def printed(self, question: Question) -> PaperAnswer:
        return PaperAnswer("lines", 1 if (question.max_length or 0) <= 200 else 4)

    def demo_answer(self, question: Question, level: float, rng: random.Random) -> object:
        return rng.choice(DEMO_TEXTS)


RELATIVE_DATE_RE = re.compile(r"today|[+-]\d{1,3} (?:day|month|year)s?")
"""A date question's bound: ``today`` or an offset from the interview date, e.g. ``-12 months``."""
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]00:00(?::00)?)?")
_DAY_FIRST = re.compile(r"(\d{1,2})[-/. ](\d{1,2})[-/. ](\d{4})")
_TYPED_DIGITS = re.compile(r"(\d{2})(\d{2})(\d{4})")


def relative_date(bound: str, interview: dt.date) -> dt.date:
    """The date ``bound`` names for an interview held on ``interview``."""
    if bound == "today":
        return interview
    number, unit = bound.split()
    amount = int(number)
    if unit.startswith("day"):
        return interview + dt.timedelta(days=amount)
    months = amount * (12 if unit.startswith("year") else 1)
    year, month = divmod(interview.year * 12 + interview.month - 1 + months, 12)
    return dt.date(year, month + 1, min(interview.day, calendar.monthrange(year, month + 1)[1]))


class Date(QuestionType):
    """A calendar day, stored as ISO text (JSON has no dates). Residents and volunteers write
    day-month-year, as Indonesians do; bounds are relative to the interview's own date."""

    name = "date"
    fields = frozenset({"earliest", "latest"})

    def clean(self, question: Question, raw: object) -> str:
        text = _as_text(raw)
        iso, day_first = _ISO_DATE.fullmatch(text), _DAY_FIRST.fullmatch(text)
        try:
            if iso is not None:
                return dt.date(*map(int, iso.groups())).isoformat()
            if day_first is not None:
                day, month, year = map(int, day_first.groups())
                return dt.date(year, month, day).isoformat()
        except ValueError:  # 31-02-2026
            pass
        raise AnswerError(messages.DATE)

    def check_on(self, question: Question, value: object, interview: dt.date) -> None:
        day = dt.date.fromisoformat(str(value))
        if question.earliest is not None and day < (low := relative_date(question.earliest, interview)):
            raise AnswerError(messages.NOT_BEFORE, date=f"{low:%d-%m-%Y}")
        if question.latest is not None and day > (high := relative_date(question.latest, interview)):
            raise AnswerError(messages.NOT_AFTER, date=f"{high:%d-%m-%Y}")

    def key(self, question: Question, text: str) -> object:
        typed = _TYPED_DIGITS.fullmatch(text)  # 31122026, as fast to key as a code
        return f"{typed[1]}-{typed[2]}-{typed[3]}" if typed else text

    def cell_check(self, question: Question) -> CellCheck | None:
        return CellCheck("date", earliest=question.earliest, latest=question.latest)

    def report_kind(self, question: Question) -> ReportKind:
        return "date"

    def printed(self, question: Question) -> PaperAnswer:
        return PaperAnswer("date")

    def demo_answer(self, question: Question, level: float, rng: random.Random) -> object:
        today = dt.date.today()
        low = relative_date(question.earliest or "-1 year", today)
        high = relative_date(question.latest or "today", today)
        return (low + dt.timedelta(days=rng.randrange(max(1, (high - low).days + 1)))).isoformat()


class Note(QuestionType):
    """Text shown, nothing asked: an instruction, a section's introduction, a consent text."""

    name = "note"
    takes_answer = False  # so ``clean_answers`` never asks it to clean anything

    def printed(self, question: Question) -> PaperAnswer:
        return PaperAnswer("none")

    def demo_answer(self, question: Question, level: float, rng: random.Random) -> object:
        return None


class LongText(ShortText):
    name = "long_text"
    default_max_length = 2000

    @staticmethod
    def _normalise(raw: str) -> str:
        return raw.replace("\r\n", "\n").replace("\r", "\n").strip()


QUESTION_TYPES: dict[str, QuestionType] = {
    kind.name: kind() for kind in (SingleChoice, MultipleChoice, YesNo, Integer, Date, ShortText, LongText, Note)
}
"""Type name as written in YAML -> the object that knows how to handle it."""


def report_kind(question: Question) -> ReportKind:
    """How reports summarise ``question`` (its type's ``report_kind``); a type not registered
    here is treated as free text, never counted."""
    kind = QUESTION_TYPES.get(question.type)
    return kind.report_kind(question) if kind is not None else "text"


def takes_answer(question: Question) -> bool:
    """False for a note: shown, never answered, so no field, no column and no stored value."""
    kind = QUESTION_TYPES.get(question.type)
    return kind is None or kind.takes_answer
