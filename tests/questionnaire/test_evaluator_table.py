"""The Python side of the shared evaluator table (the browser side is in
``tests/browser/test_evaluators.py``)."""

from __future__ import annotations

import pytest

from survey_app.operations.keying import expand_code
from survey_app.questionnaire import QUESTION_TYPES, Option, Question, parse
from survey_app.questionnaire.types import AnswerError
from tests.evaluator_cases import EXPAND, KEYED_DATES, SHOW_IF


@pytest.mark.parametrize(("text", "answers", "expected"), SHOW_IF)
def test_the_engine_evaluates_each_show_if_case(text, answers, expected):
    assert parse(text).evaluate(answers) is expected


def question_with(codes: tuple[str, ...]) -> Question:
    return Question(id="q", type="single_choice", text={"id": "q"},
                    options=tuple(Option(code, {"id": code}) for code in codes))


@pytest.mark.parametrize(("codes", "token", "expected"), EXPAND)
def test_keying_expands_each_typed_code(codes, token, expected):
    assert expand_code(question_with(codes), token) == expected


@pytest.mark.parametrize(("typed", "expected"), KEYED_DATES)
def test_keying_reads_each_typed_date(typed, expected):
    kind = QUESTION_TYPES["date"]
    question = Question(id="when", type="date", text={"id": "Kapan?"})
    try:
        stored = kind.clean(question, kind.key(question, typed))
    except AnswerError:
        stored = None
    assert stored == expected
