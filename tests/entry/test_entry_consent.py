"""Consent on paper (UU 27/2022): the printed form carries the consent text and a box; only a
form with the box ticked is keyed, on the screen, in both entries and in an uploaded file; the
response keeps the hash of the text that was printed (or of today's, for a form copied by hand)."""

from __future__ import annotations

import io

import openpyxl
import sqlalchemy as sa
from pypdf import PdfReader

from survey_app import questionnaires
from survey_app.extensions import db
from survey_app.models import ConsentText, DoubleEntry, FormStatus, PrintedSerial
from survey_app.operations.printing import print_forms
from tests.entry.conftest import VILLAGE, forms, key, responses, set_double_entry, text, typed
from tests.entry.test_entry_upload import _filled, _row, _template, _upload


def _consent():  # type: ignore[no-untyped-def]
    consent = questionnaires.catalog().consent("trust-safety")
    assert consent is not None
    return consent


def test_a_form_is_keyed_only_with_its_consent_box_ticked(round_, questionnaire, as_user):
    client = as_user("vol1")
    page = client.get(f"/entry/{round_.id}/key?village={VILLAGE}")
    assert 'id="f-consent"' in page.get_data(as_text=True)
    missing = key(client, round_, typed(questionnaire, _consent=""))
    assert missing.status_code == 422
    assert "Type 1 if the consent box on the paper is ticked. A form without consent cannot be keyed." in text(missing)
    refused = key(client, round_, typed(questionnaire, _consent="0"))
    assert refused.status_code == 422
    assert "The consent box is not ticked on this form: it cannot be keyed." in text(refused)
    assert forms() == [] and responses() == []

    assert key(client, round_, typed(questionnaire)).status_code == 303
    [form], [stored] = forms(), responses()
    assert form.consent_hash == stored.consent_hash == _consent().hash
    kept = db.session.get(ConsentText, stored.consent_hash)
    assert kept is not None and kept.text == _consent().as_json()


def test_the_second_entry_needs_the_box_too_and_the_verified_response_keeps_the_consent(round_, questionnaire,
                                                                                        as_user):
    set_double_entry(round_, DoubleEntry.ALL, 100)
    assert key(as_user("vol1"), round_, typed(questionnaire)).status_code == 303
    second = key(as_user("vol2"), round_, typed(questionnaire, _consent="0"))
    assert second.status_code == 422 and "cannot be keyed" in text(second)
    assert len(forms()[0].entries) == 1
    assert key(as_user("vol2"), round_, typed(questionnaire)).status_code == 303
    [form], [stored] = forms(), responses()
    assert form.status is FormStatus.VERIFIED and stored.consent_hash == _consent().hash


def test_a_printed_form_carries_the_text_and_keying_it_records_the_text_printed(app, round_, questionnaire,
                                                                               as_user):
    from survey_app.models import Village

    village = db.session.scalar(sa.select(Village).where(Village.code == VILLAGE))
    buffer = io.BytesIO()
    print_forms(round_, [village], 2, "id", buffer, "printer@example.org")
    db.session.commit()
    words = " ".join(" ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(buffer.getvalue())).pages).split())
    consent = _consent()
    for part in ("controller", "purpose", "kept", "contact"):
        assert " ".join(consent.parts[part]["id"].split())[:50] in words
    assert "Responden setuju (Saya setuju)" in words and f"Teks persetujuan: {consent.hash[:8]}" in words
    printed = db.session.scalars(sa.select(PrintedSerial).order_by(PrintedSerial.id)).all()
    assert {p.consent_hash for p in printed} == {consent.hash}
    assert db.session.get(ConsentText, consent.hash) is not None

    # The text changes after printing: a form printed earlier keeps the text it carried.
    printed[0].consent_hash = "0" * 64
    db.session.add(ConsentText(hash="0" * 64, questionnaire_key="trust-safety", text=consent.as_json()))
    db.session.commit()
    assert key(as_user("vol1"), round_, typed(questionnaire, _serial=f"{VILLAGE}-0001")).status_code == 303
    assert key(as_user("vol1"), round_, typed(questionnaire, _serial="HAND-1")).status_code == 303  # copied by hand
    assert [r.consent_hash for r in responses()] == ["0" * 64, consent.hash]


def test_an_uploaded_row_without_consent_is_refused_by_row_and_column(round_, questionnaire, as_user):
    client = as_user("vol1")
    sheet = _template(client, round_)["forms"]
    headers = [cell.value for cell in sheet[1]]
    column = openpyxl.utils.get_column_letter(headers.index("_consent") + 1)
    validation = next(dv for dv in sheet.data_validations.dataValidation if str(dv.sqref) == f"{column}3:{column}1002")
    assert validation.formula1 == '"1"'
    rows = [_row(questionnaire, "U1", _consent=1), _row(questionnaire, "U2", _consent="")]
    answer = _upload(client, round_, _filled(client, round_, questionnaire, rows))
    assert answer.status_code == 422
    page = text(answer)
    assert "_consent" in page and "Type 1 if the consent box on the paper is ticked." in page
    assert forms() == []
    rows[1]["_consent"] = 1
    assert _upload(client, round_, _filled(client, round_, questionnaire, rows)).status_code == 303
    assert {r.consent_hash for r in responses()} == {_consent().hash}
