"""Corrections to stored responses (paper or web) with their history, and soft deletes.

Every changed answer becomes a ``Correction`` row (who, what, old, new, when, why) and
an audit event. ``answers_digest`` is left as it was: it identifies the submission as
received, so a resident's faithful offline retry is still recognised as a retry.
Callers commit.
"""

from __future__ import annotations

import sqlalchemy as sa

from survey_app import audit, quality
from survey_app.access import user_covers
from survey_app.extensions import db
from survey_app.models import Correction, Response, User
from survey_app.models._types import utcnow
from survey_app.operations import OperationError
from survey_app.operations.keying import key_answers
from survey_app.operations.paper import EntryForbidden, EntryInvalid, answer_errors
from survey_app.operations.texts import _
from survey_app.questionnaire import Questionnaire

MAX_REASON = 500


def _reason(text: str | None) -> str:
    reason = " ".join((text or "").split())
    if not reason:
        raise EntryInvalid({"reason": _("Say why, for the history.")})
    if len(reason) > MAX_REASON:
        raise EntryInvalid({"reason": _("A reason has at most %(n)s characters.", n=MAX_REASON)})
    return reason


def _check(user: User, response: Response) -> None:
    """Scope and not deleted, on the row as it is now: locked (PostgreSQL) until the commit, so two
    people correcting at once queue and each history line starts from the answers really stored."""
    db.session.refresh(response, with_for_update=True)
    if not user_covers(user, response.village.code):
        raise EntryForbidden(_("This response is outside your area."))
    if response.deleted_at is not None:
        raise OperationError(_("This response was deleted; it can no longer be changed."))


def correct_response(user: User, response: Response, questionnaire: Questionnaire,
                     typed: dict[str, str], reason: str | None) -> list[Correction]:
    """Replace a response's answers with the corrected keyed values, recording each change."""
    _check(user, response)
    result = key_answers(questionnaire, typed, response.submitted_at.date())  # the day it was given or keyed
    errors = answer_errors(result)
    try:
        why = _reason(reason)
    except EntryInvalid as exc:
        errors.update(exc.errors)
    if errors:
        raise EntryInvalid(errors)
    old, new = response.answers, result.answers
    order = [q.id for q in questionnaire.questions()]
    changed = [qid for qid in order if old.get(qid) != new.get(qid)]
    changed += sorted(k for k in old if k not in order and k not in new)  # stray keys of another version
    if not changed:
        raise OperationError(_("Nothing was changed."))
    corrections = [
        Correction(response=response, question_id=qid, old_value=old.get(qid), new_value=new.get(qid),
                   reason=why, corrected_by_id=user.id, corrected_by=user.email)
        for qid in changed
    ]
    db.session.add_all(corrections)
    response.answers = dict(new)
    response.straightlined = quality.straightlined(new, questionnaire)
    audit.record("response.corrected", actor=user, object_type="response", object_id=response.id, reason=why,
                 changes=[{"question": c.question_id, "old": c.old_value, "new": c.new_value} for c in corrections])
    return corrections


def delete_response(user: User, response: Response, reason: str | None) -> None:
    """Soft delete: the response leaves the reports and stays in the history."""
    _check(user, response)
    why = _reason(reason)
    response.deleted_at, response.deleted_by_id, response.delete_reason = utcnow(), user.id, why
    audit.record("response.deleted", actor=user, object_type="response", object_id=response.id, reason=why)


def history(response: Response) -> list[Correction]:
    """The response's corrections, oldest first."""
    return list(db.session.scalars(
        sa.select(Correction).where(Correction.response_id == response.id).order_by(Correction.id)
    ))
