"""Survey rounds and the questionnaire versions they pin."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.extensions import db
from survey_app.models._types import enum_column, utcnow


class RoundStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class FreeTextMode(enum.StrEnum):
    """What happens to personal data found in a free-text answer (``questionnaire.redaction``)."""

    REDACT = "redact"  # replaced before storage; nothing else kept
    REVIEW = "review"  # replaced in the response too, the original kept apart for an administrator


class DoubleEntry(enum.StrEnum):
    """Which paper forms a second volunteer must key blind before they count."""

    OFF = "off"
    ALL = "all"
    SAMPLE = "sample"  # a random share, drawn when the first entry is saved


class SerialScope(enum.StrEnum):
    """Where a paper form's serial must be unique: villages that number their own forms from
    001 need "village"; a round printed centrally with one running number can ask for "round"."""

    VILLAGE = "village"
    ROUND = "round"


class QuestionnaireVersion(db.Model):
    """The content hash of a published questionnaire file, recorded on first use.

    A published version never changes; this row is how the app notices if its file did.
    """

    __tablename__ = "questionnaire_versions"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    path: Mapped[str] = mapped_column(sa.String(255))
    first_used_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


FREE_TEXT_MONTHS = 12
"""Free text can name people; a year after closing is enough to read it for the round's report."""
RESPONSES_MONTHS = 36
"""Individual answers for three years after closing: long enough to re-analyse the rounds a
trend compares; their sums are kept for good (``retained_sums``)."""
MAX_RETENTION_MONTHS = 240


class Round(db.Model):
    """One wave of the survey over a set of villages, on one questionnaire version."""

    __tablename__ = "rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    questionnaire_key: Mapped[str] = mapped_column(sa.String(64))
    questionnaire_version: Mapped[int]
    opens_on: Mapped[date | None] = mapped_column(default=None)
    closes_on: Mapped[date | None] = mapped_column(default=None)
    status: Mapped[RoundStatus] = mapped_column(enum_column(RoundStatus), default=RoundStatus.DRAFT)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    double_entry: Mapped[DoubleEntry] = mapped_column(
        enum_column(DoubleEntry), default=DoubleEntry.OFF, server_default=DoubleEntry.OFF.value
    )
    # Percent of paper forms drawn for a second entry when double_entry is "sample".
    double_entry_share: Mapped[int] = mapped_column(default=0, server_default="0")
    # Serials unique per village or across the round; the database enforces it either way
    # (paper_forms.serial_scope_id). Fixed once the first form is keyed.
    serial_scope: Mapped[SerialScope] = mapped_column(
        enum_column(SerialScope), default=SerialScope.VILLAGE, server_default=SerialScope.VILLAGE.value
    )
    # Follow the dates: open on opens_on, close after closes_on, without anyone clicking.
    scheduled: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Volunteers may finish keying the paper forms collected before the round closed.
    paper_after_close: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Responses wanted per village, unless the village has its own target.
    target_per_village: Mapped[int | None] = mapped_column(default=None)
    # Minimum base for this round's reports; None = the installation's MIN_N.
    min_n: Mapped[int | None] = mapped_column(default=None)
    # Reports weight respondents to the population by age band x sex (reports.weights);
    # off until population targets are imported and an administrator turns it on.
    weighted: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    free_text_mode: Mapped[FreeTextMode] = mapped_column(
        enum_column(FreeTextMode), default=FreeTextMode.REDACT, server_default=FreeTextMode.REDACT.value
    )
    # When the round stopped taking answers (closed, or its paper entry ended): the retention
    # periods count from here (``operations.retention``).
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), default=None)
    # Months after closing that free-text answers, then individual responses, are kept.
    free_text_months: Mapped[int] = mapped_column(default=FREE_TEXT_MONTHS, server_default=str(FREE_TEXT_MONTHS))
    responses_months: Mapped[int] = mapped_column(default=RESPONSES_MONTHS, server_default=str(RESPONSES_MONTHS))
    # An administrator confirmed in the console that what is due by this day may be deleted.
    retention_confirmed_on: Mapped[date | None] = mapped_column(default=None)
    free_text_purged_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), default=None)
    # Set once the responses are deleted: the round's figures come from ``retained_sums``.
    responses_purged_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), default=None)

    def serial_scope_id(self, village_id: int) -> int:
        """The part of a form's key that decides where its serial must be unique."""
        return village_id if self.serial_scope is SerialScope.VILLAGE else 0

    scopes: Mapped[list[RoundScope]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="RoundScope.code_prefix"
    )

    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["questionnaire_key", "questionnaire_version"],
            ["questionnaire_versions.key", "questionnaire_versions.version"],
        ),
        sa.CheckConstraint("closes_on IS NULL OR opens_on IS NULL OR closes_on >= opens_on", name="dates_ordered"),
        sa.CheckConstraint("double_entry_share BETWEEN 0 AND 100", name="double_entry_share_percent"),
        sa.CheckConstraint("target_per_village IS NULL OR target_per_village > 0", name="target_positive"),
        sa.CheckConstraint("min_n IS NULL OR min_n > 0", name="min_n_positive"),
    )

    @property
    def questionnaire_ref(self) -> str:
        return f"{self.questionnaire_key}@{self.questionnaire_version}"

    @property
    def scope_prefixes(self) -> list[str]:
        """Area or village codes in scope; empty means every village."""
        return [scope.code_prefix for scope in self.scopes]

    def status_on(self, today: date) -> RoundStatus:
        """The status as of ``today``: a scheduled round follows its dates, others their button."""
        if self.scheduled and self.status is not RoundStatus.CLOSED:
            if self.closes_on is not None and today > self.closes_on:
                return RoundStatus.CLOSED
            if self.opens_on is not None and today >= self.opens_on:
                return RoundStatus.OPEN
        return self.status

    def takes_paper(self, today: date) -> bool:
        """Open rounds take paper entry; closed ones only while paper may finish."""
        status = self.status_on(today)
        return status is RoundStatus.OPEN or (status is RoundStatus.CLOSED and self.paper_after_close)

    def __repr__(self) -> str:
        return f"<Round {self.name} {self.status}>"


class RoundScope(db.Model):
    """An area (or village) code whose villages are in a round."""

    __tablename__ = "round_scopes"

    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    code_prefix: Mapped[str] = mapped_column(sa.String(16), primary_key=True)

    round: Mapped[Round] = relationship(back_populates="scopes")
