"""Read side of the progress dashboard: per-village counts, area totals and quality inputs.

Everything is read with SQLAlchemy Core on a connection the caller opens inside
``read_only()``, so the dashboard never queues behind an open round's writers. A page is one
statement: the per-village table (the answer counts the triggers keep in ``village_counts``,
very fast answers and waiting paper forms in subqueries, joined to villages and their areas)
as a CTE, from which the page's rows are numbered in the
requested order and the sums per district are grouped; districts are rolled up to regencies
and the grand total in Python (a few hundred rows at most). No query runs per village.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from reports.export import ResponseTable, Value
from survey_app.admin.quality import ResponseRow, VillageQuality
from survey_app.models import Area, FormStatus, Mode, PaperForm, Response, Village, VillageCount, code_in_scope
from survey_app.models._types import as_utc

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

    def add(self, other: Totals) -> None:
        """Fold ``other`` (a district) into this group (its regency or the grand total)."""
        for name in _SUMMED:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        if other.last_at is not None and (self.last_at is None or other.last_at > self.last_at):
            self.last_at = other.last_at
        self.children.append(other)


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


def _fast_counts(scope: Scope) -> sa.Subquery:
    """Very fast web answers per village: a range scan of ``ix_responses_fast``, since they are few."""
    return (
        sa.select(Response.village_id, sa.func.count().label("fast"))
        .where(Response.round_id == scope.round_id, Response.mode == Mode.WEB,
               Response.duration_s < scope.fast_seconds, Response.deleted_at.is_(None))
        .group_by(Response.village_id)
        .subquery("fast_counts")
    )


def _paper_counts(scope: Scope) -> sa.Subquery:
    return (
        sa.select(
            PaperForm.village_id,
            sa.func.count().filter(PaperForm.status == FormStatus.AWAITING_SECOND).label("awaiting_second"),
            sa.func.count().filter(PaperForm.status == FormStatus.RECONCILIATION).label("reconciliation"),
        )
        .where(
            PaperForm.round_id == scope.round_id,
            PaperForm.status.in_([FormStatus.AWAITING_SECOND, FormStatus.RECONCILIATION]),
        )
        .group_by(PaperForm.village_id)
        .subquery("paper_counts")
    )


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


def table(scope: Scope, filters: Filters) -> sa.Select[Any]:
    """One row per village matching ``filters``: its place, counts, target and last response."""
    counts = (sa.select(VillageCount).where(VillageCount.round_id == scope.round_id)
              .subquery("village_counts"))
    fast, paper = _fast_counts(scope), _paper_counts(scope)
    web, paper_answers = sa.func.coalesce(counts.c.web, 0), sa.func.coalesce(counts.c.paper, 0)
    total = web + paper_answers
    target = sa.func.coalesce(Village.target_n, scope.default_target) if scope.default_target else Village.target_n
    return (
        sa.select(
            Village.id.label("village_id"),
            REGENCY.code.label("regency_code"),
            REGENCY.name.label("regency_name"),
            DISTRICT.code.label("district_code"),
            DISTRICT.name.label("district_name"),
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
        .join(DISTRICT, DISTRICT.code == Village.district_code)
        .join(REGENCY, REGENCY.code == DISTRICT.parent_code)
        .outerjoin(counts, counts.c.village_id == Village.id)
        .outerjoin(fast, fast.c.village_id == Village.id)
        .outerjoin(paper, paper.c.village_id == Village.id)
        .where(village_condition(scope, filters))
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


def _order(progress: sa.Subquery | sa.CTE, filters: Filters) -> list[sa.ColumnElement[Any]]:
    columns = [progress.c[name] for name in SORTS.get(filters.sort, ())] + [progress.c.village_code]
    direction = sa.desc if filters.desc else sa.asc
    # Villages without a target or a response sort last either way.
    return [direction(column).nulls_last() for column in columns]


_ROW_FIELDS = tuple(f.name for f in fields(VillageRow))


def _village_row(row: sa.Row[Any]) -> VillageRow:
    values = {name: row._mapping[name] for name in _ROW_FIELDS}
    values["reached"] = None if values["reached"] is None else float(values["reached"])  # Decimal on PostgreSQL
    values["last_at"] = as_utc(values["last_at"])
    return VillageRow(**values)


def village_rows(connection: sa.Connection, scope: Scope, filters: Filters,
                 limit: int | None = None, offset: int = 0) -> list[VillageRow]:
    """The sorted rows, a page of them (``limit``/``offset``) or all."""
    progress = table(scope, filters).subquery("progress")
    query = sa.select(progress).order_by(*_order(progress, filters)).limit(limit).offset(offset)
    return [_village_row(row) for row in connection.execute(query)]


def iter_village_rows(connection: sa.Connection, scope: Scope, filters: Filters) -> Iterator[VillageRow]:
    """All sorted rows (the CSV), streamed."""
    progress = table(scope, filters).subquery("progress")
    for row in connection.execute(sa.select(progress).order_by(*_order(progress, filters))):
        yield _village_row(row)


def _null(type_: Any) -> sa.ColumnElement[Any]:
    return sa.cast(sa.null(), type_)


def _district_totals(progress: sa.CTE) -> sa.Select[Any]:
    """Sums per district over every village of ``progress``, shaped like ``_page_rows``."""
    c = progress.c
    with_target = c.target.is_not(None)
    return sa.select(
        sa.literal("district").label("kind"), _null(sa.Integer).label("rn"), _null(sa.Integer).label("village_id"),
        _null(sa.String).label("village_code"), _null(sa.String).label("village_name"),
        c.regency_code, c.regency_name, c.district_code, c.district_name,
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
        _null(sa.Float).label("reached"),
        sa.func.max(c.last_at).label("last_at"),
    ).group_by(c.regency_code, c.regency_name, c.district_code, c.district_name)


def _page_rows(progress: sa.CTE, filters: Filters, first: int, last: int) -> sa.Select[Any]:
    """Villages ``first``..``last`` (1-based) in the requested order, numbered ``rn``."""
    ranked = sa.select(
        progress, sa.func.row_number().over(order_by=_order(progress, filters)).label("rn")
    ).subquery("ranked")
    c = ranked.c
    with_target = c.target.is_not(None)
    return sa.select(
        sa.literal("village").label("kind"), c.rn, c.village_id, c.village_code, c.village_name,
        c.regency_code, c.regency_name, c.district_code, c.district_name,
        sa.literal(1).label("villages"), c.web, c.paper, c.total, c.fast, c.awaiting_second, c.reconciliation,
        c.target,
        sa.case((with_target, c.total), else_=0).label("total_with_target"),
        sa.case((sa.and_(with_target, c.total >= c.target), 1), else_=0).label("villages_at_target"),
        sa.cast(c.reached, sa.Float).label("reached"),
        c.last_at,
    ).where(c.rn >= first, c.rn <= last)


def page(connection: sa.Connection, scope: Scope, filters: Filters, number: int, size: int | None = None) -> Page:
    """Page ``number`` (1-based, clamped to the last) with the totals of the whole filter.

    One statement: the per-village table is a CTE that both the page and the district totals
    read, so the villages are joined and counted once.
    """
    size = size or PAGE_SIZE
    progress = table(scope, filters).cte("progress")
    number = max(1, number)

    def run(number: int) -> tuple[list[VillageRow], list[sa.Row[Any]]]:
        first = (number - 1) * size + 1
        query = sa.union_all(_page_rows(progress, filters, first, first + size - 1), _district_totals(progress))
        villages, districts = [], []
        for row in connection.execute(query):
            (villages if row.kind == "village" else districts).append(row)
        villages.sort(key=lambda row: row.rn)
        return [_village_row(row) for row in villages], districts

    rows, district_rows = run(number)
    grand, regencies, districts = _rollup(district_rows)
    pages = max(1, -(-grand.villages // size))
    if number > pages:  # past the end: show the last page (one more query, only then)
        number = pages
        rows, _ = run(number)
    return Page(rows, number, pages, grand, regencies, districts)


def _rollup(district_rows: Sequence[sa.Row[Any]]) -> tuple[Totals, dict[str, Totals], dict[str, Totals]]:
    """(grand total, per regency, per district) from the district sums, in code order."""
    grand = Totals()
    regencies: dict[str, Totals] = {}
    districts: dict[str, Totals] = {}
    for row in sorted(district_rows, key=lambda row: (row.regency_code, row.district_code)):
        values = row._mapping
        district = Totals(code=values["district_code"], name=values["district_name"],
                          **{name: int(values[name] or 0) for name in _SUMMED}, last_at=as_utc(values["last_at"]))
        districts[district.code] = district
        regency = regencies.setdefault(values["regency_code"], Totals(values["regency_code"], values["regency_name"]))
        regency.add(district)
    for regency in regencies.values():
        grand.add(regency)
    return grand, regencies, districts


def area_options(connection: sa.Connection, scope: Scope) -> list[tuple[str, str, str, str]]:
    """(regency code, regency name, district code, district name) of every district with a
    village in the round and the user's reach, for the filter selects."""
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


