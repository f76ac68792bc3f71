"""Read side of the progress dashboard: per-village counts, area totals and quality inputs.

Everything is read with SQLAlchemy Core on a connection the caller opens inside
``read_only()``, so the dashboard never queues behind an open round's writers. The
per-village table joins villages and their areas to the answer counts the triggers keep in
``village_counts`` and, in subqueries, to the very fast answers and the waiting paper forms.
A page is two statements over it: the sums per district of the whole filter (rolled up to
regencies and the grand total in Python, a few hundred rows at most), and the page's rows in
the requested order. No query runs per village, and none reads every response of a round.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from reports.export import ResponseTable, Value
from survey_app import clock
from survey_app.models import Area, FormStatus, Mode, PaperForm, Response, Village, VillageCount, code_in_scope
from survey_app.models._types import as_utc
from survey_app.quality import ResponseRow, VillageQuality

PAGE_SIZE = 50

DISTRICT = aliased(Area, name="district")
REGENCY = aliased(Area, name="regency")


@dataclass(frozen=True)
class Filters:
    """What the coordinator asked for: area selects, a search and one sort column."""

    regency: str = ""
    district: str = ""
    q: str = ""
    sort: str = "code"
    desc: bool = False

    @property
    def narrows(self) -> bool:
        """Whether some villages in reach are left out (the sort leaves every one in)."""
        return bool(self.regency or self.district or self.q)


@dataclass(frozen=True)
class Scope:
    """Whose villages: the round's (``round_prefixes``) as far as the user's reach."""

    round_id: int
    round_prefixes: Sequence[str]
    user_prefixes: Sequence[str]
    default_target: int | None
    fast_seconds: int


@dataclass(frozen=True)
class VillageRow:
    village_id: int
    regency_code: str
    regency_name: str
    district_code: str
    district_name: str
    village_code: str
    village_name: str
    web: int
    paper: int
    total: int
    fast: int
    awaiting_second: int
    reconciliation: int
    target: int | None
    reached: float | None
    last_at: datetime | None


_ROW_FIELDS = tuple(f.name for f in fields(VillageRow))
_OWN_FIELDS = _ROW_FIELDS[_ROW_FIELDS.index("village_code"):]
"""A village row's own columns, after its place."""


@dataclass
class Totals:
    """Sums over a group of villages; ``reached`` counts only villages that have a target."""

    code: str = ""
    name: str = ""
    villages: int = 0
    web: int = 0
    paper: int = 0
    total: int = 0
    fast: int = 0
    awaiting_second: int = 0
    reconciliation: int = 0
    target: int = 0
    total_with_target: int = 0
    villages_at_target: int = 0
    last_at: datetime | None = None
    children: list[Totals] = field(default_factory=list, repr=False)

    @property
    def reached(self) -> float | None:
        return self.total_with_target * 100.0 / self.target if self.target else None

    @classmethod
    def from_sums(cls, code: str, name: str, sums: Sequence[Any], last_at: datetime | None) -> Totals:
        """A group from the sums of a totals row, in ``_SUMMED`` order."""
        totals = cls(code, name, last_at=as_utc(last_at))
        for field_name, value in zip(_SUMMED, sums, strict=True):
            setattr(totals, field_name, int(value or 0))
        return totals

    @classmethod
    def of(cls, code: str, name: str, parts: list[Totals]) -> Totals:
        """The sums of ``parts`` (districts of a regency, or regencies), which it keeps as children."""
        times = [part.last_at for part in parts if part.last_at is not None]
        totals = cls.from_sums(code, name, [sum(getattr(part, field) for part in parts) for field in _SUMMED],
                               max(times, default=None))
        totals.children = parts
        return totals


_SUMMED = tuple(f.name for f in fields(Totals) if f.type == "int")


@dataclass(frozen=True)
class Page:
    rows: list[VillageRow]
    number: int
    pages: int
    grand: Totals
    regencies: dict[str, Totals]
    districts: dict[str, Totals]


# --- the query -----------------------------------------------------------------------------------


