"""Setting intermediate goals. A goal names an indicator the round's questionnaire reports
(an index, or an item with a % favourable), an area or village of the round, and a target;
setting it again supersedes the old one, which stays in the history. Flushes and audits; the
caller commits."""

from __future__ import annotations

import sqlalchemy as sa

from reports.tables.model import GoalKind, GoalSpec
from survey_app import audit, clock, questionnaires
from survey_app.extensions import db
from survey_app.models import Goal, Round, RoundStatus, User, Village, code_in_scope, covers
from survey_app.models._types import utcnow
from survey_app.operations import OperationError
from survey_app.questionnaire.types import report_kind

MAX_CHANGE = 100.0


def indicators(round_: Round) -> dict[str, str]:
    """Indicator id -> what it is, for the round's questionnaire: its indices and scale items."""
    questionnaire = questionnaires.load(round_.questionnaire_key, round_.questionnaire_version)
    found = {index.id: "index" for index in questionnaire.indices}
    found.update({q.id: "item" for q in questionnaire.questions() if report_kind(q) == "scale"})
    return found


def set_goal(round_: Round, area_code: str, indicator: str, kind: GoalKind, target: float,
             actor: User | str) -> Goal:
    """Record a goal, superseding the one for the same indicator, area and round."""
    known = indicators(round_)
    if indicator not in known:
        raise OperationError(f"{round_.name!r} reports no indicator {indicator!r}; choose one of "
                             f"{', '.join(sorted(known))}.")
    if kind == "level" and not 0 <= target <= 100:
        raise OperationError("A level goal is between 0 and 100 (index points, or % favourable).")
    if kind == "change" and not -MAX_CHANGE <= target <= MAX_CHANGE:
        raise OperationError("A change goal is between -100 and 100 points.")
    area_code = area_code.strip()
    if not db.session.scalar(sa.select(sa.func.count()).select_from(Village)
                             .where(code_in_scope(Village.code, [area_code]))):
        raise OperationError(f"No village in {area_code!r}.")
    if isinstance(actor, User) and not covers(actor.scope_prefixes, area_code):
        raise OperationError(f"{area_code} is outside your area.")
    now = utcnow()
    for old in db.session.scalars(sa.select(Goal).where(
            Goal.round_id == round_.id, Goal.area_code == area_code, Goal.indicator == indicator,
            Goal.superseded_at.is_(None))):
        old.superseded_at = now
    goal = Goal(round_id=round_.id, area_code=area_code, indicator=indicator, kind=kind, target=target,
                created_by=actor.email if isinstance(actor, User) else actor, created_at=now)
    db.session.add(goal)
    db.session.flush()
    audit.record("goal.set", actor=actor, object_type="goal", object_id=goal.id, round=round_.name,
                 area=area_code, indicator=indicator, kind=kind, target=target)
    return goal


def goal_specs(rounds: list[int]) -> list[GoalSpec]:
    """The current goals of these rounds, as the report engine judges them."""
    today = clock.today()
    rows = db.session.execute(sa.select(Goal, Round).join(Round).where(
        Goal.round_id.in_(rounds), Goal.superseded_at.is_(None))).all()
    return [GoalSpec(goal.indicator, goal.kind, goal.target, goal.round_id, goal.area_code,  # type: ignore[arg-type]
                     round_over=round_.status_on(today) is RoundStatus.CLOSED)
            for goal, round_ in rows]