def _responses_select(scope: Scope, items: Sequence[str]) -> sa.Select[Any]:
    """The round's non-deleted responses with only the answers to ``items`` (the battery
    questions): a province's whole answer documents would cost seconds to transfer and parse."""
    return sa.select(
        Response.village_id, Response.mode, Response.duration_s, Response.submitted_at,
        Response.questionnaire_key, Response.questionnaire_version,
        *(Response.answers[item].as_string().label(f"item_{number}") for number, item in enumerate(items)),
    ).where(Response.round_id == scope.round_id, Response.deleted_at.is_(None))


def _response_rows(connection: sa.Connection, query: sa.Select[Any], items: Sequence[str]) -> Iterator[ResponseRow]:
    for row in connection.execute(query):
        answers = {item: value for item, value in zip(items, row[6:], strict=True) if value is not None}
        yield ResponseRow(row.village_id, str(row.mode), row.duration_s, as_utc(row.submitted_at),
                          row.questionnaire_key, row.questionnaire_version, answers)


def responses_of(connection: sa.Connection, scope: Scope, village_ids: Sequence[int],
                 items: Sequence[str]) -> Iterator[ResponseRow]:
    """The round's non-deleted responses in these villages (a page's), answers to ``items`` only."""
    if not village_ids:
        return iter(())
    query = _responses_select(scope, items).where(Response.village_id.in_(list(village_ids)))
    return _response_rows(connection, query, items)


