"""Translations of the questionnaire engine's answer messages (``questionnaire.messages``), shared
by the resident form and paper entry."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from survey_app.i18n import current_language
from survey_app.questionnaire import messages as m

ANSWER_MESSAGES = {
    m.REQUIRED: _l("This answer is required."),
    m.INVALID_OPTION: _l("'{code}' is not a valid option."),
    m.ONE_ANSWER_ONLY: _l("Choose only one answer."),
    m.SPECIAL_ALONE: _l("'{code}' cannot be combined with other answers."),
    m.WHOLE_NUMBER: _l("Must be a whole number."),
    m.AT_LEAST: _l("Must be at least {min}."),
    m.AT_MOST: _l("Must be at most {max}."),
    m.TOO_LONG: _l("Must be at most {max_length} characters."),
    m.NOT_TEXT: _l("Must be text."),
    m.DATE: _l("Write a date as day-month-year, for example 31-12-2026."),
    m.NOT_BEFORE: _l("The date cannot be before {date}."),
    m.NOT_AFTER: _l("The date cannot be after {date}."),
}


def translate_errors(error_templates: dict[str, tuple[str, dict[str, object]]]) -> dict[str, str]:
    """The engine's errors in the interface language. A failed constraint says what its
    questionnaire says, in the page's language (the questionnaire's default otherwise)."""
    language = current_language()
    translated = {}
    for question_id, (template, params) in error_templates.items():
        if template == m.CONSTRAINT:
            texts = params.get("texts")
            own = texts.get(language) if isinstance(texts, dict) else None
            translated[question_id] = str(own or params.get("message", ""))
        else:
            translated[question_id] = str(ANSWER_MESSAGES.get(template, template)).format(**params)
    return translated
