from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from survey_app import clock
from survey_app.cli import transactional
from survey_app.extensions import db
from survey_app.models import FreeTextMode, Response, Round, RoundStatus, Village
from survey_app.operations import OperationError
from survey_app.operations.free_text import set_free_text_mode
from survey_app.operations.retention import set_retention
from survey_app.operations.rounds import (
    RoundSettings,
    apply_schedule,
    chosen_scope,
    close_round,
    create_round,
    get_round,
    open_round,
    parse_date,
    set_weighting,
    village_total,
)
from survey_app.posters import form_url, villages_of_round, write_posters

group = click.Group("rounds", help="Create, open, close and list survey rounds.")


@group.command("create")
@click.argument("name")
@click.option("--questionnaire", "ref", required=True, metavar="KEY@VERSION",
              help="The questionnaire version, e.g. trust-safety@2.")
@click.option("--opens", help="Opening date, YYYY-MM-DD.")
@click.option("--closes", help="Closing date, YYYY-MM-DD.")
@click.option("--villages", "scope", multiple=True, metavar="CODE-PREFIX",
              help="Areas or villages in scope (repeatable).")
@click.option("--all-villages", is_flag=True, help="Every imported village instead (said out loud, never by omission).")
@click.option("--target", type=int, help="Responses wanted per village (a village's own target wins).")
@click.option("--min-n", type=int, help="Minimum base for this round's reports (default: the MIN_N setting).")
@click.option("--scheduled", is_flag=True, help="Open and close by the dates, without a command.")
@with_appcontext
@transactional
def create(name: str, ref: str, opens: str | None, closes: str | None, scope: tuple[str, ...], all_villages: bool,
           target: int | None, min_n: int | None, scheduled: bool) -> None:
    """Create a draft round on a questionnaire version, in --villages or --all-villages."""
    settings = RoundSettings(parse_date(opens, "--opens"), parse_date(closes, "--closes"), scheduled, target, min_n)
    codes = chosen_scope(list(scope), all_villages)
    round_ = create_round(name, ref, scope_codes=codes, actor="cli", settings=settings)
    where = ", ".join(round_.scope_prefixes) or f"all {village_total():,} villages"
    click.echo(f"Created round {round_.name!r} ({round_.questionnaire_ref}, {where}); it is a draft.")


@group.command("open")
@click.argument("name")
@with_appcontext
@transactional
def open_(name: str) -> None:
    """Open a draft round for answers."""
    round_ = get_round(name)
    open_round(round_, actor="cli")
    click.echo(f"Round {round_.name!r} is open.")


@group.command("close")
@click.argument("name")
@click.option("--paper-may-finish", is_flag=True, help="Let volunteers finish keying paper forms.")
@with_appcontext
@transactional
def close(name: str, paper_may_finish: bool) -> None:
    """Close an open round: no new web answers."""
    round_ = get_round(name)
    close_round(round_, actor="cli", paper_may_finish=paper_may_finish)
    paper = " Paper entry may finish." if paper_may_finish else ""
    click.echo(f"Round {round_.name!r} is closed.{paper}")


@group.command("weights")
@click.argument("name")
@click.argument("state", type=click.Choice(["on", "off"]))
@with_appcontext
@transactional
def weights(name: str, state: str) -> None:
    """Weight the round's report figures to the population by age band and sex (on), or not."""
    round_ = get_round(name)
    changed = set_weighting(round_, state == "on", actor="cli")
    how = "weighted to the population" if round_.weighted else "unweighted"
    click.echo(f"Reports of round {round_.name!r} are {how}{'' if changed else ' (no change)'}.")


@group.command("retention")
@click.argument("name")
@click.option("--free-text", "free_text", type=int, required=True, metavar="MONTHS",
              help="Months after closing that free-text answers are kept.")
@click.option("--responses", type=int, required=True, metavar="MONTHS",
              help="Months after closing that individual responses are kept (their sums stay).")
