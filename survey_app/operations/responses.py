"""Storing responses, exactly once per submission key.

The resident form's hot path: one ``INSERT ... ON CONFLICT (submission_key) DO NOTHING
RETURNING id`` decides between a new response and a retry, so the database's unique
constraint (never a prior lookup) keeps concurrent retries from double-counting, with no
SAVEPOINT and no ORM unit of work. The statements are built once, so every post reuses
their compiled form.
"""

from __future__ import annotations

import enum
import hashlib
import json
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from survey_app.extensions import db
from survey_app.models import Mode, Response
from survey_app.models._types import utcnow
from survey_app.operations import OperationError
from survey_app.questionnaire import Questionnaire


class StoreOutcome(enum.Enum):
    CREATED = "created"
    REPLAYED = "replayed"  # the same key with the same answers: a retry, nothing stored
    CONFLICT = "conflict"  # the same key with other answers: refused, the first answers kept


class HasId(Protocol):
    """A round or village as loaded by any caller: an ORM object or the form's light row."""

    @property
    def id(self) -> int: ...


_responses = Response.__table__
_INSERTED_COLUMNS = (
    "submission_key", "round_id", "village_id", "questionnaire_key", "questionnaire_version", "mode",
    "answers", "answers_digest", "submitted_at", "updated_at", "duration_s",
)
# The same SQL on SQLite (>= 3.35) and PostgreSQL: when the key exists, nothing is inserted
# and nothing is returned. Text rather than the dialects' insert().on_conflict_do_nothing(),
# which SQLAlchemy 2.0 cannot cache and so compiles again on every post; the bound
# parameters keep the columns' own types (JSON/JSONB, the mode enum, aware datetimes).
_INSERT_ONCE = (
    sa.text(
        "INSERT INTO responses (submission_key, round_id, village_id, questionnaire_key, questionnaire_version,"
        " mode, answers, answers_digest, submitted_at, updated_at, duration_s)"
        " VALUES (:submission_key, :round_id, :village_id, :questionnaire_key, :questionnaire_version,"
        " :mode, :answers, :answers_digest, :submitted_at, :updated_at, :duration_s)"
        " ON CONFLICT (submission_key) DO NOTHING RETURNING id"
    )
    .bindparams(*(sa.bindparam(name, type_=_responses.c[name].type) for name in _INSERTED_COLUMNS))
    .columns(_responses.c.id)
)
_EXISTING = sa.select(
    _responses.c.id, _responses.c.answers_digest, _responses.c.round_id, _responses.c.village_id
).where(_responses.c.submission_key == sa.bindparam("submission_key"))


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


def insert_response(
    round_: HasId,
    village: HasId,
    questionnaire: Questionnaire,
    answers: Mapping[str, object],
    submission_key: str,
    mode: Mode,
    started_at: datetime | None = None,
    *,
    connection: Connection | None = None,
) -> tuple[StoreOutcome, int]:
    """Insert cleaned answers once, in the transaction of ``connection`` (the session's by
    default); return the outcome and the id of the row stored under the key (this one, or
    the first one for a retry or conflict).

    Core statements: nothing enters the identity map, so a caller that needs the ORM
    object loads it (``store_response``). The caller commits.
    """
    digest = answers_digest(answers)
    submitted_at = utcnow()
    if connection is None:
        connection = db.session.connection()
    row_id = connection.scalar(
        _INSERT_ONCE,
        {
            "submission_key": submission_key,
            "round_id": round_.id,
            "village_id": village.id,
            "questionnaire_key": questionnaire.key,
            "questionnaire_version": questionnaire.version,
            "mode": mode,
            "answers": dict(answers),
            "answers_digest": digest,
            "submitted_at": submitted_at,
            "updated_at": submitted_at,
            "duration_s": None if started_at is None else max(0, int((submitted_at - started_at).total_seconds())),
        },
    )
    if row_id is not None:
        return StoreOutcome.CREATED, row_id
    # The key was taken, by a commit this statement waited for (PostgreSQL) or an earlier
    # one: read committed (and SQLite's one writer) show that row to the next statement.
    existing = connection.execute(_EXISTING, {"submission_key": submission_key}).one()
    same = (existing.answers_digest, existing.round_id, existing.village_id) == (digest, round_.id, village.id)
    return (StoreOutcome.REPLAYED if same else StoreOutcome.CONFLICT), existing.id


def store_response(
    round_: HasId,
    village: HasId,
    questionnaire: Questionnaire,
    answers: Mapping[str, object],
    submission_key: str,
    mode: Mode,
    started_at: datetime | None = None,
) -> tuple[StoreOutcome, Response]:
    """``insert_response`` for callers that go on with the ORM object (paper forms link to it)."""
    outcome, response_id = insert_response(round_, village, questionnaire, answers, submission_key, mode, started_at)
    return outcome, db.session.get_one(Response, response_id)
