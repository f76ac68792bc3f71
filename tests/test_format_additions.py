"""Additions to the questionnaire format at every door: an exclusive option ("none of
these"), a section's show_if, notes, constraints and date questions, through the resident's
JSON and no-JS form, paper entry, the Excel template's hint, and the reports."""

from __future__ import annotations

import html
import io
import re
import uuid
from datetime import timedelta

import openpyxl
import pytest
import sqlalchemy as sa

from reports.tables import ReportOptions, build_village_tables
from survey_app.extensions import db
from survey_app.models import Role
from survey_app.questionnaire import load_file
from tests.factories import (
    TEST_QUESTIONNAIRES,
    csrf_token,
    make_user,
    open_test_round,
    questionnaires_with_test_ones,
)
from tests.factories import login as sign_in_as
from tests.reports.conftest import VILLAGE as REPORT_VILLAGE
from tests.reports.conftest import make_frame
from tests.reports.conftest import make_round as report_round

VILLAGE = "32.73.01.1001"
BATTERY = {"trust_police": "4", "fair_respect": "4", "fair_listen": "2", "eff_good_job": "3"}
ALONE = "'none' cannot be combined with other answers."


@pytest.fixture
def app_config(tmp_path):  # type: ignore[no-untyped-def]
    return questionnaires_with_test_ones(tmp_path)


def _volunteer(app, email: str):  # type: ignore[no-untyped-def]
    """A client signed in as a new volunteer of the sample district, interface in English."""
    volunteer = make_user(Role.VOLUNTEER, email, ["32.73.01"])
    client = app.test_client()
    client.get("/lang/en")
    assert sign_in_as(client, volunteer.email).status_code == 302
    return client


@pytest.fixture
def round_(app):  # type: ignore[no-untyped-def]
    return open_test_round("Putaran Masalah", ["32.73"])


def test_a_resident_cannot_tick_none_with_a_problem(client, round_):
    slug, _round_id = round_
    url = f"/s/{slug}/{VILLAGE}"
    client.get("/lang/en")

    def send(problems: list[str]):  # type: ignore[no-untyped-def]
        payload = {"submission_key": str(uuid.uuid4()), "answers": {**BATTERY, "local_problems": problems}}
        return client.post(url + "/submit", headers={"X-CSRFToken": csrf_token(client, url)}, json=payload)

    refused = send(["theft", "none"])
    assert refused.status_code == 422 and refused.get_json()["errors"] == {"local_problems": ALONE}
    assert send(["none"]).status_code == 201
    # Without JavaScript: the section with the problems comes back with the message.
    page = client.post(url, data={"csrf_token": csrf_token(client, url), "_page": "1", "_nav": "next",
                                  **BATTERY, "local_problems": ["theft", "none"]})
    assert page.status_code == 422 and ALONE in html.unescape(page.get_data(as_text=True))


def test_paper_entry_refuses_none_keyed_with_a_problem_and_the_template_says_so(app, round_):
    _slug, round_id = round_
    client = _volunteer(app, "vol@example.org")
    url = f"/entry/{round_id}/key"
    header = {"_village": VILLAGE, "_serial": "P-1", "_date": "2026-11-01", "_interviewer": "", "_consent": "1"}
    keyed = client.post(url, data={"csrf_token": csrf_token(client, url), **header, **BATTERY,
                                   "local_problems": "th none"})
    assert keyed.status_code == 422 and ALONE in html.unescape(keyed.get_data(as_text=True))
    saved = client.post(url, data={"csrf_token": csrf_token(client, url), **header, **BATTERY,
                                   "local_problems": "none"})
    assert saved.status_code == 303
    template = openpyxl.load_workbook(io.BytesIO(client.get(f"/entry/{round_id}/template.xlsx").data))
    prompts = [v.prompt or "" for ws in template.worksheets for v in ws.data_validations.dataValidation]
    assert any("(none, 9: only on its own)" in prompt for prompt in prompts)


def test_none_of_these_stays_in_the_reports_base():
    questionnaire = load_file(TEST_QUESTIONNAIRES / "tiga-bahasa" / "v1.yaml")
    frame = make_frame([(1, {"local_problems": ["none"]}), (1, {"local_problems": ["theft"]}),
                        (1, {"local_problems": ["9"]})])
    tables = build_village_tables(REPORT_VILLAGE, [report_round(1, questionnaire)], frame, ReportOptions(min_n=1))
    (detail,) = [item for section in tables.sections for item in section.items if item.id == "local_problems"]
    (distribution,) = detail.blocks[0].rounds
    assert distribution.valid_n == 2  # refused leaves the base, "none of these" does not
    assert (distribution.counts["none"], distribution.counts["theft"]) == (1, 1)