def _fast_counts(scope: Scope, only: Sequence[int] | None = None) -> sa.Subquery:
    """Very fast web answers per village: a range scan of ``ix_responses_fast``, since they are
    few. The range is closed on both ends (durations are never negative): with only an upper
    bound SQLite guessed a quarter of the round and read all of it in village order instead."""
    return (
        sa.select(Response.village_id, sa.func.count().label("fast"))
        .where(Response.round_id == scope.round_id, Response.mode == Mode.WEB,
               Response.duration_s.between(0, scope.fast_seconds - 1), Response.deleted_at.is_(None),
               *_among(Response.village_id, only))
        .group_by(Response.village_id)
        .subquery("fast_counts")
    )


def _paper_counts(scope: Scope, only: Sequence[int] | None = None) -> sa.Subquery:
    return (
        sa.select(
            PaperForm.village_id,
            sa.func.count().filter(PaperForm.status == FormStatus.AWAITING_SECOND).label("awaiting_second"),
            sa.func.count().filter(PaperForm.status == FormStatus.RECONCILIATION).label("reconciliation"),
        )
        .where(
            PaperForm.round_id == scope.round_id,
            PaperForm.status.in_([FormStatus.AWAITING_SECOND, FormStatus.RECONCILIATION]),
            *_among(PaperForm.village_id, only),
        )
        .group_by(PaperForm.village_id)
        .subquery("paper_counts")
    )


def _among(column: Any, only: Sequence[int] | None) -> list[sa.ColumnElement[bool]]:
    return [] if only is None else [column.in_(list(only))]


def village_condition(scope: Scope, filters: Filters) -> sa.ColumnElement[bool]:
    """Villages in the round, the user's reach, the chosen areas and matching the search."""
    conditions = [code_in_scope(Village.code, list(scope.round_prefixes)),
                  code_in_scope(Village.code, list(scope.user_prefixes))]
    if filters.regency:
        conditions.append(code_in_scope(Village.code, [filters.regency]))
    if filters.district:
        conditions.append(Village.district_code == filters.district)
    if filters.q:
        conditions.append(sa.or_(
            sa.func.lower(Village.name).contains(filters.q.lower(), autoescape=True),
            Village.code.startswith(filters.q, autoescape=True),
        ))
    return sa.and_(*conditions)


def _counted(scope: Scope, filters: Filters, only: Sequence[int] | None = None) -> sa.Select[Any]:
    """One row per village matching ``filters`` (and among the ids ``only``): its
    district, counts, target and last response. No area names: the district totals add these
    rows up before naming districts."""
    counts = (sa.select(VillageCount).where(VillageCount.round_id == scope.round_id)
              .subquery("village_counts"))
    fast, paper = _fast_counts(scope, only), _paper_counts(scope, only)
    web, paper_answers = sa.func.coalesce(counts.c.web, 0), sa.func.coalesce(counts.c.paper, 0)
    total = web + paper_answers
    target = sa.func.coalesce(Village.target_n, scope.default_target) if scope.default_target else Village.target_n
    return (
        sa.select(
            Village.id.label("village_id"),
            Village.district_code.label("district_code"),
            Village.code.label("village_code"),
            Village.name.label("village_name"),
            web.label("web"),
            paper_answers.label("paper"),
            total.label("total"),
            sa.func.coalesce(fast.c.fast, 0).label("fast"),
            sa.func.coalesce(paper.c.awaiting_second, 0).label("awaiting_second"),
            sa.func.coalesce(paper.c.reconciliation, 0).label("reconciliation"),
            target.label("target"),
            (total * 100.0 / sa.func.nullif(target, 0)).label("reached"),
            counts.c.last_at.label("last_at"),
        )
        .outerjoin(counts, counts.c.village_id == Village.id)
        .outerjoin(fast, fast.c.village_id == Village.id)
        .outerjoin(paper, paper.c.village_id == Village.id)
        .where(village_condition(scope, filters), *_among(Village.id, only))
    )


def table(scope: Scope, filters: Filters, only: Sequence[int] | None = None) -> sa.Select[Any]:
    """One row per village matching ``filters`` (and ``only``): its place, counts, target and
    last response."""
    counted = _counted(scope, filters, only).subquery("counted")
    return (
        sa.select(
            counted.c.village_id,
            REGENCY.code.label("regency_code"),
            REGENCY.name.label("regency_name"),
            DISTRICT.code.label("district_code"),
            DISTRICT.name.label("district_name"),
            *(counted.c[name] for name in _OWN_FIELDS),
        )
        .join(DISTRICT, DISTRICT.code == counted.c.district_code)
        .join(REGENCY, REGENCY.code == DISTRICT.parent_code)
    )


