"""``flask --app wsgi crime ...`` and ``population ...``: the figures reports set beside the
survey (format: docs/crime-and-population.md, templates in docs/data/)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
from flask.cli import with_appcontext

from survey_app.cli import transactional
from survey_app.models import User
from survey_app.operations import OperationError
from survey_app.operations.context_import import (
    MAX_CONTEXT_BYTES,
    MAX_CONTEXT_ROWS,
    ImportSummary,
    import_crime,
    import_population,
)
from survey_app.operations.spreadsheets import ImportRejected, Table, read_table

crime = click.Group("crime", help="Police-recorded incidents per village or district, month and category.")
population = click.Group("population", help="Residents per village or district, age band and sex.")

PATH = click.Path(exists=True, dir_okay=False, path_type=Path)


def _import(path: Path, store: Callable[[Table, User | str], ImportSummary], sheet: str) -> ImportSummary:
    with path.open("rb") as handle:
        data = handle.read(MAX_CONTEXT_BYTES + 1)
    try:
        return store(read_table(path.name, data, sheet=sheet, max_rows=MAX_CONTEXT_ROWS,
                                max_bytes=MAX_CONTEXT_BYTES), "cli")
    except ImportRejected as exc:
        more = f"\n... and {exc.more} more." if exc.more else ""
        raise OperationError(f"Nothing was imported from {path.name}:\n{exc}{more}") from None


@crime.command("import")
@click.argument("path", type=PATH)
@with_appcontext
@transactional
def crime_import(path: Path) -> None:
    """Import FILE.csv or FILE.xlsx (code, month, category, incidents): all rows or none; each
    area and month in the file replaces what was stored for it."""
    click.echo(f"Recorded crime from {path.name}: {_import(path, import_crime, 'crime')}")


@population.command("import")
@click.argument("path", type=PATH)
@with_appcontext
@transactional
def population_import(path: Path) -> None:
    """Import FILE.csv or FILE.xlsx (code, age_band, sex, count, year): all rows or none; each
    area in the file replaces what was stored for it."""
    click.echo(f"Population from {path.name}: {_import(path, import_population, 'population')}")
