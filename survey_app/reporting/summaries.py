"""Stored summary sums: rebuilt for just the villages whose answers changed, read by reports.

Triggers mark every changed (round, village) in ``summary_dirty`` (``survey_app.models.summaries``).
``refresh`` rebuilds the sums of the marked villages from their responses, then the sums of
their district, regency, province and round from the rows one level down: a few dozen small
rows per level, never the round's responses. It clears only the marks it has read, so an
answer that arrives meanwhile keeps its village marked for the next refresh.

Rebuilds of one round take turns: SQLite's ``BEGIN IMMEDIATE`` serialises them already, and
PostgreSQL takes a transaction-level advisory lock on the round. The responses are read in
a separate read-only transaction before that, so residents never wait on the reading.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

import sqlalchemy as sa

from reports.data import QuestionnaireLookup, RoundInfo, VillageInfo, load_round_responses, load_rounds
from reports.stats import Suppression
from reports.tables import Population
from reports.tables.sums import PlaceSums, population_from_sums, sums_by_place, total_sums
from survey_app.database import read_only, writing
from survey_app.models import PlaceSummary, Round, SummaryDirty, SummaryLevel, Village

SUMMARIES = PlaceSummary.__table__
DIRTY = SummaryDirty.__table__
VILLAGES = Village.__table__
ROUNDS = Round.__table__

_UP = (
    (SummaryLevel.VILLAGE, SummaryLevel.DISTRICT),
    (SummaryLevel.DISTRICT, SummaryLevel.REGENCY),
    (SummaryLevel.REGENCY, SummaryLevel.PROVINCE),
    (SummaryLevel.PROVINCE, SummaryLevel.ROUND),
)
"""Each level and the level its rows add up to, bottom-up."""

_IN_CHUNK = 900  # within SQLite's limit of bound variables per statement
_BATCH = 2_000  # villages rebuilt per transaction
_LOCK_CLASS = 0x5355  # PostgreSQL advisory lock namespace for summary rebuilds ("SU")


def parent_code(level: SummaryLevel, code: str) -> str:
    """The code one level up from an area (a village's parent is its stored district)."""
    parts = code.split(".")
    if level is SummaryLevel.DISTRICT:
        return ".".join(parts[:2])
    if level is SummaryLevel.REGENCY:
        return parts[0]
    return ""


def stale_villages(connection: sa.Connection, round_id: int) -> dict[int, int]:
    """Village id -> revision of the villages of the round whose sums are stale."""
    query = sa.select(DIRTY.c.village_id, DIRTY.c.revision).where(DIRTY.c.round_id == round_id)
    return {village_id: revision for village_id, revision in connection.execute(query)}


REFRESH_IN_REQUEST = 500
"""At most this many villages' sums are rebuilt while a page or a download waits (about a
quarter of a second at the 2,000-3,000 villages a second measured). A larger backlog, after a
bulk import or with no scheduled ``reports refresh``, took 39 s for a national round: the
figures then come from the stored sums, and say how many villages are newer."""


def refresh_if_small(engine: sa.Engine, rounds: Sequence[RoundInfo]) -> int:
    """``refresh`` when at most ``REFRESH_IN_REQUEST`` villages are stale; returns how many
    stay stale (0 after a refresh)."""
    with read_only(), engine.connect() as connection:
        stale = stale_count(connection, [r.id for r in rounds])
    if stale <= REFRESH_IN_REQUEST:
        refresh(engine, rounds)
        return 0
    return stale


def stale_count(connection: sa.Connection, round_ids: Sequence[int]) -> int:
    """How many (round, village) pairs of ``round_ids`` have answers newer than their sums."""
    query = sa.select(sa.func.count()).select_from(DIRTY).where(DIRTY.c.round_id.in_(list(round_ids)))
    return int(connection.execute(query).scalar_one())


def refresh(engine: sa.Engine, rounds: Iterable[RoundInfo]) -> int:
    """Bring the stored sums of ``rounds`` up to date; returns the number of villages rebuilt."""
    return sum(_refresh_round(engine, round_) for round_ in rounds)


def refresh_all(engine: sa.Engine, lookup: QuestionnaireLookup, round_ids: Sequence[int] | None = None) -> int:
    """``refresh`` every round with stale villages (or those of ``round_ids``): for a schedule or
    after a bulk import, so that no download pays for rebuilding many villages."""
    with read_only(), engine.connect() as connection:
        stale = connection.execute(sa.select(DIRTY.c.round_id).distinct()).scalars().all()
        wanted = [r for r in stale if round_ids is None or r in round_ids]
        rounds = load_rounds(connection, wanted, lookup) if wanted else []
    return refresh(engine, rounds)


def _refresh_round(engine: sa.Engine, round_: RoundInfo) -> int:
    with read_only(), engine.connect() as connection:
        purged = connection.scalar(sa.select(ROUNDS.c.responses_purged_at).where(ROUNDS.c.id == round_.id))
        marks = stale_villages(connection, round_.id)
    if purged is not None:
        # Its responses were deleted (retention): its sums are kept as they were and can never
        # be rebuilt. A mark (a village moved district, say) is dropped, not acted on.
        if marks:
            with writing(), engine.begin() as connection:
                connection.execute(sa.delete(DIRTY).where(DIRTY.c.round_id == round_.id))
        return 0
    # Batches bound the memory of a whole-round rebuild (a national round is half a million
    # responses) and keep each write transaction short.
    ids = sorted(marks)
    return sum(
        _refresh_villages(engine, round_, {vid: marks[vid] for vid in ids[start : start + _BATCH]})
        for start in range(0, len(ids), _BATCH)
    )


def _refresh_villages(engine: sa.Engine, round_: RoundInfo, marks: dict[int, int]) -> int:
    """Rebuild the villages of ``marks`` (village id -> the revision read) and their areas."""
    with read_only(), engine.connect() as connection:
        # The marks were read first: answers read now are at least as new as the marks.
        villages = _villages(connection, list(marks))
        frame = load_round_responses(connection, [round_.id], list(marks))
    sums = sums_by_place(frame, round_.questionnaire, "village_code")
    now = datetime.now(UTC)
    with writing(), engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.select(sa.func.pg_advisory_xact_lock(_LOCK_CLASS, round_.id)))
        current = stale_villages(connection, round_.id)
        # Another refresh may have rebuilt a village since (its mark is gone), or a new answer
        # may have come in (its revision moved on): leave those to their own refresh.
        done = {vid: code for vid, (code, _district) in villages.items() if current.get(vid) == marks.get(vid)}
        if not done:
            return 0
        codes = list(done.values())
        affected = set(_parents(connection, round_.id, SummaryLevel.VILLAGE, codes).values())
        _delete(connection, round_.id, SummaryLevel.VILLAGE, codes)
        rows = [
            _row(round_.id, SummaryLevel.VILLAGE, code, villages[vid][1], sums[code], now)
            for vid, code in done.items() if code in sums
        ]
        if rows:
            connection.execute(sa.insert(SUMMARIES), rows)
        affected |= {villages[vid][1] for vid in done}
        connection.execute(
            sa.delete(DIRTY).where(
                DIRTY.c.round_id == round_.id,
                DIRTY.c.village_id == sa.bindparam("vid"),
                DIRTY.c.revision == sa.bindparam("rev"),
            ),
            [{"vid": vid, "rev": marks[vid]} for vid in done],
        )
        for child, level in _UP:
            affected = _rebuild(connection, round_.id, child, level, affected, now)
    return len(done)


