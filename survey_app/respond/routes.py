"""Public form pages. Thin views: load the round and village, clean with the engine, store."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import (
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, generate_csrf
from sqlalchemy.engine import Connection
from werkzeug.exceptions import HTTPException

from survey_app import clock, questionnaires
from survey_app.access import public
from survey_app.answer_messages import translate_errors
from survey_app.database import read_only
from survey_app.errors import http_message
from survey_app.extensions import db, limiter
from survey_app.models import Mode, Round, Village
from survey_app.operations import OperationError
from survey_app.operations.responses import (
    RoundNotOpen,
    StoreOutcome,
    insert_response,
    keep_consent_text,
    known_consent,
    parse_submission_key,
)
from survey_app.questionnaire import Questionnaire, clean_answers
from survey_app.questionnaire.consent import Consent, ConsentError
from survey_app.questionnaire.ordering import recorded_order
from survey_app.respond import bp
from survey_app.respond.availability import Availability, availability
from survey_app.respond.consent import consent_step
from survey_app.respond.lookup import (
    Destination,
    Destinations,
    Ref,
    RoundRow,
    VillageRow,
    destination_of,
    round_and_village,
)
from survey_app.respond.pages import HONEYPOT, Target, posted, render_page, walk

MAX_FORM_AGE = timedelta(days=2)

UNAVAILABLE_STATUS = {Availability.NOT_YET: 403, Availability.CLOSED: 410, Availability.NOT_IN_ROUND: 404}


def _rate_limit() -> str:
    return current_app.config["RESPOND_RATE_LIMIT"]


@bp.record_once
def _setup(state) -> None:  # type: ignore[no-untyped-def]
    state.app.extensions["respond_destinations"] = Destinations()
    # Consent texts this process has stored (``consent_texts``): storing the same row again on
    # every submission cost about a tenth of the door's CPU (benchmarks/README.md, stop 25).
    # Rows there are never changed or deleted, and a restore stops the app first (README), so
    # the memory cannot go stale; it ends with the process.
    state.app.extensions["respond_consents_kept"] = set()


def _find(connection: Connection, round_slug: str, village_code: str, today: date) -> Target | Response:
    """The open round and village, or the friendly page that says why not (nothing stored).

    Read on the view's own Core connection as a shared read, which ends here: on SQLite a
    later insert then holds the database's one write lock only for itself. The round and
    village are plain rows (``lookup``), usable after the transaction.
    """
    with read_only():  # also for the questionnaire's pinned hash, read once per process
        found = round_and_village(connection, round_slug, village_code)
        result = _check(*found, today) if found is not None else _unavailable("unknown", 404)
    connection.rollback()
    return result


def _refusal(round_slug: str, village_code: str, today: date) -> Response | None:
    """The page that says why the form takes no answers today, or None if it does."""
    with db.engine.connect() as connection:
        target = _find(connection, round_slug, village_code, today)
    return target if isinstance(target, Response) else None


def _destination(round_slug: str, village_code: str) -> Destination | Response:
    """The pair's fixed facts, read once per process; the friendly 404 for an unknown pair."""
    destinations: Destinations = current_app.extensions["respond_destinations"]
    known = destinations.get(round_slug, village_code)
    if known is not None:
        return known
    with db.engine.connect() as connection, read_only():
        found = round_and_village(connection, round_slug, village_code)
    if found is None:
        return _unavailable("unknown", 404)
    destination = destination_of(*found)
    if destination is None:
        return _unavailable(Availability.NOT_IN_ROUND.value, 404, *found)
    destinations.remember(round_slug, village_code, destination)
    return destination


def _store(round_slug: str, village_code: str, destination: Destination, questionnaire: Questionnaire,
           answers: dict[str, object], key: str, started: object, today: date,
           seed: object = None, agreed: tuple[Consent | None, str | None] = (None, None)) -> StoreOutcome | Response:
    """Insert the cleaned answers once if the round takes answers today (the INSERT checks,
    so a round closed a moment ago stores nothing), else the page that says why not.
    ``agreed``: the consent asked and the hash of the text the resident agreed to."""
    consent, consent_hash = agreed
    kept: set[str] = current_app.extensions["respond_consents_kept"]
    new_text = consent is not None and consent_hash == consent.hash and consent.hash not in kept
    keep = consent if new_text else None
    with db.engine.connect() as connection:
        try:
            if keep is not None:
                keep_consent_text(connection, questionnaire.key, keep)
            outcome, _response_id = insert_response(
                destination.round, destination.village, questionnaire, answers, key, Mode.WEB,
                _started_at(started), connection=connection, open_on=today,
                display_order=recorded_order(questionnaire, seed), consent_hash=consent_hash,
            )
        except sa.exc.OperationalError as exc:  # disk full, read-only file system, database gone
            connection.rollback()
            raise StorageUnavailable from exc
        except RoundNotOpen:
            connection.rollback()
            # Not open at the insert (closed, or not yet open): read the round to say which.
            # Should it read as open, its state changed in between; the phone retries a 503.
            return _refusal(round_slug, village_code, today) or _unavailable("maintenance", 503)
        connection.commit()
    if keep is not None:
        kept.add(keep.hash)
    return outcome


