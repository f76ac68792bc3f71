"""Paper entry pages. Thin views: find the round or form, check scope, call an operation.

Scope is checked on the server for every request: a volunteer gets 403 for a village,
form or entry outside their area, for someone else's entry, and for a second entry of a
form they keyed first, whatever the page offered.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from survey_app import clock, questionnaires
from survey_app.access import STAFF, roles_required, user_covers
from survey_app.answer_messages import ANSWER_MESSAGES
from survey_app.entry import bp, queries
from survey_app.entry.forms import PaperSettingsForm, ReasonForm, ResponseFilterForm, UploadForm, input_attrs
from survey_app.entry.printing import MAX_PRINTED, print_form, printed_pdf
from survey_app.extensions import db
from survey_app.i18n import current_language
from survey_app.models import (
    DecisionSource,
    DoubleEntry,
    FormStatus,
    Mode,
    PaperEntry,
    PaperForm,
    Response,
    Role,
    Round,
    SerialScope,
    covers,
)
from survey_app.operations import OperationError
from survey_app.operations.corrections import correct_response, delete_response, history
from survey_app.operations.keying import BLANK, key_answers, typed_answers
from survey_app.operations.paper import (
    CONSENT,
    CONSENT_GIVEN,
    DATE,
    HEADER_FIELDS,
    INTERVIEWER,
    SERIAL,
    VILLAGE,
    EntryForbidden,
    EntryInvalid,
    SaveOutcome,
    entry_rounds,
    entry_villages,
    find_form,
    find_village,
    key_form,
    normalise_serial,
    round_consent,
    serial_state,
    set_double_entry,
    set_serial_scope,
)
from survey_app.operations.paper_import import build_template, import_table
from survey_app.operations.printing import has_printed_serials, printed_and_keyed, printed_serial
from survey_app.operations.reconcile import reconcile, side_by_side
from survey_app.operations.spreadsheets import MAX_UPLOAD_BYTES, ImportRejected, read_table
from survey_app.questionnaire import Questionnaire, text_in, visible_questions
from survey_app.questionnaire import messages as engine_messages
from survey_app.questionnaire.printing import printed_numbers
from survey_app.questionnaire.types import takes_answer

ENTRY_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.VOLUNTEER)

SAVED_MESSAGES = {
    SaveOutcome.FIRST: lambda s: _("Form %(serial)s saved. It waits for a second entry by another volunteer.",
                                   serial=s),
    SaveOutcome.SINGLE: lambda s: _("Form %(serial)s saved.", serial=s),
    SaveOutcome.VERIFIED: lambda s: _("Form %(serial)s saved: both entries match, the form is verified.", serial=s),
    SaveOutcome.RECONCILIATION: lambda s: _("Form %(serial)s saved. The two entries differ; a coordinator will "
                                            "check them against the paper.", serial=s),
}


def _status_labels() -> dict[str, str]:
    return {
        FormStatus.AWAITING_SECOND.value: _("awaiting second entry"),
        FormStatus.RECONCILIATION.value: _("to reconcile"),
        FormStatus.VERIFIED.value: _("verified"),
        FormStatus.RESOLVED.value: _("reconciled"),
        FormStatus.SINGLE.value: _("single entry"),
    }


def _mode_labels() -> dict[str, str]:
    return {Mode.WEB.value: _("Web"), Mode.PAPER.value: _("Paper")}


def _decision_labels() -> dict[str, str]:
    return {DecisionSource.FIRST.value: _("Entry 1"), DecisionSource.SECOND.value: _("Entry 2"),
            DecisionSource.TYPED.value: _("Value on the paper")}


def _questionnaire(round_: Round) -> Questionnaire:
    try:
        return questionnaires.load(round_.questionnaire_key, round_.questionnaire_version)
    except OperationError:
        current_app.logger.exception("questionnaire of round %s cannot be used", round_.slug)
        abort(503)


def _keying_round(round_id: int) -> Round:
    """A round taking paper entry with villages the user may key; 404 or 403 otherwise."""
    round_ = db.get_or_404(Round, round_id)
    if not round_.takes_paper(clock.today()):
        abort(404)
    if not entry_villages(current_user, round_):
        abort(403)
    return round_


def _staff_round(round_id: int) -> Round:
    round_ = db.get_or_404(Round, round_id)
    if current_user.scope_prefixes and not entry_villages(current_user, round_):
        abort(403)
    return round_


# ---------------------------------------------------------------------------
# Volunteers


@bp.route("/")
@roles_required(*ENTRY_ROLES)
def index():  # type: ignore[no-untyped-def]
    """Open rounds the user can key, with counts; staff also see the queue and quality links."""
    rows = [
        {"round": r, "villages": len(entry_villages(current_user, r)), "mine": queries.my_entries(current_user, r),
         "counts": queries.status_counts(current_user, r)}
        for r in entry_rounds(current_user)
    ]
    return render_template("entry/index.html", rows=rows, staff=current_user.role in STAFF,
                           is_admin=current_user.role is Role.ADMIN, labels=_status_labels())


@bp.route("/<int:round_id>/print", methods=["GET", "POST"])
@roles_required(*ENTRY_ROLES)
def print_page(round_id: int):  # type: ignore[no-untyped-def]
    """Numbered paper forms for the user's villages of the round, as a PDF to print."""
    round_ = _keying_round(round_id)
    villages = entry_villages(current_user, round_)
    form = print_form(round_, request.form if request.method == "POST" else None)
    problem = None
    if request.method == "POST" and form.validate():
        code = form.area.data.strip()
        chosen = [v for v in villages if covers([code], v.code)]
        if not chosen:
            problem = _("%(code)s holds none of your villages in this round.", code=code)
        else:
            pdf = printed_pdf(round_, form, chosen, current_user)
            if not isinstance(pdf, str):
                return pdf
            problem = pdf
    elif request.method == "POST":
        problem = " ".join(str(e) for errors in form.errors.values() for e in errors)
    return render_template("entry/print.html", round=round_, form=form, villages=villages, problem=problem,
                           max_printed=MAX_PRINTED, printed=printed_and_keyed(round_, current_user.scope_prefixes)), \
        (422 if problem else 200)


