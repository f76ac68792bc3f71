"""Pydantic schema of a questionnaire file: shapes and types only.

The YAML reader hands over plain strings, so integer and boolean fields are converted
here; ``extra="forbid"`` turns a misspelt field into an error instead of a silent
default. Rules that need the whole file (ids, references, versions) live in ``build``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainValidator

from .comparability import CAUTION, NOT_COMPARABLE, SAME, Comparability
from .types import QUESTION_TYPES, RELATIVE_DATE_RE

MAX_SHEET_TITLE = 31
"""A section's short title names its sheet in a workbook, where Excel allows 31 characters."""
MAX_TEXT_CHARS = 500
"""A label, title or question in one language: a long question is about 200 characters."""
MAX_LONG_TEXT_CHARS = 3_000
"""A description or help text in one language; every character is sent to a resident's phone."""

TextsIn = dict[str, Annotated[str, Field(max_length=MAX_TEXT_CHARS)]]
LongTextsIn = dict[str, Annotated[str, Field(max_length=MAX_LONG_TEXT_CHARS)]]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OptionIn(_Strict):
    code: str
    label: TextsIn
    special: Literal["dont_know", "refused", "not_applicable"] | None = None
    exclusive: bool = False


class ScaleIn(_Strict):
    options: Annotated[list[OptionIn], Field(min_length=1)]
    favourable: list[str] | None = None


class IndexIn(_Strict):
    label: TextsIn
    items: Annotated[list[str], Field(min_length=1)]


_COMPARE_HELP = ("must be 'same', 'caution', 'not_comparable', {recode: {old code: new code}}"
                 " or {recode: {...}, caution: true}")
_TRUE = (True, "true", "yes")


def _parse_compare(value: object) -> Comparability | None:
    """Read ``compare:``; a recode keeps the author's map, checked later against both versions."""
    if value is None:
        return None
    if isinstance(value, Comparability):
        return value
    simple = {"same": SAME, "caution": CAUTION, "not_comparable": NOT_COMPARABLE}
    if isinstance(value, str) and value in simple:
        return simple[value]
    if isinstance(value, dict) and "recode" in value and set(value) <= {"recode", "caution"}:
        mapping = value["recode"]
        if not (isinstance(mapping, dict) and all(isinstance(k, str) and isinstance(v, str)
                                                  for k, v in mapping.items())):
            raise ValueError("recode must map each old code to one new code, e.g. {'1': '1'}")
        if "caution" in value and value["caution"] not in _TRUE:
            raise ValueError("caution: may only be true; leave it out for a recode that joins the trend")
        return Comparability("caution" if "caution" in value else "recoded", dict(mapping))
    raise ValueError(_COMPARE_HELP)


def _parse_relative(value: object) -> str:
    """``today``, or a signed whole number of days, months or years from the interview date."""
    text = str(value).strip() if isinstance(value, str | int) else ""
    if not RELATIVE_DATE_RE.fullmatch(text):
        raise ValueError("write 'today' or an offset from the interview date such as '-12 months', '-30 days', "
                         "'+1 year'")
    return text


RelativeDateIn = Annotated[str, PlainValidator(_parse_relative)]

CompareIn = Annotated[Comparability | None, PlainValidator(_parse_compare)]

if TYPE_CHECKING:
    QuestionTypeName = str
else:  # the registry's names, so a new type needs no edit here
    QuestionTypeName = Literal[tuple(QUESTION_TYPES)]


class QuestionIn(_Strict):
    id: str
    type: QuestionTypeName
    text: TextsIn
    help: LongTextsIn | None = None
    required: bool = True
    scale: str | None = None
    options: list[OptionIn] | None = None
    favourable: list[str] | None = None
    reverse: bool = False
    min: int | None = None
    max: int | None = None
    max_length: Annotated[int, Field(ge=1)] | None = None
    randomise_options: bool = False
    earliest: RelativeDateIn | None = None
    latest: RelativeDateIn | None = None
    show_if: str | None = None
    compare: CompareIn = None


class SectionIn(_Strict):
    id: str
    title: TextsIn
    short_title: dict[str, Annotated[str, Field(max_length=MAX_SHEET_TITLE)]] | None = None
    show_if: str | None = None
    randomise: bool = False
    questions: Annotated[list[QuestionIn], Field(min_length=1)]


class ConstraintIn(_Strict):
    check: str
    on: str
    message: TextsIn


class QuestionnaireIn(_Strict):
    key: str
    version: Annotated[int, Field(ge=1)]
    languages: Annotated[list[str], Field(min_length=1)]
    default_language: str = "id"
    title: TextsIn
    description: LongTextsIn | None = None
    scales: dict[str, ScaleIn] = Field(default_factory=dict)
    indices: dict[str, IndexIn] = Field(default_factory=dict)
    sections: Annotated[list[SectionIn], Field(min_length=1)]
    constraints: list[ConstraintIn] = Field(default_factory=list)
    small_bases: Literal["suppress", "counts"] = "suppress"
