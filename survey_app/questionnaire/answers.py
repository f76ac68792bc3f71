"""Turn raw submitted answers into the values we store, question by question.

Visibility is decided in file order from the *cleaned* answers of earlier questions,
exactly as ``show_if`` reads them; a hidden question's answer is dropped and never
stored, even when the browser sent one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from . import messages
from .model import Question, Questionnaire
from .types import QUESTION_TYPES, AnswerError, takes_answer


@dataclass
class CleanResult:
    """Cleaned answers of visible, answered questions, and one error per rejected question."""

    answers: dict[str, object] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    # The same errors as (template from ``messages``, parameters), for translation.
    error_templates: dict[str, tuple[str, dict[str, object]]] = field(default_factory=dict)

    def reject(self, question_id: str, template: str, **params: object) -> None:
        """Record why ``question_id``'s answer was refused."""
        self.errors[question_id] = template.format(**params)
        self.error_templates[question_id] = (template, params)

    @property
    def ok(self) -> bool:
        """True when every visible question was accepted."""
        return not self.errors


def _is_empty(raw: object) -> bool:
    """No answer: nothing, blank text, or a list of those. Not recursive: a list inside a list
    is never an answer (its type refuses it), and a hostile post may nest one 500 deep."""
    if isinstance(raw, list | tuple):
        return all(_is_blank(item) for item in raw)
    return _is_blank(raw)


def _is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _walk(questionnaire: Questionnaire, answers: Mapping[str, object]) -> Iterator[Question]:
    """Yield visible questions; the caller fills ``answers`` as it goes (only visible ones)."""
    for question in questionnaire.questions():
        if question.show_if is None or question.show_if.evaluate(answers):
            yield question


def clean_answers(questionnaire: Questionnaire, raw: Mapping[str, object],
                  interview: dt.date | None = None) -> CleanResult:
    """Validate and coerce ``raw`` (form or JSON values keyed by question id).

    Pass lists for multiple-choice fields (``form.getlist``); one-item lists are fine
    for every other type. Keys that are not question ids (a CSRF token) are ignored.
    ``interview`` is the day the answers were given, which date bounds such as "not in the
    future" are relative to: a paper form's interview date; today when not given.
    """
    interview = interview or dt.date.today()
    result = CleanResult()
    for question in _walk(questionnaire, result.answers):
        if not takes_answer(question):
            continue  # a note: whatever was sent for it is not an answer
        value = raw.get(question.id)
        if _is_empty(value):
            if question.required:
                result.reject(question.id, messages.REQUIRED)
            continue
        kind = QUESTION_TYPES[question.type]
        try:
            result.answers[question.id] = answer = kind.clean_raw(question, value)
            kind.check_on(question, answer, interview)
        except AnswerError as exc:
            result.answers.pop(question.id, None)
            result.reject(question.id, exc.template, **exc.params)
    for constraint in questionnaire.constraints:
        # Checked only once every question it reads is answered and accepted (hidden ones
        # are not in the answers): an unanswered question is the REQUIRED rule's business.
        if constraint.on in result.errors or not constraint.check.names <= result.answers.keys():
            continue
        if not constraint.check.evaluate(result.answers):
            result.reject(constraint.on, messages.CONSTRAINT, texts=dict(constraint.message),
                          message=constraint.message.get(questionnaire.default_language, ""))
    return result


def visible_questions(questionnaire: Questionnaire, answers: Mapping[str, object]) -> list[Question]:
    """Questions shown given already-cleaned ``answers``; hidden ones' answers are ignored."""
    seen: dict[str, object] = {}
    visible: list[Question] = []
    for question in _walk(questionnaire, seen):
        visible.append(question)
        if question.id in answers and answers[question.id] is not None:
            seen[question.id] = answers[question.id]
    return visible