# Sort key -> columns of ``table``; the village code always breaks ties so pages are stable.
SORTS: dict[str, tuple[str, ...]] = {
    "regency": ("regency_name", "regency_code", "district_name", "district_code"),
    "district": ("district_name", "district_code"),
    "code": (),
    "name": ("village_name",),
    "web": ("web",),
    "paper": ("paper",),
    "total": ("total",),
    "awaiting_second": ("awaiting_second",),
    "reconciliation": ("reconciliation",),
    "target": ("target",),
    "reached": ("reached",),
    "last_at": ("last_at",),
    "fast": ("fast",),
}


def _order(progress: sa.Subquery, filters: Filters) -> list[sa.ColumnElement[Any]]:
    columns = [progress.c[name] for name in SORTS.get(filters.sort, ())] + [progress.c.village_code]
    direction = sa.desc if filters.desc else sa.asc
    # Villages without a target or a response sort last either way.
    return [direction(column).nulls_last() for column in columns]


def _village_row(row: sa.Row[Any]) -> VillageRow:
    values = {name: row._mapping[name] for name in _ROW_FIELDS}
    values["reached"] = None if values["reached"] is None else float(values["reached"])  # Decimal on PostgreSQL
    values["last_at"] = as_utc(values["last_at"])
    return VillageRow(**values)


_OWN_SORTS = {"code": (), "name": ("name",)}
"""Sorts by the villages' own columns: their page can be picked before anything is counted."""
_NAMED_SORTS = ("regency", "district")
"""Sorts by area names: their page is picked from the whole table, names joined."""


def _page_of(scope: Scope, filters: Filters, limit: int, offset: int) -> sa.Select[Any] | None:
    """The ids of the page's villages, picked with no more joins than the sort needs: by code
    or name from the villages alone, by a count from the counts without the areas' names."""
    direction = sa.desc if filters.desc else sa.asc
    if filters.sort in _OWN_SORTS:
        keys = [*(Village.__table__.c[name] for name in _OWN_SORTS[filters.sort]), Village.code]
        return (sa.select(Village.id).where(village_condition(scope, filters))
                .order_by(*(direction(key) for key in keys)).limit(limit).offset(offset))
    if filters.sort in _NAMED_SORTS:
        return None
    counted = _counted(scope, filters).subquery("sorted")
    return sa.select(counted.c.village_id).order_by(*_order(counted, filters)).limit(limit).offset(offset)


def village_rows(connection: sa.Connection, scope: Scope, filters: Filters,
                 limit: int | None = None, offset: int = 0) -> list[VillageRow]:
    """The sorted rows, a page of them (``limit``/``offset``) or all.

    A page's villages are picked first (``_page_of``, one statement), then only they are
    counted and named in full: otherwise every village's whole row of a national round was
    built before fifty were kept. The ids are passed as values, not as a subquery, which
    each of the three places that use them would have sorted again."""
    picked = None if limit is None else _page_of(scope, filters, limit, offset)
    only = None
    if picked is not None:
        only = connection.execute(picked).scalars().all()
        limit, offset = None, 0
    progress = table(scope, filters, only).subquery("progress")
    query = sa.select(progress).order_by(*_order(progress, filters)).limit(limit).offset(offset)
    return [_village_row(row) for row in connection.execute(query)]


def iter_village_rows(connection: sa.Connection, scope: Scope, filters: Filters) -> Iterator[VillageRow]:
    """All sorted rows (the CSV), streamed."""
    progress = table(scope, filters).subquery("progress")
    for row in connection.execute(sa.select(progress).order_by(*_order(progress, filters))):
        yield _village_row(row)


