"""The per-round choice between redacting personal data in free text at once and flagging it
for an administrator's review (``Round.free_text_mode``), and the review itself.

Either way the response holds the redacted text, so no report or export ever sees the
original: they apply redaction again on the way out, whatever a review decided. A round that
reviews keeps the original apart (``free_text_reviews``, written by ``insert_response``) until
an administrator decides: the redaction was right (the original is deleted, from the volunteers'
keyings too), or it caught something that is not personal data (the original goes back into the
response). Writes flush and audit; callers commit.
"""

from __future__ import annotations

import sqlalchemy as sa

from survey_app import audit
from survey_app.extensions import db
from survey_app.models import FreeTextMode, FreeTextReview, PaperEntry, PaperForm, Response, Round, User, Village
from survey_app.operations import OperationError
from survey_app.operations.texts import _
from survey_app.questionnaire.redaction import redact


def set_free_text_mode(round_: Round, mode: FreeTextMode, actor: User | str | None) -> bool:
    """Redact at once, or flag for review, from now on; True when it changed. Answers stored
    before keep what was decided for them; pending reviews stay to be decided."""
    if round_.free_text_mode is mode:
        return False
    if round_.free_text_purged_at is not None:
        raise OperationError(_("Round %(name)s's free text has been deleted under its retention settings.",
                               name=round_.name))
    audit.record("round.free_text_mode_changed", actor=actor, object_type="round", object_id=round_.id,
                 name=round_.name, old=round_.free_text_mode.value, new=mode.value)
    round_.free_text_mode = mode
    return True


def pending_reviews(round_: Round, limit: int = 200) -> list[tuple[FreeTextReview, str, str]]:
    """The round's answers awaiting review, oldest first: (review, redacted text as stored,
    village code and name)."""
    rows = db.session.execute(
        sa.select(FreeTextReview, Response.answers, Village.code, Village.name)
        .join(Response, FreeTextReview.response_id == Response.id)
        .join(Village, Response.village_id == Village.id)
        .where(FreeTextReview.round_id == round_.id).order_by(FreeTextReview.id).limit(limit)
    ).all()
    return [(review, str((answers or {}).get(review.question_id, "")), f"{code} {name}")
            for review, answers, code, name in rows]


def count_pending(round_: Round) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(FreeTextReview)
                             .where(FreeTextReview.round_id == round_.id)) or 0


def decide_review(review: FreeTextReview, restore: bool, actor: User) -> None:
    """Close one review: ``restore`` puts the original back into the response (nothing
    personal was in it); otherwise the redaction stands and the original is deleted, from the
    paper keyings of the same answer too."""
    response = review.response
    if restore:
        response.answers = {**response.answers, review.question_id: review.original}
    else:
        forms = sa.select(PaperForm.id).where(PaperForm.response_id == response.id)
        for entry in db.session.scalars(sa.select(PaperEntry).where(PaperEntry.form_id.in_(forms))):
            text = entry.answers.get(review.question_id)
            if isinstance(text, str):
                entry.answers = {**entry.answers, review.question_id: redact(text).text}
    audit.record("free_text.restored" if restore else "free_text.redaction_kept", actor=actor,
                 object_type="response", object_id=response.id, question=review.question_id, kinds=review.kinds)
    db.session.delete(review)
