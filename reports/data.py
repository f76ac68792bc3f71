"""Reading stored responses, rounds and villages into the shapes the report engine uses.

SQLAlchemy Core only, on lightweight table descriptions: importing the app's models would
import Flask-SQLAlchemy, and the engine must run in CLI workers without a Flask app. A round
is read with one query and its JSON answers expanded by pandas in one go; there is never a
query per respondent.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
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
)
"""Columns every responses frame starts with; the question ids follow."""


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
    # The villages' codes are looked up separately instead of joined: right after a bulk
    # insert PostgreSQL's statistics still say "a few rows", and the join was planned as a
    # nested loop that took 12 s for one round of 35,000 responses (0.3 s without it).
    present = connection.execute(sa.select(RESPONSES.c.village_id).where(*where).distinct()).scalars().all()
    places = _village_codes(connection, present)
    query = (
        sa.select(
            RESPONSES.c.id.label("response_id"),
            RESPONSES.c.round_id,
            RESPONSES.c.village_id,
            RESPONSES.c.mode,
            RESPONSES.c.questionnaire_key,
            RESPONSES.c.questionnaire_version,
            RESPONSES.c.submitted_at,
            RESPONSES.c.answers,
        )
        .where(*where)
        .order_by(RESPONSES.c.round_id, RESPONSES.c.village_id, RESPONSES.c.id)
    )
    # Rows are turned into columns as the driver hands them over, so a province's rows never
    # sit in memory as Python dicts next to the frame. No server-side cursor (yield_per): its
    # fast-start plans were slower, and the driver's buffer is compact.
    result = connection.execute(query)
    return responses_frame(_placed(row._mapping, places) for row in result)


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


def _placed(row: Mapping[Any, Any], places: Mapping[int, tuple[str, str]]) -> dict[str, Any]:
    code, district = places[row["village_id"]]
    return {**row, "village_code": code, "district_code": district}


def responses_frame(rows: Iterable[Mapping[Any, Any]]) -> pd.DataFrame:
    """Build the responses frame from mappings with the query's columns plus ``answers``.

    Separate from the query so tests and benchmarks can feed hand-made rows. Built column by
    column; equal answer texts share one string object (``"3"`` is stored a hundred thousand
    times in a province), which keeps a province-sized frame, and the copies forked report
    workers make of its pages, several times smaller.
    """
    meta_names = [c for c in META_COLUMNS if c not in _DERIVED]
    meta: dict[str, list[Any]] = {name: [] for name in meta_names}
    answers: dict[str, list[Any]] = {}
    shared: dict[str, str] = {}
    count = 0
    for row in rows:
        for name in meta_names:
            meta[name].append(row[name])
        for key, value in (row["answers"] or {}).items():
            column = answers.get(key)
            if column is None:
                column = answers[key] = [math.nan] * count
            elif len(column) < count:
                column.extend([math.nan] * (count - len(column)))
            column.append(shared.setdefault(value, value) if type(value) is str else value)
        count += 1
    for column in answers.values():
        column.extend([math.nan] * (count - len(column)))
    clash = set(answers) & set(META_COLUMNS)
    if clash:
        raise ValueError(f"question ids {sorted(clash)} clash with report columns; rename the questions")
    frame = pd.DataFrame(meta, columns=meta_names)
    district = frame["district_code"].astype("string")
    frame["regency_code"] = district.str.split(".").str[:2].str.join(".")
    frame["province_code"] = district.str.split(".").str[0]
    frame["submitted_at"] = pd.to_datetime(frame["submitted_at"], utc=True)
    frame["mode"] = frame["mode"].astype("string")
    frame = frame[list(META_COLUMNS)]
    return pd.concat([frame, pd.DataFrame(answers, index=frame.index)], axis=1)


_DERIVED = frozenset({"regency_code", "province_code"})


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
