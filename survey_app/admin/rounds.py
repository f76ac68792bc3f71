"""Console: the rounds list, creating a round, its page, and its lifecycle steps.

Opening, closing and ending paper entry are two-step: a GET shows what will happen, the
POST (with its CSRF token) does it. Only administrators change rounds; coordinators see them.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from survey_app import clock, questionnaires
from survey_app.access import STAFF, roles_required, user_covers
from survey_app.admin import bp
from survey_app.admin.queries import (
    count_round_villages,
    link_rows,
    previous_round,
    round_by_slug,
    round_counts,
    round_overview,
    round_villages_in_scope,
    version_changes,
)
from survey_app.admin.round_forms import CloseForm, ConfirmForm, GoalForm, RetentionForm, RoundForm, SettingsFields
from survey_app.admin.saving import commit_or_flash, flash_form_errors
from survey_app.database import read_only_request
from survey_app.entry.printing import MAX_PRINTED, print_form, printed_pdf
from survey_app.extensions import db
from survey_app.headers import SELF_CONTAINED_PAGE, talisman
from survey_app.i18n import current_language
from survey_app.models import DoubleEntry, Goal, Role, Round, RoundStatus
from survey_app.operations import OperationError
from survey_app.operations.areas import parse_code_list, parse_scope_text
from survey_app.operations.free_text import count_pending
from survey_app.operations.goals import earlier_rounds, indicators, set_goal
from survey_app.operations.printing import printed_and_keyed
from survey_app.operations.retention import (
    Stage,
    confirm_retention,
    due_on,
    retention_plan,
    retention_start,
    set_retention,
)
from survey_app.operations.rounds import (
    apply_schedule,
    chosen_scope,
    close_round,
    create_round,
    end_paper_entry,
    open_round,
    set_weighting,
    update_settings,
    village_total,
)
from survey_app.posters import form_url, make_poster, render_index
from survey_app.questionnaire import text_in
from survey_app.reporting.results import area_results, page_options
from survey_app.reporting.service import csv_response, record_download, round_villages

STATUS_LABELS = {"draft": _l("draft"), "open": _l("open"), "closed": _l("closed")}
DIFF_LABELS = {
    "same": _l("comparable"),
    "recoded": _l("comparable after recoding"),
    "caution": _l("comparable with caution: the series breaks"),
    "not_comparable": _l("not comparable: the trend breaks"),
    "added": _l("new question"),
    "removed": _l("dropped"),
}
STAGE_LABELS = {Stage.FREE_TEXT: _l("Free-text answers"), Stage.RESPONSES: _l("Individual responses")}
COUNT_LABELS = {
    "responses_with_free_text": _l("responses with free text"),
    "paper_entries_with_free_text": _l("paper entries with free text"),
    "responses": _l("responses"),
    "soft_deleted_responses": _l("deleted responses (kept for the audit trail until now)"),
    "paper_forms": _l("paper forms"),
    "paper_entries": _l("paper entries"),
    "corrections": _l("corrections"),
    "printed_serials": _l("printed serials"),
    "originals_under_review": _l("free-text originals awaiting review"),
}
LINKS_SHOWN = 20
MAX_POSTERS = 300  # one page of QR posters; larger sets belong to the CLI (`rounds posters`)


@bp.before_app_request
def _follow_schedule() -> None:
    """Record scheduled openings and closings when staff use the app, so lists, downloads
    and the audit trail agree with the dates (the resident form already goes by them)."""
    if request.blueprint not in ("admin", "entry", "downloads") or not current_user.is_authenticated:
        return
    if apply_schedule(clock.today()):
        db.session.commit()


@bp.route("/")
@roles_required(*STAFF)
def index():  # type: ignore[no-untyped-def]
    """Rounds at a glance: status, version, dates and responses so far."""
    return render_template("admin/index.html", rounds=round_overview(), status_labels=STATUS_LABELS,
                           today=clock.today(), is_admin=current_user.role is Role.ADMIN)


@bp.route("/rounds/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def round_new():  # type: ignore[no-untyped-def]
    """Create a draft round from a validated questionnaire version."""
    form = RoundForm()
    form.questionnaire.choices = _questionnaire_choices()
    everywhere = format_decimal(village_total())
    form.all_villages.label.text = _("…or all villages: every one of the %(n)s imported", n=everywhere)
    if form.validate_on_submit():
        try:
            codes = chosen_scope(_scope_codes(form), bool(form.all_villages.data))
            round_ = create_round(
                form.name.data or "", form.questionnaire.data or "", scope_codes=codes, actor=current_user,
                settings=form.settings(), double_entry=DoubleEntry(form.double_entry.data),
                double_entry_share=form.double_entry_share.data,
            )
        except OperationError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Round %(name)s created as a draft. Check it, then open it.", name=round_.name), "info")
            return redirect(url_for(".round_page", round_slug=round_.slug), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("admin/round_new.html", form=form, min_n=current_app.config["MIN_N"]), status


def _questionnaire_choices() -> list[tuple[str, str]]:
    """Every version whose file loads cleanly, newest first."""
    choices = []
    for key, version in reversed(questionnaires.catalog().refs()):
        try:
            questionnaire = questionnaires.load(key, version)
        except OperationError:
            continue  # broken or changed files are listed by `flask questionnaire validate`
        title = text_in(questionnaire.title, current_language(), questionnaire.default_language)
        choices.append((questionnaire.ref, f"{questionnaire.ref} – {title}"))
    return choices


def _scope_codes(form: RoundForm) -> list[str]:
    codes = parse_scope_text(form.scope.data or "")
    upload = form.scope_file.data
    if upload:
        codes += parse_code_list(upload.read(), upload.filename or "list")
    return codes


@bp.route("/rounds/<round_slug>")
@roles_required(*STAFF)
def round_page(round_slug: str):  # type: ignore[no-untyped-def]
    """Everything about one round: facts, results, version changes, links, posters, downloads, actions."""
    # The results refresh stored sums on a connection of their own: read this page in deferred
    # transactions, as the downloads do, or the request's own write lock would block that.
    db.session.commit()
    read_only_request()
    round_ = round_by_slug(round_slug)
    village_count = count_round_villages(round_, current_user)
    if current_user.scope_prefixes and not village_count:
        abort(403)
    previous = previous_round(round_)
    status, options = round_.status_on(clock.today()), page_options(round_)
    results = None if status is RoundStatus.DRAFT else area_results(round_, current_user, options)
    return render_template(
        "admin/round.html", round=round_, status=status, status_labels=STATUS_LABELS,
        results=results, min_n=options.min_n,
        counts=round_counts(round_), previous=previous, changes=version_changes(previous, round_),
        diff_labels=DIFF_LABELS, wording=_wording(round_, previous),
        links=link_rows(round_, round_villages_in_scope(round_, current_user, limit=LINKS_SHOWN)),
        village_count=village_count,
        settings_form=_settings_form(round_), is_admin=current_user.role is Role.ADMIN,
        default_min_n=current_app.config["MIN_N"], max_posters=MAX_POSTERS,
        print_form=print_form(round_), max_printed=MAX_PRINTED,
        printed=printed_and_keyed(round_, current_user.scope_prefixes),
        goal_form=goal_form(round_), goals=round_goals(round_), retention=_retention(round_),
        pending_reviews=count_pending(round_) if current_user.role is Role.ADMIN else 0,
    )


def _wording(round_: Round, previous: Round | None) -> dict[str, str]:
    """Question id -> its wording in the user's language; dropped questions keep their old one."""
    lang, wording = current_language(), {}
    for round_of in filter(None, (previous, round_)):
        questionnaire = questionnaires.load(round_of.questionnaire_key, round_of.questionnaire_version)
        wording.update({q.id: text_in(q.text, lang, questionnaire.default_language)
                        for q in questionnaire.questions()})
    return wording