def _rebuild(
    connection: sa.Connection, round_id: int, child: SummaryLevel, level: SummaryLevel, codes: set[str],
    now: datetime,
) -> set[str]:
    """Rebuild the ``level`` rows ``codes`` from their ``child`` rows; returns their parents."""
    children: dict[str, list[PlaceSums]] = defaultdict(list)
    listed = sorted(codes)
    for start in range(0, len(listed), _IN_CHUNK):
        query = sa.select(SUMMARIES.c.parent, SUMMARIES.c.sums).where(
            SUMMARIES.c.round_id == round_id, SUMMARIES.c.level == child,
            SUMMARIES.c.parent.in_(listed[start : start + _IN_CHUNK]),
        )
        for parent, text in connection.execute(query):
            children[parent].append(PlaceSums.from_json(text))
    _delete(connection, round_id, level, listed)
    rows = [
        _row(round_id, level, code, parent_code(level, code), total_sums(parts), now)
        for code, parts in children.items()
    ]
    if rows:
        connection.execute(sa.insert(SUMMARIES), rows)
    return {parent_code(level, code) for code in codes}


def _row(round_id: int, level: SummaryLevel, code: str, parent: str, sums: PlaceSums, now: datetime) -> dict:  # type: ignore[type-arg]
    return {"round_id": round_id, "level": level, "code": code, "parent": parent, "responses": sums.responses,
            "sums": sums.to_json(), "computed_at": now}


