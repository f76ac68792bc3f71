"""Read-side queries for the round pages: one set-based query per table shown."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from survey_app import questionnaires
from survey_app.extensions import db
from survey_app.models import Mode, Response, Round, User, Village
from survey_app.posters import form_url, round_villages_query
from survey_app.questionnaire import VersionDiff


@dataclass(frozen=True)
class RoundRow:
    round: Round
    web: int
    paper: int

    @property
    def total(self) -> int:
        return self.web + self.paper


def _counts_by_round() -> sa.Subquery:
    return (
        sa.select(
            Response.round_id,
            sa.func.count().filter(Response.mode == Mode.WEB).label("web"),
            sa.func.count().filter(Response.mode == Mode.PAPER).label("paper"),
        )
        .where(Response.deleted_at.is_(None))
        .group_by(Response.round_id)
        .subquery()
    )


def round_overview() -> list[RoundRow]:
    """Every round with its response counts by mode, newest first."""
    counts = _counts_by_round()
    rows = db.session.execute(
        sa.select(Round, sa.func.coalesce(counts.c.web, 0), sa.func.coalesce(counts.c.paper, 0))
        .outerjoin(counts, counts.c.round_id == Round.id)
        .order_by(Round.created_at.desc(), Round.id.desc())
    ).all()
    return [RoundRow(round_, web, paper) for round_, web, paper in rows]


def round_counts(round_: Round) -> RoundRow:
    """One round's responses so far, by mode."""
    counts = _counts_by_round()
    web, paper = db.session.execute(
        sa.select(sa.func.coalesce(counts.c.web, 0), sa.func.coalesce(counts.c.paper, 0))
        .select_from(Round).outerjoin(counts, counts.c.round_id == Round.id).where(Round.id == round_.id)
    ).one()
    return RoundRow(round_, web, paper)


def round_by_slug(slug: str) -> Round:
    """The round, or 404."""
    return db.first_or_404(sa.select(Round).where(Round.slug == slug))


def previous_round(round_: Round) -> Round | None:
    """The latest round of the same questionnaire created before this one: what trends join to."""
    return db.session.scalar(
        sa.select(Round)
        .where(Round.questionnaire_key == round_.questionnaire_key, Round.id != round_.id,
               sa.or_(Round.created_at < round_.created_at,
                      sa.and_(Round.created_at == round_.created_at, Round.id < round_.id)))
        .order_by(Round.created_at.desc(), Round.id.desc())
        .limit(1)
    )


def version_changes(previous: Round | None, round_: Round) -> VersionDiff | None:
    """Question by question, how this round's version relates to the previous round's."""
    if previous is None or previous.questionnaire_version > round_.questionnaire_version:
        return None
    return questionnaires.catalog().diff(round_.questionnaire_key, previous.questionnaire_version,
                                         round_.questionnaire_version)


def round_villages_in_scope(round_: Round, user: User, area: str | None = None,
                            limit: int | None = None) -> list[Village]:
    """Villages of the round the user may see (within ``area`` if given), by code, at most ``limit``."""
    query = round_villages_query(round_, user.scope_prefixes, [area] if area else [])
    return list(db.session.scalars(query.limit(limit)))


def count_round_villages(round_: Round, user: User, area: str | None = None) -> int:
    """How many villages ``round_villages_in_scope`` would return, counted in the database."""
    query = round_villages_query(round_, user.scope_prefixes, [area] if area else [])
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())) or 0


@dataclass(frozen=True)
class LinkRow:
    code: str
    name: str
    district: str
    regency: str
    url: str


def link_rows(round_: Round, villages: list[Village]) -> list[LinkRow]:
    """The public form address of each village, as printed on its poster."""
    base = current_app.config["PUBLIC_BASE_URL"]
    return [
        LinkRow(v.code, v.name, v.district.name, v.district.parent.name if v.district.parent else "",
                form_url(base, round_, v))
        for v in villages
    ]
