"""``flask retention``: what each round's retention period has made due, and deleting it once an
administrator has confirmed it in the console (``operations.retention``)."""

from __future__ import annotations

from collections.abc import Mapping

import click
from flask.cli import with_appcontext

from survey_app import clock
from survey_app.cli import transactional
from survey_app.extensions import db
from survey_app.operations.retention import STAGE_NAMES, Due, apply_retention, reclaim_space, retention_plan

group = click.Group("retention", help="Delete free text and individual responses whose retention period has ended.")


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{n:,} {name.replace('_', ' ')}" for name, n in counts.items())


def _line(due: Due, verb: str) -> str:
    return (f"Round {due.round.name!r}: {STAGE_NAMES[due.stage]} due since {due.due.isoformat()}; "
            f"{verb} {_counts(due.counts)}.")


@group.command("plan")
@with_appcontext
@transactional
def plan() -> None:
    """Show what is due and what deleting it would delete, without deleting anything."""
    due = retention_plan(clock.today())
    for item in due:
        waiting = "" if item.confirmed else " Awaiting an administrator's confirmation in the console."
        click.echo(_line(item, "would delete") + waiting)
    if not due:
        click.echo("Nothing is due.")


@group.command("apply")
@with_appcontext
def apply() -> None:
    """Delete what is due and confirmed (run it daily, like rounds apply-schedule); list the rest."""
    applied = transactional(apply_retention)("retention", clock.today())
    for due, counts in applied.deleted:
        click.echo(f"Round {due.round.name!r}: {STAGE_NAMES[due.stage]} deleted: {_counts(counts)}.")
    for due in applied.awaiting:
        click.echo(_line(due, "would delete") + " Awaiting an administrator's confirmation in the console.")
    if applied.deleted:
        reclaim_space()
        click.echo("Space reclaimed in the database file.")
    elif not applied.awaiting:
        click.echo("Nothing is due.")
    db.session.remove()
