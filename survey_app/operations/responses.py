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
from datetime import date, datetime
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from survey_app import quality
from survey_app.extensions import db
from survey_app.models import ConsentText, Mode, Response
from survey_app.models._types import utcnow
from survey_app.operations import OperationError
from survey_app.questionnaire import Questionnaire
from survey_app.questionnaire.consent import Consent
from survey_app.questionnaire.redaction import free_text_ids, redact_answers


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
    "answers", "answers_digest", "submitted_at", "updated_at", "duration_s", "straightlined", "display_order",
    "consent_hash",
)
# The SQL twin of respond.availability() without the scope (which never changes): within its
# dates, and open by hand or, when scheduled and not closed by hand, by reaching opens_on.
# A test holds the two to the same answer for every status, schedule and date.
ROUND_OPEN_ON_TODAY = (
    "(rounds.opens_on IS NULL OR rounds.opens_on <= :today)"
    " AND (rounds.closes_on IS NULL OR rounds.closes_on >= :today)"
    " AND (rounds.status = 'open'"
    " OR (rounds.scheduled AND rounds.status <> 'closed' AND rounds.opens_on IS NOT NULL))"
)


def _insert_once(source: str, *extra: sa.BindParameter[object]) -> sa.TextClause:
    """``INSERT ... <source> ON CONFLICT (submission_key) DO NOTHING RETURNING id``.

    The same SQL on SQLite (>= 3.35) and PostgreSQL: when the key exists, nothing is inserted
    and nothing is returned. Text rather than the dialects' insert().on_conflict_do_nothing(),
    which SQLAlchemy 2.0 cannot cache and so compiles again on every post; the bound
    parameters keep the columns' own types (JSON/JSONB, the mode enum, aware datetimes).
    """
    return (
        sa.text(f"INSERT INTO responses ({', '.join(_INSERTED_COLUMNS)}) {source}"
                " ON CONFLICT (submission_key) DO NOTHING RETURNING id")
        .bindparams(*(sa.bindparam(name, type_=_responses.c[name].type) for name in _INSERTED_COLUMNS), *extra)
        .columns(_responses.c.id)
    )


_VALUES = ", ".join(f":{name}" for name in _INSERTED_COLUMNS)
_INSERT_ONCE = _insert_once(f"VALUES ({_VALUES})")
# The round's state is read by the INSERT itself, so a round closed a moment ago stores
# nothing, with no read before the write. (PostgreSQL types the parameters of an INSERT's
# SELECT list by the target columns, as it does for VALUES.)
_INSERT_ONCE_WHILE_OPEN = _insert_once(
    f"SELECT {_VALUES} FROM rounds WHERE rounds.id = :round_id AND {ROUND_OPEN_ON_TODAY}",  # noqa: S608 - constants
    sa.bindparam("today", type_=sa.Date()),
)
_EXISTING = sa.select(
    _responses.c.id, _responses.c.answers_digest, _responses.c.round_id, _responses.c.village_id
).where(_responses.c.submission_key == sa.bindparam("submission_key"))


# The original of a redacted free-text answer, kept apart only where the round asks for a
# review (``Round.free_text_mode``): decided by the statement itself, like the INSERT above,
# and run only for the few answers in which redaction found something.
_KEEP_FOR_REVIEW = sa.text(
    "INSERT INTO free_text_reviews (round_id, response_id, question_id, original, kinds, created_at)"
    " SELECT :round_id, :response_id, :question_id, :original, :kinds, :created_at"
    " WHERE EXISTS (SELECT 1 FROM rounds WHERE rounds.id = :round_id AND rounds.free_text_mode = 'review')"
).bindparams(sa.bindparam("created_at", type_=sa.DateTime(timezone=True)))


