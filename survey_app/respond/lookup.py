"""The round and village a form is for, read as plain rows, and what never changes about them.

The pages read the round and village with one Core query (no identity map, no relationship
loading): the round's columns, the village's and the round's scope codes come back in one
round trip, one row per scope. The pages and the availability rules only read attributes,
so these rows stand in for the models.

The JSON door, which every submission and offline replay goes through, does not read them
at all once a process has seen the pair: a round's id, questionnaire version and scope and a
village's id are fixed when they are created (nothing renames or deletes them), so they are
remembered per app, while what does change (the round's status and dates) is checked by the
INSERT itself (``operations.responses``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from survey_app.models import Round, RoundScope, RoundStatus, Village, covers

_rounds, _villages, _scopes = Round.__table__, Village.__table__, RoundScope.__table__


@dataclass(frozen=True, slots=True)
class RoundRow:
    id: int
    name: str
    slug: str
    questionnaire_key: str
    questionnaire_version: int
    status: RoundStatus
    scheduled: bool
    opens_on: date | None
    closes_on: date | None
    scope_prefixes: list[str]  # area or village codes in scope; empty means every village

    # The model's own rule on these same columns, so the form and the admin pages agree.
    status_on = Round.status_on


@dataclass(frozen=True, slots=True)
class VillageRow:
    id: int
    code: str
    name: str


_ROUND_COLUMNS = [_rounds.c[name] for name in RoundRow.__dataclass_fields__ if name != "scope_prefixes"]
_VILLAGE_COLUMNS = [_villages.c[name].label(f"village_{name}") for name in VillageRow.__dataclass_fields__]
_FIND = (
    sa.select(*_ROUND_COLUMNS, *_VILLAGE_COLUMNS, _scopes.c.code_prefix)
    .select_from(_rounds.join(_villages, sa.true()).outerjoin(_scopes, _scopes.c.round_id == _rounds.c.id))
    .where(_rounds.c.slug == sa.bindparam("round_slug"), _villages.c.code == sa.bindparam("village_code"))
    .order_by(_scopes.c.code_prefix)
)


def round_and_village(connection: Connection, round_slug: str, village_code: str) -> tuple[RoundRow, VillageRow] | None:
    """The round with this slug and the village with this code, or None if either is unknown."""
    rows = connection.execute(_FIND, {"round_slug": round_slug, "village_code": village_code}).all()
    if not rows:
        return None
    first, split = rows[0], len(_ROUND_COLUMNS)
    scopes = [row.code_prefix for row in rows if row.code_prefix is not None]
    return RoundRow(*first[:split], scope_prefixes=scopes), VillageRow(*first[split:-1])


@dataclass(frozen=True, slots=True)
class Ref:
    """A row known by its id alone (what ``insert_response`` needs of a round or village)."""

    id: int


@dataclass(frozen=True, slots=True)
class Destination:
    """What never changes about one village's form in one round: the village is in scope."""

    round: Ref
    village: Ref
    questionnaire_key: str
    questionnaire_version: int


def destination_of(round_: RoundRow, village: VillageRow) -> Destination | None:
    """The pair's fixed facts, or None when the village is outside the round's scope."""
    if not covers(round_.scope_prefixes, village.code):
        return None
    return Destination(Ref(round_.id), Ref(village.id), round_.questionnaire_key, round_.questionnaire_version)


class Destinations:
    """Destinations already read by this process, by (round slug, village code).

    Bounded: past ``limit`` pairs it starts again from empty (every village of a national
    round fits; the bound only stops a stream of made-up pairs, which are never stored
    anyway since only pairs found in the database are remembered).
    """

    def __init__(self, limit: int = 200_000) -> None:
        self.limit = limit
        self._known: dict[tuple[str, str], Destination] = {}

    def get(self, round_slug: str, village_code: str) -> Destination | None:
        return self._known.get((round_slug, village_code))

    def remember(self, round_slug: str, village_code: str, destination: Destination) -> None:
        if len(self._known) >= self.limit:
            self._known.clear()
        self._known[(round_slug, village_code)] = destination