@bp.route("/<int:round_id>/key", methods=["GET", "POST"])
@roles_required(*ENTRY_ROLES)
def key(round_id: int):  # type: ignore[no-untyped-def]
    """The heads-down entry screen: header block and one code per question."""
    round_ = _keying_round(round_id)
    q = _questionnaire(round_)
    if request.method == "GET":
        typed = {VILLAGE: request.args.get("village", ""), DATE: request.args.get("date", ""),
                 INTERVIEWER: request.args.get("interviewer", "")}
        if not typed[DATE]:
            typed[DATE] = clock.today().isoformat()
        return _render_key(round_, q, typed, {})
    typed = {name: request.form.get(name, "") for name in HEADER_FIELDS}
    typed.update({question.id: request.form.get(question.id, "") for question in q.questions()})
    try:
        saved = key_form(current_user, round_, q, typed)
    except EntryForbidden as exc:
        db.session.rollback()
        return render_template("error.html", code=403, message=str(exc)), 403
    except EntryInvalid as exc:
        db.session.rollback()
        return _render_key(round_, q, typed, exc.errors, status=422)
    db.session.commit()
    counts = session.get("entry_counts", {})
    counts[str(round_.id)] = counts.get(str(round_.id), 0) + 1
    session["entry_counts"] = counts
    flash(SAVED_MESSAGES[saved.outcome](saved.form.serial), "info")
    kept = {"village": typed[VILLAGE], "date": typed[DATE], "interviewer": typed[INTERVIEWER]}
    return redirect(url_for(".key", round_id=round_.id, **{k: v for k, v in kept.items() if v}), 303)


