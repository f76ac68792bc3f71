"""Signing in and out."""

from flask import Blueprint, Flask, redirect, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from survey_app.access import public
from survey_app.extensions import db, login_manager
from survey_app.models import User

bp = Blueprint("auth", __name__)


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.session_protection = "strong"


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


@public
def index():  # type: ignore[no-untyped-def]
    """Send staff to their console and everyone else to sign in."""
    if current_user.is_authenticated:
        return redirect(url_for("admin.index"))
    return redirect(url_for("auth.login"))


from survey_app.auth import routes  # noqa: E402,F401  (registers the views on bp)