def _settings_form(round_: Round) -> SettingsFields:
    return SettingsFields(formdata=None, obj=round_)


@bp.route("/rounds/<round_slug>/settings", methods=["POST"])
@roles_required(Role.ADMIN)
def round_settings(round_slug: str):  # type: ignore[no-untyped-def]
    """Change dates, schedule, target and minimum base of a round that is not closed."""
    round_ = round_by_slug(round_slug)
    form = SettingsFields()
    if not form.validate_on_submit():
        flash_form_errors(form)
    else:
        commit_or_flash(lambda: update_settings(round_, form.settings(), current_user),
                        lambda: _("Settings of %(name)s saved.", name=round_.name))
    return redirect(url_for(".round_page", round_slug=round_.slug), 303)


# Lifecycle steps: (what the confirmation page explains, the operation, the form, the flash).
@bp.route("/rounds/<round_slug>/weights", methods=["POST"])
@roles_required(Role.ADMIN)
def round_weights(round_slug: str):  # type: ignore[no-untyped-def]
    """Weight the round's report figures to the population, or stop."""
    round_ = round_by_slug(round_slug)
    form = ConfirmForm()
    choice = request.form.get("weighted")
    if not form.validate_on_submit() or choice not in ("on", "off"):
        abort(400)
    commit_or_flash(lambda: set_weighting(round_, choice == "on", current_user),
                    lambda: _("Reports of %(name)s are weighted to the population.", name=round_.name)
                    if round_.weighted else _("Reports of %(name)s are unweighted.", name=round_.name))
    return redirect(url_for(".round_page", round_slug=round_.slug, _anchor="weights"), 303)


