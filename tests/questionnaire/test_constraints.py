"""Cross-question constraints: checked once every question they read is answered, shown at
one of them with the questionnaire's own message; the loader checks them like show_if."""

from __future__ import annotations

import pytest

from survey_app.questionnaire import QuestionnaireError, clean_answers, load_file
from tests.questionnaire.conftest import WriteQuestionnaire

BODY = """\
sections:
  - id: about
    title: {id: Tentang, en: About}
    questions:
      - {id: age, type: integer, min: 17, max: 120, text: {id: Umur, en: Age}}
      - {id: years_here, type: integer, required: false, text: {id: Lama, en: Years}}
constraints:
  - check: CHECK
    on: ON
    message: {id: "Tidak bisa lebih dari umur.", en: "Cannot be more than the age."}
"""


def _body(check: str = "\"years_here <= age\"", on: str = "years_here") -> str:
    return BODY.replace("CHECK", check).replace("ON", on)


def test_a_constraint_is_checked_once_its_questions_are_answered(write: WriteQuestionnaire) -> None:
    questionnaire = load_file(write(_body()))
    (constraint,) = questionnaire.constraints
    assert (constraint.check_text, constraint.on) == ("years_here <= age", "years_here")
    assert clean_answers(questionnaire, {"age": "30", "years_here": "12"}).ok
    refused = clean_answers(questionnaire, {"age": "30", "years_here": "40"})
    assert refused.errors == {"years_here": "Tidak bisa lebih dari umur."}  # the default language
    template, params = refused.error_templates["years_here"]
    assert params["texts"] == {"id": "Tidak bisa lebih dari umur.", "en": "Cannot be more than the age."}
    assert clean_answers(questionnaire, {"age": "30"}).ok  # not answered: nothing to compare
    # An answer refused on its own is not judged again by the constraint.
    assert clean_answers(questionnaire, {"age": "12", "years_here": "40"}).errors == {"age": "Must be at least 17."}


@pytest.mark.parametrize(("check", "on", "message"), [
    ("\"years_here <= nobody\"", "years_here", "constraint 1: check refers to unknown question 'nobody'"),
    ("\"years_here <=\"", "years_here", "constraint 1: check syntax error at column"),
    ("\"years_here <= age\"", "sex", "constraint 1: 'on: sex' must be one of the questions its check reads"),
])
def test_a_constraint_is_checked_and_named(write: WriteQuestionnaire, check: str, on: str, message: str) -> None:
    with pytest.raises(QuestionnaireError) as error:
        load_file(write(_body(check, on)))
    assert message in str(error.value)


def test_a_constraint_needs_its_message_in_every_language(write: WriteQuestionnaire) -> None:
    with pytest.raises(QuestionnaireError) as error:
        load_file(write(_body().replace(', en: "Cannot be more than the age."', "")))
    assert "message of constraint 1 has no text in 'en'" in str(error.value)
