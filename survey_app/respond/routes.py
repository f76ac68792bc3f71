"""Public form pages. Thin views: load the round and village, clean with the engine, store."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import (
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import refresh
from flask_wtf.csrf import generate_csrf
from sqlalchemy.engine import Connection

from survey_app import clock, questionnaires
from survey_app.access import public
from survey_app.answer_messages import translate_errors
from survey_app.database import read_only
from survey_app.extensions import db, limiter
from survey_app.i18n import current_language
from survey_app.models import Mode, Round, Village
from survey_app.operations import OperationError
from survey_app.operations.responses import StoreOutcome, insert_response, parse_submission_key
from survey_app.questionnaire import Questionnaire, clean_answers, text_in
from survey_app.respond import bp, flow
from survey_app.respond.availability import Availability, availability
from survey_app.respond.forms import form_class, raw_answers
from survey_app.respond.lookup import RoundRow, VillageRow, round_and_village

HONEYPOT = "_website"
MAX_FORM_AGE = timedelta(days=2)

UNAVAILABLE_STATUS = {Availability.NOT_YET: 403, Availability.CLOSED: 410, Availability.NOT_IN_ROUND: 404}


def _rate_limit() -> str:
    return current_app.config["RESPOND_RATE_LIMIT"]


@dataclass(frozen=True)
class Target:
    round: RoundRow
    village: VillageRow
    questionnaire: Questionnaire


def _find(connection: Connection, round_slug: str, village_code: str) -> Target | Response:
    """The open round and village, or the friendly page that says why not (nothing stored).

    Read on the view's own Core connection as a shared read. On SQLite that read ends here,
    so a later insert holds the database's one write lock only for itself; PostgreSQL has
    no such lock and its insert goes on in the same transaction, sparing a BEGIN and a
    COMMIT. The round and village are plain rows (``lookup``), usable after the transaction.
    """
    with read_only():  # also for the questionnaire's pinned hash, read once per process
        found = round_and_village(connection, round_slug, village_code)
        result = _check(*found) if found is not None else _unavailable("unknown", 404)
    if connection.dialect.name == "sqlite":
        connection.rollback()
    return result


def _store(connection: Connection, target: Target, answers: dict[str, object], key: str,
           started: object) -> StoreOutcome:
    """Insert the cleaned answers once and commit, on the connection the round was read on."""
    outcome, _response_id = insert_response(target.round, target.village, target.questionnaire, answers, key,
                                            Mode.WEB, _started_at(started), connection=connection)
    connection.commit()
    return outcome


def _check(round_: RoundRow, village: VillageRow) -> Target | Response:
    state = availability(round_, village, clock.today())
    if state is not Availability.OPEN:
        return _unavailable(state.value, UNAVAILABLE_STATUS[state], round_, village)
    try:
        questionnaire = questionnaires.load(round_.questionnaire_key, round_.questionnaire_version)
    except OperationError:
        current_app.logger.exception("questionnaire of round %s cannot be used", round_.slug)
        return _unavailable("maintenance", 503, round_, village)
    return Target(round_, village, questionnaire)


def _unavailable(reason: str, status: int, round_: RoundRow | None = None,
                 village: VillageRow | None = None) -> Response:
    if _wants_json():
        response = jsonify(error=reason)
        response.status_code = status
        return response
    html = render_template("respond/unavailable.html", reason=reason, round=round_, village=village)
    return Response(html, status)


def _wants_json() -> bool:
    return request.is_json or request.path.endswith("/submit")


def _started_at(text: object) -> datetime | None:
    """When the resident opened the form, if the client's value is plausible."""
    if not isinstance(text, str):
        return None
    try:
        started = datetime.fromisoformat(text)
    except ValueError:
        return None
    if started.tzinfo is None:
        started = started.replace(tzinfo=UTC)
    now = datetime.now(UTC)
    return started if now - MAX_FORM_AGE <= started <= now + timedelta(minutes=5) else None