def _question_data(q: Questionnaire, lang: str) -> list[dict[str, Any]]:
    """What entry.js needs to check codes and follow skip logic as the server does."""
    return [
        {"id": question.id, "type": question.type, "required": question.required,
         "codes": [{"code": o.code, "label": text_in(o.label, lang, q.default_language)} for o in question.options],
         "alone": [o.code for o in question.options if question.stands_alone(o.code)],
         "min": question.min, "max": question.max, "maxLength": question.max_length,
         "showIf": question.show_if.to_json() if question.show_if else None}
        for question in q.questions() if takes_answer(question)
    ]


def _render_key(round_: Round, q: Questionnaire, typed: dict[str, str], errors: dict[str, str],
                status: int = 200):  # type: ignore[no-untyped-def]
    lang = current_language()
    shown = {question.id for question in visible_questions(q, key_answers(q, typed).answers)}
    messages = {
        "invalid": _("'%(code)s' is not a valid code here.", code="{code}"),
        "required": _("Type the code from the paper, or %(blank)s if it was left blank.", blank=BLANK),
        # The engine's own messages, with their {placeholders} for entry.js to fill.
        "number": str(ANSWER_MESSAGES[engine_messages.WHOLE_NUMBER]),
        "atLeast": str(ANSWER_MESSAGES[engine_messages.AT_LEAST]),
        "atMost": str(ANSWER_MESSAGES[engine_messages.AT_MOST]),
        "tooLong": str(ANSWER_MESSAGES[engine_messages.TOO_LONG]),
        "date": str(ANSWER_MESSAGES[engine_messages.DATE]),
        "specialAlone": str(ANSWER_MESSAGES[engine_messages.SPECIAL_ALONE]),
        "blank": _("left blank on paper"),
        "fix": _("Some answers need attention before saving."),
        "checking": _("Checking the serial…"),
        "consent": _("Type %(given)s if the consent box on the paper is ticked. A form without consent cannot be "
                     "keyed.", given=CONSENT_GIVEN),
        "noConsent": _("The consent box is not ticked on this form: it cannot be keyed. Put it aside; its "
                       "answers may not be used."),
    }
    villages = entry_villages(current_user, round_)
    html = render_template(
        "entry/key.html", round=round_, q=q, t=lambda texts: text_in(texts, lang, q.default_language),
        villages=villages, typed=typed, errors=errors, shown=shown,
        focus=_first_focus(q, typed, errors, choose_village=len(villages) != 1),
        input_attrs=input_attrs, blank=BLANK, data={"questions": _question_data(q, lang), "blank": BLANK,
                                                      "messages": messages},
        count=session.get("entry_counts", {}).get(str(round_.id), 0),
        names={"village": VILLAGE, "serial": SERIAL, "date": DATE, "interviewer": INTERVIEWER, "consent": CONSENT},
        consent=round_consent(round_) is not None, consent_given=CONSENT_GIVEN,
        numbers=printed_numbers(q),
    )
    return html, status


def _first_focus(q: Questionnaire, typed: dict[str, str], errors: dict[str, str], *, choose_village: bool) -> str:
    """The field the cursor starts on: the first one refused, else the first empty header
    field (the village only when there is a choice), else the serial. Decided here, as
    ``autofocus``, because the browser applies autofocus after the page's scripts have run."""
    header = ([VILLAGE] if choose_village else []) + [SERIAL, DATE]
    refused = [name for name in (*header, INTERVIEWER, CONSENT) if errors.get(name)]
    refused += [question.id for question in q.questions() if errors.get(question.id)]
    if refused:
        return refused[0]
    return next((name for name in header if not typed.get(name, "").strip()), SERIAL)


