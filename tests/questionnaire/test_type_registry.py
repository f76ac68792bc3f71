"""Each question type's one home: the registry's methods behave for every type, the schema's
list of types is the registry's, and the web layer's tables cover every registered type."""

from __future__ import annotations

import random
import typing
from pathlib import Path

import pytest

from survey_app.questionnaire import QUESTION_TYPES, Catalog, clean_answers
from survey_app.questionnaire.schema import QuestionIn
from survey_app.questionnaire.types import CellCheck, PaperAnswer, ReportKind

QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "questionnaires"
TEST_QUESTIONNAIRES = Path(__file__).resolve().parents[1] / "data" / "three_languages"


@pytest.fixture(scope="module")
def examples():  # type: ignore[no-untyped-def]
    """A question of every registered type, with its questionnaire: shipped, or in the tests'
    own questionnaires."""
    found = {}
    for folder in (QUESTIONNAIRES, TEST_QUESTIONNAIRES):
        catalog = Catalog(folder)
        for ref in catalog.refs():
            questionnaire = catalog.get(*ref)
            for question in questionnaire.questions():
                found.setdefault(question.type, (questionnaire, question))
    assert set(found) == set(QUESTION_TYPES), "give an example of every type (or add one to this test)"
    return found


def test_the_schema_accepts_exactly_the_registered_types():
    allowed = typing.get_args(QuestionIn.model_fields["type"].annotation)
    assert allowed == tuple(QUESTION_TYPES)


@pytest.mark.parametrize("name", sorted(QUESTION_TYPES))
def test_every_type_keys_checks_reports_and_answers_for_the_demo(examples, name):
    questionnaire, question = examples[name]
    kind = QUESTION_TYPES[name]
    # A synthetic answer is one the engine accepts, for the demo and the benchmarks.
    rng = random.Random(7)  # noqa: S311 - reproducible test data
    for level in (0.0, 0.5, 1.0):
        answer = kind.demo_answer(question, level, rng)
        cleaned = clean_answers(questionnaire, {question.id: answer})
        assert question.id not in cleaned.errors, (answer, cleaned.errors)
    assert kind.report_kind(question) in typing.get_args(ReportKind)
    printed = kind.printed(question)  # the printed form has an answer space for it (none for a note)
    assert printed.kind in typing.get_args(typing.get_type_hints(PaperAnswer)["kind"])
    assert (printed.kind == "none") == (not kind.takes_answer)
    check = kind.cell_check(question)
    assert check is None or isinstance(check, CellCheck)
    if question.options:
        first = question.options[0].code
        # Keying: a code typed as printed, or in other case, is the code.
        assert kind.key(question, first) in (first, [first])
        assert kind.key(question, first.upper()) in (first, [first])
        assert check is not None and check.codes == tuple(o.code for o in question.options)
    else:
        assert kind.key(question, "12") == "12"


@pytest.mark.parametrize(("table", "answered_only"), [
    ("survey_app.respond.forms:FIELD_BUILDERS", False),  # a note's builder says "no field"
    ("survey_app.entry.forms:KEY_INPUTS", True),  # notes are never keyed
])
def test_the_web_layers_tables_cover_every_registered_type(table, answered_only):
    module_name, attribute = table.split(":")
    module = __import__(module_name, fromlist=[attribute])
    wanted = {name for name, kind in QUESTION_TYPES.items() if kind.takes_answer or not answered_only}
    assert set(getattr(module, attribute)) == wanted


def test_the_export_and_the_templates_cover_every_kind_a_type_can_report():
    from reports.export import _GETTERS
    from survey_app.operations.paper_import import CELL_RULES
    from survey_app.printing.pdf import _ANSWER_SPACES

    assert set(_GETTERS) == set(typing.get_args(ReportKind))
    assert set(_ANSWER_SPACES) | {"none"} == set(typing.get_args(typing.get_type_hints(PaperAnswer)["kind"]))
    assert set(CELL_RULES) == set(typing.get_args(typing.get_type_hints(CellCheck)["kind"]))
