import re

import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import Response, Round, RoundStatus, User, Village
from survey_app.quality import straightlined
from survey_app.questionnaire import clean_answers
from survey_app.questionnaires import load
from tests.factories import login


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_demo_load_builds_a_real_looking_installation(runner, client):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    match = re.search(r"as (\S+) with password: (\S+)", result.output)
    assert match, result.output
    email, password = match.groups()

    villages = list(db.session.scalars(sa.select(Village)))
    assert len(villages) == 10 and {v.code[:8] for v in villages} == {"32.73.01", "32.73.02"}
    rounds = {r.name: r for r in db.session.scalars(sa.select(Round))}
    statuses = sorted(r.status.value for r in rounds.values())
    assert statuses == ["closed", "closed", "open", "open"]
    assert {r.questionnaire_ref for r in rounds.values()} == {
        "trust-safety@1", "trust-safety@2", "trust-safety@3", "partnership@1"}

    # Every stored answer set is one the questionnaire engine accepts as it is, stored with
    # its straight-lining judged (some residents of the demo do answer all alike).
    flags = []
    for response in db.session.scalars(sa.select(Response)):
        questionnaire = load(response.questionnaire_key, response.questionnaire_version)
        cleaned = clean_answers(questionnaire, response.answers)
        assert cleaned.ok and cleaned.answers == response.answers
        assert response.straightlined == straightlined(response.answers, questionnaire), response.id
        flags.append(response.straightlined)
    assert any(flags) and not all(flags)

    per_village = db.session.execute(
        sa.select(Response.round_id, Response.village_id, sa.func.count())
        .group_by(Response.round_id, Response.village_id)
    ).all()
    closed_ids = {r.id for r in rounds.values() if r.status is RoundStatus.CLOSED}
    past_counts = [n for round_id, _v, n in per_village if round_id in closed_ids]
    assert len(past_counts) == 20
    assert min(past_counts) < 30 <= max(past_counts)  # one village too small to publish

    login(client, email, password)
    page = client.get("/admin/").get_data(as_text=True)
    for name in rounds:
        assert name in page


def test_demo_load_twice_adds_nothing_and_resets_the_admin_password(runner):
    first = runner.invoke(args=["demo", "load"])
    counts = (_count(Village), _count(Round), _count(Response), _count(User))
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0, second.output
    assert "0 new round(s), 0 new response(s)" in second.output
    assert (_count(Village), _count(Round), _count(Response), _count(User)) == counts
    assert first.output.split("password: ")[1] != second.output.split("password: ")[1]
