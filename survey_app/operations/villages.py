"""Importing the official area list: provinces, regencies, districts and villages.

Two layouts: a flat CSV a coordinator can edit in a spreadsheet (one row per village, the
area names beside it), or the four-file folder the official data comes in. The whole
source is checked before anything is written, so a file with one mistake changes nothing.
Writes are set-based (existing rows read once, changes sent as bulk INSERT/UPDATE) because
the full list is 83,762 villages and a query per row would take minutes.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from survey_app import audit
from survey_app.extensions import db
from survey_app.models import Area, AreaLevel, User, Village
from survey_app.operations import OperationError

MAX_NAME_LENGTH = 120  # the width of the name columns
MAX_TARGET = 100_000  # far above any village round; keeps a slipped finger out of the INTEGER column
MAX_SHOWN_PROBLEMS = 50  # enough to see the pattern; the rest is usually the same mistake
FLAT_COLUMNS = ("code", "name", "district", "regency", "province")
FLAT_OPTIONAL_COLUMNS = ("target",)


@dataclass(frozen=True)
class Level:
    """One level of the hierarchy: its code shape and where it sits in the four-file layout."""

    key: str
    plural: str
    shape: str  # N stands for a digit, as the official list writes its codes
    example: str
    file_name: str
    parent: str | None = None
    parent_column: str | None = None

    @property
    def depth(self) -> int:
        """Segments in the code: 32 / 32.73 / 32.73.01 / 32.73.01.1001."""
        return self.shape.count(".") + 1

    @functools.cached_property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(re.escape(self.shape).replace("N", "[0-9]"))


PROVINCE = Level("province", "provinces", "NN", "32", "provinces.csv")
REGENCY = Level("regency", "regencies", "NN.NN", "32.73", "regencies.csv", "province", "province_code")
DISTRICT = Level("district", "districts", "NN.NN.NN", "32.73.01", "districts.csv", "regency", "regency_code")
VILLAGE = Level("village", "villages", "NN.NN.NN.NNNN", "32.73.01.1001", "villages.csv", "district", "district_code")
# Parents first: the order rows are checked and inserted in (foreign keys point upwards).
LEVELS = {level.key: level for level in (PROVINCE, REGENCY, DISTRICT, VILLAGE)}
AREA_LEVELS = (PROVINCE, REGENCY, DISTRICT)


def code_prefix(code: str, level: Level) -> str:
    """The code of the area at ``level`` that contains ``code`` (32.73.01.1001 -> 32.73)."""
    return ".".join(code.split(".")[: level.depth])


def parent_code(code: str) -> str:
    return code.rsplit(".", 1)[0]


# --- problems -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """Where a value came from, counted as a spreadsheet user counts (the header is row 1)."""

    file: str
    row: int | None = None


class Problems:
    """Every mistake found in a source, so the user can fix them all in one go."""

    def __init__(self) -> None:
        self._items: list[tuple[Place, str | None, str]] = []
        self._file_order: dict[str, int] = {}

    def __bool__(self) -> bool:
        return bool(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def add(self, place: Place, column: str | None, message: str) -> None:
        self._file_order.setdefault(place.file, len(self._file_order))
        self._items.append((place, column, message))

    def lines(self) -> list[str]:
        """One line per problem, file by file in reading order, then by row."""
        ordered = sorted(self._items, key=lambda item: (self._file_order[item[0].file], item[0].row or 0))
        return [self._format(*item) for item in ordered]

    def report(self) -> str:
        lines = self.lines()
        shown = lines[:MAX_SHOWN_PROBLEMS]
        if len(lines) > len(shown):
            shown.append(f"... and {len(lines) - len(shown)} more.")
        header = (
            f"Nothing was imported: {len(lines)} problem{'' if len(lines) == 1 else 's'} found. "
            "Fix them and run the import again."
        )
        return "\n".join([header, *shown])

    @staticmethod
    def _format(place: Place, column: str | None, message: str) -> str:
        where = place.file
        if place.row is not None:
            where += f", row {place.row}"
        if column is not None:
            where += f", column {column}"
        return f"{where}: {message}"


# --- reading CSV --------------------------------------------------------------------------


def read_table(
    path: Path, file: str, required: tuple[str, ...], optional: tuple[str, ...], problems: Problems
) -> list[tuple[int, dict[str, str]]] | None:
    """Data rows of a CSV as ``(row number, {column: stripped value})``, or None when the
    file cannot be read as a table at all (encoding, header); blank rows are skipped."""
    text = decode(path.read_bytes(), file, problems)
    if text is None:
        return None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter(text))
    try:
        records = list(reader)
    except csv.Error as exc:
        problems.add(Place(file, reader.line_num), None, f"cannot be read as CSV ({exc}).")
        return None
    expected = ",".join(required) + "".join(f"[,{column}]" for column in optional)
    if not any(cell.strip() for record in records for cell in record):
        problems.add(Place(file, 1), None, f"the file is empty; its first row must be the header {expected}.")
        return None
    header = [cell.strip().lower() for cell in records[0]]
    if not check_header(header, required, optional, Place(file, 1), expected, problems):
        return None
    return list(table_rows(records[1:], header, file, problems))


def delimiter(text: str) -> str:
    """Excel set to Indonesian (and most of Europe) saves "CSV" with semicolons; take those too."""
    first_line = text.partition("\n")[0]
    return ";" if ";" in first_line and "," not in first_line else ","


def decode(data: bytes, file: str, problems: Problems) -> str | None:
    """The file's text; a UTF-8 BOM (Excel's "CSV UTF-8") is dropped, other encodings refused."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    header = next(csv.reader([lines[0].decode("utf-8", "replace")]), [])
    for number, line in enumerate(lines, start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as exc:
            before = next(csv.reader([line[: exc.start].decode("utf-8")]), [""])
            index = max(len(before), 1)
            column = header[index - 1].strip() if number > 1 and index <= len(header) else str(index)
            problems.add(
                Place(file, number),
                column or str(index),
                f'byte 0x{line[exc.start]:02X} is not UTF-8 text; save the file as "CSV UTF-8" and import it again.',
            )
    return None


def check_header(
    header: list[str],
    required: tuple[str, ...],
    optional: tuple[str, ...],
    place: Place,
    expected: str,
    problems: Problems,
) -> bool:
    """Refuse missing, unknown and repeated columns; the order of columns is free."""
    before = len(problems)
    known = required + optional
    for column in required:
        if column not in header:
            problems.add(place, column, f"is missing from the header; the header must be {expected}.")
    for index, column in enumerate(header, start=1):
        if column not in known:
            label = column or f"{index} (no name)"
            problems.add(place, label, f"is not a known column; the header must be {expected}.")
        elif header.index(column) != index - 1:
            problems.add(place, column, "appears twice in the header.")
    return len(problems) == before


def table_rows(
    records: list[list[str]], header: list[str], file: str, problems: Problems
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield the well-shaped data rows; report rows with too few or too many values."""
    for number, cells in enumerate(records, start=2):
        values = [cell.strip() for cell in cells]
        if not any(values):
            continue
        extra = values[len(header) :]
        if len(values) < len(header):
            problems.add(
                Place(file, number),
                header[len(values)],
                f"has no value: the row has {len(values)} value(s) but the header has {len(header)} columns.",
            )
        elif any(extra):
            index = len(header) + next(i for i, value in enumerate(extra) if value) + 1
            problems.add(
                Place(file, number),
                str(index),
                f"extra value {extra[index - len(header) - 1]!r} beyond the header's {len(header)} columns.",
            )
        else:
            yield number, dict(zip(header, values, strict=False))


# --- checking values ----------------------------------------------------------------------


def check_code(level: Level, code: str, place: Place, column: str, problems: Problems) -> bool:
    if level.pattern.fullmatch(code):
        return True
    if not code:
        problems.add(place, column, f"is empty; a {level.key} code looks like {level.example}.")
    else:
        problems.add(
            place,
            column,
            f"{code!r} is not a {level.key} code; expected {level.shape}, for example {level.example}.",
        )
    return False


def check_name(name: str, place: Place, column: str, problems: Problems) -> str | None:
    if not name:
        problems.add(place, column, "is empty; every area and village needs a name.")
        return None
    if len(name) > MAX_NAME_LENGTH:
        problems.add(place, column, f"the name has {len(name)} characters; at most {MAX_NAME_LENGTH}.")
        return None
    return name


def check_target(value: str, place: Place, problems: Problems) -> tuple[bool, int | None]:
    """(ok, target): an empty cell means "no target given", which keeps the current one."""
    if not value:
        return True, None
    if not re.fullmatch(r"[0-9]+", value):
        problems.add(
            place,
            "target",
            f"{value!r} is not a whole number; give the number of "
            "respondents wanted (for example 100) or leave it empty.",
        )
        return False, None
    target = int(value)
    if not 1 <= target <= MAX_TARGET:
        problems.add(place, "target", f"{target} is out of range; a target is between 1 and {MAX_TARGET}.")
        return False, None
    return True, target


# --- what a source holds ------------------------------------------------------------------


@dataclass
class Record:
    """One area or village as the source gives it."""

    level: Level
    code: str
    name: str
    place: Place
    target: int | None = None  # villages only


@dataclass
class Found:
    """Records by level and code. ``rows`` holds the first row of every well-formed code, also
    of rows with other problems: duplicates are caught whatever else is wrong, and one bad
    district does not make each of its villages an orphan too."""

    records: dict[str, dict[str, Record]] = field(default_factory=lambda: {key: {} for key in LEVELS})
    rows: dict[str, dict[str, int | None]] = field(default_factory=lambda: {key: {} for key in LEVELS})

    def claim(self, level: Level, code: str, place: Place, problems: Problems) -> bool:
        """Note the first row of a code; name both rows when it comes again."""
        first = self.rows[level.key].setdefault(code, place.row)
        if first == place.row:
            return True
        problems.add(
            place, "code", f"{level.key} {code} is also on row {first}; each {level.key} may appear only once."
        )
        return False

    def add(self, record: Record) -> None:
        self.records[record.level.key][record.code] = record

    def add_area_of_row(self, record: Record, column: str, problems: Problems) -> None:
        """Areas repeat on every village row of a flat CSV; they must repeat the same name."""
        first = self.records[record.level.key].setdefault(record.code, record)
        if first.name != record.name:
            problems.add(
                record.place,
                column,
                f"{record.level.key} {record.code} is named {record.name!r} here but "
                f"{first.name!r} on row {first.place.row}; one code, one name.",
            )


def read_flat(path: Path, problems: Problems) -> Found:
    """A CSV with one village per row; its areas' codes come from the village code."""
    found = Found()
    rows = read_table(path, path.name, FLAT_COLUMNS, FLAT_OPTIONAL_COLUMNS, problems)
    if rows == []:
        problems.add(Place(path.name, 2), None, "the file has a header but no villages below it.")
    for number, row in rows or []:
        read_flat_row(row, Place(path.name, number), found, problems)
    return found


def read_flat_row(row: dict[str, str], place: Place, found: Found, problems: Problems) -> None:
    code = row["code"]
    code_ok = check_code(VILLAGE, code, place, "code", problems)
    name = check_name(row["name"], place, "name", problems)
    target_ok, target = check_target(row.get("target", ""), place, problems)
    area_names = {level: check_name(row[level.key], place, level.key, problems) for level in AREA_LEVELS}
    if not code_ok:
        return
    for level, area_name in area_names.items():
        area_code = code_prefix(code, level)
        found.rows[level.key].setdefault(area_code, place.row)
        if area_name is not None:
            found.add_area_of_row(Record(level, area_code, area_name, place), level.key, problems)
    if found.claim(VILLAGE, code, place, problems) and name is not None and target_ok:
        found.add(Record(VILLAGE, code, name, place, target))


def read_folder(path: Path, problems: Problems) -> Found:
    """The official layout: provinces.csv, regencies.csv, districts.csv and villages.csv."""
    found = Found()
    missing = [level.file_name for level in LEVELS.values() if not (path / level.file_name).is_file()]
    if missing:
        problems.add(
            Place(path.name),
            None,
            f"the folder has no {', '.join(missing)}; a folder import needs provinces.csv, "
            "regencies.csv, districts.csv and villages.csv.",
        )
        return found
    for level in LEVELS.values():
        columns = ("code", level.parent_column, "name") if level.parent_column else ("code", "name")
        rows = read_table(path / level.file_name, level.file_name, columns, (), problems)
        if rows == [] and level is VILLAGE:
            problems.add(Place(level.file_name, 2), None, "the file has a header but no villages below it.")
        for number, row in rows or []:
            read_folder_row(level, row, Place(level.file_name, number), found, problems)
    return found


def read_folder_row(level: Level, row: dict[str, str], place: Place, found: Found, problems: Problems) -> None:
    code = row["code"]
    code_ok = check_code(level, code, place, "code", problems)
    name = check_name(row["name"], place, "name", problems)
    if not code_ok:
        return
    parent_ok = level.parent_column is None or check_parent_column(level, level.parent_column, row, place, problems)
    if found.claim(level, code, place, problems) and name is not None and parent_ok:
        found.add(Record(level, code, name, place))


def check_parent_column(level: Level, column: str, row: dict[str, str], place: Place, problems: Problems) -> bool:
    """The parent column must repeat the code's own prefix: 32.73.01.1001 lies in 32.73.01."""
    expected = parent_code(row["code"])
    given = row[column]
    if given == expected:
        return True
    shown = f"{given!r} does not match" if given else "is empty; it must match"
    problems.add(place, column, f"{shown} the code {row['code']}, which lies in {level.parent} {expected}.")
    return False


def check_parents(found: Found, existing_areas: dict[str, str], problems: Problems) -> None:
    """Every area and village needs its parent, from the source or already in the database."""
    for level in LEVELS.values():
        if level.parent is None:
            continue
        parent = LEVELS[level.parent]
        for record in found.records[level.key].values():
            code = parent_code(record.code)
            if code not in found.rows[parent.key] and code not in existing_areas:
                problems.add(
                    record.place,
                    level.parent_column,
                    f"{parent.key} {code} is neither in {parent.file_name} nor in the database.",
                )


READERS: dict[str, Callable[[Path, Problems], Found]] = {
    "flat CSV": read_flat,
    "folder": read_folder,
}


# --- planning and writing -----------------------------------------------------------------


@dataclass
class LevelCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class Changes:
    """Rows to insert and to update (by primary key) for one level."""

    inserts: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0

    @property
    def counts(self) -> LevelCounts:
        return LevelCounts(len(self.inserts), len(self.updates), self.unchanged)


@dataclass
class ImportResult:
    """What an import did, level by level."""

    source: str
    layout: str
    counts: dict[str, LevelCounts]

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {key: vars(counts).copy() for key, counts in self.counts.items()}

    def summary(self) -> str:
        parts = [
            f"{LEVELS[key].plural} {c.added} added, {c.updated} updated, {c.unchanged} unchanged"
            for key, c in self.counts.items()
        ]
        return f"Imported {self.source} ({self.layout}): " + "; ".join(parts) + "."


def plan_areas(level: Level, records: dict[str, Record], existing: dict[str, str]) -> Changes:
    changes = Changes()
    for record in records.values():
        old_name = existing.get(record.code)
        if old_name is None:
            parent = None if level.parent is None else parent_code(record.code)
            changes.inserts.append(
                {
                    "code": record.code,
                    "level": AreaLevel(level.key),
                    "name": record.name,
                    "parent_code": parent,
                }
            )
        elif old_name != record.name:
            changes.updates.append({"code": record.code, "name": record.name})
        else:
            changes.unchanged += 1
    return changes


def plan_villages(records: dict[str, Record], existing: dict[str, tuple[int, str, int | None]]) -> Changes:
    """A missing target keeps the current one: the four-file layout has no target column."""
    changes = Changes()
    for record in records.values():
        old = existing.get(record.code)
        if old is None:
            changes.inserts.append(
                {
                    "code": record.code,
                    "name": record.name,
                    "district_code": parent_code(record.code),
                    "target_n": record.target,
                }
            )
            continue
        village_id, old_name, old_target = old
        target = old_target if record.target is None else record.target
        if (record.name, target) == (old_name, old_target):
            changes.unchanged += 1
        else:
            changes.updates.append({"id": village_id, "name": record.name, "target_n": target})
    return changes


def write(level: Level, changes: Changes) -> None:
    """Bulk ORM statements: one executemany per kind of change, never a query per row."""
    model = Village if level is VILLAGE else Area
    if changes.inserts:
        db.session.execute(sa.insert(model), changes.inserts)
    if changes.updates:
        db.session.execute(sa.update(model), changes.updates)


def import_villages(path: Path | str, actor: User | str | None = None) -> ImportResult:
    """Add and update areas and villages from a flat CSV file or a four-file folder.

    Everything is checked first; on any problem nothing is written and OperationError lists
    them all. Villages missing from the source are kept: a partial file is a normal update.
    """
    path = Path(path)
    if not path.exists():
        raise OperationError(f"{path}: no such file or folder.")
    layout = "folder" if path.is_dir() else "flat CSV"
    problems = Problems()
    found = READERS[layout](path, problems)
    existing_areas: dict[str, str] = dict(db.session.execute(sa.select(Area.code, Area.name)).tuples().all())
    check_parents(found, existing_areas, problems)
    if problems:
        raise OperationError(problems.report())
    existing_villages = {
        code: (village_id, name, target)
        for code, village_id, name, target in db.session.execute(
            sa.select(Village.code, Village.id, Village.name, Village.target_n)
        ).tuples()
    }
    plans = {level.key: plan_areas(level, found.records[level.key], existing_areas) for level in AREA_LEVELS}
    plans[VILLAGE.key] = plan_villages(found.records[VILLAGE.key], existing_villages)
    try:
        for key, changes in plans.items():
            write(LEVELS[key], changes)
    except sa.exc.IntegrityError:
        # Only another import running at the same moment can get here: all else was checked.
        raise OperationError(
            "The villages changed while this import ran; nothing was imported. Run it again."
        ) from None
    result = ImportResult(path.name, layout, {key: changes.counts for key, changes in plans.items()})
    audit.record(
        "villages.imported",
        actor=actor,
        object_type="villages",
        object_id=path.name,
        source=path.name,
        layout=layout,
        counts=result.as_dict(),
    )
    return result
