"""Signing in and out, changing one's password, and accepting an invitation link."""

from flask import Blueprint, Flask, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from survey_app.access import PUBLIC, public
from survey_app.extensions import db, login_manager
from survey_app.models import Role, User

bp = Blueprint("auth", __name__)


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.session_protection = "strong"
    app.after_request(_no_needless_cookie_clearing)


def _no_needless_cookie_clearing(response):  # type: ignore[no-untyped-def]
    """Strong session protection asks Flask-Login to clear the remember-me cookie whenever a
    session without a signed-in user is checked, that is on every public page. Only ask the
    browser to delete the cookie when it sent one. (Registered after Flask-Login's own hook,
    so it runs before it.)"""
    if session.get("_remember") == "clear" and current_app.config["REMEMBER_COOKIE_NAME"] not in request.cookies:
        session.pop("_remember")
    return response


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id))
    if user is not None and user.active:
        return user
    # Forget the account for good, so reactivating it later does not revive this old session.
    for key in ("_user_id", "_fresh", "_id"):
        session.pop(key, None)
    session["_remember"] = "clear"
    return None


# What a user with a temporary password may still reach: the change itself, and the way out.
OPEN_DURING_FORCED_CHANGE = frozenset({"auth.password", "auth.logout", "static", "set_language"})


@bp.before_app_request
def _force_password_change():  # type: ignore[no-untyped-def]
    """A temporary password was seen on paper by someone else: nothing else until it is replaced.

    Public pages (the resident form above all) are left alone without touching
    ``current_user``: loading it would make Flask-Login's session protection rewrite every
    anonymous resident's session cookie."""
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None or getattr(view, "access", None) == PUBLIC:
        return None
    if (current_user.is_authenticated and current_user.must_change_password
            and request.endpoint not in OPEN_DURING_FORCED_CHANGE):
        flash(_("Please choose your own password before you continue."), "info")
        return redirect(url_for("auth.password"))
    return None


# Where each role starts: the page it uses most.
HOME = {
    Role.ADMIN: "admin.index",
    Role.COORDINATOR: "admin.index",
    Role.VOLUNTEER: "entry.index",
    Role.VIEWER: "downloads.index",
}


@public
def index():  # type: ignore[no-untyped-def]
    """Send signed-in users to their start page and everyone else to sign in."""
    if current_user.is_authenticated:
        return redirect(url_for(HOME[current_user.role]))
    return redirect(url_for("auth.login"))


from survey_app.auth import routes  # noqa: E402,F401  (registers the views on bp)
