"""Keyed codes -> cleaned answers, for paper forms typed in by volunteers. No database.

A volunteer types the codes printed on the paper, one text per question. Each question
type turns its text into the raw value the questionnaire engine expects (``QuestionType.key``
in the registry); then ``clean_answers`` validates exactly as for the resident form, so
paper and web answers obey the same rules. ``BLANK`` records "left blank on
paper", which is allowed for required questions: missing on purpose, not forgotten.

Codes may be shortened to an unambiguous prefix (``y`` for ``yes``, ``th`` for
``theft``), case-insensitively; an exact code always wins over a prefix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from survey_app import clock
from survey_app.questionnaire import QUESTION_TYPES, Questionnaire, clean_answers, visible_questions
from survey_app.questionnaire import messages as engine_messages
from survey_app.questionnaire.redaction import free_text_ids, redact_answers
from survey_app.questionnaire.types import expand_code  # noqa: F401 - keying's own name for it

BLANK = "-"
"""Typed for a question the respondent left blank on paper."""

KEY_REQUIRED = "Type the code from the paper, or {blank} if it was left blank."
@dataclass
class KeyedResult:
    """Cleaned answers, the visible questions keyed as blank, and errors as templates."""

    answers: dict[str, object] = field(default_factory=dict)
    blank: list[str] = field(default_factory=list)
    errors: dict[str, tuple[str, dict[str, object]]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def keyed_fields(self) -> int:
        """Fields that carry something from the paper: an answer or the blank code."""
        return len(self.answers) + len(self.blank)


def key_answers(questionnaire: Questionnaire, typed: Mapping[str, object],
                interview: date | None = None, *, redact: bool = True) -> KeyedResult:
    """Parse typed codes for every question and clean them with the questionnaire engine.

    Hidden questions (``show_if``) are dropped, typed or not. A visible required question
    left empty is an error; one keyed as ``BLANK`` is accepted and listed in ``blank``.
    Date bounds are relative to ``interview``, the paper's interview date (today if unknown).
    Without ``redact`` free text is kept as typed: a round that reviews free text keeps the
    keyings as they are, and the response made from them is redacted when it is stored.
    """
    raw: dict[str, object] = {}
    blank: set[str] = set()
    for question in questionnaire.questions():
        text = typed.get(question.id)
        text = text.strip() if isinstance(text, str) else ""
        if text == BLANK:
            blank.add(question.id)
        elif text:
            raw[question.id] = QUESTION_TYPES[question.type].key(question, text)
    cleaned = clean_answers(questionnaire, raw, interview or clock.today())
    shown = [q.id for q in visible_questions(questionnaire, cleaned.answers)]
    # Personal data in free text is replaced at once, so no entry, correction or response keeps it.
    answers = redact_answers(cleaned.answers, free_text_ids(questionnaire))[0] if redact else cleaned.answers
    result = KeyedResult(answers=answers, blank=[qid for qid in shown if qid in blank])
    for question_id, (template, params) in cleaned.error_templates.items():
        if template == engine_messages.REQUIRED:
            if question_id in blank:
                continue
            template, params = KEY_REQUIRED, {"blank": BLANK}
        result.errors[question_id] = (template, params)
    return result


def typed_text(value: object) -> str:
    """A stored answer as a volunteer would type it (lists as codes separated by spaces)."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return " ".join(str(item) for item in value)
    return str(value)


def typed_answers(questionnaire: Questionnaire, answers: Mapping[str, object],
                  blank: frozenset[str] | set[str] = frozenset()) -> dict[str, str]:
    """Stored answers back as typed texts; a visible required question without an answer
    (or one listed in ``blank``) shows the blank code."""
    texts: dict[str, str] = {}
    for question in visible_questions(questionnaire, answers):
        if question.id in answers:
            texts[question.id] = typed_text(answers[question.id])
        elif question.required or question.id in blank:
            texts[question.id] = BLANK
    return texts