def _district_totals(scope: Scope, filters: Filters, districts: Sequence[str] | None = None) -> sa.Select[Any]:
    """Sums per district over every village matching ``filters`` (in ``districts`` only, when
    given), then the district's and its regency's names: grouped before the areas are joined,
    so a national round joins 7,000 districts, not 84,000 villages, to their names."""
    counted = _counted(scope, filters)
    if districts is not None:
        counted = counted.where(Village.district_code.in_(list(districts)))
    c = counted.subquery("counted").c
    with_target = c.target.is_not(None)
    sums = sa.select(
        c.district_code,
        sa.func.count().label("villages"),
        sa.func.sum(c.web).label("web"),
        sa.func.sum(c.paper).label("paper"),
        sa.func.sum(c.total).label("total"),
        sa.func.sum(c.fast).label("fast"),
        sa.func.sum(c.awaiting_second).label("awaiting_second"),
        sa.func.sum(c.reconciliation).label("reconciliation"),
        sa.func.sum(c.target).label("target"),
        sa.func.sum(sa.case((with_target, c.total), else_=0)).label("total_with_target"),
        sa.func.sum(sa.case((sa.and_(with_target, c.total >= c.target), 1), else_=0)).label("villages_at_target"),
        sa.func.max(c.last_at).label("last_at"),
    ).group_by(c.district_code).subquery("sums")
    return (
        sa.select(REGENCY.code.label("regency_code"), REGENCY.name.label("regency_name"),
                  DISTRICT.code.label("district_code"), DISTRICT.name.label("district_name"),
                  *(sums.c[name] for name in (*_SUMMED, "last_at")))
        .join(DISTRICT, DISTRICT.code == sums.c.district_code)
        .join(REGENCY, REGENCY.code == DISTRICT.parent_code)
    )


def _regency_totals(scope: Scope, filters: Filters) -> sa.Select[Any]:
    """Sums per regency over every village matching ``filters``: the district sums added up
    in the database, so a national round hands back 514 rows instead of 7,000."""
    d = _district_totals(scope, filters).subquery("districts").c
    return sa.select(
        d.regency_code, d.regency_name, *(sa.func.sum(d[name]).label(name) for name in _SUMMED),
        sa.func.max(d.last_at).label("last_at"),
    ).group_by(d.regency_code, d.regency_name)


