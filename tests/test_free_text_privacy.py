"""Personal data in free text (issue 17): replaced before it is stored, through the resident
form's two doors and the volunteers' keying, and again on the way out, in the raw export and
the village workbook, for answers stored before redaction existed."""

from __future__ import annotations

import io
import uuid

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import Response, Role, Round, Village
from survey_app.operations.keying import key_answers
from survey_app.questionnaire.redaction import MARKERS
from survey_app.questionnaires import load
from tests.factories import complete_answers, consent_of, csrf_token, form_pages, make_round, make_villages, sign_in

URL = "/s/round-1/32.73.01.1001"
SAID = "Hubungi saya 0812-3456-7890, NIK 3273010101010001, motor B 1234 XYZ, email budi@gmail.com"
KEPT = (f"Hubungi saya {MARKERS['phone']}, NIK {MARKERS['nik']}, motor {MARKERS['plate']}, "
        f"email {MARKERS['email']}")


@pytest.fixture
def questionnaire(app):
    make_villages()
    make_round("Round 1", "trust-safety@2", opened=True, scope=["32.73.01"])
    return load("trust-safety", 2)


def _stored() -> list[dict]:
    answers = [r.answers for r in db.session.scalars(sa.select(Response))]
    db.session.close()
    return answers


def test_the_no_js_form_stores_free_text_redacted(client, questionnaire):
    answers = complete_answers(questionnaire, {"work_together": SAID})
    assert form_pages(client, URL, answers).status_code == 303
    [stored] = _stored()
    assert stored["work_together"] == KEPT


def test_the_json_submit_stores_free_text_redacted_and_a_retry_is_still_a_retry(client, questionnaire):
    answers = complete_answers(questionnaire, {"work_together": SAID})
    key, token = str(uuid.uuid4()), csrf_token(client, URL)
    payload = {"submission_key": key, "answers": answers, "consent": consent_of(client, URL)}
    first = client.post(URL + "/submit", json=payload, headers={"X-CSRFToken": token})
    assert first.status_code == 201
    again = client.post(URL + "/submit", json=payload, headers={"X-CSRFToken": token})
    assert again.status_code == 200 and again.json["status"] == "replayed"
    assert [a["work_together"] for a in _stored()] == [KEPT]


def test_keyed_paper_answers_are_redacted_before_any_entry_is_kept(questionnaire):
    typed = {qid: value if isinstance(value, str) else " ".join(value)
             for qid, value in complete_answers(questionnaire, {"work_together": SAID}).items()}
    result = key_answers(questionnaire, typed)
    assert not result.errors
    assert result.answers["work_together"] == KEPT


def test_free_text_stored_before_redaction_leaves_redacted(client, runner, demo_data, tmp_path):
    """An answer stored unredacted (before this existed) never leaves with the number in it."""
    response = db.session.scalars(
        sa.select(Response).join(Round).join(Village)
        .where(Round.name == "Putaran 1 2026", Village.code == "32.73.01.1001")
        .order_by(Response.id)).first()
    response.answers = {**response.answers, "work_together": SAID}
    db.session.commit()
    db.session.remove()

    out = tmp_path / "answers.csv"
    result = runner.invoke(args=["export", "responses", "--round", "Putaran 1 2026", "--format", "csv",
                                 "--free-text", "--out", str(out)])
    assert result.exit_code == 0, result.output
    exported = pd.read_csv(out, dtype=str, encoding="utf-8-sig")
    assert KEPT in set(exported["work_together"].dropna())
    assert "0812-3456-7890" not in out.read_text(encoding="utf-8-sig")

    sign_in(client, Role.ADMIN)
    data = client.get("/downloads/putaran-1-2026/village/32.73.01.1001.xlsx?free_text=1&lang=en").data
    cells = [cell.value for row in openpyxl.load_workbook(io.BytesIO(data))["Free text"].iter_rows()
             for cell in row if cell.value]
    assert KEPT in cells
    assert not any("3273010101010001" in str(value) for value in cells)
