"""The public privacy notice (UU 27/2022): built from the privacy settings and the
questionnaires, in every interface language, linked from the resident form and the posters."""

from __future__ import annotations

from pathlib import Path

import pytest

from survey_app import create_app
from survey_app.privacy.settings import EXAMPLE_FILE, PrivacyConfigError, load_privacy
from tests.factories import make_round, make_villages

OWN = """
controller:
  name: {id: "Polres Contoh Kota", en: "Example City Police"}
  address: "Jl. Merdeka 1"
  email: "privasi@polres.example"
dpo:
  name: {id: "Ibu Sari, PPDP"}
  email: "ppdp@polres.example"
purposes:
  - {id: "Mengukur rasa aman.", en: "Measuring the feeling of safety."}
legal_basis: {id: "Persetujuan.", en: "Consent."}
retention: {id: "Dua belas bulan.", en: "Twelve months."}
"""


@pytest.fixture
def app_config(tmp_path):
    path = tmp_path / "privacy.yaml"
    path.write_text(OWN, encoding="utf-8")
    return {"PRIVACY_FILE": str(path)}


@pytest.mark.parametrize(("lang", "expected"), [
    ("id", ["Polres Contoh Kota", "Mengukur rasa aman.", "Dua belas bulan.", "Tentang Anda"]),
    ("en", ["Example City Police", "Measuring the feeling of safety.", "Twelve months.", "About you"]),
    ("jv", ["Polres Contoh Kota", "Mengukur rasa aman."]),  # no Javanese in the file: Indonesian
    ("su", ["Polres Contoh Kota", "Dua belas bulan."]),
])
def test_the_notice_is_built_from_the_settings_in_every_language(client, lang, expected):
    client.get(f"/lang/{lang}")
    page = client.get("/privasi")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for text in expected:
        assert text in html
    assert "ppdp@polres.example" in html and "Ibu Sari, PPDP" in html
    assert "data-example" not in html


def test_the_notice_names_what_free_text_is_cleared_of(client):
    client.get("/lang/en")
    html = client.get("/privasi").get_data(as_text=True)
    assert "cleared of phone numbers, NIK numbers, e-mail addresses and number plates" in html
    assert "What do you think the police and residents here should work on together?" in html


def test_the_resident_form_and_the_posters_link_to_it(client, runner, app, tmp_path):
    make_villages()
    make_round("Round 1", "trust-safety@2", opened=True, scope=["32.73.01"])
    form = client.get("/s/round-1/32.73.01.1001").get_data(as_text=True)
    assert 'href="/privasi"' in form
    result = runner.invoke(args=["rounds", "posters", "Round 1", "--out", str(tmp_path), "--village",
                                 "32.73.01.1001"])
    assert result.exit_code == 0, result.output
    poster = next(tmp_path.rglob("*32.73.01.1001*.html")).read_text(encoding="utf-8")
    assert f"{app.config['PUBLIC_BASE_URL']}/privasi" in poster


def test_the_shipped_example_says_it_is_one(tmp_path, database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SURVEY_ENV": "testing",
                      "PRIVACY_FILE": str(EXAMPLE_FILE)})
    html = app.test_client().get("/privasi").get_data(as_text=True)
    assert "data-example" in html


def test_a_broken_privacy_file_is_refused_naming_the_field(tmp_path):
    path = Path(tmp_path / "privacy.yaml")
    path.write_text(OWN.replace('legal_basis: {id: "Persetujuan.", en: "Consent."}', "legal_basis: {en: x}"),
                    encoding="utf-8")
    with pytest.raises(PrivacyConfigError, match=r"legal_basis: .*Indonesian"):
        load_privacy(path)
    with pytest.raises(PrivacyConfigError, match="cannot be read"):
        load_privacy(tmp_path / "missing.yaml")


def test_the_record_of_processing_is_generated_from_settings_questionnaires_and_routes(runner, app, tmp_path):
    out = tmp_path / "record.md"
    result = runner.invoke(args=["privacy", "record", "--out", str(out)])
    assert result.exit_code == 0, result.output
    record = out.read_text(encoding="utf-8")
    assert "Polres Contoh Kota / Example City Police" in record and "ppdp@polres.example" in record
    assert "Persetujuan. / Consent." in record and "Dua belas bulan. / Twelve months." in record
    assert "`trust-safety@3`" in record and "What do you think the police and residents here should work on" in record
    assert "This survey asks your views" not in record  # a note takes no answer: not free text
    # Recipients come from the routes' own access rules: a new download route appears by itself.
    from survey_app.privacy.record import file_routes

    routes = {rule: roles for rule, roles, _what in file_routes(app)}
    assert routes["/downloads/<round_slug>/village/<village_code>.xlsx"] == "admin, coordinator, viewer"
    assert routes["/admin/audit.csv"] == "admin"
    assert "| `/admin/audit.csv` | admin |" in record
    assert "EXAMPLE" not in record
    assert "MIN_N = 30" in record
    assert "the daily `flask retention apply` then hard-deletes it" in record