def _villages(connection: sa.Connection, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """Village id -> (code, district code)."""
    found: dict[int, tuple[str, str]] = {}
    for start in range(0, len(ids), _IN_CHUNK):
        query = sa.select(VILLAGES.c.id, VILLAGES.c.code, VILLAGES.c.district_code).where(
            VILLAGES.c.id.in_(ids[start : start + _IN_CHUNK]))
        found.update({row.id: (row.code, row.district_code) for row in connection.execute(query)})
    return found


def _parents(connection: sa.Connection, round_id: int, level: SummaryLevel, codes: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for start in range(0, len(codes), _IN_CHUNK):
        query = sa.select(SUMMARIES.c.code, SUMMARIES.c.parent).where(
            SUMMARIES.c.round_id == round_id, SUMMARIES.c.level == level,
            SUMMARIES.c.code.in_(codes[start : start + _IN_CHUNK]))
        found.update(dict(connection.execute(query).tuples().all()))
    return found


def _delete(connection: sa.Connection, round_id: int, level: SummaryLevel, codes: Sequence[str]) -> None:
    for start in range(0, len(codes), _IN_CHUNK):
        connection.execute(sa.delete(SUMMARIES).where(
            SUMMARIES.c.round_id == round_id, SUMMARIES.c.level == level,
            SUMMARIES.c.code.in_(codes[start : start + _IN_CHUNK])))


# --- reading ---------------------------------------------------------------------------------------


def stored_sums(
    connection: sa.Connection, round_id: int, level: SummaryLevel, codes: Iterable[str]
) -> dict[str, PlaceSums]:
    """Code -> stored sums of the round's ``level`` rows ``codes``; a place without responses is left out."""
    listed = sorted(set(codes))
    found: dict[str, PlaceSums] = {}
    for start in range(0, len(listed), _IN_CHUNK):
        query = sa.select(SUMMARIES.c.code, SUMMARIES.c.sums).where(
            SUMMARIES.c.round_id == round_id, SUMMARIES.c.level == level,
            SUMMARIES.c.code.in_(listed[start : start + _IN_CHUNK]))
        found.update({code: PlaceSums.from_json(text) for code, text in connection.execute(query)})
    return found


_LEVELS = {1: SummaryLevel.PROVINCE, 2: SummaryLevel.REGENCY, 3: SummaryLevel.DISTRICT}
"""Segments of an area code -> the level its sums are stored at (more: a village)."""


def reach_sums(
    connection: sa.Connection, round_ids: Sequence[int], codes: Sequence[str] | None
) -> dict[int, PlaceSums]:
    """Round id -> the stored sums of the round's villages below ``codes`` (areas or villages;
    None = the whole round): one stored row per code, never the villages below it."""
    by_level: dict[SummaryLevel, list[str]] = defaultdict(list)
    if codes is None:
        by_level[SummaryLevel.ROUND].append("")
    for code in codes or ():
        if not any(code.startswith(other + ".") for other in codes or ()):  # counted once, by its area
            by_level[_LEVELS.get(code.count(".") + 1, SummaryLevel.VILLAGE)].append(code)
    return {
        round_id: total_sums(part for level, listed in by_level.items()
                             for part in stored_sums(connection, round_id, level, listed).values())
        for round_id in round_ids
    }


_AREAS = (("district_code", SummaryLevel.DISTRICT, "district"), ("regency_code", SummaryLevel.REGENCY, "regency"))
"""The areas a village report compares with: responses-frame column, level, ``VillageInfo`` field."""


def population(
    connection: sa.Connection, rounds: Sequence[RoundInfo], villages: Iterable[VillageInfo], suppression: Suppression
) -> Population:
    """What reports of ``villages`` need from every other village, from stored sums (``refresh``
    first): alpha of each round over all its villages, and the latest round's figures of the
    villages' districts and regencies."""
    listed = list(villages)
    latest = rounds[-1].id
    round_sums = {r.id: stored_sums(connection, r.id, SummaryLevel.ROUND, [""]).get("", PlaceSums()) for r in rounds}
    area_sums = {}
    for column, level, field in _AREAS:
        found = stored_sums(connection, latest, level, (getattr(v, field).code for v in listed))
        area_sums.update({(latest, column, code): sums for code, sums in found.items()})
    return population_from_sums(rounds, round_sums, area_sums, suppression)
