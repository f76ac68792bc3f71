"""Forms of the round pages: creation, settings, and the confirmations of lifecycle steps."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from survey_app.entry.forms import DOUBLE_ENTRY_LABELS
from survey_app.models.rounds import MAX_RETENTION_MONTHS
from survey_app.operations.rounds import MAX_MIN_N, MAX_TARGET, RoundSettings


class SettingsFields(FlaskForm):
    """Dates, schedule, target and minimum base: shared by creation and the settings form."""

    opens_on = DateField(_l("Opens on"), validators=[Optional()])
    closes_on = DateField(_l("Closes on"), validators=[Optional()])
    scheduled = BooleanField(_l("Open and close automatically on these dates"))
    target_per_village = IntegerField(_l("Target responses per village"),
                                      validators=[Optional(), NumberRange(min=1, max=MAX_TARGET)])
    min_n = IntegerField(_l("Minimum base for reports"), validators=[Optional(), NumberRange(min=1, max=MAX_MIN_N)])

    def settings(self) -> RoundSettings:
        return RoundSettings(self.opens_on.data, self.closes_on.data, bool(self.scheduled.data),
                             self.target_per_village.data, self.min_n.data)


class RoundForm(SettingsFields):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    questionnaire = SelectField(_l("Questionnaire version"), validators=[DataRequired()])
    scope = TextAreaField(_l("Villages in scope: area or village codes"), validators=[Length(max=200_000)])
    scope_file = FileField(_l("…or upload a list of village codes (.csv or .txt, one per line)"),
                           validators=[FileAllowed(["csv", "txt"], _l("Upload a .csv or .txt file."))])
    all_villages = BooleanField(_l("…or all villages"))  # the view puts the count in the label
    double_entry = RadioField(_l("Double entry of paper forms"), default="off",
                              choices=[SelectChoice(value, label) for value, label in DOUBLE_ENTRY_LABELS.items()])
    double_entry_share = IntegerField(_l("Share keyed twice (%)"),
                                      validators=[Optional(), NumberRange(min=1, max=100)])


class CloseForm(FlaskForm):
    paper_may_finish = BooleanField(_l("Let volunteers finish keying the paper forms already collected"))


class ConfirmForm(FlaskForm):
    """A bare POST with a CSRF token: the page around it says what will happen."""



class RetentionForm(FlaskForm):
    """How long a round keeps free text and individual responses after it stops taking answers."""

    free_text_months = IntegerField(_l("Keep free-text answers for (months)"), validators=[
        DataRequired(), NumberRange(min=1, max=MAX_RETENTION_MONTHS)])
    responses_months = IntegerField(_l("Keep individual responses for (months)"), validators=[
        DataRequired(), NumberRange(min=1, max=MAX_RETENTION_MONTHS)])


class GoalForm(FlaskForm):
    """An intermediate goal: an indicator reaching a level, or rising, in an area by this round."""

    indicator = SelectField(_l("Indicator"), validators=[DataRequired()])
    area = StringField(_l("Area or village code"), validators=[DataRequired(), Length(max=32)])
    kind = RadioField(_l("Goal"), default="level", choices=[SelectChoice("level", _l("reach at least")),
                                                            SelectChoice("change", _l("rise by (points)"))])
    target = FloatField(_l("Target"), validators=[DataRequired(message=_l("Give the target as a number.")),
                                                  NumberRange(min=-100, max=100)])
    baseline = SelectField(_l("Rise measured from"), default="", validate_choice=True)
