"""Importing figures from outside the survey: police-recorded incidents (per area, month and
category) and the population (per area, age band and sex), from .xlsx or .csv.

Both imports are all or nothing: every row is checked, every problem is reported by row
and column, and only a clean file is stored. The file is the whole truth for what it
names, so importing it twice changes nothing:

- recorded crime: each (area, month) in the file is replaced with the file's categories;
- population: each area in the file is replaced with the file's age bands and sexes.

Areas are villages or districts, by their official code. Flushes and audits; the caller
commits.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from survey_app import audit, clock
from survey_app.extensions import db
from survey_app.models import Area, AreaLevel, PopulationCount, RecordedCrime, User, Village
from survey_app.models._types import utcnow
from survey_app.operations.spreadsheets import ImportRejected, Problem, Table, cell_text, risky
from survey_app.operations.texts import _

MAX_CONTEXT_ROWS = 200_000  # a regency's villages, twelve months, a dozen categories
MAX_CONTEXT_BYTES = 40 * 1024 * 1024
MAX_INCIDENTS = 100_000  # in one area, month and category: more is a typing error
MAX_RESIDENTS = 10_000_000  # in one area, age band and sex

CRIME_COLUMNS = ("code", "month", "category", "incidents")
POPULATION_COLUMNS = ("code", "age_band", "sex", "count", "year")
OPTIONAL_COLUMNS = ("name",)  # the area's name, for the reader of the file; not checked

_MONTH = re.compile(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?")
_BAND = re.compile(r"(\d{1,3})\s*[-–]\s*(\d{1,3})|(\d{1,3})\s*\+")
SEXES = {"male": "male", "m": "male", "l": "male", "laki-laki": "male", "laki": "male",
         "female": "female", "f": "female", "p": "female", "perempuan": "female", "w": "female", "wanita": "female"}


@dataclass(frozen=True)
class ImportSummary:
    """What an import did, cell by cell."""

    added: int
    changed: int
    removed: int
    unchanged: int
    areas: int

    def __str__(self) -> str:
        return (f"{self.areas} area(s): {self.added} added, {self.changed} changed, {self.removed} removed, "
                f"{self.unchanged} unchanged.")


class _Rows:
    """The file's rows as {column: text}, with the problems found while reading them; a
    wrong header is refused at once."""

    def __init__(self, table: Table, required: Sequence[str]) -> None:
        self.problems: list[Problem] = []
        headers = [h.strip().lower() for h in table.headers]
        missing = [c for c in required if c not in headers]
        unknown = [h for h in headers if h and h not in (*required, *OPTIONAL_COLUMNS)]
        if missing or unknown:
            expected = ", ".join(required)
            self.problems += [Problem(1, c, _("This column is missing; the header must be %(cols)s.", cols=expected))
                              for c in missing]
            self.problems += [Problem(1, c, _("This is not a known column; the header must be %(cols)s.",
                                              cols=expected)) for c in unknown]
        if self.problems:  # no row can be read against a wrong header
            raise ImportRejected(self.problems)
        self.rows: list[tuple[int, dict[str, str]]] = []
        for number, cells in table.rows:
            values = {h: cell_text(v) for h, v in zip(headers, cells, strict=False) if h}
            if not any(values.values()):
                continue
            self.rows.append((number, values))
            for column, text in values.items():
                reason = risky(text)
                if reason:
                    self.problems.append(Problem(number, column, reason))

    def check(self, number: int, column: str, value: str, parse: Callable[[str], Any]) -> Any:
        """``parse(value)``, or None with the problem noted (parse raises ValueError with the reason)."""
        if not value:
            self.problems.append(Problem(number, column, _("This cell is empty.")))
            return None
        try:
            return parse(value)
        except ValueError as exc:
            self.problems.append(Problem(number, column, str(exc)))
            return None

    def reject_if_any(self) -> None:
        if self.problems:
            raise ImportRejected(self.problems)


def _areas(codes: Iterable[str]) -> set[str]:
    """The codes among ``codes`` that name a village or a district."""
    wanted = sorted(set(codes))
    villages = set(db.session.scalars(sa.select(Village.code).where(Village.code.in_(wanted))))
    districts = set(db.session.scalars(sa.select(Area.code).where(Area.code.in_(wanted),
                                                                  Area.level == AreaLevel.DISTRICT)))
    return villages | districts


def _whole(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        if not re.fullmatch(r"\d+", text):
            raise ValueError(_("Write a whole number (0 or more), not %(value)s.", value=text))
        value = int(text)
        if not low <= value <= high:
            raise ValueError(_("Write a number from %(low)s to %(high)s.", low=low, high=high))
        return value
    return parse


def _month(text: str) -> date:
    match = _MONTH.fullmatch(text)
    if not match or not 1 <= int(match[2]) <= 12:
        raise ValueError(_("Write the month as YYYY-MM, for example 2026-03, not %(value)s.", value=text))
    month = date(int(match[1]), int(match[2]), 1)
    today = clock.today()
    if month > today.replace(day=1):
        raise ValueError(_("%(month)s has not happened yet.", month=month.strftime("%Y-%m")))
    if month.year < 2000:
        raise ValueError(_("Months before 2000 are not taken."))
    return month


def _category(text: str) -> str:
    category = " ".join(text.split()).lower()
    if len(category) > 40:
        raise ValueError(_("A category has at most 40 characters."))
    return category


def _band(text: str) -> str:
    match = _BAND.fullmatch(text.strip())
    if not match:
        raise ValueError(_("Write an age band as 17-24 or 65+, not %(value)s.", value=text))
    if match[3] is not None:
        return f"{int(match[3])}+"
    low, high = int(match[1]), int(match[2])
    if low > high:
        raise ValueError(_("The band's first age is above its last."))
    return f"{low}-{high}"


def _sex(text: str) -> str:
    found = SEXES.get(text.strip().lower())
    if found is None:
        raise ValueError(_("Write the sex as L or P (laki-laki, perempuan), not %(value)s.", value=text))
    return found


def band_range(band: str) -> tuple[int, int]:
    """"17-24" -> (17, 24); "65+" -> (65, 200)."""
    if band.endswith("+"):
        return int(band[:-1]), 200
    low, high = band.split("-")
    return int(low), int(high)


def _check_codes(rows: _Rows, coded: Sequence[tuple[int, str]]) -> None:
    known = _areas(code for _number, code in coded)
    for number, code in coded:
        if code not in known:
            rows.problems.append(Problem(number, "code", _("%(code)s is not a village or district code we know.",
                                                            code=code)))


# --- recorded crime ----------------------------------------------------------------------


def import_crime(table: Table, actor: User | str) -> ImportSummary:
    """Store recorded incidents; each (area, month) the file names is replaced whole."""
    rows = _Rows(table, CRIME_COLUMNS)
    cells: dict[tuple[str, date, str], int] = {}
    first_row: dict[tuple[str, date, str], int] = {}
    coded = []
    for number, values in rows.rows:
        code = values.get("code", "")
        month = rows.check(number, "month", values.get("month", ""), _month)
        category = rows.check(number, "category", values.get("category", ""), _category)
        incidents = rows.check(number, "incidents", values.get("incidents", ""), _whole(0, MAX_INCIDENTS))
        if not code:
            rows.problems.append(Problem(number, "code", _("This cell is empty.")))
            continue
        coded.append((number, code))
        if month is None or category is None or incidents is None:
            continue
        key = (code, month, category)
        if key in first_row:
            rows.problems.append(Problem(number, "category", _("Row %(row)s already gives %(category)s for this "
                                                               "area and month.", row=first_row[key],
                                                               category=category)))
            continue
        first_row[key] = number
        cells[key] = incidents
    _check_codes(rows, coded)
    rows.reject_if_any()
    if not cells:
        raise ImportRejected([Problem(None, None, _("The file has no rows."))])
    months = {(code, month) for code, month, _category in cells}
    codes = sorted({code for code, _month in months})
    stored = {(r.area_code, r.month, r.category): r for r in db.session.scalars(
        sa.select(RecordedCrime).where(RecordedCrime.area_code.in_(codes)))
        if (r.area_code, r.month) in months}
    summary = _replace(stored, cells, lambda key, value: RecordedCrime(
        area_code=key[0], month=key[1], category=key[2], incidents=value), "incidents", len(codes))
    if summary.added or summary.changed or summary.removed:
        audit.record("crime.imported", actor=actor, object_type="recorded_crime", object_id=None,
                     areas=len(codes), months=len(months), added=summary.added, changed=summary.changed,
                     removed=summary.removed)
    return summary


# --- population ----------------------------------------------------------------------------


def import_population(table: Table, actor: User | str) -> ImportSummary:
    """Store residents by age band and sex; each area the file names is replaced whole."""
    rows = _Rows(table, POPULATION_COLUMNS)
    cells: dict[tuple[str, str, str], tuple[int, int]] = {}
    first_row: dict[tuple[str, str, str], int] = {}
    bands: dict[str, dict[str, int]] = {}
    coded = []
    this_year = clock.today().year
    for number, values in rows.rows:
        code = values.get("code", "")
        band = rows.check(number, "age_band", values.get("age_band", ""), _band)
        sex = rows.check(number, "sex", values.get("sex", ""), _sex)
        count = rows.check(number, "count", values.get("count", ""), _whole(0, MAX_RESIDENTS))
        year = rows.check(number, "year", values.get("year", ""), _whole(1990, this_year))
        if not code:
            rows.problems.append(Problem(number, "code", _("This cell is empty.")))
            continue
        coded.append((number, code))
        if band is None or sex is None or count is None or year is None:
            continue
        key = (code, band, sex)
        if key in first_row:
            rows.problems.append(Problem(number, "age_band", _("Row %(row)s already gives this area, age band and "
                                                               "sex.", row=first_row[key])))
            continue
        first_row[key] = number
        _check_overlap(rows, number, band, bands.setdefault(code, {}))
        cells[key] = (count, year)
    _check_codes(rows, coded)
    rows.reject_if_any()
    if not cells:
        raise ImportRejected([Problem(None, None, _("The file has no rows."))])
    codes = sorted({code for code, _band, _sex in cells})
    stored = {(r.area_code, r.age_band, r.sex): r for r in db.session.scalars(
        sa.select(PopulationCount).where(PopulationCount.area_code.in_(codes)))}
    summary = _replace(stored, cells, lambda key, value: PopulationCount(
        area_code=key[0], age_band=key[1], sex=key[2], count=value[0], year=value[1]), ("count", "year"), len(codes))
    if summary.added or summary.changed or summary.removed:
        audit.record("population.imported", actor=actor, object_type="population", object_id=None,
                     areas=len(codes), added=summary.added, changed=summary.changed, removed=summary.removed)
    return summary


def _check_overlap(rows: _Rows, number: int, band: str, seen: dict[str, int]) -> None:
    """Refuse an age band that overlaps another band of the same area (either sex)."""
    low, high = band_range(band)
    for other, other_row in seen.items():
        other_low, other_high = band_range(other)
        if other != band and low <= other_high and other_low <= high:
            rows.problems.append(Problem(number, "age_band", _("%(band)s overlaps %(other)s (row %(row)s).",
                                                               band=band, other=other, row=other_row)))
            return
    seen.setdefault(band, number)


def _replace(stored: dict[Any, Any], cells: dict[Any, Any], make: Callable[[Any, Any], Any],
             fields: str | tuple[str, ...], areas: int) -> ImportSummary:
    """Make the stored rows equal ``cells``: add, change and delete, counting each."""
    names = (fields,) if isinstance(fields, str) else fields
    added = changed = unchanged = 0
    now = utcnow()
    for key, value in cells.items():
        values = (value,) if isinstance(fields, str) else value
        row = stored.pop(key, None)
        if row is None:
            db.session.add(make(key, value))
            added += 1
        elif tuple(getattr(row, name) for name in names) != tuple(values):
            for name, new in zip(names, values, strict=True):
                setattr(row, name, new)
            row.imported_at = now
            changed += 1
        else:
            unchanged += 1
    for row in stored.values():  # cells of a replaced area (or month) that the file no longer has
        db.session.delete(row)
    db.session.flush()
    return ImportSummary(added, changed, len(stored), unchanged, areas)
