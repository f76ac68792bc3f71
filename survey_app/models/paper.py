"""Paper questionnaires keyed in by volunteers, before they become responses.

A paper form is identified by its serial within a round. Each keying of it is a
``PaperEntry``; only when the form is final (a single entry where no second is needed,
two matching entries, or a coordinator's reconciliation) is a ``Response`` written, so
reports never see unverified data. Corrections to stored responses keep their history.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.extensions import db
from survey_app.models._types import JSONType, enum_column, utcnow
from survey_app.models.geo import Village
from survey_app.models.responses import Response
from survey_app.models.rounds import Round
from survey_app.models.users import User


class FormStatus(enum.StrEnum):
    """Where a paper form stands; SINGLE, VERIFIED and RESOLVED forms have a response."""

    AWAITING_SECOND = "awaiting_second"
    RECONCILIATION = "reconciliation"
    VERIFIED = "verified"
    RESOLVED = "resolved"
    SINGLE = "single"


FINAL_STATUSES = frozenset({FormStatus.SINGLE, FormStatus.VERIFIED, FormStatus.RESOLVED})


class EntrySource(enum.StrEnum):
    SCREEN = "screen"
    UPLOAD = "upload"


class PaperForm(db.Model):
    """One paper questionnaire, known by the serial written on it."""

    __tablename__ = "paper_forms"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id"))
    village_id: Mapped[int] = mapped_column(sa.ForeignKey("villages.id"), index=True)
    serial: Mapped[str] = mapped_column(sa.String(32))
    # The village's id when the round's serials are unique per village, 0 when round-wide
    # (Round.serial_scope_id): one unique constraint serves both settings.
    serial_scope_id: Mapped[int] = mapped_column(default=0, server_default="0")
    # The header as agreed: from the first entry, or as reconciled.
    interview_date: Mapped[date | None] = mapped_column(default=None)
    interviewer_code: Mapped[str | None] = mapped_column(sa.String(32), default=None)
    # The consent text the resident agreed to, by the box ticked on the paper: the one printed
    # on the form (``PrintedSerial.consent_hash``), else the questionnaire's when keyed. NULL
    # where the questionnaire asked no consent. Passed on to the response.
    consent_hash: Mapped[str | None] = mapped_column(sa.String(64), default=None)
    status: Mapped[FormStatus] = mapped_column(enum_column(FormStatus))
    # Decided once, when the first entry is saved (a random draw for "sample" rounds).
    needs_second: Mapped[bool]
    # Fields compared between the two entries and how many differed (quality figures).
    compared_fields: Mapped[int] = mapped_column(default=0)
    discrepancies: Mapped[int] = mapped_column(default=0)
    response_id: Mapped[int | None] = mapped_column(sa.ForeignKey("responses.id"), default=None, unique=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    round: Mapped[Round] = relationship()
    village: Mapped[Village] = relationship()
    response: Mapped[Response | None] = relationship()
    entries: Mapped[list[PaperEntry]] = relationship(
        back_populates="form", order_by="PaperEntry.number", cascade="all, delete-orphan"
    )
    decisions: Mapped[list[ReconciliationDecision]] = relationship(
        back_populates="form", order_by="ReconciliationDecision.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.UniqueConstraint("round_id", "serial_scope_id", "serial", name="uq_paper_forms_round_scope_serial"),
        # The dashboard's waiting forms per village: the round's, in village order, from the index.
        sa.Index("ix_paper_forms_round_village", "round_id", "village_id", "status"),
    )

    def entry(self, number: int) -> PaperEntry | None:
        """The first (1) or second (2) entry, if keyed."""
        return next((e for e in self.entries if e.number == number), None)

    def __repr__(self) -> str:
        return f"<PaperForm {self.serial} {self.status}>"


class PaperEntry(db.Model):
    """One volunteer's keying of a paper form: the header and the cleaned answers."""

    __tablename__ = "paper_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(sa.ForeignKey("paper_forms.id", ondelete="CASCADE"))
    number: Mapped[int]
    # NULL when imported from the command line without --as: no person to keep apart.
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), default=None, index=True)
    keyed_by: Mapped[str] = mapped_column(sa.String(254))
    source: Mapped[EntrySource] = mapped_column(enum_column(EntrySource))
    interview_date: Mapped[date | None] = mapped_column(default=None)
    interviewer_code: Mapped[str | None] = mapped_column(sa.String(32), default=None)
    answers: Mapped[dict[str, Any]] = mapped_column(JSONType)
    # Question ids keyed as "left blank on paper": missing on purpose, not forgotten.
    blank_fields: Mapped[list[str]] = mapped_column(JSONType, default=list)
    keyed_fields: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    form: Mapped[PaperForm] = relationship(back_populates="entries")
    user: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("form_id", "number", name="uq_paper_entries_form_number"),
        sa.CheckConstraint("number IN (1, 2)", name="entry_number"),
    )


class DecisionSource(enum.StrEnum):
    """Whose value a coordinator kept for a differing field."""

    FIRST = "first"
    SECOND = "second"
    TYPED = "typed"


class ReconciliationDecision(db.Model):
    """A coordinator's decision on one field where the two entries differ."""

    __tablename__ = "reconciliation_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(sa.ForeignKey("paper_forms.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(sa.String(64))
    source: Mapped[DecisionSource] = mapped_column(enum_column(DecisionSource))
    # The kept value as stored in answers (None = left blank on paper / not asked).
    value: Mapped[Any] = mapped_column(JSONType, nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), default=None)
    decided_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    form: Mapped[PaperForm] = relationship(back_populates="decisions")
    decided_by: Mapped[User | None] = relationship()


class Correction(db.Model):
    """One changed answer of a stored response: who, what, old and new value, when, why."""

    __tablename__ = "response_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(sa.ForeignKey("responses.id"), index=True)
    question_id: Mapped[str] = mapped_column(sa.String(64))
    old_value: Mapped[Any] = mapped_column(JSONType, nullable=True)
    new_value: Mapped[Any] = mapped_column(JSONType, nullable=True)
    reason: Mapped[str] = mapped_column(sa.String(500))
    corrected_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), default=None)
    corrected_by: Mapped[str] = mapped_column(sa.String(254))
    corrected_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    response: Mapped[Response] = relationship()


class PrintedSerial(db.Model):
    """A serial printed on a paper form by the platform, reserved so no two print runs hand out
    the same one, and so the entry screen tells "printed, not yet keyed" from "unknown"."""

    __tablename__ = "printed_serials"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "serial", name="uq_printed_serials_round_serial"),
        sa.UniqueConstraint("round_id", "village_id", "number", name="uq_printed_serials_running_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id"))
    village_id: Mapped[int] = mapped_column(sa.ForeignKey("villages.id"))
    # The village's running number in the round; the serial is "<village code>-<number:04>".
    number: Mapped[int]
    serial: Mapped[str] = mapped_column(sa.String(32))
    printed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    printed_by: Mapped[str] = mapped_column(sa.String(255))
    # The consent text printed on the form (``consent_texts``); NULL when none was asked.
    consent_hash: Mapped[str | None] = mapped_column(sa.String(64), default=None)

    village: Mapped[Village] = relationship()