def test_a_hidden_section_is_skipped_at_every_door(app, client, round_):
    slug, round_id = round_
    url = f"/s/{slug}/{VILLAGE}"
    client.get("/lang/en")
    distrust = {**BATTERY, "trust_police": "1"}
    # The no-JS form: the first section is the last one shown, so "next" sends the answers.
    page = client.post(url, data={"csrf_token": csrf_token(client, url), "_page": "0", "_nav": "next", **distrust,
                                  "local_problems": "theft"})
    assert page.status_code == 303 and page.headers["Location"].endswith("/terima-kasih")
    # The JSON door stores no answer of the hidden section.
    sent = client.post(url + "/submit", headers={"X-CSRFToken": csrf_token(client, url)},
                       json={"submission_key": str(uuid.uuid4()), "answers": {**distrust, "local_problems": ["theft"]}})
    assert sent.status_code == 201
    db.session.remove()
    from survey_app.models import Response

    stored = db.session.scalars(sa.select(Response.answers)).all()
    db.session.remove()
    assert stored == [distrust, distrust]
    # Paper entry drops it too, typed or not.
    clerk = _volunteer(app, "vol2@example.org")
    key_url = f"/entry/{round_id}/key"
    header = {"_village": VILLAGE, "_serial": "P-2", "_date": "2026-11-01", "_interviewer": "", "_consent": "1"}
    assert clerk.post(key_url, data={"csrf_token": csrf_token(clerk, key_url), **header, **distrust,
                                     "local_problems": "th"}).status_code == 303
    assert db.session.scalars(sa.select(Response.answers).order_by(Response.id)).all()[-1] == distrust


def test_a_note_is_read_by_residents_and_never_becomes_an_answer_or_a_column(app, client, round_):
    slug, round_id = round_
    url = f"/s/{slug}/{VILLAGE}"
    client.get("/lang/en")
    page = client.get(url).get_data(as_text=True)
    assert "The next questions are about the police who work in this village." in page
    assert 'name="trust_intro"' not in page  # no field for it
    sent = client.post(url + "/submit", headers={"X-CSRFToken": csrf_token(client, url)},
                       json={"submission_key": str(uuid.uuid4()), "answers": {**BATTERY, "trust_intro": "x"}})
    assert sent.status_code == 201
    db.session.remove()
    from survey_app.models import Response

    assert db.session.scalars(sa.select(Response.answers)).all() == [BATTERY]
    db.session.remove()
    # Paper entry: nothing to key, no column in the template, none in the raw export.
    clerk = _volunteer(app, "vol3@example.org")
    screen = clerk.get(f"/entry/{round_id}/key").get_data(as_text=True)
    assert 'name="trust_police"' in screen and 'name="trust_intro"' not in screen
    template = openpyxl.load_workbook(io.BytesIO(clerk.get(f"/entry/{round_id}/template.xlsx").data))
    keys = [cell.value for cell in template.worksheets[0][1]]
    assert "trust_police" in keys and "trust_intro" not in keys
    from survey_app.reporting.service import response_export

    with app.test_request_context():
        from reports.export import ExportOptions
        from survey_app.models import Round

        found = db.session.get(Round, round_id)
        with response_export(found, ExportOptions(include_free_text=True)) as table:
            assert "trust_police" in table.header and "trust_intro" not in table.header


def test_a_failed_constraint_is_said_in_the_pages_language_at_every_door(app, client, round_):
    slug, round_id = round_
    url = f"/s/{slug}/{VILLAGE}"
    payload = {**BATTERY, "age": "30", "years_here": "45"}

    def send():  # type: ignore[no-untyped-def]
        return client.post(url + "/submit", headers={"X-CSRFToken": csrf_token(client, url)},
                           json={"submission_key": str(uuid.uuid4()), "answers": payload})

    client.get("/lang/en")
    assert send().get_json()["errors"] == {"years_here": "The years in the village cannot be more than the age."}
    client.get("/lang/jv")
    javanese = "Laminipun manggen ing desa boten saged langkung saking yuswa."
    assert send().get_json()["errors"] == {"years_here": javanese}
    client.get("/lang/id")
    page = client.post(url, data={"csrf_token": csrf_token(client, url), "_page": "0", "_nav": "next", **payload})
    assert page.status_code == 422 and "Lama tinggal di desa tidak bisa lebih dari umur." in page.get_data(as_text=True)
    # Paper entry says it too, and keeps the form unsaved.
    clerk = _volunteer(app, "vol4@example.org")
    key_url = f"/entry/{round_id}/key"
    header = {"_village": VILLAGE, "_serial": "P-9", "_date": "2026-11-01", "_interviewer": "", "_consent": "1"}
    keyed = clerk.post(key_url, data={"csrf_token": csrf_token(clerk, key_url), **header, **payload})
    assert keyed.status_code == 422
    assert "The years in the village cannot be more than the age." in html.unescape(keyed.get_data(as_text=True))


