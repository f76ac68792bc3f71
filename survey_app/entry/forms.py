"""Forms of the paper-entry pages.

The entry screen itself is one text input per question, named by question id, so the
same names serve the screen, the template and the importer; its values are checked by
``operations.keying`` (the questionnaire engine), and CSRF by Flask-WTF's CSRFProtect.
``KEY_INPUTS`` gives each question type its input attributes (tablets show a number pad
for numeric codes). The smaller forms below are ordinary Flask-WTF forms.
"""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from survey_app.models import DoubleEntry, SerialScope
from survey_app.questionnaire import Question


def _numeric_codes(question: Question) -> bool:
    return all(option.code.isdigit() for option in question.options)


def _choice_input(question: Question) -> dict[str, object]:
    attrs: dict[str, object] = {"maxlength": max(len(o.code) for o in question.options) + 2}
    if _numeric_codes(question):
        attrs["inputmode"] = "numeric"
    return attrs


def _many_input(question: Question) -> dict[str, object]:
    return {"maxlength": 400}


def _integer_input(question: Question) -> dict[str, object]:
    return {"inputmode": "numeric", "maxlength": 12}


def _text_input(question: Question) -> dict[str, object]:
    return {"maxlength": question.max_length or 2000}


KEY_INPUTS: dict[str, Callable[[Question], dict[str, object]]] = {
    "single_choice": _choice_input,
    "yes_no": _choice_input,
    "multiple_choice": _many_input,
    "integer": _integer_input,
    "short_text": _text_input,
    "long_text": _text_input,
}
"""Question type -> attributes of its text input on the entry screen."""


def input_attrs(question: Question) -> dict[str, object]:
    return {"autocomplete": "off", "spellcheck": "false", **KEY_INPUTS[question.type](question)}


class UploadForm(FlaskForm):
    file = FileField(_l("Spreadsheet (.xlsx or .csv)"), validators=[FileRequired(_l("Choose a file to upload."))])


DOUBLE_ENTRY_LABELS = {
    DoubleEntry.OFF.value: _l("Off: one entry per paper form"),
    DoubleEntry.ALL.value: _l("Every paper form is keyed twice"),
    DoubleEntry.SAMPLE.value: _l("A random share of the paper forms is keyed twice"),
}

SERIAL_SCOPE_LABELS = {
    SerialScope.VILLAGE.value: _l("Within each village (villages may each number their forms from 001)"),
    SerialScope.ROUND.value: _l("Across the whole round (one running number for every village)"),
}


class DoubleEntryForm(FlaskForm):
    mode = RadioField(_l("Double entry"), validators=[DataRequired()],
                      choices=[SelectChoice(value, label) for value, label in DOUBLE_ENTRY_LABELS.items()])
    share = IntegerField(_l("Share keyed twice (%)"), validators=[Optional(), NumberRange(min=1, max=100)])
    serials = RadioField(_l("Serial numbers must be unique"), validators=[DataRequired()],
                         choices=[SelectChoice(value, label) for value, label in SERIAL_SCOPE_LABELS.items()])


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(_l("Say why, for the history.")), Length(max=500)])
