"""Setting intermediate goals. A goal names an indicator the round's questionnaire reports
(an index, or an item with a % favourable), an area or village of the round, and a target;
setting it again supersedes the old one, which stays in the history. Flushes and audits; the
caller commits."""

from __future__ import annotations

import sqlalchemy as sa

from reports.data import load_round_history
from reports.tables.model import GoalKind, GoalSpec
from survey_app import audit, clock, questionnaires
from survey_app.extensions import db
from survey_app.models import Goal, Round, RoundStatus, User, Village, code_in_scope, covers
from survey_app.models._types import utcnow
from survey_app.operations import OperationError
from survey_app.operations.texts import _
from survey_app.questionnaire.types import report_kind

MAX_CHANGE = 100.0


def indicators(round_: Round) -> dict[str, str]:
    """Indicator id -> what it is, for the round's questionnaire: its indices and scale items."""
    questionnaire = questionnaires.load(round_.questionnaire_key, round_.questionnaire_version)
    found = {index.id: "index" for index in questionnaire.indices}
    found.update({q.id: "item" for q in questionnaire.questions() if report_kind(q) == "scale"})
    return found


def earlier_rounds(round_: Round) -> list[Round]:
    """The rounds a change goal may be measured from: the earlier rounds its reports cover
    (same questionnaire, not drafts), newest first."""
    history = load_round_history(db.session.connection(), round_.id, questionnaires.load)
    ids = [info.id for info in history if info.id != round_.id]
    found = {r.id: r for r in db.session.scalars(sa.select(Round).where(Round.id.in_(ids)))}
    return [found[i] for i in reversed(ids) if i in found]


def set_goal(round_: Round, area_code: str, indicator: str, kind: GoalKind, target: float,
             actor: User | str, baseline: Round | None = None) -> Goal:
    """Record a goal, superseding the one for the same indicator, area and round. A change
    goal is measured from ``baseline`` when given, else from the previous comparable round."""
    if baseline is not None:
        if kind != "change":
            raise OperationError(_("Only a change goal is measured from a baseline round."))
        if baseline.id not in {r.id for r in earlier_rounds(round_)}:
            raise OperationError(_("'%(baseline)s' is not an earlier round of the questionnaire of '%(round)s'.",
                                   baseline=baseline.name, round=round_.name))
    known = indicators(round_)
    if indicator not in known:
        raise OperationError(_("'%(round)s' reports no indicator '%(indicator)s'; choose one of %(known)s.",
                               round=round_.name, indicator=indicator, known=", ".join(sorted(known))))
    if kind == "level" and not 0 <= target <= 100:
        raise OperationError(_("A level goal is between 0 and 100 (index points, or percent favourable)."))
    if kind == "change" and not -MAX_CHANGE <= target <= MAX_CHANGE:
        raise OperationError(_("A change goal is between -100 and 100 points."))
    area_code = area_code.strip()
    if not db.session.scalar(sa.select(sa.func.count()).select_from(Village)
                             .where(code_in_scope(Village.code, [area_code]))):
        raise OperationError(_("No village in '%(area)s'.", area=area_code))
    if isinstance(actor, User) and not covers(actor.scope_prefixes, area_code):
        raise OperationError(_("%(area)s is outside your area.", area=area_code))
    now = utcnow()
    for old in db.session.scalars(sa.select(Goal).where(
            Goal.round_id == round_.id, Goal.area_code == area_code, Goal.indicator == indicator,
            Goal.superseded_at.is_(None))):
        old.superseded_at = now
    goal = Goal(round_id=round_.id, area_code=area_code, indicator=indicator, kind=kind, target=target,
                baseline_round_id=baseline.id if baseline is not None else None,
                created_by=actor.email if isinstance(actor, User) else actor, created_at=now)
    db.session.add(goal)
    db.session.flush()
    audit.record("goal.set", actor=actor, object_type="goal", object_id=goal.id, round=round_.name,
                 area=area_code, indicator=indicator, kind=kind, target=target,
                 baseline=baseline.name if baseline is not None else None)
    return goal


def goal_specs(rounds: list[int]) -> list[GoalSpec]:
    """The current goals of these rounds, as the report engine judges them."""
    today = clock.today()
    rows = db.session.execute(sa.select(Goal, Round).join(Round, Goal.round_id == Round.id).where(
        Goal.round_id.in_(rounds), Goal.superseded_at.is_(None))).all()
    return [GoalSpec(goal.indicator, goal.kind, goal.target, goal.round_id, goal.area_code,  # type: ignore[arg-type]
                     baseline_round_id=goal.baseline_round_id, round_over=round_.status_on(today) is RoundStatus.CLOSED)
            for goal, round_ in rows]
