"""Storing responses, exactly once per submission key."""

from __future__ import annotations

import enum
import hashlib
import json
import uuid
from collections.abc import Mapping
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from survey_app.extensions import db
from survey_app.models import Mode, Response, Round, Village
from survey_app.operations import OperationError
from survey_app.questionnaire import Questionnaire


class StoreOutcome(enum.Enum):
    CREATED = "created"
    REPLAYED = "replayed"  # the same key with the same answers: a retry, nothing stored
    CONFLICT = "conflict"  # the same key with other answers: refused, the first answers kept


def answers_digest(answers: Mapping[str, object]) -> str:
    """sha256 of the answers in canonical JSON: equal answers, equal digest, whatever the order."""
    canonical = json.dumps(answers, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def parse_submission_key(text: object) -> str:
    """The canonical form of a client-generated UUID, or OperationError."""
    try:
        return str(uuid.UUID(str(text)))
    except ValueError:
        raise OperationError("The submission key must be a UUID.") from None


def store_response(
    round_: Round,
    village: Village,
    questionnaire: Questionnaire,
    answers: Mapping[str, object],
    submission_key: str,
    mode: Mode,
    started_at: datetime | None = None,
) -> tuple[StoreOutcome, Response]:
    """Insert cleaned answers once. The unique key in the database, not a prior lookup,
    decides between a new response and a retry, so concurrent retries cannot double-count."""
    digest = answers_digest(answers)
    response = Response(
        submission_key=submission_key,
        round_id=round_.id,
        village_id=village.id,
        questionnaire_key=questionnaire.key,
        questionnaire_version=questionnaire.version,
        mode=mode,
        answers=dict(answers),
        answers_digest=digest,
        started_at=started_at,
    )
    try:
        with db.session.begin_nested():
            db.session.add(response)
    except IntegrityError:
        existing = db.session.scalar(sa.select(Response).where(Response.submission_key == submission_key))
        if existing is None:  # some other constraint failed: not ours to explain
            raise
        same = (existing.answers_digest, existing.round_id, existing.village_id) == (digest, round_.id, village.id)
        return (StoreOutcome.REPLAYED if same else StoreOutcome.CONFLICT), existing
    return StoreOutcome.CREATED, response
