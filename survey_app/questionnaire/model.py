"""Immutable questionnaire objects, built only by the loader after validation.

Everything downstream (forms, stored answers, reports) reads these objects, never the
YAML, so they carry resolved values: a question lists its own options even when the
file named a shared scale, and ``compare`` is always decided.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal

from .comparability import ADDED, Comparability
from .expressions import Expr

Texts = Mapping[str, str]
"""A text in every declared language: language code -> text."""

SpecialKind = Literal["dont_know", "refused", "not_applicable"]


def text_in(texts: Texts | None, lang: str, default_lang: str) -> str:
    """Text in ``lang``, falling back to the default language, so a view never shows a blank."""
    if not texts:
        return ""
    return texts.get(lang) or texts.get(default_lang) or next(iter(texts.values()), "")


@dataclass(frozen=True)
class Option:
    """One answer choice; a special option (don't know, refused) is never on the scale. An
    exclusive one ("none of these") is a real answer, in every base, that cannot be ticked
    with another."""

    code: str
    label: Texts
    special: SpecialKind | None = None
    exclusive: bool = False


@dataclass(frozen=True)
class Scale:
    """An answer scale declared once at the top of the file and shared by questions."""

    id: str
    options: tuple[Option, ...]
    favourable: tuple[str, ...] = ()


@dataclass(frozen=True)
class Question:
    """One question with its options and scoring already resolved."""

    id: str
    type: str
    text: Texts
    help: Texts | None = None
    required: bool = True
    options: tuple[Option, ...] = ()
    scale: str | None = None
    favourable: tuple[str, ...] = ()
    reverse: bool = False
    min: int | None = None
    max: int | None = None
    max_length: int | None = None
    randomise_options: bool = False
    """Its options are shown in an order drawn for each response; special and exclusive
    options stay last, in their own order."""
    earliest: str | None = None
    """A date question's bounds, relative to the interview date ("today", "-12 months")."""
    latest: str | None = None
    show_if: Expr | None = None
    show_if_text: str | None = None
    compare: Comparability = ADDED
    section_id: str = ""
    # Codes in scoring order 1..k. None means "the scale options as written"; an empty
    # tuple means the type is not scored (multiple choice). yes_no scores no < yes.
    score_codes: tuple[str, ...] | None = None
    line: int | None = field(default=None, compare=False)

    @cached_property
    def _options_by_code(self) -> dict[str, Option]:
        return {option.code: option for option in self.options}

    def option(self, code: str) -> Option | None:
        """The option with this code, if any (asked for every answer the form receives)."""
        return self._options_by_code.get(code)

    def is_special(self, code: str) -> bool:
        """True for don't know / refused / not applicable codes, which stay out of every base."""
        option = self.option(code)
        return option is not None and option.special is not None

    def stands_alone(self, code: str) -> bool:
        """True for a code that cannot be combined with others: special or exclusive."""
        option = self.option(code)
        return option is not None and (option.special is not None or option.exclusive)

    def scale_options(self) -> tuple[Option, ...]:
        """The options that form the answer scale, in the order written."""
        return tuple(option for option in self.options if option.special is None)

    def _scored_codes(self) -> tuple[str, ...]:
        if self.score_codes is not None:
            return self.score_codes
        return tuple(option.code for option in self.scale_options())

    def score(self, code: str) -> int | None:
        """Position 1..k of ``code`` on the scale; None for specials and unknown codes."""
        codes = self._scored_codes()
        return codes.index(code) + 1 if code in codes else None

    def score_0_100(self, code: str) -> float | None:
        """Score rescaled to 0..100 for indices, flipped for reverse-worded items."""
        score, k = self.score(code), len(self._scored_codes())
        if score is None or k < 2:
            return None
        value = (score - 1) / (k - 1) * 100
        return 100 - value if self.reverse else value


@dataclass(frozen=True)
class Section:
    """A titled group of questions, shown together. A section's ``show_if`` is also part of
    each of its questions' own (the loader joins them with ``and``), so everything that asks
    whether a question is shown asks only the question."""

    id: str
    title: Texts
    questions: tuple[Question, ...]
    show_if_text: str | None = None
    randomise: bool = False
    short_title: Texts | None = None
    """At most 31 characters: the name of the section's sheet in a workbook."""
    """Its questions are shown in an order drawn for each response (``ordering``)."""


@dataclass(frozen=True)
class Index:
    """A 0-100 index averaged over scale items, such as trust or safety."""

    id: str
    label: Texts
    items: tuple[str, ...]


@dataclass(frozen=True)
class Constraint:
    """A rule across questions ("years in the village <= age"), checked once every question
    it reads is answered; when it fails, ``message`` is shown at question ``on``."""

    check: Expr
    check_text: str
    on: str
    message: Texts


AmendedKind = Literal["caution", "not_comparable"]
SmallBases = Literal["suppress", "counts"]
"""How reports show a figure on a base under min_n: hidden (residents, anonymous), or as
counts ("3 of 7") for partners, who are few, answer in their role and know it."""


@dataclass(frozen=True)
class Amendment:
    """One judgement: from ``decided`` on, ``question_id`` in ``version`` links to the version
    before it as ``kind``, for ``reason``."""

    version: int
    question_id: str
    kind: AmendedKind
    decided: dt.date
    reason: Texts
    line: int | None = None


@dataclass(frozen=True)
class Questionnaire:
    """One published version of a questionnaire; answers are stored against its ``ref``."""

    key: str
    version: int
    languages: tuple[str, ...]
    default_language: str
    title: Texts
    description: Texts | None
    scales: Mapping[str, Scale]
    indices: tuple[Index, ...]
    sections: tuple[Section, ...]
    path: Path
    content_hash: str
    constraints: tuple[Constraint, ...] = ()
    amendments: tuple[Amendment, ...] = ()
    small_bases: SmallBases = "suppress"
    _by_id: Mapping[str, Question] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id = {q.id: q for section in self.sections for q in section.questions}
        object.__setattr__(self, "_by_id", by_id)

    @property
    def ref(self) -> str:
        """``key@version``, the string stored with every response."""
        return f"{self.key}@{self.version}"

    def questions(self) -> list[Question]:
        """All questions in file order."""
        return list(self._by_id.values())

    def question(self, question_id: str) -> Question:
        """The question with this id; raises KeyError when there is none."""
        return self._by_id[question_id]

    def has_question(self, question_id: str) -> bool:
        """True when this version asks ``question_id``."""
        return question_id in self._by_id

    def index(self, index_id: str) -> Index:
        """The index with this id; raises KeyError when there is none."""
        for index in self.indices:
            if index.id == index_id:
                return index
        raise KeyError(index_id)