def responses_matching(connection: sa.Connection, scope: Scope, filters: Filters,
                       items: Sequence[str]) -> Iterator[ResponseRow]:
    """The round's non-deleted responses in every village matching ``filters`` (the CSV)."""
    villages = sa.select(Village.id).where(village_condition(scope, filters))
    return _response_rows(connection, _responses_select(scope, items).where(Response.village_id.in_(villages)), items)


# --- the CSV -------------------------------------------------------------------------------------

CSV_HEADERS = (
    "regency_code", "regency", "district_code", "district", "village_code", "village",
    "web", "paper", "total", "paper_awaiting_second", "paper_in_reconciliation",
    "target", "reached_percent", "last_response_utc",
    "web_timed", "web_fast", "web_fast_percent", "straightlined", "straightlined_percent",
    "largest_burst", "flags",
)


def _percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def csv_table(rows: Sequence[VillageRow], quality: Mapping[int, VillageQuality]) -> ResponseTable:
    """The dashboard's rows as an export table (made formula-safe by ``reports.export``'s writer)."""
    def cells() -> Iterator[list[Value]]:
        for row in rows:
            signals = quality.get(row.village_id) or VillageQuality()
            last = row.last_at.replace(tzinfo=None) if row.last_at else None
            yield [
                row.regency_code, row.regency_name, row.district_code, row.district_name,
                row.village_code, row.village_name,
                row.web, row.paper, row.total, row.awaiting_second, row.reconciliation,
                row.target, None if row.reached is None else round(row.reached, 1), last,
                signals.web_timed, signals.fast, _percent(signals.fast_share),
                signals.straightlined, _percent(signals.straight_share),
                signals.largest_burst, " ".join(signals.flags),
            ]

    return ResponseTable(list(CSV_HEADERS), cells(), len(rows))