def test_a_date_question_at_every_door(app, client, round_):
    """Residents' picker or typed day-month-year; volunteers' eight digits, judged against the
    paper's interview date; the template's hint; the export's ISO column; no report figure."""
    from survey_app import clock
    from survey_app.models import Response

    slug, round_id = round_
    url = f"/s/{slug}/{VILLAGE}"
    today = clock.today()
    client.get("/lang/en")
    page = client.get(url).get_data(as_text=True)
    assert re.search(r'<input[^>]*name="last_incident"[^>]*type="date"|<input[^>]*type="date"[^>]*name="last_incident"',
                     page)

    def send(day: str):  # type: ignore[no-untyped-def]
        payload = {"submission_key": str(uuid.uuid4()), "answers": {**BATTERY, "last_incident": day}}
        return client.post(url + "/submit", headers={"X-CSRFToken": csrf_token(client, url)}, json=payload)

    tomorrow = today + timedelta(days=1)
    refused = send(tomorrow.isoformat())
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == {"last_incident": f"The date cannot be after {today:%d-%m-%Y}."}
    client.get("/lang/id")
    assert send("31-02-2026").get_json()["errors"] == {
        "last_incident": "Tulis tanggal sebagai hari-bulan-tahun, misalnya 31-12-2026."}
    assert send(f"{today:%d-%m-%Y}").status_code == 201
    db.session.remove()
    assert db.session.scalars(sa.select(Response.answers)).all() == [{**BATTERY, "last_incident": today.isoformat()}]
    db.session.remove()
    # Without JavaScript: the picker's ISO day is stored; a day out of bounds comes back on the page.
    def step(day: str):  # type: ignore[no-untyped-def]
        return client.post(url, data={"csrf_token": csrf_token(client, url), "_page": "1", "_nav": "submit",
                                      **BATTERY, "last_incident": day})

    refused_page = step(tomorrow.isoformat())
    assert refused_page.status_code == 422
    assert f"Tanggal tidak boleh sesudah {today:%d-%m-%Y}." in html.unescape(refused_page.get_data(as_text=True))
    picked = today - timedelta(days=3)
    assert step(picked.isoformat()).status_code == 303
    db.session.remove()
    assert db.session.scalars(sa.select(Response.answers).order_by(Response.id)).all()[-1] == {
        **BATTERY, "last_incident": picked.isoformat()}
    db.session.remove()
    # Paper: eight digits, judged against the interview date written on the form.
    clerk = _volunteer(app, "vol5@example.org")
    key_url = f"/entry/{round_id}/key"
    interview = today - timedelta(days=20)
    header = {"_village": VILLAGE, "_serial": "P-D1", "_date": interview.isoformat(), "_interviewer": "",
              "_consent": "1"}
    after_interview = interview + timedelta(days=3)
    keyed = clerk.post(key_url, data={"csrf_token": csrf_token(clerk, key_url), **header, **BATTERY,
                                      "last_incident": f"{after_interview:%d%m%Y}"})
    assert keyed.status_code == 422
    assert f"The date cannot be after {interview:%d-%m-%Y}." in html.unescape(keyed.get_data(as_text=True))
    day = interview - timedelta(days=40)
    saved = clerk.post(key_url, data={"csrf_token": csrf_token(clerk, key_url), **header, **BATTERY,
                                      "last_incident": f"{day:%d%m%Y}"})
    assert saved.status_code == 303
    assert db.session.scalars(sa.select(Response.answers).order_by(Response.id)).all()[-1]["last_incident"] == (
        day.isoformat())
    screen = clerk.get(key_url).get_data(as_text=True)
    assert "A date: day-month-year, e.g. 31122026 or 31-12-2026" in html.unescape(screen)
    template = openpyxl.load_workbook(io.BytesIO(clerk.get(f"/entry/{round_id}/template.xlsx").data))
    prompts = [v.prompt or "" for ws in template.worksheets for v in ws.data_validations.dataValidation]
    assert any(prompt.startswith("A date as day-month-year (31-12-2026)") for prompt in prompts)
    # The export carries the day as ISO text; a village report counts no figure for it.
    from reports.export import ExportOptions
    from survey_app.models import Round
    from survey_app.reporting.service import response_export

    with app.test_request_context(), response_export(db.session.get(Round, round_id), ExportOptions()) as table:
        column = table.header.index("last_incident")
        assert sorted(row[column] for row in table.rows) == sorted(
                [today.isoformat(), picked.isoformat(), day.isoformat()])
    questionnaire = load_file(TEST_QUESTIONNAIRES / "tiga-bahasa" / "v1.yaml")
    frame = make_frame([(1, {"last_incident": "2026-01-05"})])
    tables = build_village_tables(REPORT_VILLAGE, [report_round(1, questionnaire)], frame, ReportOptions(min_n=1))
    assert "last_incident" not in {item.id for section in tables.sections for item in section.items}


