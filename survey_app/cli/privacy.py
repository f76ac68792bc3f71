"""``flask privacy record``: the record of processing for the data protection officer."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from survey_app import privacy
from survey_app.operations.retention import retention_table
from survey_app.privacy.facts import latest_versions, questionnaire_facts
from survey_app.privacy.record import render_record
from survey_app.questionnaires import catalog

group = click.Group("privacy", help="Personal data protection: the record of processing.")


@group.command("record")
@click.option("--out", "out_file", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="The Markdown file to write.")
@with_appcontext
def record(out_file: Path) -> None:
    """Write the record of processing, built from the privacy settings, the questionnaires and
    the routes' access rules."""
    text = render_record(current_app, privacy.settings(), questionnaire_facts(latest_versions(catalog()), "en"),
                         retention_table())
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(text, encoding="utf-8")
    click.echo(f"Wrote the record of processing to {out_file}.")
