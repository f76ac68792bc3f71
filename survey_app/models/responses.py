"""Stored answers: one row per completed questionnaire.

Answers live in one JSON document per response keyed by stable question id, so a round is
read with one query and turned into a table by pandas; no row per answer to join back.
No name, phone number or IP address is ever stored here.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.extensions import db
from survey_app.models._types import JSONType, NullableJSON, enum_column, utcnow
from survey_app.models.geo import Village
from survey_app.models.rounds import Round


class Mode(enum.StrEnum):
    """How the answers were collected; it can change how people answer."""

    WEB = "web"
    PAPER = "paper"


class Response(db.Model):
    __tablename__ = "responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Client-generated UUID; the unique constraint makes retries idempotent without a
    # check-then-insert race.
    submission_key: Mapped[str] = mapped_column(sa.String(36), unique=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id"))
    village_id: Mapped[int] = mapped_column(sa.ForeignKey("villages.id"))
    questionnaire_key: Mapped[str] = mapped_column(sa.String(64))
    questionnaire_version: Mapped[int]
    mode: Mapped[Mode] = mapped_column(enum_column(Mode))
    answers: Mapped[dict[str, Any]] = mapped_column(JSONType)
    # sha256 of the canonical answers: tells a faithful retry from a conflicting one.
    answers_digest: Mapped[str] = mapped_column(sa.String(64))
    # Seconds from the first page to submit (web only): a quality signal, kept as a duration
    # only so no second timestamp of the resident's activity is stored.
    duration_s: Mapped[int | None] = mapped_column(default=None)
    # The same answer all down a battery (``quality.straightlined``), set wherever answers
    # are written: the submissions table filters on it without reading the answers.
    straightlined: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # The order shown when the questionnaire draws one per response (``questionnaire.ordering``):
    # {"sections": {id: [question ids]}, "options": {id: [codes]}}; NULL for the file's order.
    display_order: Mapped[dict[str, Any] | None] = mapped_column(NullableJSON, default=None)
    # The hash of the consent text the resident agreed to (``questionnaire.consent``); NULL
    # where none was recorded: answers given before consent was asked.
    consent_hash: Mapped[str | None] = mapped_column(sa.String(64), default=None)
    submitted_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    # Soft delete by an admin: the row leaves the reports but stays for the audit trail.
    deleted_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), default=None)
    deleted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), default=None)
    delete_reason: Mapped[str | None] = mapped_column(sa.String(500), default=None)

    round: Mapped[Round] = relationship()
    village: Mapped[Village] = relationship()

    __table_args__ = (
        # A village's responses in a round (summary rebuilds, the dashboard's quality signals).
        sa.Index("ix_responses_progress", "round_id", "village_id", "deleted_at", "mode", "duration_s",
                 "submitted_at"),
        # The dashboard's very fast web answers: a range of durations, so only the few are read.
        sa.Index("ix_responses_fast", "round_id", "mode", "duration_s", "village_id", "deleted_at"),
        # The submissions table, newest first: a page walks the index instead of sorting a round.
        sa.Index("ix_responses_round_submitted", "round_id", "submitted_at"),
        # ...and its straight-lined ones, a few per cent of a round: counted without a scan. Each
        # condition is written as that backend's queries say it (SQLite: "= 1"), or the
        # planner does not see that the index applies.
        sa.Index("ix_responses_straightlined", "round_id", "submitted_at",
                 sqlite_where=sa.text("straightlined = 1"), postgresql_where=sa.text("straightlined")),
        sa.CheckConstraint("duration_s IS NULL OR duration_s >= 0", name="duration_not_negative"),
    )


class ConsentText(db.Model):
    """Each consent text residents were shown, kept by its hash (``responses.consent_hash``):
    the file may change, what a resident agreed to may not."""

    __tablename__ = "consent_texts"

    hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    questionnaire_key: Mapped[str] = mapped_column(sa.String(64))
    text: Mapped[dict[str, Any]] = mapped_column(JSONType)
    first_used_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


class FreeTextReview(db.Model):
    """The original of a free-text answer in which redaction found personal data, kept apart
    for an administrator to review where the round asks for that (``Round.free_text_mode``).
    The response itself holds the redacted text, so reports and exports never see this one."""

    __tablename__ = "free_text_reviews"
    __table_args__ = (sa.UniqueConstraint("response_id", "question_id", name="uq_free_text_reviews_answer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id"), index=True)
    response_id: Mapped[int] = mapped_column(sa.ForeignKey("responses.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(sa.String(64))
    original: Mapped[str] = mapped_column(sa.Text)
    # What redaction found, comma separated (phone, nik, email, plate).
    kinds: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    response: Mapped[Response] = relationship()
