"""Exclusive options ("none of these"): a real answer, in every base, that cannot be ticked
with another; declared in the file and checked by the loader and the versions."""

from __future__ import annotations

import pytest

from survey_app.questionnaire import QuestionnaireError, clean_answers, load_file
from survey_app.questionnaire.types import QUESTION_TYPES
from tests.questionnaire.conftest import WriteQuestionnaire

PROBLEMS = """\
sections:
  - id: main
    title: {id: Utama, en: Main}
    questions:
      - id: problems
        type: multiple_choice
        text: {id: Masalah, en: Problems}
        options:
          - {code: theft, label: {id: Pencurian, en: Theft}}
          - {code: drugs, label: {id: Narkoba, en: Drugs}}
          - {code: none, label: {id: Tidak ada, en: None of these}EXCLUSIVE}
          - {code: "9", label: {id: Menolak, en: Refused}, special: refused}
"""


def _file(write: WriteQuestionnaire, exclusive: str = ", exclusive: true", version: int = 1, extra: str = ""):
    return write(PROBLEMS.replace("EXCLUSIVE", exclusive) + extra, version=version)


def test_an_exclusive_option_is_answered_alone_and_stays_a_real_answer(write: WriteQuestionnaire) -> None:
    questionnaire = load_file(_file(write))
    question = questionnaire.question("problems")
    assert question.option("none").exclusive and question.stands_alone("none")
    assert [o.code for o in question.scale_options()] == ["theft", "drugs", "none"]  # in the base
    assert clean_answers(questionnaire, {"problems": ["none"]}).answers == {"problems": ["none"]}
    refused = clean_answers(questionnaire, {"problems": ["theft", "none"]})
    assert refused.errors == {"problems": "'none' cannot be combined with other answers."}
    assert clean_answers(questionnaire, {"problems": ["theft", "drugs"]}).ok
    check = QUESTION_TYPES["multiple_choice"].cell_check(question)
    assert check is not None and check.alone == ("none", "9")


def test_exclusive_is_refused_where_it_means_nothing(write: WriteQuestionnaire) -> None:
    single = PROBLEMS.replace("EXCLUSIVE", ", exclusive: true").replace("type: multiple_choice", "type: single_choice")
    with pytest.raises(QuestionnaireError) as error:
        load_file(write(single))
    assert "option 'none' is exclusive, which only a question that takes several answers can use" in str(error.value)
    with pytest.raises(QuestionnaireError) as error:
        both = PROBLEMS.replace("EXCLUSIVE", "").replace("special: refused", "special: refused, exclusive: true")
        load_file(write(both))
    assert "option '9' is special, and special options always stand alone" in str(error.value)


def test_making_an_option_exclusive_is_a_change_a_new_version_must_declare(write: WriteQuestionnaire) -> None:
    _file(write, exclusive="", version=1)
    with pytest.raises(QuestionnaireError) as error:
        load_file(_file(write, version=2))
    assert "changed since v1 (options)" in str(error.value)
    text = "        text: {id: Masalah, en: Problems}\n"
    declared = PROBLEMS.replace("EXCLUSIVE", ", exclusive: true").replace(text, text + "        compare: same\n")
    assert load_file(write(declared, version=2)).question("problems").option("none").exclusive