class RoundNotOpen(OperationError):
    """The round takes no web answers today (closed, not yet open, or gone): nothing stored."""


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
    open_on: date | None = None,
    display_order: Mapping[str, object] | None = None,
    consent_hash: str | None = None,
) -> tuple[StoreOutcome, int]:
    """Insert cleaned answers once, in the transaction of ``connection`` (the session's by
    default); return the outcome and the id of the row stored under the key (this one, or
    the first one for a retry or conflict).

    With ``open_on`` (a date), a new key is stored only if the round takes web answers that
    day, decided by the INSERT itself; otherwise RoundNotOpen. A retry of a key stored
    earlier is still recognised, so a phone whose answer landed before the round closed
    gets its confirmation. Core statements: nothing enters the identity map, so a caller
    that needs the ORM object loads it (``store_response``). The caller commits.
    """
    # Personal data in free text is replaced before anything is stored (PDP law: minimisation).
    answers, originals = redact_answers(answers, free_text_ids(questionnaire))
    digest = answers_digest(answers)
    submitted_at = utcnow()
    if connection is None:
        connection = db.session.connection()
    values = {
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
        "straightlined": quality.straightlined(answers, questionnaire),
        "display_order": display_order,
        "consent_hash": consent_hash,
    }
    if open_on is None:
        row_id = connection.scalar(_INSERT_ONCE, values)
    else:
        row_id = connection.scalar(_INSERT_ONCE_WHILE_OPEN, {**values, "today": open_on})
    if row_id is not None:
        if originals:
            connection.execute(_KEEP_FOR_REVIEW, [
                {"round_id": round_.id, "response_id": row_id, "question_id": qid, "original": found.text,
                 "kinds": ",".join(sorted(found.found)), "created_at": submitted_at}
                for qid, found in sorted(originals.items())])
        return StoreOutcome.CREATED, row_id
    # The key was taken, by a commit this statement waited for (PostgreSQL) or an earlier
    # one: read committed (and SQLite's one writer) show that row to the next statement.
    # Or, with ``open_on``, the round was not open and the key is new.
    existing = connection.execute(_EXISTING, {"submission_key": submission_key}).one_or_none()
    if existing is None:
        raise RoundNotOpen("This survey round is not taking answers.")
    same = (existing.answers_digest, existing.round_id, existing.village_id) == (digest, round_.id, village.id)
    return (StoreOutcome.REPLAYED if same else StoreOutcome.CONFLICT), existing.id


_KEEP_CONSENT_TEXT = sa.text(
    "INSERT INTO consent_texts (hash, questionnaire_key, text, first_used_at)"
    " VALUES (:hash, :questionnaire_key, :text, :first_used_at) ON CONFLICT (hash) DO NOTHING"
).bindparams(*(sa.bindparam(c.name, type_=c.type) for c in ConsentText.__table__.c))


def keep_consent_text(connection: Connection, questionnaire_key: str, consent: Consent) -> None:
    """Store the consent text under its hash unless it is there (one cheap statement): the
    text a response's ``consent_hash`` names must stay readable after the file changes."""
    connection.execute(_KEEP_CONSENT_TEXT, {"hash": consent.hash, "questionnaire_key": questionnaire_key,
                                            "text": consent.as_json(), "first_used_at": utcnow()})


def known_consent(connection: Connection, questionnaire_key: str, consent_hash: str) -> bool:
    """True when residents were shown this consent text of the questionnaire (an older one
    still counts: a phone's outbox may send answers given before the text changed)."""
    return connection.scalar(sa.select(sa.literal(1)).where(
        ConsentText.__table__.c.hash == consent_hash,
        ConsentText.__table__.c.questionnaire_key == questionnaire_key)) is not None


def store_response(
    round_: HasId,
    village: HasId,
    questionnaire: Questionnaire,
    answers: Mapping[str, object],
    submission_key: str,
    mode: Mode,
    started_at: datetime | None = None,
    *,
    consent_hash: str | None = None,
) -> tuple[StoreOutcome, Response]:
    """``insert_response`` for callers that go on with the ORM object (paper forms link to it)."""
    outcome, response_id = insert_response(round_, village, questionnaire, answers, submission_key, mode, started_at,
                                           consent_hash=consent_hash)
    return outcome, db.session.get_one(Response, response_id)
