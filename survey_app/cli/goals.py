"""``flask --app wsgi goals ...``: intermediate goals per indicator, area and round."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from survey_app.cli import transactional
from survey_app.extensions import db
from survey_app.models import Goal
from survey_app.operations import OperationError
from survey_app.operations.goals import set_goal
from survey_app.operations.rounds import get_round

group = click.Group("goals", help="Set and list intermediate goals (judged by the 95% interval in the reports).")


@group.command("set")
@click.option("--round", "round_name", required=True, help="The target round's name or slug.")
@click.option("--area", "area_code", required=True, help="An area or village code, e.g. 32.73.01.")
@click.option("--indicator", required=True, help="An index (e.g. safety) or an item with a % favourable.")
@click.option("--level", type=float, help="Reach at least this: index points, or % favourable.")
@click.option("--change", type=float, help="Rise by this many points from the previous comparable round.")
@click.option("--from", "baseline_name", help="With --change: the earlier round the rise is measured from "
              "(e.g. two rounds back).")
@with_appcontext
@transactional
def set_(round_name: str, area_code: str, indicator: str, level: float | None, change: float | None,
         baseline_name: str | None) -> None:
    """Set a goal; an earlier one for the same indicator, area and round is superseded and kept."""
    if (level is None) == (change is None):
        raise OperationError("Give --level or --change, one of them.")
    round_ = get_round(round_name)
    baseline = get_round(baseline_name) if baseline_name else None
    goal = set_goal(round_, area_code, indicator, "level" if level is not None else "change",
                    level if level is not None else change, actor="cli", baseline=baseline)  # type: ignore[arg-type]
    since = f" since {baseline.name!r}" if baseline is not None else ""
    click.echo(f"Goal {goal.id} set: {indicator} in {goal.area_code} by {round_.name!r}, "
               f"{'at least' if goal.kind == 'level' else 'up'} {goal.target:g}{since}.")


@group.command("list")
@click.option("--round", "round_name", required=True, help="The round's name or slug.")
@click.option("--history", is_flag=True, help="Superseded goals too.")
@with_appcontext
@transactional
def list_(round_name: str, history: bool) -> None:
    """The round's goals, newest first."""
    round_ = get_round(round_name)
    query = sa.select(Goal).where(Goal.round_id == round_.id).order_by(Goal.id.desc())
    if not history:
        query = query.where(Goal.superseded_at.is_(None))
    for goal in db.session.scalars(query):
        state = f"superseded {goal.superseded_at:%Y-%m-%d}" if goal.superseded_at else "current"
        since = goal.baseline_round.name if goal.baseline_round is not None else ""
        click.echo(f"{goal.id}\t{goal.indicator}\t{goal.area_code}\t{goal.kind}\t{goal.target:g}\t{since}\t"
                   f"{goal.created_by}\t{goal.created_at:%Y-%m-%d}\t{state}")
