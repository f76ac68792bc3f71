"""Console: how a round treats personal data found in free text, and the review of what it
flagged (``operations.free_text``). Administrators only: the originals are individual-level
data, and each look at them is recorded like a download."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from survey_app.access import roles_required
from survey_app.admin import bp
from survey_app.admin.queries import round_by_slug
from survey_app.admin.round_forms import ConfirmForm
from survey_app.admin.saving import commit_or_flash
from survey_app.extensions import db
from survey_app.i18n import current_language
from survey_app.models import FreeTextMode, FreeTextReview, Role
from survey_app.operations.free_text import decide_review, pending_reviews, set_free_text_mode
from survey_app.questionnaire import text_in
from survey_app.questionnaire.redaction import KIND_NAMES
from survey_app.questionnaires import load
from survey_app.reporting.service import record_download


@bp.route("/rounds/<round_slug>/free-text-mode", methods=["POST"])
@roles_required(Role.ADMIN)
def round_free_text_mode(round_slug: str):  # type: ignore[no-untyped-def]
    """Redact personal data in free text at once, or flag it for review."""
    round_ = round_by_slug(round_slug)
    form = ConfirmForm()
    choice = request.form.get("mode", "")
    if not form.validate_on_submit() or choice not in {m.value for m in FreeTextMode}:
        abort(400)
    commit_or_flash(lambda: set_free_text_mode(round_, FreeTextMode(choice), current_user),
                    lambda: _("Personal data in the free text of %(name)s is flagged for review.", name=round_.name)
                    if round_.free_text_mode is FreeTextMode.REVIEW
                    else _("Personal data in the free text of %(name)s is redacted at once.", name=round_.name))
    return redirect(url_for(".round_page", round_slug=round_.slug, _anchor="free-text"), 303)


@bp.route("/rounds/<round_slug>/free-text")
@roles_required(Role.ADMIN)
def free_text_reviews(round_slug: str):  # type: ignore[no-untyped-def]
    """The free-text answers the round flagged, each original beside the redacted text stored."""
    round_ = round_by_slug(round_slug)
    rows = pending_reviews(round_)
    questionnaire = load(round_.questionnaire_key, round_.questionnaire_version)
    lang = current_language()
    labels = {q.id: text_in(q.text, lang, questionnaire.default_language) for q in questionnaire.questions()}
    html = render_template("admin/free_text.html", round=round_, rows=rows, labels=labels, kinds=KIND_NAMES,
                           form=ConfirmForm())
    if rows:  # originals were shown: individual-level data, listed for a breach report
        record_download(current_user, "round", round_.id, what="free_text_review", free_text=True, shown=len(rows))
    return html


@bp.route("/free-text/<int:review_id>/<any(keep, restore):decision>", methods=["POST"])
@roles_required(Role.ADMIN)
def free_text_decide(review_id: int, decision: str):  # type: ignore[no-untyped-def]
    """Keep the redaction (the original is deleted) or restore the original (nothing personal)."""
    review = db.get_or_404(FreeTextReview, review_id)
    slug = review.response.round.slug
    if not ConfirmForm().validate_on_submit():
        abort(400)
    decide_review(review, decision == "restore", current_user)
    db.session.commit()
    flash(_("The original answer is back.") if decision == "restore" else _("The redaction stands; the original is "
                                                                             "deleted."), "info")
    return redirect(url_for(".free_text_reviews", round_slug=slug), 303)
