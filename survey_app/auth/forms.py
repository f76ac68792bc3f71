"""Sign-in and password forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=512)])
    remember = BooleanField(_l("Keep me signed in"))


class LogoutForm(FlaskForm):
    """Empty form: logging out is a POST with a CSRF token."""


class NewPasswordForm(FlaskForm):
    """A new password typed twice; the rules themselves live in ``security.password_problem``."""

    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=512)])
    confirm = PasswordField(_l("New password again"), validators=[
        DataRequired(), EqualTo("new_password", message=_l("The two new passwords differ."))])


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=512)])
