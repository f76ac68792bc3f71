"""The round and village a form is for, read as plain rows: one Core query per request.

Every resident post starts here, so the lookup skips the ORM (no identity map, no
relationship loading): the round's columns, the village's and the round's scope codes come
back in one round trip, one row per scope. The pages and the availability rules only read
attributes, so these rows stand in for the models.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from survey_app.models import Round, RoundScope, RoundStatus, Village

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