def _consent_known(questionnaire_key: str, consent: Consent, posted: object) -> bool:
    """The consent text a page or phone says the resident agreed to is this questionnaire's,
    now or earlier (an outbox may send answers given before the file changed)."""
    if not isinstance(posted, str) or not posted:
        return False
    if posted == consent.hash:
        return True
    with db.engine.connect() as connection, read_only():
        return known_consent(connection, questionnaire_key, posted)


class StorageUnavailable(Exception):
    """The answers could not be written (the database refused the write); nothing was stored."""


def _check(round_: RoundRow, village: VillageRow, today: date) -> Target | Response:
    state = availability(round_, village, today)
    if state is not Availability.OPEN:
        return _unavailable(state.value, UNAVAILABLE_STATUS[state], round_, village)
    try:
        questionnaire = questionnaires.load(round_.questionnaire_key, round_.questionnaire_version)
        consent = questionnaires.catalog().consent(questionnaire.key)
    except (OperationError, ConsentError):
        current_app.logger.exception("questionnaire of round %s cannot be used", round_.slug)
        return _unavailable("maintenance", 503, round_, village)
    return Target(round_, village, questionnaire, consent)


@bp.errorhandler(sa.exc.OperationalError)
def _database_unavailable(error: sa.exc.OperationalError) -> Response:
    """The database could not be opened, read or written (a read-only or full disk, a server
    gone) before the answers were taken: the phone's outbox keeps them and retries a 503, and
    a page says the form is resting. Failed writes of answers are handled where they are
    stored, so the form without JavaScript can show them again."""
    current_app.logger.warning("resident door: the database is unavailable: %s", error.orig)
    return _unavailable("unavailable" if _wants_json() else "maintenance", 503)


def _unavailable(reason: str, status: int, round_: RoundRow | None = None,
                 village: VillageRow | None = None) -> Response:
    if _wants_json():
        response = jsonify(error=reason)
        response.status_code = status
        return response
    html = render_template("respond/unavailable.html", reason=reason, round=round_, village=village,
                           **_languages_of(round_))
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
    # Core rows on a pooled connection, not the ORM session: every resident page comes here.
    today = clock.today()
    with db.engine.connect() as connection:
        target = _find(connection, round_slug, village_code, today)
    if isinstance(target, Response):
        return target
    return _form_page(target, round_slug, village_code, today)


def _form_page(target: Target, round_slug: str, village_code: str, today: date):  # type: ignore[no-untyped-def]
    """A page of the resident's no-JS form; the last one stores the answers."""
    if request.method == "POST" and request.form.get(HONEYPOT):
        return redirect(url_for(".thanks", round_slug=round_slug, village_code=village_code), 303)
    if target.consent is not None:
        asked = consent_step(target, _consent_known)
        if not isinstance(asked, Target):
            return asked
        target = asked

    def store(answers: dict[str, object], page: int, key: str, started: str):  # type: ignore[no-untyped-def]
        q = target.questionnaire
        try:
            key = parse_submission_key(key)
        except OperationError:
            key = str(uuid.uuid4())  # a mangled key cannot dedupe anyway; never lose the answers
        destination = Destination(Ref(target.round.id), Ref(target.village.id), q.key, q.version)
        try:
            outcome = _store(round_slug, village_code, destination, q, answers, key, started, today,
                             request.form.get("_order"), (target.consent, target.consent_hash))
        except StorageUnavailable:  # the same page again, every answer kept, and the same key
            return render_page(target, answers, page, {}, key=key, started=started, status=503,
                               notice=_("Your answers could not be saved just now. They are still here: "
                                        "please press Send again in a few minutes."))
        if isinstance(outcome, Response):
            return outcome
        if outcome is StoreOutcome.CONFLICT:
            return render_template("respond/conflict.html", round=target.round, village=target.village,
                                   **_languages_of(target.round)), 409
        return redirect(url_for(".thanks", round_slug=round_slug, village_code=village_code), 303)

    return walk(target, store)


