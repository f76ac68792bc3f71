"""Long report work done on the task queue: what was asked, by whom, how far it got, where the
result lies and until when.

The queue itself (Huey) carries only a job's id; everything people see lives in this row, so
any web worker can show a job's progress and any queue worker can run it.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.extensions import db
from survey_app.models._types import JSONType, enum_column, utcnow
from survey_app.models.rounds import Round
from survey_app.models.users import User


class JobKind(enum.StrEnum):
    AREA_ZIP = "area_zip"
    OVERVIEW = "overview"
    RESPONSES = "responses"
    BUILD = "build"  # workbooks written to a folder, in chunks over every running worker (CLI)


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    EXPIRED = "expired"  # done, and its file deleted after RESULT_HOURS


FINISHED = (JobStatus.DONE, JobStatus.FAILED, JobStatus.EXPIRED)


class Job(db.Model):
    __tablename__ = "jobs"

    # secrets.token_hex(16): the id is in the job page's address, so it is not guessable.
    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    kind: Mapped[JobKind] = mapped_column(enum_column(JobKind))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(sa.String(254))  # the user's e-mail, or "cli"
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id"))
    area_code: Mapped[str | None] = mapped_column(sa.String(32))
    # What to build: language, free text, labels, format, min_n, output folder.
    params: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    status: Mapped[JobStatus] = mapped_column(enum_column(JobStatus), default=JobStatus.QUEUED)
    total: Mapped[int] = mapped_column(default=0)  # villages (or rows) to do
    done: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(sa.Text)
    # File name inside RESULTS_DIR, and the name the user downloads it under.
    result_file: Mapped[str | None] = mapped_column(sa.String(64))
    download_name: Mapped[str | None] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    # Moved on by the worker while it runs: a running job whose heartbeat stopped was killed.
    heartbeat_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    user: Mapped[User | None] = relationship()
    round: Mapped[Round] = relationship()

    __table_args__ = (sa.Index("ix_jobs_user_created", "user_id", "created_at"),)

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def percent(self) -> int:
        """Share of the work done (failed villages count as done), 0-100."""
        if self.status is JobStatus.DONE:
            return 100
        return int(100 * (self.done + self.failed) / self.total) if self.total else 0
