"""Sign-in, sign-out, password change and invitation links."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response as WerkzeugResponse

from survey_app import audit
from survey_app.access import ANY_ROLE, public, roles_required
from survey_app.auth import bp
from survey_app.auth.forms import ChangePasswordForm, LoginForm, LogoutForm, NewPasswordForm
from survey_app.extensions import db, limiter
from survey_app.operations import OperationError
from survey_app.operations.users import (
    InvitationState,
    accept_invitation,
    authenticate,
    change_password,
    find_invitation,
)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@public
def login():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(url_for("index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data or "", form.password.data or "")
        db.session.commit()  # the audit event is written on failure too
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
        flash(_("Wrong email or password."), "error")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@roles_required(*ANY_ROLE)
def logout():  # type: ignore[no-untyped-def]
    LogoutForm()  # CSRF is checked by CSRFProtect before the view runs
    audit.record("auth.logout", actor=current_user._get_current_object(), object_type="user",
                 object_id=current_user.id)
    db.session.commit()
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("index")


@bp.route("/password", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@roles_required(*ANY_ROLE)
def password():  # type: ignore[no-untyped-def]
    """Change one's own password; also where a temporary password must be replaced."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(current_user, form.current_password.data or "", form.new_password.data or "")
        except OperationError as exc:
            db.session.commit()  # keeps the audit event of a wrong current password
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Your password is changed."), "info")
            return redirect(url_for("index"))
    return render_template("auth/password.html", form=form, forced=current_user.must_change_password)


@bp.route("/invite/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit)
@public
def invite(token: str):  # type: ignore[no-untyped-def]
    """Choose a password through a one-time link; the link is spent on success."""
    state, user = find_invitation(token)
    if state is not InvitationState.VALID or user is None:
        status = 404 if state is InvitationState.UNKNOWN else 410
        return _not_cached(render_template("auth/invite_invalid.html", state=state.value), status)
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            accept_invitation(token, form.new_password.data or "")
        except OperationError as exc:
            db.session.rollback()
            form.new_password.errors = [str(exc)]
        else:
            db.session.commit()
            login_user(user)
            flash(_("Your password is set. Welcome!"), "info")
            return redirect(url_for("index"))
    return _not_cached(render_template("auth/invite.html", form=form, user=user), 200)


def _not_cached(html: str, status: int) -> WerkzeugResponse:
    """The token is in the URL: keep it out of caches. (Every page's same-origin referrer
    policy keeps it from other sites; no Referer at all would fail Flask-WTF's HTTPS check of
    the form's own post.)"""
    response = current_app.make_response((html, status))
    response.headers["Cache-Control"] = "no-store"
    return response
