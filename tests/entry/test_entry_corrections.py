"""Corrections with history (paper and web responses) and soft deletes by admins."""

import uuid

import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import Correction, Mode
from survey_app.operations.keying import typed_answers
from survey_app.operations.responses import store_response
from tests.entry.conftest import OTHER_DISTRICT_VILLAGE, actions, key, responses, text, typed
from tests.factories import complete_answers, consent_of, csrf_token


def _web_response(round_, questionnaire, village_code="32.73.01.1001"):  # type: ignore[no-untyped-def]
    from survey_app.models import Village
    from survey_app.questionnaire import clean_answers

    village = db.session.scalar(sa.select(Village).where(Village.code == village_code))
    answers = clean_answers(questionnaire, complete_answers(questionnaire)).answers
    _outcome, response = store_response(round_, village, questionnaire, answers, str(uuid.uuid4()), Mode.WEB)
    db.session.commit()
    return response


def _correct(client, response, questionnaire, changes: dict, reason: str = "Checked against the paper"):  # type: ignore[no-untyped-def]
    url = f"/entry/responses/{response.id}"
    values = {**typed_answers(questionnaire, response.answers), **changes}
    return client.post(url, data={"csrf_token": csrf_token(client, url), "reason": reason, **values})


def test_a_coordinator_corrects_a_web_response_and_the_history_keeps_it(round_, questionnaire, as_user):
    response = _web_response(round_, questionnaire)
    digest = response.answers_digest
    coord = as_user("coord")
    answer = _correct(coord, response, questionnaire, {"trust_police": "2", "sex": "9"}, "Resident called to correct")
    assert answer.status_code == 303
    [stored] = responses()
    assert (stored.answers["trust_police"], stored.answers["sex"]) == ("2", "9")
    assert stored.answers_digest == digest  # still recognises the resident's own retry
    history = db.session.scalars(sa.select(Correction).order_by(Correction.id)).all()
    assert [(c.question_id, c.old_value, c.new_value, c.corrected_by, c.reason) for c in history] == [
        ("trust_police", "4", "2", "coord@example.org", "Resident called to correct"),
        ("sex", "2", "9", "coord@example.org", "Resident called to correct"),
    ]
    assert "response.corrected" in actions()
    page = text(coord.get(f"/entry/responses/{response.id}"))
    assert "Resident called to correct" in page and "coord@example.org" in page


def test_a_paper_response_is_corrected_and_blank_removes_an_answer(round_, questionnaire, as_user):
    key(as_user("vol1"), round_, typed(questionnaire))
    [response] = responses()
    assert _correct(as_user("admin"), response, questionnaire, {"trust_help": "-"}).status_code == 303
    [stored] = responses()
    assert "trust_help" not in stored.answers
    [change] = db.session.scalars(sa.select(Correction)).all()
    assert (change.old_value, change.new_value) == ("5", None)


def test_a_correction_needs_a_reason_valid_codes_and_a_change(round_, questionnaire, as_user):
    response = _web_response(round_, questionnaire)
    coord = as_user("coord")
    no_reason = _correct(coord, response, questionnaire, {"trust_police": "2"}, reason=" ")
    assert no_reason.status_code == 422 and "Say why, for the history." in text(no_reason)
    bad_code = _correct(coord, response, questionnaire, {"trust_police": "6"})
    assert bad_code.status_code == 422 and "is not a valid option" in text(bad_code)
    same = _correct(coord, response, questionnaire, {})
    assert same.status_code == 422 and "Nothing was changed." in text(same)
    assert responses()[0].answers["trust_police"] == "4"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Correction)) == 0