@bp.route("/rounds/<round_slug>/retention", methods=["POST"])
@roles_required(Role.ADMIN)
def round_retention(round_slug: str):  # type: ignore[no-untyped-def]
    """Set how long the round keeps free text and individual responses after closing."""
    round_ = round_by_slug(round_slug)
    form = RetentionForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
    else:
        commit_or_flash(lambda: set_retention(round_, form.free_text_months.data or 0,
                                              form.responses_months.data or 0, current_user),
                        lambda: _("Retention of %(name)s saved.", name=round_.name))
    return redirect(url_for(".round_page", round_slug=round_.slug, _anchor="retention"), 303)


@bp.route("/rounds/<round_slug>/retention/confirm", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def round_retention_confirm(round_slug: str):  # type: ignore[no-untyped-def]
    """Show what the round's retention would delete now; on POST, let the daily job delete it."""
    round_ = round_by_slug(round_slug)
    form = ConfirmForm()
    due = retention_plan(clock.today(), [round_])
    if form.validate_on_submit():
        commit_or_flash(lambda: confirm_retention(round_, current_user),
                        lambda: _("Confirmed: the daily retention run (flask retention apply) deletes it."))
        return redirect(url_for(".round_page", round_slug=round_.slug, _anchor="retention"), 303)
    return render_template("admin/retention_confirm.html", round=round_, form=form, due=due,
                           stages=STAGE_LABELS, counted=COUNT_LABELS)


def _retention(round_: Round) -> dict[str, object]:
    """What the round page says about retention: the periods, when each falls due, what is due."""
    return {"form": RetentionForm(formdata=None, obj=round_), "start": retention_start(round_),
            "due": {stage: due_on(round_, stage) for stage in Stage},
            "plan": retention_plan(clock.today(), [round_], counted=False),
            "stages": STAGE_LABELS, "counted": COUNT_LABELS}


def _open(round_: Round, form: ConfirmForm) -> None:
    open_round(round_, current_user)


def _close(round_: Round, form: CloseForm) -> None:
    close_round(round_, current_user, paper_may_finish=bool(form.paper_may_finish.data))


def _end_paper(round_: Round, form: ConfirmForm) -> None:
    end_paper_entry(round_, current_user)


STEPS = {
    "open": (_open, ConfirmForm, _l("Open round %(name)s"), _l("Round %(name)s is open.")),
    "close": (_close, CloseForm, _l("Close round %(name)s"), _l("Round %(name)s is closed.")),
    "end-paper": (_end_paper, ConfirmForm, _l("End paper entry for %(name)s"),
                  _l("Paper entry for %(name)s has ended.")),
}


@bp.route("/rounds/<round_slug>/<any(open, close, 'end-paper'):step>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def round_step(round_slug: str, step: str):  # type: ignore[no-untyped-def]
    """Confirm, then carry out, one lifecycle step; the page says what it will change."""
    round_ = round_by_slug(round_slug)
    action, form_class, title, done = STEPS[step]
    form = form_class()
    if form.validate_on_submit():
        commit_or_flash(lambda: action(round_, form), lambda: str(done) % {"name": round_.name})
        return redirect(url_for(".round_page", round_slug=round_.slug), 303)
    return render_template("admin/round_confirm.html", round=round_, step=step, form=form,
                           title=str(title) % {"name": round_.name}, counts=round_counts(round_))


@bp.route("/rounds/<round_slug>/links.csv")
@roles_required(*STAFF)
def round_links(round_slug: str) -> Response:
    """Every village form address of the round within the user's scope, for mail-merge or WhatsApp."""
    round_ = round_by_slug(round_slug)
    villages = round_villages_in_scope(round_, current_user)
    if not villages:
        abort(403)  # a round entirely outside the user's area, as its page says
    rows = [(row.code, row.name, row.district, row.regency, row.url) for row in link_rows(round_, villages)]
    record_download(current_user, "round", round_.id, what="round_links", round=round_.name, villages=len(rows))
    return csv_response(["code", "village", "district", "regency", "url"], rows, f"{round_.slug}-links.csv")


def goal_form(round_: Round, formdata: object = None) -> GoalForm:
    """The round page's form to set an intermediate goal on one of the round's indicators."""
    form = GoalForm(formdata=formdata)
    questionnaire = questionnaires.load(round_.questionnaire_key, round_.questionnaire_version)
    labels = {index.id: text_in(index.label, current_language(), questionnaire.default_language)
              for index in questionnaire.indices}
    labels.update({q.id: text_in(q.text, current_language(), questionnaire.default_language)[:80]
                   for q in questionnaire.questions()})
    form.indicator.choices = [SelectChoice(key, f"{labels.get(key, key)} ({key})") for key in indicators(round_)]
    form.baseline.choices = [SelectChoice("", _("the previous comparable round")),
                             *(SelectChoice(r.slug, r.name) for r in earlier_rounds(round_))]
    return form


def round_goals(round_: Round) -> list[Goal]:
    """The round's current goals in the user's area, by area and indicator."""
    query = sa.select(Goal).where(Goal.round_id == round_.id, Goal.superseded_at.is_(None))
    goals = db.session.scalars(query.order_by(Goal.area_code, Goal.indicator)).all()
    return [g for g in goals if user_covers(current_user, g.area_code)]


@bp.route("/rounds/<round_slug>/goals", methods=["POST"])
@roles_required(*STAFF)
def round_goal(round_slug: str):  # type: ignore[no-untyped-def]
    """Set an intermediate goal for an area (the user's own) by this round."""
    round_ = round_by_slug(round_slug)
    form = goal_form(round_, request.form)
    back = redirect(url_for("admin.round_page", round_slug=round_slug) + "#goals")
    if not form.validate():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
        return back
    area = form.area.data.strip()
    if not user_covers(current_user, area):
        abort(403)
    baseline = round_by_slug(form.baseline.data) if form.baseline.data else None
    try:
        goal = set_goal(round_, area, form.indicator.data, form.kind.data, form.target.data, current_user,
                        baseline=baseline)
    except OperationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return back
    db.session.commit()
    flash(_("Goal set: %(indicator)s in %(area)s.", indicator=goal.indicator, area=goal.area_code), "success")
    return back


@bp.route("/rounds/<round_slug>/print", methods=["POST"])
@roles_required(*STAFF)
def round_print(round_slug: str):  # type: ignore[no-untyped-def]
    """Numbered paper questionnaires as a PDF; their serials are reserved for the round."""
    round_ = round_by_slug(round_slug)
    form = print_form(round_, request.form)
    if not form.validate():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
        return redirect(url_for("admin.round_page", round_slug=round_slug) + "#print")
    area = form.area.data.strip()
    if not user_covers(current_user, area):
        abort(403)
    try:
        villages = round_villages(round_, area_code=area) if area.count(".") < 3 else \
            round_villages(round_, village_code=area)
    except OperationError as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.round_page", round_slug=round_slug) + "#print")
    pdf = printed_pdf(round_, form, villages, current_user)
    if isinstance(pdf, str):
        flash(pdf, "error")
        return redirect(url_for("admin.round_page", round_slug=round_slug) + "#print")
    return pdf


@bp.route("/rounds/<round_slug>/posters.html")
@roles_required(*STAFF)
@talisman(content_security_policy=SELF_CONTAINED_PAGE)
def round_posters(round_slug: str):  # type: ignore[no-untyped-def]
    """Printable QR posters for the villages of an area (or one village) in the round."""
    round_ = round_by_slug(round_slug)
    if round_.status_on(clock.today()) is RoundStatus.CLOSED:
        abort(410, description=_("The round is closed; posters would send residents to a closed form."))
    area = request.args.get("area", "").strip()
    if area and not user_covers(current_user, area) and not any(
        prefix.startswith(area + ".") for prefix in current_user.scope_prefixes
    ):
        abort(403)
    count = count_round_villages(round_, current_user, area or None)
    if not count:
        abort(404)
    if count > MAX_POSTERS:
        abort(400, description=_("%(n)s villages: choose a district (at most %(max)s posters at once), "
                                 "or print them all with `flask rounds posters`.", n=count, max=MAX_POSTERS))
    villages = round_villages_in_scope(round_, current_user, area or None)
    record_download(current_user, "round", round_.id, what="posters", round=round_.name, area=area or None,
                    villages=len(villages))
    base = current_app.config["PUBLIC_BASE_URL"]
    posters = [make_poster(round_, v, form_url(base, round_, v), v.district.name,
                           v.district.parent.name if v.district.parent else "") for v in villages]
    return render_index(round_, posters)
