"""WTForms classes built at run time from a questionnaire, through a registry of types.

Inputs are named by question id and option values are the option codes, so the HTML is
honest for any client. Validation is the questionnaire engine's (``clean_answers``);
WTForms renders and keeps the resident's input, Flask-WTF checks CSRF.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import Field, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from survey_app.questionnaire import QUESTION_TYPES, Question, Questionnaire, text_in


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _choices(question: Question, lang: str, default: str) -> list[SelectChoice]:
    return [SelectChoice(o.code, text_in(o.label, lang, default)) for o in question.options]


def _radio(question: Question, lang: str, default: str) -> Field:
    return RadioField(choices=_choices(question, lang, default), validate_choice=False)


def _checkboxes(question: Question, lang: str, default: str) -> Field:
    return CheckboxesField(choices=_choices(question, lang, default), validate_choice=False)


def _integer(question: Question, lang: str, default: str) -> Field:
    # Text with a numeric keyboard: type=number mangles input on some cheap phones.
    attrs = {"inputmode": "numeric", "pattern": "[0-9]*", "autocomplete": "off"}
    return StringField(render_kw=attrs)


def _date(question: Question, lang: str, default: str) -> Field:
    # The phone's own date picker; one that lacks it shows text, and the engine reads
    # day-month-year too. Bounds are not put on the input: this class outlives the day.
    return StringField(render_kw={"type": "date", "autocomplete": "off"})


def _short_text(question: Question, lang: str, default: str) -> Field:
    return StringField(render_kw={"maxlength": question.max_length or 200, "autocomplete": "off"})


def _long_text(question: Question, lang: str, default: str) -> Field:
    return TextAreaField(render_kw={"maxlength": question.max_length or 2000, "rows": 4})


FIELD_BUILDERS: dict[str, Callable[[Question, str, str], Field | None]] = {
    "note": lambda _question, _lang, _default: None,  # shown, nothing asked
    "single_choice": _radio,
    "yes_no": _radio,
    "multiple_choice": _checkboxes,
    "integer": _integer,
    "date": _date,
    "short_text": _short_text,
    "long_text": _long_text,
}


def form_class(questionnaire: Questionnaire, lang: str) -> type[FlaskForm]:
    """One form class per questionnaire content and language, built once per app."""
    classes: dict[tuple[str, str, str], type[FlaskForm]] = current_app.extensions.setdefault("respond_forms", {})
    cache_key = (questionnaire.ref, questionnaire.content_hash, lang)
    if cache_key not in classes:
        default = questionnaire.default_language
        built = {q.id: FIELD_BUILDERS[q.type](q, lang, default) for q in questionnaire.questions()}
        fields = {qid: field for qid, field in built.items() if field is not None}
        name = f"Form_{questionnaire.key}_{questionnaire.version}_{lang}"
        classes[cache_key] = type(name, (FlaskForm,), fields)
    return classes[cache_key]


def raw_answers(questionnaire: Questionnaire, formdata: MultiDict) -> dict[str, object]:
    """The submitted values by question id, lists for multiple choice."""
    return {
        q.id: formdata.getlist(q.id) if QUESTION_TYPES[q.type].accepts_many else formdata.get(q.id)
        for q in questionnaire.questions()
    }