def test_corrections_are_for_staff_in_scope(round_, questionnaire, as_user):
    response = _web_response(round_, questionnaire, OTHER_DISTRICT_VILLAGE)
    assert as_user("vol3").get(f"/entry/responses/{response.id}").status_code == 403
    assert as_user("coord").get(f"/entry/responses/{response.id}").status_code == 403
    assert as_user("coord2").get(f"/entry/responses/{response.id}").status_code == 200
    listing = as_user("coord").get(f"/entry/{round_.id}/responses").get_data(as_text=True)
    assert f"/entry/responses/{response.id}" not in listing
    assert f"/entry/responses/{response.id}" in as_user("coord2").get(f"/entry/{round_.id}/responses").get_data(
        as_text=True)


def test_an_admin_soft_deletes_with_a_reason(round_, questionnaire, as_user):
    response = _web_response(round_, questionnaire)
    url = f"/entry/responses/{response.id}/delete"
    coord = as_user("coord")
    assert coord.post(url, data={"csrf_token": csrf_token(coord, "/entry/"), "reason": "x"}).status_code == 403
    admin = as_user("admin")
    token = csrf_token(admin, f"/entry/responses/{response.id}")
    admin.post(url, data={"csrf_token": token, "reason": ""})
    assert responses()[0].deleted_at is None
    assert admin.post(url, data={"csrf_token": token, "reason": "Test submission by staff"}).status_code == 303
    [stored] = responses()
    assert stored.deleted_at is not None and stored.delete_reason == "Test submission by staff"
    assert stored.deleted_by_id is not None
    assert "response.deleted" in actions()
    page = text(admin.get(f"/entry/responses/{response.id}"))
    assert "It no longer counts in the reports." in page
    refused = _correct(admin, stored, questionnaire, {"trust_police": "2"})
    assert refused.status_code == 422 and "was deleted" in text(refused)


def _straight_ids(client, round_) -> list[int]:  # type: ignore[no-untyped-def]
    import re

    body = text(client.get(f"/entry/{round_.id}/responses?flag=straight"))
    return [int(n) for n in re.findall(r'<tr(?: class="deleted")?><td>(\d+)</td>', body)]


def test_straight_lining_is_stored_where_answers_are_written_and_filtered_on(app, round_, questionnaire, as_user):
    """The same answer all down a battery, judged when a resident sends it, a volunteer keys
    it or a coordinator corrects it; the submissions table filters on what was stored."""
    from survey_app.quality import straightlined

    resident = app.test_client()
    url = f"/s/{round_.slug}/32.73.01.1001"
    db.session.remove()  # reading round_ began a transaction: on SQLite it would hold the write lock
    straight = complete_answers(questionnaire)  # the last option of every scale: one line down
    varied = {**straight, "trust_police": "1", "fair_respect": "2", "eff_good_job": "3", "safe_walk_dark": "1",
              "worry_burglary": "2"}
    for answers in (straight, varied):
        sent = resident.post(url + "/submit", json={"submission_key": str(uuid.uuid4()), "answers": answers,
                                                    "consent": consent_of(resident, url)},
                             headers={"X-CSRFToken": csrf_token(resident, url)})
        assert sent.status_code == 201, sent.get_data(as_text=True)
    db.session.remove()
    key(as_user("vol1"), round_, typed(questionnaire))  # paper: the same straight line, keyed
    web_straight, web_varied, paper = responses()
    assert (web_straight.straightlined, web_varied.straightlined, paper.straightlined) == (True, False, True)
    coord = as_user("coord")
    assert _straight_ids(coord, round_) == [paper.id, web_straight.id]
    # A correction that breaks the line takes the response out of the filter, and back in.
    assert _correct(coord, paper, questionnaire, {"trust_police": "1", "fair_equal": "2"}).status_code == 303
    assert _straight_ids(coord, round_) == [web_straight.id]
    corrected = next(r for r in responses() if r.id == paper.id)
    assert _correct(coord, corrected, questionnaire, typed_answers(questionnaire, straight)).status_code == 303
    assert _straight_ids(coord, round_) == [paper.id, web_straight.id]
    # The stored flag is the judgement of the stored answers, row by row.
    assert [r.straightlined for r in responses()] == [straightlined(r.answers, questionnaire) for r in responses()]
