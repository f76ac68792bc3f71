"""Read side of paper entry: counts for the volunteer, the queue, and quality figures.

Quality figures are computed in Python from the round's forms (a round has hundreds to a
few thousand paper forms), which keeps each figure's definition readable in one place.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from survey_app import clock
from survey_app.extensions import db
from survey_app.models import (
    Correction,
    DecisionSource,
    FormStatus,
    Mode,
    PaperEntry,
    PaperForm,
    Response,
    Round,
    User,
    Village,
)
from survey_app.models.geo import code_in_scope
from survey_app.operations.paper import scoped_forms


def status_counts(user: User, round_: Round) -> dict[str, int]:
    """Forms of the round in the user's area, by status."""
    query = scoped_forms(user, round_).with_only_columns(PaperForm.status, sa.func.count()).group_by(PaperForm.status)
    counts = {status.value: 0 for status in FormStatus}
    counts.update({status.value: n for status, n in db.session.execute(query)})
    return counts


class RoundCounts(NamedTuple):
    round: Round
    counts: dict[str, int]


def rounds_with_forms(user: User) -> list[RoundCounts]:
    """Every round with paper forms in the user's area, newest first, with its counts by status."""
    rounds = db.session.scalars(sa.select(Round).order_by(Round.created_at.desc(), Round.id.desc()))
    rows = [RoundCounts(round_, status_counts(user, round_)) for round_ in rounds]
    return [row for row in rows if any(row.counts.values())]


def my_entries(user: User, round_: Round) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(PaperEntry).join(PaperForm)
        .where(PaperForm.round_id == round_.id, PaperEntry.user_id == user.id)
    ) or 0


def reconciliation_queue(user: User, round_: Round) -> list[PaperForm]:
    """Forms whose two entries differ, oldest first, in the user's area."""
    query = scoped_forms(user, round_).where(PaperForm.status == FormStatus.RECONCILIATION)
    return list(db.session.scalars(query.options(selectinload(PaperForm.village)).order_by(PaperForm.updated_at)))


@dataclass(frozen=True)
class ResponseFilters:
    """What the submissions table shows: the query string, checked by ``ResponseFilterForm``."""

    area: str = ""
    mode: str = ""
    date_from: date | None = None
    date_to: date | None = None
    status: str = ""
    flag: str = ""
    sort: str = "submitted"
    desc: bool = True


# Sort key -> columns, the response id breaking ties so pages are stable.
RESPONSE_SORTS: dict[str, tuple[sa.ColumnElement[Any], ...]] = {
    "submitted": (Response.submitted_at,),
    "village": (Village.code,),
    "mode": (Response.mode,),
    "id": (),
}


def round_responses(user: User, round_: Round, filters: ResponseFilters, *, fast_seconds: int) -> sa.Select[Any]:
    """The round's responses in the user's area that match ``filters``, in their sort. The
    default (newest first) walks ``ix_responses_round_submitted``; nothing is read per row."""
    query = (
        sa.select(Response).join(Village, Response.village_id == Village.id)
        .where(Response.round_id == round_.id, code_in_scope(Village.code, user.scope_prefixes))
        .options(selectinload(Response.village))
    )
    if filters.area:
        query = query.where(code_in_scope(Village.code, [filters.area]))
    if filters.mode:
        query = query.where(Response.mode == Mode(filters.mode))
    if filters.date_from:
        query = query.where(Response.submitted_at >= clock.day_start(filters.date_from))
    if filters.date_to:
        query = query.where(Response.submitted_at < clock.day_start(filters.date_to + timedelta(days=1)))
    if filters.status:
        deleted = Response.deleted_at.is_not(None)
        query = query.where(deleted if filters.status == "deleted" else sa.not_(deleted))
    if filters.flag == "fast":  # as the dashboard counts them: web answers under the threshold
        query = query.where(Response.mode == Mode.WEB, Response.duration_s.between(0, fast_seconds - 1))
    elif filters.flag == "straight":  # stored where the answers were written (quality.straightlined)
        query = query.where(Response.straightlined)
    elif filters.flag == "corrected":
        query = query.where(sa.exists().where(Correction.response_id == Response.id))
    direction = sa.desc if filters.desc else sa.asc
    return query.order_by(*(direction(column) for column in (*RESPONSE_SORTS[filters.sort], Response.id)))


def paper_serials(response_ids: list[int]) -> dict[int, str]:
    """Response id -> the serial of the paper form it came from (web responses have none)."""
    if not response_ids:
        return {}
    query = sa.select(PaperForm.response_id, PaperForm.serial).where(PaperForm.response_id.in_(response_ids))
    return {response_id: serial for response_id, serial in db.session.execute(query)}


@dataclass
class Quality:
    """Figures for one volunteer, or for the whole round."""

    label: str
    forms_keyed: int = 0
    fields_keyed: int = 0
    fields_compared: int = 0
    discrepancies: int = 0
    kept: int = 0  # reconciliation decisions that kept this person's value
    overruled: int = 0  # decisions that kept the other value or a typed one
    outcomes: Counter[str] = field(default_factory=Counter)

    @property
    def rate(self) -> float | None:
        """Differing fields per 1,000 compared fields."""
        return 1000 * self.discrepancies / self.fields_compared if self.fields_compared else None


@dataclass
class RoundQuality:
    total: Quality
    people: list[Quality]
    statuses: dict[str, int]


def quality(user: User, round_: Round) -> RoundQuality:
    """Per volunteer and per round: forms and fields keyed, discrepancy rate, whose value was kept."""
    forms = db.session.scalars(
        scoped_forms(user, round_).options(selectinload(PaperForm.entries), selectinload(PaperForm.decisions))
    ).all()
    total = Quality("")
    people: dict[str, Quality] = defaultdict(lambda: Quality(""))
    statuses: Counter[str] = Counter()
    for form in forms:
        statuses[form.status.value] += 1
        compared = len(form.entries) == 2
        if compared:
            total.fields_compared += form.compared_fields
            total.discrepancies += form.discrepancies
        for entry in form.entries:
            person = people[entry.keyed_by]
            person.label = entry.keyed_by
            person.forms_keyed += 1
            person.fields_keyed += entry.keyed_fields
            total.forms_keyed += 1
            total.fields_keyed += entry.keyed_fields
            if compared:
                person.fields_compared += form.compared_fields
                person.discrepancies += form.discrepancies
        for decision in form.decisions:
            total.outcomes[decision.source.value] += 1
            kept_number = {DecisionSource.FIRST: 1, DecisionSource.SECOND: 2}.get(decision.source)
            for entry in form.entries:
                if entry.number == kept_number:
                    people[entry.keyed_by].kept += 1
                else:
                    people[entry.keyed_by].overruled += 1
    return RoundQuality(total, sorted(people.values(), key=lambda q: q.label),
                        {s.value: statuses[s.value] for s in FormStatus})
