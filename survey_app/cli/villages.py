"""``flask --app wsgi villages ...``: loading the official area list."""

from pathlib import Path

import click
from flask.cli import with_appcontext

from survey_app.cli import transactional
from survey_app.operations.villages import import_villages

group = click.Group("villages", help="Import and inspect villages.")


@group.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@with_appcontext
@transactional
def import_(path: Path) -> None:
    """Add or update provinces, regencies, districts and villages from PATH.

    \b
    PATH is either
      - a CSV file with the header code,name,district,regency,province[,target]:
        one village per row (code like 32.73.01.1001); district, regency and
        province are names, their codes come from the village code; target is
        the number of respondents wanted (an empty cell keeps the current one);
      - a folder with the official files provinces.csv (code,name),
        regencies.csv (code,province_code,name), districts.csv
        (code,regency_code,name) and villages.csv (code,district_code,name).

    Files are UTF-8 ("CSV UTF-8" in Excel). Every row is checked first: on any
    problem nothing is written and each problem is listed with its file, row
    and column. Running the same import again changes nothing; villages not in
    PATH are kept.
    """
    result = import_villages(path, actor="cli")
    click.echo(result.summary())
