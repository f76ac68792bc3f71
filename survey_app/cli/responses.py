"""``flask --app wsgi responses ...``: paper forms from a spreadsheet, and double-entry settings."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from survey_app import questionnaires
from survey_app.cli import transactional
from survey_app.extensions import db
from survey_app.models import DoubleEntry, Role, User
from survey_app.operations import OperationError
from survey_app.operations.paper import entry_villages, set_double_entry
from survey_app.operations.paper_import import build_template, import_table
from survey_app.operations.printing import print_forms
from survey_app.operations.rounds import get_round
from survey_app.operations.spreadsheets import MAX_UPLOAD_BYTES, ImportRejected, read_table
from survey_app.operations.users import normalise_email
from survey_app.reporting.service import round_villages

group = click.Group("responses", help="Print paper forms; import those keyed offline; set double entry for a round.")


def _user(email: str | None) -> User | None:
    if email is None:
        return None
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    if user is None or not user.active:
        raise OperationError(f"No active account {email!r}.")
    if user.role is Role.VIEWER:  # the same people who may key paper forms on the screen
        raise OperationError(f"{user.email} is a viewer; viewers do not key paper forms.")
    return user


@group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--round", "round_name", required=True, help="The round's name or slug.")
@click.option("--as", "email", help="The volunteer who keyed the file (their villages apply; "
                                    "they cannot key the second entry of these forms).")
@with_appcontext
@transactional
def import_(path: Path, round_name: str, email: str | None) -> None:
    """Import FILE.xlsx or FILE.csv as first entries: all rows or none."""
    round_ = get_round(round_name)
    user = _user(email)
    questionnaire = questionnaires.load(round_.questionnaire_key, round_.questionnaire_version)
    with path.open("rb") as handle:
        data = handle.read(MAX_UPLOAD_BYTES + 1)
    try:
        table = read_table(path.name, data)
        report = import_table(user, round_, questionnaire, table, actor_label="cli", filename=path.name)
    except ImportRejected as exc:
        more = f"\n... and {exc.more} more." if exc.more else ""
        raise OperationError(f"Nothing was imported from {path.name}:\n{exc}{more}") from None
    click.echo(f"Imported {len(report.created)} paper form(s) into {round_.name!r} as first entries; "
               f"{len(report.unchanged)} already stored and unchanged.")


@group.command("template")
@click.argument("name")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The .xlsx to write.")
@click.option("--as", "email", help="Limit the villages sheet to this volunteer's villages.")
@click.option("--lang", default="id", show_default=True, help="Language of the labels.")
@with_appcontext
@transactional
def template(name: str, out: Path, email: str | None, lang: str) -> None:
    """Write the round's Excel template for keying paper forms offline."""
    round_ = get_round(name)
    questionnaire = questionnaires.load(round_.questionnaire_key, round_.questionnaire_version)
    out.write_bytes(build_template(round_, questionnaire, entry_villages(_user(email), round_), lang))
    click.echo(f"Wrote {out}.")


@group.command("double-entry")
@click.argument("name")
@click.option("--mode", type=click.Choice([m.value for m in DoubleEntry]), required=True,
              help="off, all (every paper form keyed twice) or sample (a random share).")
@click.option("--share", type=int, help="Percent of paper forms keyed twice, with --mode sample.")
@with_appcontext
@transactional
def double_entry(name: str, mode: str, share: int | None) -> None:
    """Set which paper forms of a round need a second, blind entry."""
    round_ = get_round(name)
    set_double_entry(round_, DoubleEntry(mode), share, actor="cli")
    click.echo(f"Double entry for {round_.name!r}: {round_.double_entry.value}"
               + (f" ({round_.double_entry_share}%)" if round_.double_entry is DoubleEntry.SAMPLE else "") + ".")


@group.command("print")
@click.option("--round", "round_name", required=True, help="The round's name or slug.")
@click.option("--village", "village_code", help="One village's code: its forms carry its name and serials.")
@click.option("--area", "area_code", help="An area code (e.g. a district 32.73.01): forms for each of its villages.")
@click.option("--count", default=1, show_default=True, type=int,
              help="Forms per village (with --village or --area), or blank forms without.")
@click.option("--lang", default="id", show_default=True, help="Language of the questionnaire's texts.")
@click.option("--second-lang", help="Print each text in this language too, in smaller type.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The .pdf to write.")
@with_appcontext
@transactional
def print_(round_name: str, village_code: str | None, area_code: str | None, count: int, lang: str,
           second_lang: str | None, out: Path) -> None:
    """Print numbered paper questionnaires as an A4 PDF; their serials are reserved."""
    if village_code and area_code:
        raise OperationError("Give --village or --area, not both.")
    round_ = get_round(round_name)
    villages = round_villages(round_, village_code=village_code, area_code=area_code) \
        if (village_code or area_code) else []
    partial = out.with_name(f".{out.name}.part")
    try:
        run = print_forms(round_, villages, count, lang, partial, actor="cli", second_lang=second_lang)
        partial.replace(out)  # complete, or not there at all
    finally:
        partial.unlink(missing_ok=True)
    serials = f"; serials {run.serials[0]} .. {run.serials[-1]} reserved" if run.serials else " (blank, no serials)"
    click.echo(f"Wrote {out}: {run.forms} form(s) of {run.pages_per_form} page(s){serials}.")
