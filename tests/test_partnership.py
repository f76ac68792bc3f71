"""The partnership questionnaire on the same machinery as the residents': its rounds, paper
entry by role, and the phone form."""

from __future__ import annotations

import html
import random
import uuid

import sqlalchemy as sa

from survey_app import questionnaires
from survey_app.extensions import db
from survey_app.models import Response, Role
from survey_app.operations.keying import typed_text
from survey_app.questionnaire import QUESTION_TYPES, clean_answers
from tests.factories import consent_of, csrf_token, make_round, make_user, make_villages
from tests.factories import login as sign_in_as

VILLAGE = "32.73.01.1001"


def _answers_for(role: str) -> dict[str, object]:
    """A complete, valid set of a partner's answers, drawn as the demo draws them."""
    questionnaire = questionnaires.load("partnership", 1)
    rng = random.Random(5)  # noqa: S311 - reproducible test data
    for _ in range(50):
        raw: dict[str, object] = {"role": role}
        for question in questionnaire.questions():
            if question.id == "role" or (question.show_if is not None and not question.show_if.evaluate(raw)):
                continue
            answer = QUESTION_TYPES[question.type].demo_answer(question, 0.6, rng)
            if answer is not None:
                raw[question.id] = answer
        cleaned = clean_answers(questionnaire, raw)
        if cleaned.ok:
            return cleaned.answers
    raise AssertionError("no valid draw")


def test_a_volunteer_keys_a_village_officers_paper_form(app):
    make_villages()
    round_ = make_round("Kemitraan Uji", "partnership@1", opened=True, scope=["32.73.01"])
    round_id = round_.id
    email = make_user(Role.VOLUNTEER, "mitra@example.org", ["32.73.01"]).email
    db.session.remove()
    client = app.test_client()
    client.get("/lang/en")
    assert sign_in_as(client, email).status_code == 302
    url = f"/entry/{round_id}/key"
    screen = client.get(url).get_data(as_text=True)
    assert 'name="chal_resources"' in screen and 'name="off_villages"' in screen  # every question, in file order
    answers = _answers_for("officer")
    assert "off_villages" in answers and not any(qid.startswith("chg_") for qid in answers)
    typed = {qid: typed_text(value) for qid, value in answers.items()}
    typed["chg_open"] = "5"  # typed by mistake for an officer: the police_change section is not asked of them
    header = {"_village": VILLAGE, "_serial": "K-1", "_date": "2026-11-01", "_interviewer": "", "_consent": "1"}
    saved = client.post(url, data={"csrf_token": csrf_token(client, url), **header, **typed})
    assert saved.status_code == 303, html.unescape(saved.get_data(as_text=True))[:2000]
    stored = db.session.scalars(sa.select(Response).where(Response.round_id == round_id)).one()
    assert stored.answers == answers and stored.questionnaire_key == "partnership"
    db.session.remove()


def test_a_forum_member_answers_on_the_phone(app, client):
    make_villages()
    round_ = make_round("Kemitraan Warga", "partnership@1", opened=True, scope=["32.73.01"])
    slug = round_.slug
    db.session.remove()
    url = f"/s/{slug}/{VILLAGE}"
    answers = _answers_for("forum")
    assert any(qid.startswith("chg_") for qid in answers) and "off_villages" not in answers
    sent = client.post(url + "/submit", headers={"X-CSRFToken": csrf_token(client, url)},
                       json={"submission_key": str(uuid.uuid4()), "answers": answers,
                             "consent": consent_of(client, url)})
    assert sent.status_code == 201, sent.get_json()
    db.session.remove()
    assert db.session.scalars(sa.select(Response.answers)).one() == answers
