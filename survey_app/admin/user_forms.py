"""Forms of the user-management pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from survey_app.models import Role
from survey_app.operations.users import AccessMethod

ROLE_LABELS = {
    Role.ADMIN.value: _l("Administrator"),
    Role.COORDINATOR.value: _l("Coordinator"),
    Role.VOLUNTEER.value: _l("Volunteer"),
    Role.VIEWER.value: _l("Viewer"),
}

METHOD_LABELS = {
    AccessMethod.INVITATION.value: _l("A one-time invitation link, to send by email or chat"),
    AccessMethod.TEMPORARY_PASSWORD.value: _l("A temporary password, printed and handed over; "
                                              "it must be changed at the first sign-in"),
}



def _choices(labels: dict[str, object]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


SCOPE_HELP = _l("Area or village codes separated by spaces, commas or new lines, e.g. 32.73.01. "
                "Leave empty for all areas.")


class _RoleAndScope(FlaskForm):
    role = SelectField(_l("Role"), choices=_choices(ROLE_LABELS), validators=[DataRequired()])
    scope = TextAreaField(_l("Area scope"), description=SCOPE_HELP, validators=[Length(max=2000)])


class UserEditForm(_RoleAndScope):
    """Role and area scope of an existing account."""


class UserCreateForm(_RoleAndScope):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    method = RadioField(_l("How the person gets in"), choices=_choices(METHOD_LABELS),
                        default=AccessMethod.INVITATION.value, validators=[DataRequired()])


class AccessForm(FlaskForm):
    method = RadioField(_l("New access"), choices=_choices(METHOD_LABELS),
                        default=AccessMethod.INVITATION.value, validators=[DataRequired()])


class ConfirmForm(FlaskForm):
    """Empty form: a confirmed action is a POST with a CSRF token."""
