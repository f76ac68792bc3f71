"""The JS resident form with the format's additions: a note is read, not answered; a hidden
section is skipped; "none of these" cannot go with a problem; a date is picked; the order
drawn is stored."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from survey_app import clock
from survey_app.extensions import db
from survey_app.models import Response
from survey_app.questionnaire import load_file
from survey_app.questionnaire.ordering import display_order
from tests.browser.resident import BROWSER_TEST, open_form
from tests.factories import TEST_QUESTIONNAIRES, open_test_round, questionnaires_with_test_ones

pytestmark = BROWSER_TEST
VILLAGE = "32.73.01.1001"


@pytest.fixture
def app_config(tmp_path):  # type: ignore[no-untyped-def]
    return questionnaires_with_test_ones(tmp_path)


def test_the_js_form_shows_the_note_skips_the_hidden_section_and_refuses_none_with_a_problem(live_server, page):
    slug, _round_id = open_test_round("Putaran Browser", ["32.73.01"])
    open_form(page, f"{live_server.url}/lang/en?next=/s/{slug}/{VILLAGE}")
    expect(page.locator("#q-trust_intro")).to_contain_text("The next questions are about the police")
    assert page.locator("#q-trust_intro input").count() == 0
    # Not trusting the police at all hides the problems section: this page is the last.
    page.check("#q-trust_police input[value='1']")
    expect(page.locator("#next")).to_have_text("Send answers")
    page.check("#q-trust_police input[value='4']")
    expect(page.locator("#next")).to_have_text("Next")
    for qid, code in (("fair_respect", "4"), ("fair_listen", "3"), ("eff_good_job", "4")):
        page.check(f"#q-{qid} input[value='{code}']")
    page.click("#next")
    problems = page.locator("#q-local_problems")
    expect(problems).to_be_visible()
    page.check("#q-local_problems input[value='theft']")
    page.check("#q-local_problems input[value='none']")
    page.click("#next")  # the last page: send, and the server refuses the pair
    expect(page.locator("#e-local_problems")).to_contain_text("'none' cannot be combined with other answers.")
    # Sent without the pair, the answers are stored with the order this page showed.
    seed = page.locator("input[name='_order']").input_value()
    shown = page.eval_on_selector_all("section[data-index='0'] .q", "blocks => blocks.map(b => b.dataset.q)")
    page.uncheck("#q-local_problems input[value='none']")
    day = (clock.today() - timedelta(days=5)).isoformat()
    assert page.get_attribute("#q-last_incident input", "type") == "date"  # the phone's own date picker
    page.fill("#q-last_incident input", day)
    page.click("#next")
    expect(page.locator("h1")).to_contain_text("Thank you")
    db.session.remove()
    stored, answers = db.session.execute(sa.select(Response.display_order, Response.answers)).one()
    db.session.remove()
    assert answers["last_incident"] == day
    questionnaire = load_file(TEST_QUESTIONNAIRES / "tiga-bahasa" / "v1.yaml")
    assert stored == display_order(questionnaire, seed).to_json()
    assert stored["sections"]["trust"] == shown