@bp.route("/<int:round_id>/serial")
@roles_required(*ENTRY_ROLES)
def serial_check(round_id: int):  # type: ignore[no-untyped-def]
    """Is this serial new, awaiting a second entry, or already done? Asked as the volunteer types it."""
    round_ = _keying_round(round_id)
    village = request.args.get("village", "")
    if village and not user_covers(current_user, village):
        abort(403)  # nothing about forms outside the volunteer's villages, not even "taken"
    serial = normalise_serial(request.args.get("serial", ""))
    printed = printed_serial(round_, serial) if serial else None
    if printed is not None and user_covers(current_user, printed.village.code):
        village = printed.village.code  # a pre-printed serial names its village
    place = find_village(village) if village else None
    form = find_form(round_, serial, place.id if place else None) if serial else None
    state, message = serial_state(current_user, form, village)
    if form is None and printed is not None:
        message = _("Printed for %(village)s on %(day)s, not keyed yet: this is the first entry.",
                    village=printed.village.name, day=f"{printed.printed_at:%d-%m-%Y}")
    elif form is None and serial and has_printed_serials(round_):
        message = _("Serial %(serial)s was not printed for this round: check it against the paper.", serial=serial)
    return jsonify(state=state, message=message, village=printed.village.code if printed is not None else None)


@bp.route("/entries/<int:entry_id>")
@roles_required(*ENTRY_ROLES)
def entry(entry_id: int):  # type: ignore[no-untyped-def]
    """One entry as keyed. Volunteers see only their own (second entries are keyed blind)."""
    item = db.get_or_404(PaperEntry, entry_id)
    if not user_covers(current_user, item.form.village.code):
        abort(403)
    if current_user.role is Role.VOLUNTEER and item.user_id != current_user.id:
        abort(403)
    q = _questionnaire(item.form.round)
    lang = current_language()
    return render_template("entry/entry.html", item=item, q=q, labels=_status_labels(),
                           typed=typed_answers(q, item.answers, set(item.blank_fields)),
                           t=lambda texts: text_in(texts, lang, q.default_language))


@bp.route("/<int:round_id>/template.xlsx")
@roles_required(*ENTRY_ROLES)
def template(round_id: int):  # type: ignore[no-untyped-def]
    """The round's Excel template with the user's villages."""
    round_ = _keying_round(round_id)
    q = _questionnaire(round_)
    data = build_template(round_, q, entry_villages(current_user, round_), current_language())
    return current_app.response_class(
        data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{round_.slug}-paper-forms.xlsx"'},
    )


