"""Consent before the questions (UU 27/2022): the resident form shows it first, only "Saya
setuju" leads to the questions, "Tidak" ends and stores nothing, and the hash of the text agreed
to is stored with every response; the JSON door refuses answers without it. (The browser
tests walk the same step with JavaScript on and off: tests/browser.)"""

from __future__ import annotations

import io
import re
import uuid
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa
from markupsafe import escape

from survey_app.extensions import db
from survey_app.models import ConsentText, Response, Role, Round, Village
from survey_app.questionnaire.consent import ConsentError, consent_hash, read_consent
from survey_app.questionnaires import load
from tests.factories import complete_answers, csrf_token, form_pages, make_round, make_villages, sign_in

URL = "/s/round-1/32.73.01.1001"
CONSENT = read_consent(Path("questionnaires/trust-safety"))


@pytest.fixture
def questionnaire(app):
    make_villages()
    make_round("Round 1", "trust-safety@2", opened=True, scope=["32.73.01"])
    return load("trust-safety", 2)


def _stored() -> list[Response]:
    found = list(db.session.scalars(sa.select(Response)))
    db.session.close()
    return found


def test_the_consent_comes_first_and_says_who_why_what_and_whom_to_ask(client, questionnaire):
    html = client.get(URL).get_data(as_text=True)
    assert 'id="consent"' in html and '<section class="page"' not in html  # no question yet
    for part, text in CONSENT.texts("id"):
        assert f'data-part="{part}">{escape(text)}</dd>' in html
    assert 'href="/privasi"' in html
    assert f'name="setuju" value="{CONSENT.hash}"' in html and ">Saya setuju</button>" in html
    assert 'name="setuju" value="tidak"' in html and ">Tidak</button>" in html
    client.get("/lang/en")
    english = client.get(URL).get_data(as_text=True)
    assert str(escape(dict(CONSENT.texts("en"))["purpose"])) in english and ">I agree</button>" in english


def test_no_ends_politely_and_stores_nothing(client, questionnaire):
    html = client.get(f"{URL}?setuju=tidak").get_data(as_text=True)
    assert "Tidak ada yang disimpan" in html and '<section class="page"' not in html
    assert _stored() == []


def test_agreeing_leads_to_the_questions_and_the_hash_is_stored_with_the_answers(client, questionnaire):
    html = client.get(f"{URL}?setuju={CONSENT.hash}").get_data(as_text=True)
    assert '<section class="page" data-index="0">' in html
    assert f'name="_consent" value="{CONSENT.hash}"' in html
    assert form_pages(client, URL, complete_answers(questionnaire)).status_code == 303
    [stored] = _stored()
    assert stored.consent_hash == CONSENT.hash
    kept = db.session.get(ConsentText, CONSENT.hash)
    assert kept.questionnaire_key == "trust-safety" and kept.text == CONSENT.as_json()
    assert consent_hash(kept.text) == CONSENT.hash  # the kept text is the one the hash names


def test_questions_posted_without_consent_get_the_consent_page_and_store_nothing(client, questionnaire):
    token = csrf_token(client, URL)
    answers = complete_answers(questionnaire)
    last = str(len(questionnaire.sections) - 1)
    for consent in ("", "0" * 64):  # none, or one this questionnaire never showed
        page = client.post(URL, data={"csrf_token": token, "_key": str(uuid.uuid4()), "_page": last,
                                      "_nav": "submit", "_consent": consent, **answers})
        assert page.status_code == 200 and 'id="consent"' in page.get_data(as_text=True)
    assert _stored() == []


def test_the_json_door_needs_a_consent_the_questionnaire_showed(client, questionnaire):
    token = csrf_token(client, URL)
    answers = complete_answers(questionnaire)

    def submit(consent):  # type: ignore[no-untyped-def]
        payload = {"submission_key": str(uuid.uuid4()), "answers": answers, "consent": consent}
        return client.post(URL + "/submit", json=payload, headers={"X-CSRFToken": token})

    for refused in (None, "", "f" * 64):
        response = submit(refused)
        assert response.status_code == 403 and response.json["error"] == "consent_required"
    assert _stored() == []
    assert submit(CONSENT.hash).status_code == 201
    # An older text the questionnaire showed still counts: a phone's outbox may send answers
    # given before the file changed.
    older = {part: {"id": f"lama {part}"} for part in CONSENT.parts}
    db.session.add(ConsentText(hash=consent_hash(older), questionnaire_key="trust-safety", text=older))
    db.session.commit()
    db.session.remove()
    assert submit(consent_hash(older)).status_code == 201
    assert sorted(r.consent_hash for r in _stored()) == sorted([CONSENT.hash, consent_hash(older)])


def test_a_consent_file_without_indonesian_is_refused_naming_the_part(tmp_path):
    (tmp_path / "consent.yaml").write_text(
        "controller: {en: Police}\npurpose: {id: x}\nkept: {id: y}\ncontact: {id: z}\n", encoding="utf-8")
    with pytest.raises(ConsentError, match=re.escape("controller: needs the text in 'id'")):
        read_consent(tmp_path)
    (tmp_path / "consent.yaml").write_text("controller: {id: x}\n", encoding="utf-8")
    with pytest.raises(ConsentError, match="purpose"):
        read_consent(tmp_path)
    assert read_consent(tmp_path / "none") is None


def test_reports_and_exports_count_answers_without_recorded_consent(client, runner, demo_data, tmp_path):
    """The demo's 2025 rounds predate the consent step: the workbook counts those answers
    apart, per round, and says so; the export names the consent each response was given
    under, on the phone or ticked on paper."""

    village = "32.73.01.1001"
    expected = {}
    for round_ in db.session.scalars(sa.select(Round).where(Round.questionnaire_key == "trust-safety")):
        rows = db.session.scalars(sa.select(Response).join(Village).where(
            Response.round_id == round_.id, Village.code == village, Response.deleted_at.is_(None))).all()
        expected[round_.name] = sum(1 for r in rows if r.consent_hash is None)
    db.session.remove()
    assert expected["Putaran 1 2025"] > 0 and expected["Putaran 1 2026"] == 0
    sign_in(client, Role.ADMIN)
    data = client.get(f"/downloads/putaran-1-2026/village/{village}.xlsx?lang=en").data


    rows = [[c.value for c in row] for row in openpyxl.load_workbook(io.BytesIO(data))["Summary"].iter_rows()]
    header = next(row for row in rows if "Without recorded consent" in row)
    column = header.index("Without recorded consent")
    counted = {row[0]: row[column] for row in rows if row[0] in expected}
    assert counted == expected
    assert any(isinstance(v, str) and v.startswith("'Without recorded consent': answers given before consent")
               for row in rows for v in row)

    out = tmp_path / "answers.csv"
    assert runner.invoke(args=["export", "responses", "--round", "Putaran 1 2026", "--format", "csv",
                               "--out", str(out)]).exit_code == 0

    exported = pd.read_csv(out, dtype=str, encoding="utf-8-sig")
    assert set(exported["mode"]) == {"web", "paper"} and set(exported["consent"]) == {CONSENT.hash}
    old = tmp_path / "old.csv"
    assert runner.invoke(args=["export", "responses", "--round", "Putaran 1 2025", "--format", "csv",
                               "--out", str(old)]).exit_code == 0
    assert pd.read_csv(old, dtype=str, encoding="utf-8-sig")["consent"].isna().all()
