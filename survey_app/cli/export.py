"""``flask --app wsgi export ...``: the raw answers of a round as CSV or XLSX."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from reports.export import WRITERS, ExportOptions, write_export
from survey_app.cli import reading
from survey_app.operations.rounds import get_round
from survey_app.reporting.service import find_area, record_download, report_language, response_export

group = click.Group("export", help="Export raw answers for analysis.")


@group.command("responses")
@click.option("--round", "round_name", required=True, help="Round name or slug.")
@click.option("--format", "fmt", type=click.Choice(sorted(WRITERS)), required=True, help="File format.")
@click.option("--labels", is_flag=True, help="Answer labels instead of codes.")
@click.option("--lang", default="id", show_default=True,
              help="Language of labels: id, en, or any language of the round's questionnaire.")
@click.option("--area", "area_code", metavar="CODE-PREFIX", help="Only the villages of this area.")
@click.option("--free-text", is_flag=True, help="Include free-text answers (off by default: privacy).")
@click.option("--out", "out_file", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="The file to write.")
@with_appcontext
@reading
def responses(round_name: str, fmt: str, labels: bool, lang: str, area_code: str | None, free_text: bool,
              out_file: Path) -> None:
    """One row per response, one column per question id (0/1 per multiple-choice option).

    Text starting with = + - @ is neutralised: a quote prefix in XLSX, a leading apostrophe in CSV.
    """
    round_ = get_round(round_name)  # an unknown round, area or language is one line, exit 1 (@reading)
    report_language(round_, lang)
    scope = [find_area(area_code).code] if area_code else []
    out_file.parent.mkdir(parents=True, exist_ok=True)
    with response_export(round_, ExportOptions(labels=labels, lang=lang, include_free_text=free_text),
                         scope) as table:
        write_export(table, fmt, out_file)
    record_download("cli", "round", round_.id, what="responses", round=round_.name, format=fmt, labels=labels,
                    area=area_code, free_text=free_text, rows=table.row_count, out=str(out_file))
    click.echo(f"Wrote {table.row_count} responses of {round_.name!r} to {out_file}.")
