"""A section's show_if: checked like a question's, and joined to each of its questions' own,
so every reader of a question's condition (forms, paper entry, cleaning) honours it."""

from __future__ import annotations

import pytest

from survey_app.questionnaire import QuestionnaireError, clean_answers, load_file, visible_questions
from tests.questionnaire.conftest import WriteQuestionnaire

BODY = """\
sections:
  - id: contact
    title: {id: Kontak, en: Contact}
    questions:
      - {id: had_contact, type: yes_no, text: {id: "Pernah?", en: "Any contact?"}}
  - id: about_it
    title: {id: Tentang kontak, en: About the contact}
    show_if: SECTION
    questions:
      - {id: polite, type: yes_no, text: {id: "Sopan?", en: "Polite?"}}
      - {id: why, type: short_text, text: {id: "Mengapa?", en: "Why?"}, show_if: "polite == 'no'"}
"""


def _load(write: WriteQuestionnaire, condition: str = "\"had_contact == 'yes'\""):  # type: ignore[no-untyped-def]
    return load_file(write(BODY.replace("SECTION", condition)))


def test_a_sections_condition_is_part_of_each_of_its_questions(write: WriteQuestionnaire) -> None:
    questionnaire = _load(write)
    assert questionnaire.sections[1].show_if_text == "had_contact == 'yes'"
    polite, why = questionnaire.sections[1].questions
    assert polite.show_if_text == "had_contact == 'yes'"
    assert why.show_if_text == "(had_contact == 'yes') and (polite == 'no')"
    assert [q.id for q in visible_questions(questionnaire, {"had_contact": "no"})] == ["had_contact"]
    shown = visible_questions(questionnaire, {"had_contact": "yes", "polite": "no"})
    assert [q.id for q in shown] == ["had_contact", "polite", "why"]
    # Answers of a hidden section are dropped, and its required questions are not missed.
    cleaned = clean_answers(questionnaire, {"had_contact": "no", "polite": "yes"})
    assert cleaned.ok and cleaned.answers == {"had_contact": "no"}


@pytest.mark.parametrize(("condition", "message"), [
    ("\"polite == 'yes'\"", "section 'about_it': show_if refers to 'polite', which comes later in the file"),
    ("\"nobody == 'yes'\"", "section 'about_it': show_if refers to unknown question 'nobody'"),
    ("\"had_contact == 'ya'\"", "section 'about_it': show_if compares 'had_contact' with 'ya', which is not one"),
    ("\"had_contact ==\"", "section 'about_it': show_if syntax error at column"),
])
def test_a_sections_condition_is_checked_and_named(write: WriteQuestionnaire, condition: str, message: str) -> None:
    with pytest.raises(QuestionnaireError) as error:
        _load(write, condition)
    assert message in str(error.value)
    assert ".yaml:12:" in str(error.value)  # the line of the section's show_if


PARTNERS = """\
sections:
  - id: who
    title: {id: Responden, en: Respondent}
    questions:
      - id: role
        type: single_choice
        text: {id: Peran Anda, en: Your role}
        options:
          - {code: forum, label: {id: Anggota FKPM, en: Forum member}}
          - {code: officer, label: {id: Bhabinkamtibmas, en: Village officer}}
          - {code: official, label: {id: Perangkat desa, en: Village official}}
  - id: forum_meetings
    title: {id: Pertemuan forum, en: Forum meetings}
    show_if: "role in ['forum', 'official']"
    questions:
      - {id: meetings, type: integer, min: 0, max: 52, text: {id: Berapa kali, en: How often}}
  - id: police_change
    title: {id: Perubahan di kepolisian, en: Change in the police}
    show_if: "role == 'officer'"
    questions:
      - {id: training, type: yes_no, text: {id: Pelatihan, en: Training}}
"""


def test_respondent_roles_are_sections_shown_by_the_role_question(write: WriteQuestionnaire) -> None:
    """A partner questionnaire asks some sections only of some roles: a role question and a
    section show_if, so every door and the checks of answers need nothing more."""
    questionnaire = load_file(write(PARTNERS))
    shown = {role: [q.id for q in visible_questions(questionnaire, {"role": role})]
             for role in ("forum", "officer", "official")}
    assert shown == {"forum": ["role", "meetings"], "officer": ["role", "training"],
                     "official": ["role", "meetings"]}
    officer = clean_answers(questionnaire, {"role": "officer", "meetings": "4"})  # not asked of an officer
    assert officer.answers == {"role": "officer"} and officer.errors == {"training": "This answer is required."}
