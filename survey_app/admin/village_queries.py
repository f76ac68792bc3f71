"""Read side of the villages pages: browsing the area tree within a user's scope, and search.

A coordinator limited to ``32.73.01`` must still be able to walk Jawa Barat > Kota Bandung
to reach Sukasari, so an area is visible when it lies in the scope *or* contains part of
it; villages are visible only within the scope. Village counts follow the same rule (the
villages the user can see) and come from one grouped query per page, never one per area.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination

from survey_app.extensions import db
from survey_app.models import Area, User, Village, code_in_scope, covers

PER_PAGE = 50
MAX_AREA_MATCHES = 50  # search shows areas as shortcuts; villages are what gets paged


def ancestors(code: str) -> list[str]:
    """The codes of the areas containing ``code``, outermost first (32.73.01 -> 32, 32.73)."""
    parts = code.split(".")
    return [".".join(parts[:depth]) for depth in range(1, len(parts))]


def area_visible(user: User, code: str) -> bool:
    """True when the area lies in the user's scope or is on the way to it."""
    prefixes = user.scope_prefixes
    return covers(prefixes, code) or any(code in ancestors(prefix) for prefix in prefixes)


def visible_areas(user: User) -> sa.ColumnElement[bool]:
    """SQL condition on ``Area.code`` matching ``area_visible``."""
    prefixes = user.scope_prefixes
    on_the_way = sorted({code for prefix in prefixes for code in ancestors(prefix)})
    return sa.or_(code_in_scope(Area.code, prefixes), Area.code.in_(on_the_way))


def breadcrumbs(code: str) -> list[Area]:
    """``code``'s area and the areas containing it, outermost first, in one query."""
    codes = [*ancestors(code), code]
    areas = db.session.scalars(sa.select(Area).where(Area.code.in_(codes))).all()
    return sorted(areas, key=lambda area: len(area.code))


def village_counts(user: User, codes: list[str]) -> dict[str, int]:
    """Villages the user may see below each area code, in one statement.

    Codes nest, so an area's villages are those whose code starts with it: group villages by
    their first 2, 5 or 8 characters (province, regency, district), one branch per length.
    """
    by_length: dict[int, list[str]] = {}
    for code in codes:
        by_length.setdefault(len(code), []).append(code)
    if not by_length:
        return {}
    branches = []
    for length, wanted in sorted(by_length.items()):
        prefix = sa.func.substr(Village.code, 1, length)
        branches.append(
            sa.select(prefix.label("code"), sa.func.count().label("n"))
            .where(prefix.in_(wanted), code_in_scope(Village.code, user.scope_prefixes))
            .group_by(prefix)
        )
    statement = branches[0] if len(branches) == 1 else sa.union_all(*branches)
    return {code: n for code, n in db.session.execute(statement).tuples()}


@dataclass(frozen=True)
class AreaRow:
    area: Area
    villages: int


def with_counts(user: User, areas: list[Area]) -> list[AreaRow]:
    counts = village_counts(user, [area.code for area in areas])
    return [AreaRow(area, counts.get(area.code, 0)) for area in areas]


def child_areas(user: User, parent: Area | None, page: int) -> Pagination:
    """The visible areas directly below ``parent`` (provinces when None), 50 a page."""
    where = Area.parent_code.is_(None) if parent is None else Area.parent_code == parent.code
    query = sa.select(Area).where(where, visible_areas(user)).order_by(Area.code)
    return db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)


def district_villages(user: User, district: Area, page: int) -> Pagination:
    """The villages of a district the user may see, 50 a page."""
    query = (
        sa.select(Village)
        .where(Village.district_code == district.code, code_in_scope(Village.code, user.scope_prefixes))
        .order_by(Village.code)
    )
    return db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)


def search_villages(user: User, text: str, within: str | None, page: int) -> Pagination:
    """Villages whose name or code matches, or whose district, regency or province name does."""
    text = text.strip()
    matching_areas = sa.select(Area.code).where(Area.name.icontains(text, autoescape=True))
    query = (
        sa.select(Village)
        .where(
            sa.or_(
                Village.name.icontains(text, autoescape=True),
                Village.code.startswith(text, autoescape=True),
                Village.district_code.in_(matching_areas),
                sa.func.substr(Village.code, 1, 5).in_(matching_areas),
                sa.func.substr(Village.code, 1, 2).in_(matching_areas),
            ),
            code_in_scope(Village.code, user.scope_prefixes),
            code_in_scope(Village.code, [within] if within else []),
        )
        .order_by(Village.code)
    )
    return db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)


def search_areas(user: User, text: str, within: str | None) -> list[Area]:
    """Areas whose name or code matches, as shortcuts to browse from."""
    text = text.strip()
    query = (
        sa.select(Area)
        .where(
            sa.or_(Area.name.icontains(text, autoescape=True), Area.code.startswith(text, autoescape=True)),
            visible_areas(user),
            code_in_scope(Area.code, [within] if within else []),
        )
        .order_by(Area.code)
        .limit(MAX_AREA_MATCHES)
    )
    return list(db.session.scalars(query))


def district_names(codes: set[str]) -> dict[str, Area]:
    """The districts of a page of search results, to show where each village lies."""
    if not codes:
        return {}
    return {area.code: area for area in db.session.scalars(sa.select(Area).where(Area.code.in_(codes)))}
