"""Loading what reports set beside the survey: police-recorded incidents and the population
(the tables ``flask crime import`` and ``flask population import`` fill), the latter also as
the targets weights are fitted to; with SQLAlchemy Core as ``reports.data`` does; no Flask."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa

from reports.data import RESPONSES, VillageInfo, load_villages
from reports.tables.crime import CrimeSource
from reports.weights import AGE_QUESTION, SEX_QUESTION, Targets, targets_from_bands, weigh

CRIME = sa.table(
    "recorded_crime",
    sa.column("area_code", sa.String),
    sa.column("month", sa.Date),
    sa.column("category", sa.String),
    sa.column("incidents", sa.Integer),
)
POPULATION = sa.table("population_counts", sa.column("area_code", sa.String), sa.column("count", sa.Integer),
                      sa.column("age_band", sa.String), sa.column("sex", sa.String))
VILLAGE_CODES = sa.table("villages", sa.column("code", sa.String), sa.column("district_code", sa.String))


def load_crime_sources(connection: sa.Connection, villages: Sequence[VillageInfo]) -> dict[int, CrimeSource]:
    """Village id -> the recorded crime its report uses: the village's own table, else its
    district's; villages with neither are left out."""
    codes = sorted({v.code for v in villages} | {v.district.code for v in villages})
    months: dict[str, dict[date, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for chunk in _chunks(codes):
        for code, month, category, incidents in connection.execute(
                sa.select(CRIME.c.area_code, CRIME.c.month, CRIME.c.category, CRIME.c.incidents)
                .where(CRIME.c.area_code.in_(chunk))):
            months[code][month][category] = incidents
    if not months:
        return {}
    population = _population(connection, sorted(months))
    found = {}
    for village in villages:
        if village.code in months:
            found[village.id] = CrimeSource(village.code, village.name, "village", months[village.code],
                                            population.get(village.code))
        elif village.district.code in months:
            district = village.district
            found[village.id] = CrimeSource(district.code, district.name, "district", months[district.code],
                                            population.get(district.code))
    return found


def load_population_targets(connection: sa.Connection, villages: Sequence[VillageInfo]) -> dict[int, Targets]:
    """Village id -> its residents by questionnaire age band x sex (``targets_from_bands``):
    the village's own rows, else its district's (only the shares matter to a weight);
    villages with neither are left out and their reports stay unweighted."""
    codes = sorted({v.code for v in villages} | {v.district.code for v in villages})
    rows: dict[str, list[tuple[str, str, float]]] = defaultdict(list)
    for chunk in _chunks(codes):
        for code, band, sex, count in connection.execute(
                sa.select(POPULATION.c.area_code, POPULATION.c.age_band, POPULATION.c.sex, POPULATION.c.count)
                .where(POPULATION.c.area_code.in_(chunk))):
            rows[code].append((band, sex, count))
    targets = {code: targets_from_bands(found) for code, found in rows.items()}
    return {v.id: targets[code] for v in villages
            if (code := v.code if v.code in targets else v.district.code) in targets}


def load_response_weights(connection: sa.Connection, round_id: int,
                          village_filter: sa.ColumnElement[bool] | None = None) -> dict[int, float]:
    """Response id -> its weight in the round's weighted reports: each village's respondents
    weighted to its targets as ``build_village_tables`` does (a weight depends only on the
    respondent's cell and the village's other respondents, so both give the same number).
    Reads three small columns, not the answers, so a province's export can afford it."""
    where = [RESPONSES.c.round_id == round_id, RESPONSES.c.deleted_at.is_(None)]
    if village_filter is not None:
        where.append(village_filter)
    rows = connection.execute(sa.select(
        RESPONSES.c.id, RESPONSES.c.village_id,
        RESPONSES.c.answers[AGE_QUESTION].as_string(), RESPONSES.c.answers[SEX_QUESTION].as_string(),
    ).where(*where)).all()
    by_village: dict[int, list[tuple[int, str | None, str | None]]] = defaultdict(list)
    for response_id, village_id, age, sex in rows:
        by_village[village_id].append((response_id, age, sex))
    targets = load_population_targets(connection, load_villages(connection, sorted(by_village)))
    weights: dict[int, float] = {}
    for village_id, found in by_village.items():
        ids, ages, sexes = zip(*found, strict=True)
        weighting = weigh(ages, sexes, targets.get(village_id))
        weights.update(zip(ids, weighting.weights.tolist(), strict=True))
    return weights


def _population(connection: sa.Connection, codes: Sequence[str]) -> dict[str, int]:
    """Residents per code: an area's own rows, or for a district without them the sum of its
    villages' rows when every one of its villages has them (a partial sum would inflate rates)."""
    totals: dict[str, int] = {}
    for chunk in _chunks(codes):
        totals.update((code, int(total or 0)) for code, total in connection.execute(
            sa.select(POPULATION.c.area_code, sa.func.sum(POPULATION.c.count))
            .where(POPULATION.c.area_code.in_(chunk)).group_by(POPULATION.c.area_code)))
    districts = [code for code in codes if code not in totals and code.count(".") == 2]
    for chunk in _chunks(districts):
        villages = connection.execute(
            sa.select(VILLAGE_CODES.c.district_code, sa.func.count()).where(VILLAGE_CODES.c.district_code.in_(chunk))
            .group_by(VILLAGE_CODES.c.district_code)).all()
        covered = connection.execute(
            sa.select(VILLAGE_CODES.c.district_code, sa.func.count(sa.distinct(VILLAGE_CODES.c.code)),
                      sa.func.sum(POPULATION.c.count))
            .join(POPULATION, POPULATION.c.area_code == VILLAGE_CODES.c.code)
            .where(VILLAGE_CODES.c.district_code.in_(chunk)).group_by(VILLAGE_CODES.c.district_code)).all()
        all_villages = {str(district): int(count) for district, count in villages}
        for district, with_rows, residents in covered:
            if with_rows == all_villages.get(district):
                totals[district] = int(residents)
    return {code: int(total) for code, total in totals.items() if total}


def _chunks(values: Sequence[str], size: int = 900) -> list[Sequence[str]]:
    """Slices small enough for SQLite's limit on bound parameters."""
    return [values[i:i + size] for i in range(0, len(values), size)]
