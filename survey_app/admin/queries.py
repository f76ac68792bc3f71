"""Read-side queries for the console: one set-based query per table shown."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import Mode, Response, Round


@dataclass(frozen=True)
class RoundRow:
    round: Round
    web: int
    paper: int

    @property
    def total(self) -> int:
        return self.web + self.paper


def round_overview() -> list[RoundRow]:
    """Every round with its response counts by mode, newest first."""
    counts = (
        sa.select(
            Response.round_id,
            sa.func.count().filter(Response.mode == Mode.WEB).label("web"),
            sa.func.count().filter(Response.mode == Mode.PAPER).label("paper"),
        )
        .where(Response.deleted_at.is_(None))
        .group_by(Response.round_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Round, sa.func.coalesce(counts.c.web, 0), sa.func.coalesce(counts.c.paper, 0))
        .outerjoin(counts, counts.c.round_id == Round.id)
        .order_by(Round.created_at.desc(), Round.id.desc())
    ).all()
    return [RoundRow(round_, web, paper) for round_, web, paper in rows]
