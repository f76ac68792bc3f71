"""Intermediate goals: a target for one indicator in an area by one round. A goal is never
edited: setting it again for the same indicator, area and round supersedes the old one, which
is kept, so the history of what was promised stays readable."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey_app.extensions import db
from survey_app.models._types import utcnow
from survey_app.models.rounds import Round


class Goal(db.Model):
    __tablename__ = "goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id"), index=True)
    area_code: Mapped[str] = mapped_column(sa.String(32))
    indicator: Mapped[str] = mapped_column(sa.String(64))
    # "level": the figure reaches ``target``; "change": it rises by ``target`` points from
    # ``baseline_round`` ("+10 over two rounds"), or from the previous comparable round.
    kind: Mapped[str] = mapped_column(sa.String(8))
    target: Mapped[float]
    baseline_round_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rounds.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(sa.String(255))
    superseded_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True), default=None)

    round: Mapped[Round] = relationship(foreign_keys=[round_id])
    baseline_round: Mapped[Round | None] = relationship(foreign_keys=[baseline_round_id])
