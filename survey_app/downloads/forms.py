"""The one form that starts a queued download: which file, for which area, in which language."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from reports.export import WRITERS
from reports.text import LANGUAGES
from survey_app.models import JobKind

WEB_KINDS = (JobKind.AREA_ZIP, JobKind.OVERVIEW, JobKind.RESPONSES)


def _choices(values: list[str]) -> list[SelectChoice]:
    return [SelectChoice(value, value) for value in values]


class JobForm(FlaskForm):
    kind = SelectField(choices=_choices([kind.value for kind in WEB_KINDS]), validators=[InputRequired()])
    area_code = StringField(validators=[Optional(), Length(max=32)])
    lang = SelectField(choices=_choices(list(LANGUAGES)), default="id")  # the round's languages: set by the view
    fmt = SelectField(choices=_choices(sorted(WRITERS)), default="csv")
    labels = BooleanField()
    free_text = BooleanField()
