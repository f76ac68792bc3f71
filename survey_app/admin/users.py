"""Console: users. Administrators list, create and edit accounts and hand out access.

Secrets (an invitation link, a temporary password) appear once, in the response to the
POST that made them, never in a redirect, the session or the audit trail; those pages are
marked ``no-store`` so the browser does not keep them either.
"""

from __future__ import annotations

import functools
import json

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from survey_app import audit
from survey_app.access import roles_required
from survey_app.admin import bp
from survey_app.admin.user_forms import (
    METHOD_LABELS,
    ROLE_LABELS,
    AccessForm,
    ConfirmForm,
    UserCreateForm,
    UserEditForm,
)
from survey_app.extensions import db
from survey_app.models import Role, User
from survey_app.operations import OperationError
from survey_app.operations.areas import parse_scope_text
from survey_app.operations.staff_data import DATA_EXPORTED, anonymisable, anonymise_user, personal_data
from survey_app.operations.users import (
    AccessMethod,
    Grant,
    create_user_with_access,
    deactivate_user,
    invitation_expired,
    reactivate_user,
    reset_access,
    update_user,
)

PER_PAGE = 50


def _user_query(role: str, search: str) -> sa.Select[tuple[User]]:
    """Users ordered by email, optionally of one role and whose email contains ``search``."""
    query = sa.select(User).order_by(User.email)
    if role in ROLE_LABELS:
        query = query.where(User.role == Role(role))
    if search:
        query = query.where(User.email.contains(search.strip().lower(), autoescape=True))
    return query


@bp.route("/users")
@roles_required(Role.ADMIN)
def users():  # type: ignore[no-untyped-def]
    """Every account with its role, scope, state and pending access, filtered by role and email."""
    role = request.args.get("role", "")
    search = request.args.get("q", "")[:254]
    page = db.paginate(_user_query(role, search), page=request.args.get("page", 1, type=int),
                       per_page=PER_PAGE, error_out=False)
    return render_template("admin/users.html", page=page, role=role, search=search, role_labels=ROLE_LABELS,
                           expired=invitation_expired)


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_new():  # type: ignore[no-untyped-def]
    form = UserCreateForm()
    if form.validate_on_submit():
        try:
            grant = create_user_with_access(
                form.email.data or "", Role(form.role.data), parse_scope_text(form.scope.data or ""),
                AccessMethod(form.method.data), valid_hours=_valid_hours(), actor=current_user)
        except OperationError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Account %(email)s created.", email=grant.user.email), "info")
            return _show_grant(grant)
    return render_template("admin/users_new.html", form=form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_edit(user_id: int):  # type: ignore[no-untyped-def]
    """An account's facts, its role and scope form, and links to the access actions."""
    user = db.get_or_404(User, user_id)
    form = UserEditForm(data={"role": user.role.value, "scope": " ".join(user.scope_prefixes)})
    if form.validate_on_submit():
        try:
            changes = update_user(user, Role(form.role.data), parse_scope_text(form.scope.data or ""),
                                  actor=current_user)
        except OperationError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            if changes:
                flash(_("Changes to %(email)s saved.", email=user.email), "info")
            else:
                flash(_("Nothing changed."), "info")
            if user.id == current_user.id and user.role is not Role.ADMIN:
                return redirect(url_for("index"))  # an admin who stepped down can no longer see this page
            return redirect(url_for("admin.user_edit", user_id=user.id))
    return render_template("admin/users_edit.html", user=user, form=form, role_labels=ROLE_LABELS,
                           expired=invitation_expired(user),
                           anonymisable=anonymisable(user, int(current_app.config["STAFF_ANONYMISE_DAYS"])))


@bp.route("/users/<int:user_id>/access", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_access(user_id: int):  # type: ignore[no-untyped-def]
    """Reset access after a confirmation: the old password and any older link stop working."""
    user = db.get_or_404(User, user_id)
    form = AccessForm()
    if form.validate_on_submit():
        try:
            grant = reset_access(user, AccessMethod(form.method.data), valid_hours=_valid_hours(),
                                 actor=current_user)
        except OperationError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for("admin.user_edit", user_id=user.id))
        db.session.commit()
        flash(_("Access of %(email)s reset: the old password no longer works.", email=user.email), "info")
        return _show_grant(grant)
    return render_template("admin/users_access.html", user=user, form=form)


@bp.route("/users/<int:user_id>/deactivate", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_deactivate(user_id: int):  # type: ignore[no-untyped-def]
    user = db.get_or_404(User, user_id)
    return _confirmed(user, deactivate_user, _("Deactivate %(email)s?", email=user.email),
                      _("The account loses access at its next request. Its history stays."),
                      _("Account %(email)s deactivated.", email=user.email), danger=True)


@bp.route("/users/<int:user_id>/reactivate", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_reactivate(user_id: int):  # type: ignore[no-untyped-def]
    user = db.get_or_404(User, user_id)
    return _confirmed(user, reactivate_user, _("Reactivate %(email)s?", email=user.email),
                      _("The account can sign in again with its current password."),
                      _("Account %(email)s reactivated.", email=user.email), danger=False)


@bp.route("/users/<int:user_id>/data.json")
@roles_required(Role.ADMIN)
def user_data(user_id: int) -> WerkzeugResponse:
    """Everything held about one staff member, as JSON, for them to receive (a right under the
    PDP law); the export is itself audited."""
    user = db.get_or_404(User, user_id)
    data = personal_data(user)
    audit.record(DATA_EXPORTED, actor=current_user, object_type="user", object_id=user.id)
    db.session.commit()
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    response = current_app.response_class(body, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="staff-{user.id}-personal-data.json"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/users/<int:user_id>/anonymise", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_anonymise(user_id: int):  # type: ignore[no-untyped-def]
    user = db.get_or_404(User, user_id)
    days = int(current_app.config["STAFF_ANONYMISE_DAYS"])
    return _confirmed(user, functools.partial(anonymise_user, after_days=days),
                      _("Anonymise %(email)s?", email=user.email),
                      _("The e-mail address is replaced by a pseudonym everywhere it is stored, the audit trail "
                        "included; the actions stay under the pseudonym. This cannot be undone."),
                      _("Account anonymised."), danger=True)


def _confirmed(user: User, action, question: str, explanation: str, done: str,  # type: ignore[no-untyped-def]
               *, danger: bool) -> str | WerkzeugResponse:
    """GET asks, POST (with CSRF) acts: one shape for both state changes."""
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            action(user, actor=current_user)
        except OperationError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(done, "info")
        return redirect(url_for("admin.user_edit", user_id=user.id))
    return render_template("admin/users_confirm.html", user=user, form=form, question=question,
                           explanation=explanation, danger=danger)


def _valid_hours() -> int:
    return int(current_app.config["INVITE_VALID_HOURS"])


def _show_grant(grant: Grant) -> WerkzeugResponse:
    """The one page that shows the secret; not cached, and no Referer carries it to another site."""
    link = None
    if grant.method is AccessMethod.INVITATION:
        link = current_app.config["PUBLIC_BASE_URL"] + url_for("auth.invite", token=grant.secret)
    html = render_template("admin/users_grant.html", grant=grant, user=grant.user, link=link,
                           method_label=METHOD_LABELS[grant.method.value])
    response = current_app.make_response(html)
    response.headers["Cache-Control"] = "no-store"  # the same-origin referrer policy keeps the link here
    return response
