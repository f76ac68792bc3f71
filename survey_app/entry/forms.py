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
from wtforms import DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField, ValidationError
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


def _date_input(question: Question) -> dict[str, object]:
    return {"inputmode": "numeric", "maxlength": 10, "placeholder": "dd-mm-yyyy"}


def _text_input(question: Question) -> dict[str, object]:
    return {"maxlength": question.max_length or 2000}


KEY_INPUTS: dict[str, Callable[[Question], dict[str, object]]] = {
    "single_choice": _choice_input,
    "yes_no": _choice_input,
    "multiple_choice": _many_input,
    "integer": _integer_input,
    "date": _date_input,
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


class PaperSettingsForm(FlaskForm):
    """A round's paper entry rules: double entry, and where serials must be unique."""

    mode = RadioField(_l("Double entry"), validators=[DataRequired()],
                      choices=[SelectChoice(value, label) for value, label in DOUBLE_ENTRY_LABELS.items()])
    share = IntegerField(_l("Share keyed twice (%)"), validators=[Optional(), NumberRange(min=1, max=100)])
    serials = RadioField(_l("Serial numbers must be unique"), validators=[DataRequired()],
                         choices=[SelectChoice(value, label) for value, label in SERIAL_SCOPE_LABELS.items()])


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(_l("Say why, for the history.")), Length(max=500)])


def _choices(*pairs: tuple[str, object]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class ResponseFilterForm(FlaskForm):
    """Filters and sort of the submissions table, in the query string: a GET form, so links
    and the pager keep them (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    area = StringField(_l("Area or village code"), validators=[Optional(), Length(max=32)])
    mode = SelectField(_l("Mode"), validators=[Optional()],
                       choices=_choices(("", _l("Web and paper")), ("web", _l("Web")), ("paper", _l("Paper"))))
    date_from = DateField(_l("From (date)"), validators=[Optional()])
    date_to = DateField(_l("To (date, inclusive)"), validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()],
                         choices=_choices(("", _l("Counted and deleted")), ("counted", _l("Counted")),
                                          ("deleted", _l("Deleted"))))
    flag = SelectField(_l("Quality"), validators=[Optional()],
                       choices=_choices(("", _l("Any")), ("fast", _l("Very fast (web)")),
                                        ("straight", _l("Straight-lined")),
                                        ("corrected", _l("Corrected"))))
    sort = SelectField(_l("Sort by"), validators=[Optional()],
                       choices=_choices(("submitted", _l("Submitted")), ("village", _l("Village")),
                                        ("mode", _l("Mode")), ("id", "#")))
    dir = SelectField(_l("Order"), validators=[Optional()],
                      choices=_choices(("desc", _l("Descending")), ("asc", _l("Ascending"))))

    def validate_date_to(self, field: DateField) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))


class PrintFormsForm(FlaskForm):
    """Printed paper questionnaires with reserved serials, for an area's or a village's forms."""

    area = StringField(_l("Area or village code"), validators=[DataRequired(), Length(max=32)])
    count = IntegerField(_l("Forms per village"), default=10, validators=[DataRequired(), NumberRange(min=1, max=500)])
    lang = SelectField(_l("Language"))
    second_lang = SelectField(_l("Second language, in smaller type"))
