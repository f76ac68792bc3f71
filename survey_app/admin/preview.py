"""Staff preview of the residents' form: the real pages, skip logic and languages, for a
round before it opens or for any questionnaire version, marked as a preview and storing nothing.

The pages come from the resident door's own ``walk``, so the preview cannot drift from what
residents see; only the last step differs, and it never writes.
"""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from survey_app import clock, questionnaires
from survey_app.access import STAFF, roles_required
from survey_app.admin import bp
from survey_app.admin.queries import count_round_villages, round_by_slug, round_villages_in_scope
from survey_app.answer_messages import translate_errors
from survey_app.models import Round, RoundStatus
from survey_app.operations import OperationError
from survey_app.questionnaire import Questionnaire, clean_answers
from survey_app.respond.lookup import RoundRow, VillageRow
from survey_app.respond.pages import PageView, Target, walk


def _questionnaire(key: str, version: int) -> Questionnaire:
    try:
        return questionnaires.load(key, version)
    except OperationError:
        abort(404)


def _example_village() -> VillageRow:
    return VillageRow(0, "", _("Example village"))


def _show(target: Target):  # type: ignore[no-untyped-def]
    q = target.questionnaire
    view = PageView(url_for(".preview_check", key=q.key, version=q.version), preview=True)

    def done(*_args: Any):  # type: ignore[no-untyped-def]
        return render_template("respond/thanks.html", village=target.village, preview=True)

    return walk(target, done, view)


@bp.route("/preview/<key>/<int:version>", methods=["GET", "POST"])
@roles_required(*STAFF)
def preview_version(key: str, version: int):  # type: ignore[no-untyped-def]
    """Any questionnaire version, before any round uses it."""
    q = _questionnaire(key, version)
    round_ = RoundRow(0, _("Preview"), "", q.key, q.version, RoundStatus.DRAFT, False, None, None, [])
    return _show(Target(round_, _example_village(), q))


@bp.route("/rounds/<round_slug>/preview", methods=["GET", "POST"])
@roles_required(*STAFF)
def preview_round(round_slug: str):  # type: ignore[no-untyped-def]
    """A round's form as its residents will see it, named after one of the user's villages."""
    round_ = round_by_slug(round_slug)
    if current_user.scope_prefixes and not count_round_villages(round_, current_user):
        abort(403)
    villages = round_villages_in_scope(round_, current_user, limit=1)
    village = VillageRow(villages[0].id, villages[0].code, villages[0].name) if villages else _example_village()
    q = _questionnaire(round_.questionnaire_key, round_.questionnaire_version)
    return _show(Target(_round_row(round_), village, q))


def _round_row(round_: Round) -> RoundRow:
    return RoundRow(**{name: getattr(round_, name) for name in RoundRow.__dataclass_fields__})


@bp.route("/preview/<key>/<int:version>/submit", methods=["POST"])
@roles_required(*STAFF)
def preview_check(key: str, version: int):  # type: ignore[no-untyped-def]
    """The enhanced form's JSON door, for a preview: the answers are checked as residents'
    are, and never stored."""
    q = _questionnaire(key, version)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or not isinstance(payload.get("answers"), dict):
        return jsonify(error="bad_request"), 400
    result = clean_answers(q, payload["answers"], clock.today())
    if not result.ok:
        return jsonify(error="invalid", errors=translate_errors(result.error_templates)), 422
    return jsonify(status="preview", thanks_url=url_for(".preview_version", key=key, version=version)), 200