def test_a_drawn_order_is_shown_kept_across_pages_stored_and_exported(app, client, round_):
    """The trust battery and the problems' options are shown in an order drawn per response: the
    page shows it, the no-JS pages carry it, the JSON door stores the order its seed names, and
    the raw export has a column for each. Paper keeps the printed order and stores none."""
    from reports.export import ExportOptions
    from survey_app.models import Response, Round
    from survey_app.questionnaire.ordering import display_order
    from survey_app.reporting.service import response_export

    slug, round_id = round_
    url = f"/s/{slug}/{VILLAGE}"
    questionnaire = load_file(TEST_QUESTIONNAIRES / "tiga-bahasa" / "v1.yaml")
    client.get("/lang/en")
    page = client.get(url).get_data(as_text=True)
    seed = re.search(r'name="_order" value="([0-9a-f]{16})"', page)[1]  # type: ignore[index]
    order = display_order(questionnaire, seed)
    trust_block = page[page.index('data-index="0"'):page.index('data-index="1"')]
    assert re.findall(r'data-q="([a-z_]+)"', trust_block) == list(order.sections["trust"])
    problems = page[page.index('id="q-local_problems"'):]
    shown_codes = re.findall(r'name="local_problems" type="checkbox" value="([^"]+)"', problems)
    assert shown_codes == list(order.options["local_problems"])
    # No JS: the next page carries the same seed, and the last one stores its order.
    step = client.post(url, data={"csrf_token": csrf_token(client, url), "_page": "0", "_nav": "next", "_order": seed,
                                  **BATTERY})
    assert f'name="_order" value="{seed}"' in step.get_data(as_text=True)
    sent = client.post(url, data={"csrf_token": csrf_token(client, url), "_page": "1", "_nav": "submit",
                                  "_order": seed, **BATTERY, "local_problems": "theft"})
    assert sent.status_code == 303
    # The JSON door: the seed the enhanced form sends.
    other = "0123456789abcdef"
    stored = client.post(url + "/submit", headers={"X-CSRFToken": csrf_token(client, url)},
                         json={"submission_key": str(uuid.uuid4()), "answers": BATTERY, "order_seed": other})
    assert stored.status_code == 201
    db.session.remove()
    rows = db.session.scalars(sa.select(Response).order_by(Response.id)).all()
    assert [r.display_order for r in rows] == [display_order(questionnaire, seed).to_json(),
                                               display_order(questionnaire, other).to_json()]
    db.session.remove()
    # Paper: the printed order (the file's), nothing stored.
    clerk = _volunteer(app, "vol6@example.org")
    key_url = f"/entry/{round_id}/key"
    screen = clerk.get(key_url).get_data(as_text=True)
    keyed_order = [qid for qid in re.findall(r'name="([a-z_]+)"', screen) if qid in BATTERY]
    assert keyed_order == BATTERY_FILE_ORDER
    header = {"_village": VILLAGE, "_serial": "P-O1", "_date": "2026-11-01", "_interviewer": "", "_consent": "1"}
    assert clerk.post(key_url, data={"csrf_token": csrf_token(clerk, key_url), **header, **BATTERY}).status_code == 303
    assert db.session.scalars(sa.select(Response.display_order).order_by(Response.id)).all()[-1] is None
    with app.test_request_context(), response_export(db.session.get(Round, round_id), ExportOptions()) as table:
        assert table.header[-2:] == ["order/trust", "order/local_problems"]
        cells = [row[-2:] for row in table.rows]
    assert cells[0] == [" ".join(order.sections["trust"]), " ".join(order.options["local_problems"])]
    assert cells[-1] == [None, None]


BATTERY_FILE_ORDER = ["trust_police", "fair_respect", "fair_listen", "eff_good_job"]