@bp.route("/<round_slug>/<village_code>/submit", methods=["POST"])
@limiter.limit(_rate_limit)
@public
def submit(round_slug: str, village_code: str):  # type: ignore[no-untyped-def]
    """JSON door for the enhanced form and for offline replays from the phone's outbox.

    A valid post costs one statement: the round's state is checked by the INSERT. The
    rare refusals read the round again to say why (closed before invalid answers)."""
    payload = request.get_json(silent=True)
    destination = _destination(round_slug, village_code)
    if isinstance(destination, Response):
        return destination
    if not isinstance(payload, dict) or not isinstance(payload.get("answers"), dict):
        return jsonify(error="bad_request"), 400
    if payload.get(HONEYPOT):
        return jsonify(status="created"), 201
    try:
        key = parse_submission_key(payload.get("submission_key"))
    except OperationError as exc:
        return jsonify(error="bad_key", message=str(exc)), 400
    today = clock.today()
    try:
        questionnaire = questionnaires.load(destination.questionnaire_key, destination.questionnaire_version)
    except OperationError:
        return _refusal(round_slug, village_code, today) or _unavailable("maintenance", 503)
    try:
        consent = questionnaires.catalog().consent(questionnaire.key)
    except ConsentError:
        return _refusal(round_slug, village_code, today) or _unavailable("maintenance", 503)
    result = clean_answers(questionnaire, payload["answers"], clock.today())
    if not result.ok:
        refusal = _refusal(round_slug, village_code, today)
        return refusal or (jsonify(error="invalid", errors=translate_errors(result.error_templates)), 422)
    consent_hash = payload.get("consent") if consent is not None else None
    if consent is not None and not _consent_known(questionnaire.key, consent, consent_hash):
        refusal = _refusal(round_slug, village_code, today)
        return refusal or (jsonify(error="consent_required", message=_(
            "Please read the consent and choose \"I agree\" before answering.")), 403)
    try:
        outcome = _store(round_slug, village_code, destination, questionnaire, result.answers, key,
                         payload.get("started_at"), today, payload.get("order_seed"), (consent, consent_hash))
    except StorageUnavailable:
        return jsonify(error="unavailable"), 503  # the phone's outbox keeps the answers and retries
    if isinstance(outcome, Response):
        return outcome
    if outcome is StoreOutcome.CONFLICT:
        return jsonify(error="conflict"), 409
    thanks = url_for(".thanks", round_slug=round_slug, village_code=village_code)
    return jsonify(status=outcome.value, thanks_url=thanks), 201 if outcome is StoreOutcome.CREATED else 200


@bp.route("/<round_slug>/<village_code>/terima-kasih")
@public
def thanks(round_slug: str, village_code: str):  # type: ignore[no-untyped-def]
    round_ = db.first_or_404(sa.select(Round).where(Round.slug == round_slug))
    village = db.first_or_404(sa.select(Village).where(Village.code == village_code))
    return render_template("respond/thanks.html", round=round_, village=village, **_languages_of(round_))


def _languages_of(round_: RoundRow | Round | None) -> dict[str, tuple[str, ...]]:
    """The language switch of a page about ``round_``: its questionnaire's languages."""
    if round_ is None:
        return {}
    return {"languages": tuple(questionnaires.load(round_.questionnaire_key, round_.questionnaire_version).languages)}


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


# --- refusals before the view: in the resident layout, and never losing what was typed ---------


@bp.errorhandler(CSRFError)
def _expired(error: CSRFError):  # type: ignore[no-untyped-def]
    """The form's token expired, or the phone lost its session cookie. The JSON door tells the
    outbox to fetch a fresh token; the no-JS form shows the same section again, every answer
    kept, with a fresh token, so that pressing the button again goes on."""
    if request.endpoint != "respond.form" or _wants_json():
        return jsonify(error="csrf", message=error.description), 400
    return _same_page_again(400, _("This page had expired. Your answers are still here: please press the "
                                   "button again."))


@bp.errorhandler(429)
def _too_many(error: HTTPException):  # type: ignore[no-untyped-def]
    """Too many posts from one network (a village hall's shared connection): the no-JS form
    keeps the answers on the page; the JSON door's outbox keeps them on the phone."""
    if request.endpoint != "respond.form" or _wants_json():
        return jsonify(error="rate_limited"), 429
    return _same_page_again(429, _("Many answers are arriving from this network right now. Your answers are "
                                   "still here: please wait a minute, then press the button again."))


@bp.errorhandler(HTTPException)
def _refused(error: HTTPException):  # type: ignore[no-untyped-def]
    """Any other refusal on a resident page, in the resident layout (no link to staff sign-in)."""
    return render_template("respond/refused.html", code=error.code, message=http_message(error)), error.code


def _same_page_again(status: int, notice: str):  # type: ignore[no-untyped-def]
    args = request.view_args or {}
    today = clock.today()
    with db.engine.connect() as connection:
        target = _find(connection, args.get("round_slug", ""), args.get("village_code", ""), today)
    if isinstance(target, Response):
        return target
    result, page, key, started = posted(target.questionnaire)
    return render_page(target, result.answers, page, {}, key=key, started=started, status=status, notice=notice)
