"""A third language: a questionnaire in Indonesian, English and Javanese offers all three to
residents, their pages come from the Javanese catalogue with Indonesian (never English) for
what it lacks, and reports can be built in Javanese."""

from __future__ import annotations

import io
import uuid

import openpyxl
import pytest

from survey_app.catalogs import FALLBACK
from survey_app.extensions import db
from survey_app.i18n import current_language, select_locale
from survey_app.models import Role
from tests.factories import (
    TEST_QUESTIONNAIRES,
    csrf_token,
    make_response,
    open_test_round,
    questionnaires_with_test_ones,
    sign_in,
)
from tests.html_pages import parse

THREE = TEST_QUESTIONNAIRES / "tiga-bahasa"
VILLAGE = "32.73.01.1001"
JAVANESE_QUESTION = "Kula pitados dhateng polisi ing desa menika."


@pytest.fixture
def app_config(tmp_path):  # type: ignore[no-untyped-def]
    """The shipped questionnaires plus the three-language one."""
    return questionnaires_with_test_ones(tmp_path)


@pytest.fixture
def round_(app):  # type: ignore[no-untyped-def]
    slug, _round_id = open_test_round("Putaran Jawa", ["32.73.01"])
    return slug


def test_the_resident_form_offers_every_language_of_its_questionnaire(client, round_):
    url = f"/s/{round_}/{VILLAGE}"
    first = parse(client.get(url))
    offered = [b["value"] for b in first.all("button", **{"class": "lang"})]
    assert offered == ["lang-en", "lang-jv"]  # Indonesian is the page shown; Sundanese is not offered
    javanese = client.post(url, data={"csrf_token": csrf_token(client, url), "_nav": "lang-jv", "_page": "0"})
    assert javanese.status_code == 200
    page = javanese.get_data(as_text=True)
    assert '<html lang="jv">' in page
    assert JAVANESE_QUESTION in page and "Sanget sarujuk" in page  # the questionnaire's own Javanese
    assert "Kintun wangsulan" in page and "Basa" in page  # the interface from the Javanese catalogue
    assert "Send answers" not in page and "Kirim jawaban" not in page
    # Sent in Javanese, stored like any other answer, thanked in Javanese.
    answers = {qid: "4" for qid in ("trust_police", "fair_respect", "fair_listen", "eff_good_job")}
    sent = client.post(url + "/submit", json={"submission_key": str(uuid.uuid4()), "answers": answers},
                       headers={"X-CSRFToken": csrf_token(client, url)})
    assert sent.status_code == 201, sent.get_data(as_text=True)
    thanks = client.get(sent.get_json()["thanks_url"]).get_data(as_text=True)
    assert "Matur nuwun!" in thanks


def test_strings_a_catalogue_lacks_are_indonesian_never_english(client, round_):
    assert client.get("/lang/jv").status_code == 302  # was a 404 with two interface languages
    login = client.get("/auth/login").get_data(as_text=True)  # the console is not in Javanese
    assert "Kata sandi" in login and "Masuk" in login
    assert ">Password<" not in login and "Sign in" not in login
    assert client.get("/lang/xx").status_code == 404  # neither a catalogue nor a questionnaire's


def test_a_language_babel_does_not_know_keeps_its_questions_and_indonesian_around_them(app):
    with app.test_request_context("/"):
        from flask import session

        session["lang"] = "ban"  # Balinese: no catalogue, and no CLDR data for Babel
        assert current_language() == "ban" and select_locale() == FALLBACK
        session["lang"] = "<script>"  # never from our switches; ignored all the same
        assert current_language() == "id"


def test_reports_are_built_in_any_language_of_the_questionnaire(client, runner, round_, tmp_path):
    import sqlalchemy as sa

    from survey_app.models import Round, Village

    found = db.session.scalar(sa.select(Round).where(Round.slug == round_))
    village = db.session.scalar(sa.select(Village).where(Village.code == VILLAGE))
    for number in range(5):
        make_response(found, village.id, answers={"trust_police": str(1 + number % 5), "fair_respect": "4"})
    db.session.commit()
    sign_in(client, Role.ADMIN)
    page = parse(client.get(f"/downloads/{round_}/"))
    assert [a.text() for a in page.all("a", hreflang="jv")][:1] == ["Jawa"]
    workbook = client.get(f"/downloads/{round_}/village/{VILLAGE}.xlsx?lang=jv")
    assert workbook.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(workbook.data))
    texts = {str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value}
    assert JAVANESE_QUESTION in texts and "Kapitadosan" in book.sheetnames  # the questions in Javanese
    assert book.sheetnames[:2] == ["Sekilas", "Ringkasan"]  # the report's own wording in Indonesian
    assert client.get(f"/downloads/{round_}/village/{VILLAGE}.xlsx?lang=su").status_code == 400
    db.session.remove()
    out = tmp_path / "reports"
    built = runner.invoke(args=["reports", "build", "--round", round_, "--lang", "jv", "--out", str(out)])
    assert built.exit_code == 0, built.output
    refused = runner.invoke(args=["reports", "build", "--round", round_, "--lang", "su", "--out", str(out)])
    assert refused.exit_code == 1 and "choose one of id, en, jv" in refused.output


def test_validate_names_a_language_that_is_not_a_code(runner, tmp_path):
    broken = tmp_path / "tiga-bahasa" / "v1.yaml"
    broken.parent.mkdir()
    broken.write_text((THREE / "v1.yaml").read_text(encoding="utf-8").replace("[id, en, jv]", "[id, en, Jawa]"),
                      encoding="utf-8")
    result = runner.invoke(args=["questionnaire", "validate", str(broken)])
    assert result.exit_code == 1
    assert "language 'Jawa' is not an ISO 639 code" in result.output