@with_appcontext
@transactional
def retention(name: str, free_text: int, responses: int) -> None:
    """Set how long the round keeps free text and individual responses after it closes."""
    round_ = get_round(name)
    set_retention(round_, free_text, responses, actor="cli")
    click.echo(f"Round {round_.name!r} keeps free text {free_text} and responses {responses} months after closing.")


@group.command("free-text")
@click.argument("name")
@click.argument("mode", type=click.Choice([m.value for m in FreeTextMode]))
@with_appcontext
@transactional
def free_text(name: str, mode: str) -> None:
    """Redact personal data found in free text at once (redact), or keep the original apart
    for an administrator's review in the console (review)."""
    round_ = get_round(name)
    changed = set_free_text_mode(round_, FreeTextMode(mode), actor="cli")
    click.echo(f"Round {round_.name!r}: free text {mode}{'' if changed else ' (no change)'}.")


@group.command("apply-schedule")
@with_appcontext
@transactional
def apply_schedule_() -> None:
    """Record the openings and closings scheduled rounds' dates call for (run it daily)."""
    changed = apply_schedule(clock.today())
    for round_ in changed:
        click.echo(f"Round {round_.name!r} is now {round_.status.value}.")
    if not changed:
        click.echo("Nothing to do.")


@group.command("list")
@with_appcontext
def list_() -> None:
    """List rounds with status, dates, questionnaire version and response counts."""
    counts = (
        sa.select(Response.round_id, sa.func.count().label("n"))
        .where(Response.deleted_at.is_(None))
        .group_by(Response.round_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Round, sa.func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.round_id == Round.id)
        .order_by(Round.created_at, Round.id)
    ).all()
    if not rows:
        click.echo("No rounds yet. Create one with: flask --app wsgi rounds create NAME --questionnaire KEY@VERSION")
        return
    click.echo(f"{'name':30} {'status':7} {'questionnaire':18} {'opens':10} {'closes':10} {'responses':>9}")
    for round_, n in rows:
        click.echo(
            f"{round_.name:30} {round_.status.value:7} {round_.questionnaire_ref:18} "
            f"{round_.opens_on or '-'!s:10} {round_.closes_on or '-'!s:10} {n:>9}"
        )


@group.command("links")
@click.argument("name")
@click.option("--village", "village_code", metavar="CODE", help="Only this village.")
@with_appcontext
@transactional
def links(name: str, village_code: str | None) -> None:
    """Print CODE, village name and form address (tab-separated) for each village of a round."""
    round_ = get_round(name)
    base_url = current_app.config["PUBLIC_BASE_URL"]
    for village in _villages(round_, village_code):
        # Tabs or line breaks inside a name would break the columns.
        click.echo(f"{village.code}\t{' '.join(village.name.split())}\t{form_url(base_url, round_, village)}")


@group.command("posters")
@click.argument("name")
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path),
              help="Folder to write into; the posters go in a subfolder named after the round.")
@click.option("--village", "village_code", metavar="CODE", help="Only this village.")
@with_appcontext
@transactional
def posters(name: str, out_dir: Path, village_code: str | None) -> None:
    """Write a printable A4 QR poster per village of a round, and an index.html to print them all."""
    round_ = get_round(name)
    if round_.status is RoundStatus.CLOSED:
        raise OperationError(f"Round {round_.name!r} is closed; posters would send residents to a closed form.")
    villages = _villages(round_, village_code)
    folder = write_posters(round_, villages, current_app.config["PUBLIC_BASE_URL"], out_dir)
    click.echo(f"Wrote {len(villages)} poster(s) to {folder} (print them all from {folder / 'index.html'}).")
    if round_.status is RoundStatus.DRAFT:
        click.echo(f"Note: round {round_.name!r} is a draft and not open yet; its form takes answers only "
                   f"once it is opened (flask --app wsgi rounds open {round_.slug}).")


def _villages(round_: Round, village_code: str | None) -> list[Village]:
    villages = villages_of_round(round_, village_code)
    if not villages:
        raise OperationError(f"Round {round_.name!r} has no villages yet; "
                             "import them with: flask --app wsgi villages import PATH")
    return villages