def page(connection: sa.Connection, scope: Scope, filters: Filters, number: int, size: int | None = None) -> Page:
    """Page ``number`` (1-based, clamped to the last) with the totals of the whole filter.

    The totals read the kept counts, never the responses, so they do not grow with the
    round's answers. Within one regency or district every district's sums are shown, so they
    are all read and rolled up here. Otherwise only the regencies' sums are shown, summed in
    the database, plus the sums of the districts on the page (for their header rows).
    """
    size = size or PAGE_SIZE
    narrow = bool(filters.regency or filters.district)
    if narrow:
        grand, regencies, districts = _rollup(connection.execute(_district_totals(scope, filters)).all())
    else:
        regencies = {code: Totals.from_sums(code, name, sums, last_at)
                     for code, name, *sums, last_at in connection.execute(_regency_totals(scope, filters))}
        regencies = dict(sorted(regencies.items()))
        grand = Totals.of("", "", list(regencies.values()))
    pages = max(1, -(-grand.villages // size))
    number = min(max(1, number), pages)
    rows = village_rows(connection, scope, filters, limit=size, offset=(number - 1) * size)
    if not narrow:
        shown = sorted({row.district_code for row in rows})
        districts = _rollup(connection.execute(_district_totals(scope, filters, shown)).all())[2] if shown else {}
    return Page(rows, number, pages, grand, regencies, districts)


def _rollup(district_rows: Sequence[sa.Row[Any]]) -> tuple[Totals, dict[str, Totals], dict[str, Totals]]:
    """(grand total, per regency, per district) from the district sums, in code order."""
    districts: dict[str, Totals] = {}
    by_regency: dict[tuple[str, str], list[Totals]] = {}
    # Rows unpacked by position (``_district_totals``' columns).
    for regency_code, regency_name, code, name, *sums, last_at in sorted(district_rows, key=lambda r: (r[0], r[2])):
        district = districts[code] = Totals.from_sums(code, name, sums, last_at)
        by_regency.setdefault((regency_code, regency_name), []).append(district)
    regencies = {code: Totals.of(code, name, parts) for (code, name), parts in by_regency.items()}
    return Totals.of("", "", list(regencies.values())), regencies, districts


def area_options(connection: sa.Connection, scope: Scope, page: Page | None = None) -> list[tuple[str, str, str, str]]:
    """(regency code, regency name, district code, district name) of every district with a
    village in the round and the user's reach, for the filter selects. The district select is
    only offered within one regency, so when an unfiltered ``page`` already lists more than one
    regency (a national round: 514), those are all the selects need, with no districts."""
    if page is not None and len(page.regencies) > 1:
        return [(regency.code, regency.name, "", "") for regency in page.regencies.values()]
    query = (
        sa.select(REGENCY.code, REGENCY.name, DISTRICT.code, DISTRICT.name)
        .select_from(Village)
        .join(DISTRICT, DISTRICT.code == Village.district_code)
        .join(REGENCY, REGENCY.code == DISTRICT.parent_code)
        .where(village_condition(scope, Filters()))
        .distinct()
        .order_by(REGENCY.code, DISTRICT.code)
    )
    return [(r[0], r[1], r[2], r[3]) for r in connection.execute(query)]


# --- quality inputs ----------------------------------------------------------------------------


def _responses_select(scope: Scope) -> sa.Select[Any]:
    """The round's non-deleted responses, with what the signals read: no answers, since
    straight-lining was judged when they were written."""
    return sa.select(
        Response.village_id, Response.mode, Response.duration_s, Response.submitted_at, Response.straightlined,
    ).where(Response.round_id == scope.round_id, Response.deleted_at.is_(None))


def _response_rows(connection: sa.Connection, query: sa.Select[Any]) -> Iterator[ResponseRow]:
    for row in connection.execute(query):
        yield ResponseRow(row.village_id, str(row.mode), row.duration_s, as_utc(row.submitted_at),
                          bool(row.straightlined))


def responses_of(connection: sa.Connection, scope: Scope, village_ids: Sequence[int]) -> Iterator[ResponseRow]:
    """The round's non-deleted responses in these villages (a page's)."""
    if not village_ids:
        return iter(())
    return _response_rows(connection, _responses_select(scope).where(Response.village_id.in_(list(village_ids))))


def responses_matching(connection: sa.Connection, scope: Scope, filters: Filters) -> Iterator[ResponseRow]:
    """The round's non-deleted responses in every village matching ``filters`` (the CSV)."""
    villages = sa.select(Village.id).where(village_condition(scope, filters))
    return _response_rows(connection, _responses_select(scope).where(Response.village_id.in_(villages)))


# --- the CSV -------------------------------------------------------------------------------------

CSV_HEADERS = (
    "regency_code", "regency", "district_code", "district", "village_code", "village",
    "web", "paper", "total", "paper_awaiting_second", "paper_in_reconciliation",
    "target", "reached_percent", "last_response",
    "web_timed", "web_fast", "web_fast_percent", "straightlined", "straightlined_percent",
    "largest_burst", "flags",
)


def _percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def csv_table(rows: Sequence[VillageRow], quality: Mapping[int, VillageQuality], zone: str) -> ResponseTable:
    """The dashboard's rows as an export table (made formula-safe by ``reports.export``'s writer).
    Times are local to ``zone``, and the column says which (``last_response_wib``)."""
    def cells() -> Iterator[list[Value]]:
        for row in rows:
            signals = quality.get(row.village_id) or VillageQuality()
            last = clock.local(row.last_at, zone).replace(tzinfo=None) if row.last_at else None
            yield [
                row.regency_code, row.regency_name, row.district_code, row.district_name,
                row.village_code, row.village_name,
                row.web, row.paper, row.total, row.awaiting_second, row.reconciliation,
                row.target, None if row.reached is None else round(row.reached, 1), last,
                signals.web_timed, signals.fast, _percent(signals.fast_share),
                signals.straightlined, _percent(signals.straight_share),
                signals.largest_burst, " ".join(signals.flags),
            ]

    headers = [f"{name}_{clock.zone_label(zone).lower()}" if name == "last_response" else name
               for name in CSV_HEADERS]
    return ResponseTable(headers, cells(), len(rows))
