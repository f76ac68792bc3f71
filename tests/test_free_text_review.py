"""The per-round choice between redacting free text at once and flagging it for review
(issue 17): the response always holds the redacted text; a reviewing round keeps the original
apart for administrators, from the web door and from paper, until one decides; exports and
reports redact whatever was decided; retention deletes the originals with the free text."""

from __future__ import annotations

import uuid

import pandas as pd
import pytest
import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import AuditEvent, FreeTextMode, FreeTextReview, PaperEntry, Response, Role, Round
from survey_app.questionnaires import load
from tests.entry.conftest import typed as paper_form
from tests.factories import complete_answers, consent_of, csrf_token, make_round, make_villages, sign_in, token_in
from tests.test_free_text_privacy import KEPT, SAID

URL = "/s/round-1/32.73.01.1001"


@pytest.fixture
def questionnaire(app):
    make_villages()
    make_round("Round 1", "trust-safety@2", opened=True, scope=["32.73"])
    return load("trust-safety", 2)


def _submit(client, answers) -> None:  # type: ignore[no-untyped-def]
    payload = {"submission_key": str(uuid.uuid4()), "answers": answers, "consent": consent_of(client, URL)}
    answer = client.post(URL + "/submit", json=payload, headers={"X-CSRFToken": csrf_token(client, URL)})
    assert answer.status_code == 201, answer.get_data(as_text=True)
    db.session.remove()


def _reviews() -> list[FreeTextReview]:
    found = list(db.session.scalars(sa.select(FreeTextReview).order_by(FreeTextReview.id)))
    return found


def test_a_redacting_round_keeps_no_original(client, questionnaire):
    _submit(client, complete_answers(questionnaire, {"work_together": SAID}))
    assert _reviews() == []
    assert db.session.scalar(sa.select(Response.answers))["work_together"] == KEPT


def test_a_reviewing_round_keeps_the_original_apart_for_administrators(app, client, runner, questionnaire, tmp_path):
    said = runner.invoke(args=["rounds", "free-text", "Round 1", "review"])
    assert said.exit_code == 0 and "free text review" in said.output
    db.session.remove()
    _submit(client, complete_answers(questionnaire, {"work_together": SAID}))
    _submit(client, complete_answers(questionnaire, {"work_together": "Ronda malam tiap Sabtu di RT 03"}))
    [review] = _reviews()
    response = review.response
    assert (review.original, review.kinds) == (SAID, "email,nik,phone,plate")
    assert response.answers["work_together"] == KEPT  # what reports and exports read
    response_id, review_id = response.id, review.id
    db.session.remove()

    # Only administrators see the originals; each look is recorded like a download.
    coordinator = app.test_client()
    sign_in(coordinator, Role.COORDINATOR, ["32.73"], email="coord@example.org")
    assert coordinator.get("/admin/rounds/round-1/free-text").status_code == 403
    sign_in(client, Role.ADMIN)
    client.get("/lang/en")
    page = client.get("/admin/rounds/round-1/free-text").get_data(as_text=True)
    assert "budi@gmail.com" in page and "phone numbers" in page
    db.session.remove()
    seen = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "report.downloaded"))
    assert seen.details["what"] == "free_text_review" and seen.details["free_text"] is True
    db.session.remove()

    url = f"/admin/free-text/{review_id}/restore"
    assert client.post(url, data={}).status_code == 400  # no token, no decision
    assert client.post(url, data={"csrf_token": token_in(page)}).status_code == 303
    db.session.remove()
    assert db.session.get(Response, response_id).answers["work_together"] == SAID and _reviews() == []
    assert db.session.scalar(sa.select(AuditEvent.details).where(AuditEvent.action == "free_text.restored")) == {
        "question": "work_together", "kinds": "email,nik,phone,plate"}
    db.session.remove()
    # Restored in the database; every file that leaves still carries the redaction.
    out = tmp_path / "answers.csv"
    exported = runner.invoke(args=["export", "responses", "--round", "Round 1", "--format", "csv", "--free-text",
                                   "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    texts = set(pd.read_csv(out, dtype=str, encoding="utf-8-sig")["work_together"].dropna())
    assert KEPT in texts and SAID not in texts


def test_paper_keyed_in_a_reviewing_round_is_reviewed_and_a_kept_redaction_reaches_the_keyings(
        app, client, questionnaire):
    from tests.entry.conftest import key

    round_ = db.session.scalar(sa.select(Round))
    round_.free_text_mode = FreeTextMode.REVIEW
    db.session.commit()
    db.session.remove()
    volunteer = app.test_client()
    sign_in(volunteer, Role.VOLUNTEER, ["32.73.01"], email="vol@example.org")
    round_ = db.session.scalar(sa.select(Round))
    assert key(volunteer, round_, paper_form(questionnaire, {"work_together": SAID})).status_code == 303
    db.session.remove()
    [review] = _reviews()
    assert review.original == SAID and review.response.answers["work_together"] == KEPT
    assert db.session.scalar(sa.select(PaperEntry.answers))["work_together"] == SAID  # as typed, for now
    review_id = review.id
    db.session.remove()
    sign_in(client, Role.ADMIN)
    page = client.get("/admin/rounds/round-1/free-text").get_data(as_text=True)
    db.session.remove()
    assert client.post(f"/admin/free-text/{review_id}/keep", data={"csrf_token": token_in(page)}).status_code == 303
    db.session.remove()
    assert _reviews() == []
    assert db.session.scalar(sa.select(PaperEntry.answers))["work_together"] == KEPT
    assert db.session.scalar(sa.select(Response.answers))["work_together"] == KEPT
