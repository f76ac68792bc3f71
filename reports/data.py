"""Reading stored responses, rounds and villages into the shapes the report engine uses.

SQLAlchemy Core only, on lightweight table descriptions: importing the app's models would
import Flask-SQLAlchemy, and the engine must run in CLI workers without a Flask app. A round
is read with one query, its JSON answers decoded and expanded into columns a chunk of rows at
a time; there is never a query per respondent.
"""

from __future__ import annotations

import gc
import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from itertools import chain, islice
from typing import Any

import pandas as pd
import sqlalchemy as sa

from survey_app.questionnaire import Questionnaire

QuestionnaireLookup = Callable[[str, int], Questionnaire]
"""``(key, version) -> Questionnaire``; ``Catalog.get`` fits."""

RESPONSES = sa.table(
    "responses",
    sa.column("id", sa.Integer),
    sa.column("round_id", sa.Integer),
    sa.column("village_id", sa.Integer),
    sa.column("questionnaire_key", sa.String),
    sa.column("questionnaire_version", sa.Integer),
    sa.column("mode", sa.String),
    sa.column("answers", sa.JSON),
    sa.column("display_order", sa.JSON),
    sa.column("consent_hash", sa.String),
    sa.column("submitted_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
    sa.column("deleted_at", sa.DateTime(timezone=True)),
)
ROUNDS = sa.table(
    "rounds",
    sa.column("id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("questionnaire_key", sa.String),
    sa.column("questionnaire_version", sa.Integer),
    sa.column("opens_on", sa.Date),
    sa.column("closes_on", sa.Date),
    sa.column("status", sa.String),
)
VILLAGES = sa.table(
    "villages",
    sa.column("id", sa.Integer),
    sa.column("code", sa.String),
    sa.column("name", sa.String),
    sa.column("district_code", sa.String),
)
AREAS = sa.table("areas", sa.column("code", sa.String), sa.column("name", sa.String))

META_COLUMNS = (
    "response_id",
    "round_id",
    "village_id",
    "village_code",
    "district_code",
    "regency_code",
    "province_code",
    "mode",
    "questionnaire_key",
    "questionnaire_version",
    "submitted_at",
    "consent_hash",
)
"""Columns every responses frame starts with; the question ids follow. ``consent_hash`` is
None for answers given without recorded consent (before it was asked)."""


@dataclass(frozen=True)
class RoundInfo:
    """One survey round as a report shows it, with the questionnaire version it used."""

    id: int
    name: str
    opens_on: date | None
    closes_on: date | None
    questionnaire: Questionnaire


@dataclass(frozen=True)
class Place:
    """An area of the hierarchy (province, regency, district) by code and name."""

    code: str
    name: str


@dataclass(frozen=True)
class VillageInfo:
    """The village a report is about, with the areas it belongs to."""

    id: int
    code: str
    name: str
    district: Place
    regency: Place
    province: Place


def area_codes(village_code: str) -> tuple[str, str, str]:
    """``(province, regency, district)`` codes of a village: 32.73.01.1001 -> 32, 32.73, 32.73.01."""
    parts = village_code.split(".")
    return parts[0], ".".join(parts[:2]), ".".join(parts[:3])


def load_round_responses(
    connection: sa.Connection,
    round_ids: Sequence[int],
    village_ids: Sequence[int] | None = None,
) -> pd.DataFrame:
    """One row per response of the given rounds (and villages): ``META_COLUMNS``, then one
    column per question id. Unanswered questions are NaN; multiple-choice answers stay lists.
    """
    where = [RESPONSES.c.round_id.in_(list(round_ids)), RESPONSES.c.deleted_at.is_(None)]
    if village_ids is not None:
        where.append(RESPONSES.c.village_id.in_(list(village_ids)))
    # Rows become columns a chunk at a time, as plain tuples: a province's rows never sit in
    # memory next to the frame. No server-side cursor (yield_per): its fast-start plans were
    # slower, and the driver's buffer is compact.
    columns = _Columns()
    with _collector_paused():
        for chunk in _response_rows(connection, where):
            columns.add(*chunk)
        return columns.frame()


ResponseRecord = tuple[tuple[Any, ...], dict[str, Any]]
"""One stored response as the export reads it: ``(meta, answers)``, where meta holds response
id, round id, village id, village code, district code, mode, questionnaire key and version,
submission time and consent hash (``_META_READ``), then the order shown (``None`` for the file's order),
and answers is the decoded JSON document."""


def response_records(
    connection: sa.Connection, round_id: int, village_filter: sa.ColumnElement[bool] | None = None
) -> Iterator[ResponseRecord]:
    """One round's responses one at a time, in id order, read a chunk at a time through a
    server-side cursor where the driver has one: for exports, whose memory must not grow with
    the round. ``village_filter`` is a condition on ``RESPONSES.c.village_id`` (for example
    the villages of a user's area)."""
    where = [RESPONSES.c.round_id == round_id, RESPONSES.c.deleted_at.is_(None)]
    if village_filter is not None:
        where.append(village_filter)
    streamed = connection.execution_options(stream_results=True, yield_per=_CHUNK)
    for meta, answers in _response_rows(streamed, where, order=(RESPONSES.c.id,), with_order=True):
        yield from zip(zip(*meta, strict=True), (a or {} for a in answers), strict=True)


def response_versions(
    connection: sa.Connection, round_id: int, village_filter: sa.ColumnElement[bool] | None = None
) -> tuple[int, list[tuple[str, int]]]:
    """How many responses ``response_records`` gives, and the questionnaire versions they use."""
    where = [RESPONSES.c.round_id == round_id, RESPONSES.c.deleted_at.is_(None)]
    if village_filter is not None:
        where.append(village_filter)
    rows = connection.execute(
        sa.select(RESPONSES.c.questionnaire_key, RESPONSES.c.questionnaire_version, sa.func.count())
        .where(*where).group_by(RESPONSES.c.questionnaire_key, RESPONSES.c.questionnaire_version)
    ).all()
    return sum(n for _k, _v, n in rows), sorted((str(k), int(v)) for k, v, _n in rows)


def _response_rows(
    connection: sa.Connection, where: Sequence[sa.ColumnElement[bool]], order: Sequence[sa.ColumnElement[Any]] = (),
    with_order: bool = False,
) -> Iterator[tuple[Sequence[Sequence[Any]], list[Any]]]:
    """The responses matching ``where`` as ``_Columns.add`` arguments, a chunk at a time;
    ``with_order`` adds the order each was shown in to the end of the meta columns."""
    # The villages' codes are looked up separately instead of joined: right after a bulk
    # insert PostgreSQL's statistics still say "a few rows", and the join was planned as a
    # nested loop that took 12 s for one round of 35,000 responses (0.3 s without it).
    present = connection.execute(sa.select(RESPONSES.c.village_id).where(*where).distinct()).scalars().all()
    places = _village_codes(connection, present)
    query = (
        sa.select(
            RESPONSES.c.id,
            RESPONSES.c.round_id,
            RESPONSES.c.village_id,
            RESPONSES.c.mode,
            RESPONSES.c.questionnaire_key,
            RESPONSES.c.questionnaire_version,
            RESPONSES.c.submitted_at,
            RESPONSES.c.consent_hash,
            # The JSON as text, decoded below a chunk at a time in one json.loads call
            # instead of once per row (PostgreSQL's driver would decode jsonb by itself).
            sa.cast(RESPONSES.c.answers, sa.Text),
            *([sa.cast(RESPONSES.c.display_order, sa.Text)] if with_order else []),
        )
        .where(*where)
        .order_by(*(order or (RESPONSES.c.round_id, RESPONSES.c.village_id, RESPONSES.c.id)))
    )
    result = connection.execute(query)
    try:  # closed when the reader stops early too (a server-side cursor on PostgreSQL)
        for chunk in result.tuples().partitions(_CHUNK):
            ids, rounds, villages, modes, keys, versions, submitted, consents, texts, *shown = zip(*chunk, strict=True)
            codes, districts = zip(*map(places.__getitem__, villages), strict=True)
            meta: tuple[Sequence[Any], ...] = (
                ids, rounds, villages, codes, districts, modes, keys, versions, submitted, consents)
            if with_order:
                meta = (*meta, [json.loads(text) if text else None for text in shown[0]])
            yield meta, json.loads("[" + ",".join([text or "null" for text in texts]) + "]")
    finally:
        result.close()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a frame is built.

    Decoding a province's answers creates millions of dicts, lists and strings, none in a
    cycle, and each collection they trigger walks all those built so far: a third of the time
    json.loads took for a province.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _village_codes(connection: sa.Connection, village_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """village id -> (village code, district code), in chunks within SQLite's variable limit."""
    found: dict[int, tuple[str, str]] = {}
    ids = list(village_ids)
    for start in range(0, len(ids), _IN_CHUNK):
        query = sa.select(VILLAGES.c.id, VILLAGES.c.code, VILLAGES.c.district_code).where(
            VILLAGES.c.id.in_(ids[start : start + _IN_CHUNK])
        )
        found.update({row.id: (row.code, row.district_code) for row in connection.execute(query)})
    return found


def responses_frame(rows: Iterable[Mapping[Any, Any]]) -> pd.DataFrame:
    """Build the responses frame from mappings with the query's columns plus ``answers``.

    Separate from the query so tests and benchmarks can feed hand-made rows; the frame is
    the one ``load_round_responses`` builds from the same data.
    """
    columns = _Columns()
    iterator = iter(rows)
    with _collector_paused():
        while chunk := list(islice(iterator, _CHUNK)):
            meta = [[row.get(name) for row in chunk] if name in _OPTIONAL else [row[name] for row in chunk]
                    for name in _META_READ]
            columns.add(meta, [row["answers"] for row in chunk])
        return columns.frame()


_CHUNK = 1_000
"""Rows turned into columns at a time. Larger chunks were no faster, and the memory their
decoded answers took stayed with the process (the frame's lists are scattered through it)."""

_DERIVED = frozenset({"regency_code", "province_code"})
_OPTIONAL = frozenset({"consent_hash"})
"""Meta columns hand-made rows may leave out (None): older fixtures and benchmarks predate them."""
_META_READ = tuple(c for c in META_COLUMNS if c not in _DERIVED)
"""The meta columns read from storage, in ``META_COLUMNS`` order; the others come from codes."""
_MISSING = math.nan
"""An unanswered question in the frame."""


class _Absent:
    """The type of ``_ABSENT``: equal only to itself, so no answer is ever mistaken for it."""


_ABSENT = _Absent()
"""An unanswered question while a column is built; the shared-texts dict maps it to ``_MISSING``."""
_TEXT_OR_ABSENT = frozenset({str, _Absent})


class _Columns:
    """The responses frame's columns, filled a chunk of rows at a time.

    Built column by column: an answer column is one list comprehension over the chunk's answer
    dicts rather than a Python step per answer. Equal answer texts share one string object
    (``"3"`` is stored a hundred thousand times in a province), which keeps a province-sized
    frame, and the copies forked report workers make of its pages, several times smaller.
    """

    def __init__(self) -> None:
        self.meta: list[list[Any]] = [[] for _ in _META_READ]
        self.answers: dict[str, list[Any]] = {}
        self.shared: dict[Any, Any] = {_ABSENT: _MISSING}  # texts to their one shared copy
        self.count = 0

    def add(self, meta: Sequence[Sequence[Any]], answers: Sequence[Mapping[str, Any] | None]) -> None:
        """One chunk: ``meta`` as one sequence per ``_META_READ`` column, ``answers`` one per row."""
        for column, values in zip(self.meta, meta, strict=True):
            column.extend(values)
        dicts = [mapping or {} for mapping in answers]
        size, shared = len(dicts), self.shared
        present = dict.fromkeys(chain.from_iterable(dicts))  # question ids by first appearance
        for key in present:
            values = [mapping.get(key, _ABSENT) for mapping in dicts]
            if set(map(type, values)) <= _TEXT_OR_ABSENT:
                # The common case, in C: texts map to their shared copy, _ABSENT to NaN.
                values = list(map(shared.setdefault, values, values))
            else:
                values = [
                    _MISSING if v is _ABSENT else shared.setdefault(v, v) if type(v) is str else v for v in values
                ]
            if key in self.answers:
                self.answers[key].extend(values)
            else:
                self.answers[key] = [_MISSING] * self.count + values
        for key, column in self.answers.items():
            if key not in present:
                column.extend([_MISSING] * size)
        self.count += size

    def frame(self) -> pd.DataFrame:
        """The responses frame: ``META_COLUMNS``, then the question ids by first appearance."""
        clash = set(self.answers) & set(META_COLUMNS)
        if clash:
            raise ValueError(f"question ids {sorted(clash)} clash with report columns; rename the questions")
        frame = pd.DataFrame(dict(zip(_META_READ, self.meta, strict=True)), columns=list(_META_READ))
        district = frame["district_code"].astype("string")
        frame["regency_code"] = _code_prefix(district, 2)
        frame["province_code"] = _code_prefix(district, 1)
        frame["submitted_at"] = pd.to_datetime(frame["submitted_at"], utc=True)
        frame["mode"] = frame["mode"].astype("string")
        frame = frame[list(META_COLUMNS)]
        return pd.concat([frame, pd.DataFrame(self.answers, index=frame.index)], axis=1)


def _code_prefix(codes: pd.Series, parts: int) -> pd.Series:
    """The first ``parts`` dot-separated parts of each code (object dtype, NA kept), as
    ``codes.str.split(".").str[:parts].str.join(".")`` gives them, with each distinct code
    split once: a province's hundred thousand responses have a few hundred district codes."""
    values = codes.to_numpy(dtype=object, na_value=pd.NA)
    prefixes = {code: ".".join(code.split(".")[:parts]) for code in set(values) if code is not pd.NA}
    return pd.Series([pd.NA if code is pd.NA else prefixes[code] for code in values], index=codes.index, dtype=object)


def load_rounds(connection: sa.Connection, round_ids: Sequence[int], lookup: QuestionnaireLookup) -> list[RoundInfo]:
    """The given rounds, oldest first (by opening date, then id), each with its questionnaire."""
    query = sa.select(ROUNDS).where(ROUNDS.c.id.in_(list(round_ids)))
    return _round_infos(connection.execute(query).all(), lookup)


def load_round_history(
    connection: sa.Connection, round_id: int, lookup: QuestionnaireLookup, limit: int | None = None
) -> list[RoundInfo]:
    """``round_id`` and the earlier non-draft rounds of the same questionnaire, oldest first.

    These are the rounds a village report for ``round_id`` covers; ``limit`` keeps the newest few.
    """
    target = connection.execute(sa.select(ROUNDS).where(ROUNDS.c.id == round_id)).one_or_none()
    if target is None:
        raise LookupError(f"no round with id {round_id}")
    candidates = connection.execute(
        sa.select(ROUNDS).where(
            ROUNDS.c.questionnaire_key == target.questionnaire_key,
            sa.or_(ROUNDS.c.id == round_id, ROUNDS.c.status != "draft"),
        )
    ).all()
    ordered = sorted(candidates, key=_round_order)
    history = [row for row in ordered if _round_order(row) <= _round_order(target)]
    if limit is not None:
        history = history[-limit:]
    return _round_infos(history, lookup)


def load_companion_rounds(connection: sa.Connection, round_id: int, lookup: QuestionnaireLookup) -> list[RoundInfo]:
    """Non-draft rounds of other questionnaires whose dates overlap ``round_id``'s: the
    partners' round beside the residents' one, so a village report can show both for the
    same period. A round without dates is open-ended on that side."""
    target = connection.execute(sa.select(ROUNDS).where(ROUNDS.c.id == round_id)).one_or_none()
    if target is None:
        raise LookupError(f"no round with id {round_id}")
    others = connection.execute(
        sa.select(ROUNDS).where(ROUNDS.c.questionnaire_key != target.questionnaire_key, ROUNDS.c.status != "draft")
    ).all()
    return _round_infos([row for row in others if _overlap(row, target)], lookup)


def _overlap(one: sa.Row, other: sa.Row) -> bool:
    starts = max(one.opens_on or date.min, other.opens_on or date.min)
    ends = min(one.closes_on or date.max, other.closes_on or date.max)
    return starts <= ends


def load_village(connection: sa.Connection, village_id: int) -> VillageInfo:
    """The village with its district, regency and province names (the code when a name is missing)."""
    row = connection.execute(sa.select(VILLAGES).where(VILLAGES.c.id == village_id)).one_or_none()
    if row is None:
        raise LookupError(f"no village with id {village_id}")
    province, regency, district = area_codes(row.code)
    district = row.district_code or district
    codes = [province, regency, district]
    found = connection.execute(sa.select(AREAS.c.code, AREAS.c.name).where(AREAS.c.code.in_(codes)))
    names: dict[str, str] = {code: name for code, name in found}
    province_place, regency_place, district_place = (Place(code, names.get(code) or code) for code in codes)
    return VillageInfo(row.id, row.code, row.name, district_place, regency_place, province_place)


def load_villages(connection: sa.Connection, village_ids: Sequence[int]) -> list[VillageInfo]:
    """``load_village`` for many villages in two queries (villages, then their areas), by code."""
    if not village_ids:
        return []
    rows: list[sa.Row[Any]] = []
    ids = list(dict.fromkeys(village_ids))
    for start in range(0, len(ids), _IN_CHUNK):  # keep each IN list within SQLite's variable limit
        chunk = ids[start : start + _IN_CHUNK]
        rows += connection.execute(sa.select(VILLAGES).where(VILLAGES.c.id.in_(chunk))).all()
    codes: set[str] = set()
    for row in rows:
        province, regency, district = area_codes(row.code)
        codes.update((province, regency, row.district_code or district))
    names: dict[str, str] = {}
    listed = sorted(codes)
    for start in range(0, len(listed), _IN_CHUNK):
        found = connection.execute(
            sa.select(AREAS.c.code, AREAS.c.name).where(AREAS.c.code.in_(listed[start : start + _IN_CHUNK]))
        )
        names.update({code: name for code, name in found})
    villages = []
    for row in sorted(rows, key=lambda r: r.code):
        province, regency, district = area_codes(row.code)
        district = row.district_code or district
        place = {code: Place(code, names.get(code) or code) for code in (province, regency, district)}
        villages.append(VillageInfo(row.id, row.code, row.name, place[district], place[regency], place[province]))
    return villages


_IN_CHUNK = 900


def _round_order(row: sa.Row) -> tuple[date, int]:
    return (row.opens_on or date.min, row.id)


def _round_infos(rows: Sequence[sa.Row], lookup: QuestionnaireLookup) -> list[RoundInfo]:
    return [
        RoundInfo(
            row.id,
            row.name,
            row.opens_on,
            row.closes_on,
            lookup(row.questionnaire_key, row.questionnaire_version),
        )
        for row in sorted(rows, key=_round_order)
    ]
