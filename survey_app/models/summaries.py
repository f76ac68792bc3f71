"""Summary sums of each round per village and area, and the villages whose sums are stale.

The report engine's area figures (district, regency and round) are sums of village sums
(``reports.tables.sums``), kept here so that a village report never reads a whole round.
Database triggers on ``responses`` (see the migration that made these tables) record every
(round, village) whose answers changed in ``summary_dirty``, whichever code path wrote them;
``survey_app.reporting.summaries`` rebuilds just those villages and their areas before a
report reads the sums. So a stored figure is either current or known to be stale, never
silently wrong.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.extensions import db
from survey_app.models._types import enum_column, utcnow


class SummaryLevel(enum.StrEnum):
    """Where a row of sums belongs; each level's sums are the sums of the level below."""

    VILLAGE = "village"
    DISTRICT = "district"
    REGENCY = "regency"
    PROVINCE = "province"
    ROUND = "round"


class PlaceSummary(db.Model):
    __tablename__ = "summaries"

    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id"), primary_key=True)
    level: Mapped[SummaryLevel] = mapped_column(enum_column(SummaryLevel), primary_key=True)
    # The village or area code; "" for the whole round.
    code: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    # The code one level up ("" under the round), so an area is rebuilt from its children.
    parent: Mapped[str] = mapped_column(sa.String(32))
    responses: Mapped[int]
    # PlaceSums.to_json(): small (a few KB), read whole, never queried inside.
    sums: Mapped[str] = mapped_column(sa.Text)
    computed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    __table_args__ = (sa.Index("ix_summaries_children", "round_id", "level", "parent"),)


class SummaryDirty(db.Model):
    """A (round, village) whose answers changed since its sums were built; written by triggers.

    ``revision`` grows with every change, so a rebuild only clears the mark it has read: a
    change that lands while the rebuild runs leaves the village marked.
    """

    __tablename__ = "summary_dirty"

    round_id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(primary_key=True)
    revision: Mapped[int] = mapped_column(default=1)


class VillageCount(db.Model):
    """How many answers a village has in a round, by mode, and when the last one came.

    Kept exact by triggers on ``responses`` (see the migration that made this table), so the
    progress dashboard reads one small row per village instead of every response of a round:
    an insert adds one, any other change to a counted column recounts the villages it touched.
    Only answers that are not deleted count. A village without answers has no row.
    """

    __tablename__ = "village_counts"

    round_id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(primary_key=True)
    web: Mapped[int] = mapped_column(default=0)
    paper: Mapped[int] = mapped_column(default=0)
    last_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))


class RetainedSums(db.Model):
    """What a village's report keeps of a round whose individual answers were deleted
    (``reports.retained.RetainedRound.to_json``): written once, never rebuilt."""

    __tablename__ = "retained_sums"

    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id"), primary_key=True)
    village_id: Mapped[int] = mapped_column(sa.ForeignKey("villages.id"), primary_key=True)
    sums: Mapped[str] = mapped_column(sa.Text)