@bp.route("/<int:round_id>/upload", methods=["GET", "POST"])
@roles_required(*ENTRY_ROLES)
def upload(round_id: int):  # type: ignore[no-untyped-def]
    """Upload the filled template (or a CSV): all rows stored as first entries, or none."""
    round_ = _keying_round(round_id)
    q = _questionnaire(round_)
    form = UploadForm()
    problems, more, status = [], 0, 200
    if request.content_length and request.content_length > MAX_UPLOAD_BYTES + 64 * 1024:
        problems, status = [_("The file is larger than %(mb)s MB.", mb=MAX_UPLOAD_BYTES // (1024 * 1024))], 413
    elif form.validate_on_submit():
        upload_file = form.file.data
        data = upload_file.stream.read(MAX_UPLOAD_BYTES + 1)
        try:
            table = read_table(upload_file.filename or "", data)
            report = import_table(current_user, round_, q, table, filename=upload_file.filename or "")
        except ImportRejected as exc:
            db.session.rollback()
            problems, more, status = [str(p) for p in exc.problems], exc.more, 422
        except EntryForbidden as exc:
            db.session.rollback()
            problems, status = [str(exc)], 403
        else:
            db.session.commit()
            flash(_("%(created)s paper forms stored as first entries; %(unchanged)s were already stored and left "
                    "unchanged.", created=len(report.created), unchanged=len(report.unchanged)), "info")
            return redirect(url_for(".upload", round_id=round_.id), 303)
    elif request.method == "POST":
        status = 422
    return render_template("entry/upload.html", round=round_, form=form, problems=problems, more=more,
                           max_mb=MAX_UPLOAD_BYTES // (1024 * 1024)), status


# ---------------------------------------------------------------------------
# Coordinators and admins


@bp.route("/reconciliation")
@roles_required(*STAFF)
def reconciliation():  # type: ignore[no-untyped-def]
    """Every round with paper forms in the user's area, with what waits for a second entry
    or a coordinator: the way into each round's queue."""
    return render_template("entry/reconciliation.html", rows=queries.rounds_with_forms(current_user),
                           labels=_status_labels())


@bp.route("/<int:round_id>/queue")
@roles_required(*STAFF)
def queue(round_id: int):  # type: ignore[no-untyped-def]
    """Forms whose two entries differ, waiting for a coordinator."""
    round_ = _staff_round(round_id)
    return render_template("entry/queue.html", round=round_, forms=queries.reconciliation_queue(current_user, round_),
                           counts=queries.status_counts(current_user, round_), labels=_status_labels(),
                           printed=printed_and_keyed(round_, current_user.scope_prefixes))


@bp.route("/forms/<int:form_id>/reconcile", methods=["GET", "POST"])
@roles_required(*STAFF)
def reconcile_form(form_id: int):  # type: ignore[no-untyped-def]
    """The two entries side by side, differences highlighted; choose or type against the paper."""
    form = db.get_or_404(PaperForm, form_id)
    if not user_covers(current_user, form.village.code):
        abort(403)
    q = _questionnaire(form.round)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        picks = {k[5:]: v for k, v in request.form.items() if k.startswith("pick-")}
        typed = {k[6:]: v for k, v in request.form.items() if k.startswith("typed-")}
        try:
            reconcile(current_user, form, q, picks, typed)
        except EntryInvalid as exc:
            db.session.rollback()
            errors, status = exc.errors, 422
        except EntryForbidden:
            db.session.rollback()
            abort(403)
        except OperationError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for(".queue", round_id=form.round_id), 303)
        else:
            db.session.commit()
            flash(_("Form %(serial)s reconciled; it now counts in the reports.", serial=form.serial), "info")
            return redirect(url_for(".queue", round_id=form.round_id), 303)
    if form.status is not FormStatus.RECONCILIATION and request.method == "GET":
        flash(_("Form %(serial)s is not waiting for reconciliation.", serial=form.serial), "info")
    lang = current_language()
    rows = side_by_side(form, q) if form.entry(2) else []
    return render_template("entry/reconcile.html", form=form, q=q, rows=rows, errors=errors, blank=BLANK,
                           t=lambda texts: text_in(texts, lang, q.default_language), labels=_status_labels(),
                           header_labels={DATE: _("Interview date"), INTERVIEWER: _("Interviewer code")},
                           sources=_decision_labels(), values=request.form), status


@bp.route("/<int:round_id>/quality")
@roles_required(*STAFF)
def quality(round_id: int):  # type: ignore[no-untyped-def]
    """Quality figures per volunteer and per round."""
    round_ = _staff_round(round_id)
    return render_template("entry/quality.html", round=round_, figures=queries.quality(current_user, round_),
                           labels=_status_labels())


@bp.route("/<int:round_id>/settings", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def settings(round_id: int):  # type: ignore[no-untyped-def]
    """Paper entry rules for a round: double entry (off, every form, or a random share), and
    where serials must be unique (per village or round-wide, until a form is keyed)."""
    round_ = _staff_round(round_id)
    form = PaperSettingsForm(data={"mode": round_.double_entry.value, "share": round_.double_entry_share or None,
                                 "serials": round_.serial_scope.value})
    if form.validate_on_submit():
        try:
            set_serial_scope(round_, SerialScope(form.serials.data), current_user)
            set_double_entry(round_, DoubleEntry(form.mode.data), form.share.data, current_user)
        except OperationError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Paper entry settings for %(name)s saved. They apply to paper forms keyed from now on.",
                    name=round_.name), "info")
            return redirect(url_for(".index"), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("entry/settings.html", round=round_, form=form), status


@bp.route("/<int:round_id>/responses")
@roles_required(*STAFF)
def responses(round_id: int):  # type: ignore[no-untyped-def]
    """The round's responses in the user's area, filtered and sorted, 50 a page, with their
    answers as columns: to find one, open it and correct it."""
    round_ = _staff_round(round_id)
    form = ResponseFilterForm(formdata=request.args)
    page = None
    if form.validate():
        filters = queries.ResponseFilters(
            area=(form.area.data or "").strip(), mode=form.mode.data or "", date_from=form.date_from.data,
            date_to=form.date_to.data, status=form.status.data or "", flag=form.flag.data or "",
            sort=form.sort.data or "submitted", desc=form.dir.data != "asc")
        query = queries.round_responses(current_user, round_, filters,
                                        fast_seconds=current_app.config["FAST_COMPLETION_SECONDS"])
        page = db.paginate(query, page=request.args.get("page", 1, type=int) or 1, per_page=50, error_out=False)
    q = _questionnaire(round_)
    lang = current_language()
    return render_template(
        "entry/responses.html", round=round_, form=form, page=page, modes=_mode_labels(),
        serials=queries.paper_serials([r.id for r in page.items]) if page else {},
        questions=[(question.id, text_in(question.text, lang, q.default_language)) for question in q.questions()
                   if takes_answer(question)],
    ), 200 if page is not None else 422


def _response_in_scope(response_id: int) -> Response:
    response = db.get_or_404(Response, response_id)
    if not user_covers(current_user, response.village.code):
        abort(403)
    return response


@bp.route("/responses/<int:response_id>", methods=["GET", "POST"])
@roles_required(*STAFF)
def response(response_id: int):  # type: ignore[no-untyped-def]
    """A stored response (paper or web) with its corrections; correct it with a reason."""
    item = _response_in_scope(response_id)
    q = _questionnaire(item.round)
    errors: dict[str, str] = {}
    typed = typed_answers(q, item.answers)
    status = 200
    if request.method == "POST":
        typed = {question.id: request.form.get(question.id, "") for question in q.questions()}
        try:
            changes = correct_response(current_user, item, q, typed, request.form.get("reason"))
        except EntryInvalid as exc:
            db.session.rollback()
            errors, status = exc.errors, 422
        except EntryForbidden:
            db.session.rollback()
            abort(403)
        except OperationError as exc:
            db.session.rollback()
            errors, status = {"_form": str(exc)}, 422
        else:
            db.session.commit()
            flash(_("%(n)s answers corrected.", n=len(changes)), "info")
            return redirect(url_for(".response", response_id=item.id), 303)
    lang = current_language()
    serial = queries.paper_serials([item.id]).get(item.id)
    return render_template("entry/response.html", item=item, q=q, typed=typed, errors=errors, serial=serial,
                           modes=_mode_labels(),
                           history=history(item), input_attrs=input_attrs, blank=BLANK,
                           reason=request.form.get("reason", ""), delete_form=ReasonForm(formdata=None),
                           t=lambda texts: text_in(texts, lang, q.default_language),
                           is_admin=current_user.role is Role.ADMIN), status


@bp.route("/responses/<int:response_id>/delete", methods=["POST"])
@roles_required(Role.ADMIN)
def delete(response_id: int) -> WerkzeugResponse:
    """Soft delete with a reason: out of the reports, kept in the history."""
    item = _response_in_scope(response_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Say why, for the history."), "error")
        return redirect(url_for(".response", response_id=item.id), 303)
    try:
        delete_response(current_user, item, form.reason.data)
    except OperationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("Response deleted. It no longer counts in the reports."), "info")
    return redirect(url_for(".response", response_id=item.id), 303)