@bp.route("/<round_slug>/<village_code>", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
@public
def form(round_slug: str, village_code: str):  # type: ignore[no-untyped-def]
    # The resident pages use Core rows on one pooled connection, not the ORM session: every
    # page and post of every resident comes through here.
    with db.engine.connect() as connection:
        target = _find(connection, round_slug, village_code)
        if isinstance(target, Response):
            return target
        return _form_page(connection, target, round_slug, village_code)


def _form_page(connection: Connection, target: Target, round_slug: str, village_code: str):  # type: ignore[no-untyped-def]
    """A page of the no-JS form: show, validate, move between sections, or store at the end."""
    q = target.questionnaire
    if request.method == "GET":
        return _render_page(target, answers={}, page=flow.visible_sections(q, {})[0], errors={},
                            key=str(uuid.uuid4()), started=datetime.now(UTC).isoformat(timespec="seconds"))
    if request.form.get(HONEYPOT):
        return redirect(url_for(".thanks", round_slug=round_slug, village_code=village_code), 303)

    result = clean_answers(q, raw_answers(q, request.form))
    errors = translate_errors(result.error_templates)
    page = min(max(request.form.get("_page", 0, type=int), 0), len(q.sections) - 1)
    nav = request.form.get("_nav", "next")
    key, started = request.form.get("_key", ""), request.form.get("_started", "")

    if nav.startswith("lang-") and nav[5:] in current_app.config["LANGUAGES"]:
        session["lang"] = nav[5:]
        refresh()  # Flask-Babel caches the locale per request
        return _render_page(target, result.answers, page, {}, key=key, started=started)
    if nav == "back":
        previous = flow.previous_section(q, result.answers, page)
        return _render_page(target, result.answers, previous, {}, key=key, started=started)
    page_errors = {q_.id: errors[q_.id] for q_ in q.sections[page].questions if q_.id in errors}
    if page_errors:
        return _render_page(target, result.answers, page, page_errors, status=422, key=key, started=started)
    following = flow.next_section(q, result.answers, page)
    if following is not None and nav != "submit":
        return _render_page(target, result.answers, following, {}, key=key, started=started)
    if errors:
        first = flow.first_section_with_errors(q, errors) or 0
        return _render_page(target, result.answers, first, errors, status=422, key=key, started=started)
    try:
        key = parse_submission_key(key)
    except OperationError:
        key = str(uuid.uuid4())  # a mangled key cannot dedupe anyway; never lose the answers
    outcome = _store(connection, target, result.answers, key, started)
    if outcome is StoreOutcome.CONFLICT:
        return render_template("respond/conflict.html", round=target.round, village=target.village), 409
    return redirect(url_for(".thanks", round_slug=round_slug, village_code=village_code), 303)


def _render_page(target: Target, answers: dict[str, object], page: int, errors: dict[str, str], key: str,
                 started: str, status: int = 200):  # type: ignore[no-untyped-def]
    q = target.questionnaire
    lang = current_language()
    form = form_class(q, lang)(formdata=request.form if request.method == "POST" else None)
    shown = flow.visible_sections(q, answers)
    html = render_template(
        "respond/form.html",
        target=target,
        q=q,
        t=lambda texts: text_in(texts, lang, q.default_language),
        form=form,
        page=page,
        shown=shown,
        position=shown.index(page) + 1 if page in shown else 1,
        is_last=flow.next_section(q, answers, page) is None,
        views=[flow.page_questions(section, answers) for section in q.sections],
        errors=errors,
        key=key,
        started=started,
        honeypot=HONEYPOT,
    )
    return html, status


@bp.route("/<round_slug>/<village_code>/submit", methods=["POST"])
@limiter.limit(_rate_limit)
@public
def submit(round_slug: str, village_code: str):  # type: ignore[no-untyped-def]
    """JSON door for the enhanced form and for offline replays from the phone's outbox."""
    payload = request.get_json(silent=True)
    with db.engine.connect() as connection:
        target = _find(connection, round_slug, village_code)
        if isinstance(target, Response):
            return target
        if not isinstance(payload, dict) or not isinstance(payload.get("answers"), dict):
            return jsonify(error="bad_request"), 400
        if payload.get(HONEYPOT):
            return jsonify(status="created"), 201
        try:
            key = parse_submission_key(payload.get("submission_key"))
        except OperationError as exc:
            return jsonify(error="bad_key", message=str(exc)), 400
        result = clean_answers(target.questionnaire, payload["answers"])
        if not result.ok:
            return jsonify(error="invalid", errors=translate_errors(result.error_templates)), 422
        outcome = _store(connection, target, result.answers, key, payload.get("started_at"))
    if outcome is StoreOutcome.CONFLICT:
        return jsonify(error="conflict"), 409
    thanks = url_for(".thanks", round_slug=round_slug, village_code=village_code)
    return jsonify(status=outcome.value, thanks_url=thanks), 201 if outcome is StoreOutcome.CREATED else 200


@bp.route("/<round_slug>/<village_code>/terima-kasih")
@public
def thanks(round_slug: str, village_code: str):  # type: ignore[no-untyped-def]
    round_ = db.first_or_404(sa.select(Round).where(Round.slug == round_slug))
    village = db.first_or_404(sa.select(Village).where(Village.code == village_code))
    return render_template("respond/thanks.html", round=round_, village=village)


@bp.route("/csrf")
@public
def csrf():  # type: ignore[no-untyped-def]
    """A fresh CSRF token for a replay whose page (and token) came from the phone's cache."""
    response = jsonify(csrf_token=generate_csrf())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/sw.js")
@public
def service_worker():  # type: ignore[no-untyped-def]
    """Served under /s/ so that it may control the form pages."""
    script = Path(current_app.static_folder or "static", "respond-sw.js").read_text(encoding="utf-8")
    headers = {"Service-Worker-Allowed": "/s/", "Cache-Control": "no-cache"}
    return Response(script, mimetype="text/javascript", headers=headers)
