"""A volunteer keys whole paper forms in Chromium with the keyboard only, and we count
the keystrokes. Also: codes flagged as typed, skip logic jumping, Ctrl+Enter saving."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from survey_app.extensions import db
from survey_app.models import PaperForm, Response
from tests.browser.staff import sign_in
from tests.entry.conftest import VILLAGE
from tests.factories import complete_answers

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

PLAN_OVERRIDES = {"know_fkpm": "yes", "fkpm_meetings_12m": "3", "contact_12m": "no",
                  "local_problems": ["theft", "drugs"], "trust_police": "3", "sex": "2"}


class Keyboard:
    """Presses keys on the page and counts them; a chord such as Control+Enter is one."""

    def __init__(self, page) -> None:  # type: ignore[no-untyped-def]
        self.page, self.count = page, 0

    def type(self, text: str) -> None:
        for char in text:
            self.page.keyboard.press(char if char != " " else "Space")
            self.count += 1

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.count += 1


def _focused(page) -> str:  # type: ignore[no-untyped-def]
    return page.evaluate("document.activeElement.id")


def _keys_for(question, value) -> tuple[str, bool]:  # type: ignore[no-untyped-def]
    """What a volunteer types for an answer, and whether Enter is needed to move on."""
    if question.type == "yes_no":
        return value[0], False  # "y" / "n": a unique prefix, completed and moved on at once
    if question.type == "single_choice":
        return value, False  # one-character codes move on by themselves
    if question.type == "multiple_choice":
        return " ".join(code[:2] for code in value), True
    return str(value or ""), True


@pytest.fixture
def signed_in(live_server, new_context, round_, person, questionnaire):  # type: ignore[no-untyped-def]
    person("vol1")
    url = f"{live_server.url}/entry/{round_.id}/key?village={VILLAGE}"
    db.session.remove()  # SQLite: the live server needs the write lock
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, live_server.url, "vol1@example.org")
    page.wait_for_url("**/entry/")  # a volunteer's start page
    page.goto(url)
    return page


def _stored() -> tuple[list[PaperForm], list[dict]]:
    db.session.remove()
    try:
        forms = list(db.session.scalars(sa.select(PaperForm).order_by(PaperForm.id)))
        answers = [dict(r.answers) for r in db.session.scalars(sa.select(Response).order_by(Response.id))]
        return forms, answers
    finally:
        db.session.remove()


def _key_form(page, keyboard: Keyboard, questionnaire, serial: str, plan: dict) -> None:  # type: ignore[no-untyped-def]
    assert _focused(page) == "f-serial"
    keyboard.type(serial)
    keyboard.press("Enter")  # -> the consent box: date (today's, then the last form's) and interviewer are kept
    expect(page.locator("#f-serial")).not_to_be_focused()  # once the serial is known to be free
    assert _focused(page) == "f-consent"
    keyboard.type("1")  # ticked on the paper: on to the first question
    for question in questionnaire.questions():
        if question.show_if is not None and not question.show_if.evaluate(plan):
            continue
        assert _focused(page) == f"k-{question.id}", f"expected {question.id}"
        keys, needs_enter = _keys_for(question, plan.get(question.id))
        keyboard.type(keys)
        if needs_enter:
            keyboard.press("Enter")
    assert _focused(page) == "save"
    with page.expect_navigation():
        keyboard.press("Enter")


def test_a_volunteer_keys_two_forms_with_the_keyboard_only(signed_in, questionnaire):
    page = signed_in
    plan = complete_answers(questionnaire, PLAN_OVERRIDES)
    plan["work_together"] = ""  # optional, left empty on paper: Enter moves on
    keyboard = Keyboard(page)
    _key_form(page, keyboard, questionnaire, "B001", plan)
    first_form = keyboard.count
    assert "Forms saved this session: 1" in page.locator("#session-count").inner_text()
    _key_form(page, keyboard, questionnaire, "B002", plan)
    assert "Forms saved this session: 2" in page.locator("#session-count").inner_text()

    forms, stored = _stored()
    assert [f.serial for f in forms] == ["B001", "B002"]
    answered = {k: v for k, v in plan.items() if v != ""}
    answered["fkpm_meetings_12m"] = 3
    assert stored[0] == answered and stored[1] == answered
    answers = len(answered)
    print(f"\nkeystrokes per form: {first_form} for {answers} answers")  # noqa: T201
    # Target: answers plus a handful: the serial's characters and Enter, Enter after a number and
    # after the codes of a multiple choice, Enter over an empty optional text, Enter to save.
    assert first_form <= answers + len("B001") + 10
    assert keyboard.count == 2 * first_form


def test_codes_are_checked_as_typed_and_the_skip_logic_jumps(signed_in, questionnaire):
    page = signed_in
    page.locator("#k-trust_police").focus()
    page.keyboard.press("7")
    block = page.locator("#eq-trust_police")
    assert "'7' is not a valid code here." in block.locator(".error").inner_text()
    assert _focused(page) == "k-trust_police"  # stays until the code is right
    page.keyboard.press("Enter")
    assert _focused(page) == "k-trust_police"
    page.keyboard.press("Backspace")
    page.keyboard.press("4")
    assert _focused(page) == "k-trust_help"
    assert block.locator(".echo").inner_text() == "A great deal"

    page.locator("#k-know_fkpm").focus()
    page.keyboard.press("n")
    assert page.locator("#k-know_fkpm").input_value() == "no"
    assert page.locator("#eq-fkpm_meetings_12m").is_hidden()
    assert _focused(page) == "k-joint_activity"  # the meetings question is jumped over
    page.locator("#k-know_fkpm").focus()
    page.keyboard.press("Control+a")
    page.keyboard.press("y")
    assert page.locator("#eq-fkpm_meetings_12m").is_visible()
    assert _focused(page) == "k-fkpm_meetings_12m"
    page.keyboard.press("-")  # left blank on paper is accepted and moves on
    assert _focused(page) == "k-joint_activity"


def test_ctrl_enter_saves_or_shows_the_first_gap(signed_in, questionnaire):
    page = signed_in
    page.keyboard.type("C001")
    page.keyboard.press("Control+Enter")
    assert _focused(page) == "k-trust_police"
    assert "Type the code from the paper, or - if it was left blank." in page.locator(
        "#eq-trust_police .error").inner_text()
    assert _stored()[0] == []


def test_with_javascript_off_the_screen_is_a_plain_form(live_server, new_context, round_, person, questionnaire):
    person("vol1")
    url = f"{live_server.url}/entry/{round_.id}/key?village={VILLAGE}"
    db.session.remove()
    page = new_context(java_script_enabled=False, viewport={"width": 800, "height": 1000}).new_page()
    sign_in(page, live_server.url, "vol1@example.org")
    page.goto(url)
    plan = complete_answers(questionnaire, PLAN_OVERRIDES)
    page.fill("#f-serial", "N001")
    page.fill("#f-consent", "1")
    for question in questionnaire.questions():
        value = plan.get(question.id, "")
        page.fill(f"#k-{question.id}", " ".join(value) if isinstance(value, list) else str(value))
    page.fill("#k-trust_help", "")  # forgotten: the server says so
    with page.expect_navigation():
        page.locator("#save").click()
    assert "Type the code from the paper, or - if it was left blank." in page.locator("#eq-trust_help").inner_text()
    page.fill("#k-trust_help", "-")
    with page.expect_navigation():
        page.locator("#save").click()
    assert "Form N001 saved." in page.locator(".flash").inner_text()
    forms, stored = _stored()
    assert [f.serial for f in forms] == ["N001"] and "trust_help" not in stored[0]


def test_a_form_without_consent_ticked_is_not_keyed(signed_in, questionnaire):
    page = signed_in
    plan = complete_answers(questionnaire, PLAN_OVERRIDES)
    page.keyboard.type("K001")
    page.keyboard.press("Enter")
    expect(page.locator("#f-consent")).to_be_focused()
    page.keyboard.type("0")  # the box is empty on the paper
    note = page.locator("#consent-note")
    assert "The consent box is not ticked on this form: it cannot be keyed." in note.inner_text()
    page.keyboard.press("Enter")
    assert _focused(page) == "f-consent"  # no answers without consent
    for question in questionnaire.questions():  # typed anyway, with the mouse
        if question.show_if is None or question.show_if.evaluate(plan):
            value = plan.get(question.id, "")
            page.fill(f"#k-{question.id}", " ".join(value) if isinstance(value, list) else str(value))
    page.fill("#f-consent", "")
    page.keyboard.press("Control+Enter")
    assert _focused(page) == "f-consent"
    assert "Type 1 if the consent box on the paper is ticked." in note.inner_text()
    assert _stored()[0] == []


def test_the_cursor_starts_on_the_first_empty_header_field(signed_in, live_server):
    page = signed_in
    assert _focused(page) == "f-serial"  # the village came with the link
    page.goto(page.url.split("?")[0])  # vol1 has three villages to choose from
    assert _focused(page) == "f-village"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert _focused(page) == "f-serial"


def test_a_taken_serial_keeps_the_cursor(signed_in, questionnaire):
    page = signed_in
    plan = complete_answers(questionnaire, PLAN_OVERRIDES)
    _key_form(page, Keyboard(page), questionnaire, "T001", plan)
    page.keyboard.type("T001")
    page.keyboard.press("Enter")
    note = page.locator("#serial-note")
    note.filter(has_text="already been keyed").wait_for()
    assert _focused(page) == "f-serial"
    assert page.evaluate("document.getSelection().toString() || document.activeElement.selectionEnd") is not None
    page.keyboard.type("T002")  # the selected serial is typed over
    page.keyboard.press("Enter")
    expect(page.locator("#f-consent")).to_be_focused()
    assert "New form" in note.inner_text()
    # Tabbing away from a taken serial comes back to it as well.
    page.locator("#f-serial").fill("T001")
    page.keyboard.press("Tab")
    expect(page.locator("#f-serial")).to_be_focused()


def test_the_code_legends_wrap_on_a_laptop_screen(live_server, new_context, round_, person):
    person("vol1")
    round_id = round_.id
    db.session.remove()
    page = new_context(viewport={"width": 1366, "height": 768}).new_page()
    sign_in(page, live_server.url, "vol1@example.org")
    page.goto(f"{live_server.url}/entry/{round_id}/key?village={VILLAGE}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    legend = page.locator("#eq-local_problems .codes")
    assert legend.bounding_box()["x"] + legend.bounding_box()["width"] <= 1366
    assert "none" in legend.inner_text()
