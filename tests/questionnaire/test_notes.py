"""Notes: text shown, nothing asked. Never an answer, never required, never read by show_if,
and never a reason for a new version to declare a break."""

from __future__ import annotations

import pytest

from survey_app.questionnaire import QuestionnaireError, clean_answers, load_file, visible_questions
from tests.questionnaire.conftest import WriteQuestionnaire

BODY = """\
sections:
  - id: main
    title: {id: Utama, en: Main}
    questions:
      - id: intro
        type: note
        text: {id: "Terima kasih. INTRO", en: "Thank you. INTRO"}
      - {id: had_contact, type: yes_no, text: {id: Kontak, en: Contact}}
"""


def test_a_note_is_shown_and_never_answered(write: WriteQuestionnaire) -> None:
    questionnaire = load_file(write(BODY))
    note = questionnaire.question("intro")
    assert note.type == "note" and not note.required
    assert [q.id for q in visible_questions(questionnaire, {})] == ["intro", "had_contact"]
    cleaned = clean_answers(questionnaire, {"intro": "sneaked in", "had_contact": "yes"})
    assert cleaned.ok and cleaned.answers == {"had_contact": "yes"}


@pytest.mark.parametrize(("body", "message"), [
    (BODY.replace("        type: note\n", "        type: note\n        required: true\n"),
     "'required' cannot be used on a note: nothing is asked"),
    (BODY.replace("        type: note\n", "        type: note\n        options: [{code: a, label: {id: A, en: A}}]\n"),
     "'options' cannot be used on a note question"),
    (BODY + "      - {id: more, type: short_text, text: {id: Lagi, en: More}, show_if: \"intro == 'x'\"}\n",
     "show_if refers to 'intro', a note, which has no answer"),
])
def test_a_note_is_refused_what_only_questions_have(write: WriteQuestionnaire, body: str, message: str) -> None:
    with pytest.raises(QuestionnaireError) as error:
        load_file(write(body))
    assert message in str(error.value)


def test_rewording_a_note_needs_no_declaration_in_the_next_version(write: WriteQuestionnaire) -> None:
    load_file(write(BODY, version=1))
    reworded = load_file(write(BODY.replace("INTRO", "(updated)"), version=2))
    assert reworded.question("intro").compare.kind == "same"
