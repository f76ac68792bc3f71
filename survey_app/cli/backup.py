"""``flask --app wsgi backup ...``: the whole database to one checked file, and back."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from survey_app import audit, backup
from survey_app.database import writing
from survey_app.extensions import db

group = click.Group("backup", help="Back up the database to a file with a checksum, and restore it.")


@group.command("create")
@click.option("--out", "out_file", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="The backup file to write (its checksum goes beside it, as FILE.sha256).")
@with_appcontext
def create(out_file: Path) -> None:
    """Copy the whole database into --out (safe while the app runs)."""
    try:
        made = backup.create(current_app.config["SQLALCHEMY_DATABASE_URI"], out_file)
    except (backup.BackupError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    _audit("backup.created", out_file, made)
    click.echo(f"Wrote {made.size:,} bytes to {out_file} (sha256 {made.sha256}; checksum in "
               f"{backup.checksum_file(out_file).name}).")


@group.command("restore")
@click.argument("source", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--yes", is_flag=True, help="Confirm that every row of the database is replaced by the backup.")
@with_appcontext
def restore(source: Path, yes: bool) -> None:
    """Replace the whole database with a backup, after checking its checksum. Stop the web and
    queue workers first; start them again afterwards."""
    if not yes:
        raise click.ClickException("Restoring replaces every row of the database with the backup's; "
                                   "add --yes to confirm.")
    db.session.remove()
    db.engine.dispose()  # no pooled connection may keep writing into the old contents
    try:
        restored = backup.restore(current_app.config["SQLALCHEMY_DATABASE_URI"], source)
    except (backup.BackupError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    _audit("backup.restored", source, restored)
    click.echo(f"Restored {source} (sha256 {restored.sha256}).")


def _audit(action: str, path: Path, made: backup.Backup) -> None:
    with writing():
        audit.record(action, actor="cli", object_type="backup", object_id=path.name, path=str(path),
                     sha256=made.sha256, size=made.size)
        db.session.commit()
