"""The show_if language: parsing, errors with columns, and the None rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey_app.questionnaire.expressions import ExpressionError, parse, tokenize


def ev(text: str, **answers: object) -> bool:
    return parse(text).evaluate(answers)


# -- literals and operators ------------------------------------------------------------


def test_equality_on_codes_is_textual() -> None:
    assert ev("x == 'yes'", x="yes")
    assert not ev("x == 'yes'", x="no")
    assert ev('x == "yes"', x="yes")
    assert not ev("x == '01'", x="1")  # codes are never normalised
    assert ev("x != '01'", x="1")


def test_numbers_compare_with_integer_answers_and_numeric_strings() -> None:
    assert ev("age >= 18", age=18)
    assert not ev("age >= 18", age=17)
    assert ev("age < 17.5", age=17)
    assert ev("age == 30", age="30")
    assert ev("trust > 3", trust="4")
    assert ev("x > -1", x=0)
    assert not ev("name > 3", name="abc")  # ordering needs numbers on both sides
    assert not ev("flag == 1", flag=True)  # booleans are not numbers


def test_in_with_a_literal_list_and_with_a_multiple_choice_answer() -> None:
    assert ev("x in ['a', 'b']", x="b")
    assert not ev("x in ['a', 'b']", x="c")
    assert ev("x not in ['a', 'b']", x="c")
    assert ev("'theft' in problems", problems=["drugs", "theft"])
    assert not ev("'theft' in problems", problems=["drugs"])
    assert ev("'theft' not in problems", problems=["drugs"])
    assert ev("x in [1, 2]", x="2")
    assert not ev("x in []", x="a")
    assert ev("x in ['a', 'b',]", x="a")  # trailing comma allowed


def test_a_list_answer_in_a_list_means_any_of_them() -> None:
    assert ev("problems in ['drugs', 'gambling']", problems=["theft", "drugs"])
    assert not ev("problems in ['gambling']", problems=["theft", "drugs"])


def test_in_against_a_single_answer_is_false_not_a_substring_test() -> None:
    assert not ev("'a' in x", x="abc")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x == 'a'", False),
        ("x != 'a'", True),
        ("x < 3", False),
        ("x <= 3", False),
        ("x > 3", False),
        ("x >= 3", False),
        ("x in ['a']", False),
        ("x not in ['a']", True),
        ("'a' in x", False),
        ("'a' not in x", True),
        ("not (x == 'a')", True),
        ("x == y", False),
        ("x != y", True),
    ],
)
def test_unanswered_questions_are_none(text: str, expected: bool) -> None:
    assert ev(text) is expected
    assert ev(text, x=None, y=None) is expected


def test_boolean_operators_and_precedence() -> None:
    assert ev("a == 1 or b == 1 and c == 1", a=1, b=0, c=0)
    assert not ev("(a == 1 or b == 1) and c == 1", a=1, b=0, c=0)
    assert ev("not a == 1 and b == 1", a=0, b=1)
    assert not ev("not (a == 0 and b == 1)", a=0, b=1)
    assert ev("not not a == 1", a=1)


def test_names_lists_every_question_read() -> None:
    expr = parse("a == 1 or (not b in ['x'] and 'q' in c) or d != e")
    assert expr.names == frozenset({"a", "b", "c", "d", "e"})
    assert parse("1 == 1").names == frozenset()


def test_keywords_are_not_names() -> None:
    kinds = [(t.kind, t.text) for t in tokenize("x not in y and z")]
    assert kinds == [
        ("name", "x"),
        ("op", "not"),
        ("op", "in"),
        ("name", "y"),
        ("op", "and"),
        ("name", "z"),
        ("end", ""),
    ]


# -- errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "column", "fragment"),
    [
        ("", 1, "expression is empty"),
        ("x = 1", 3, "unexpected character '='"),
        ("x == 'abc", 6, "missing its closing quote"),
        ("x == ", 6, "found end of expression"),
        ("x", 2, "expected a comparison"),
        ("x == 1 y", 8, "expected 'and', 'or' or the end"),
        ("x not 'a'", 7, "expected 'in' after 'not'"),
        ("(x == 1", 8, "expected ')'"),
        ("x in [1, 2", 11, "expected ']'"),
        ("x in [y]", 7, "expected a question id, text in quotes"),
        ("and x == 1", 1, "expected a question id"),
        ("__import__('os') == 1", 11, "expected a comparison"),
        ("x == 1 == 2", 8, "expected 'and', 'or' or the end"),
        ("x == 1 $", 8, "unexpected character '$'"),
    ],
)
def test_syntax_errors_name_the_column(text: str, column: int, fragment: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert caught.value.column == column
    assert fragment in caught.value.message
    assert f"(column {column})" in str(caught.value)


# -- properties ----------------------------------------------------------------------

NAMES = ["a", "b", "m"]
SCALARS = st.one_of(
    st.sampled_from(["'x'", "'y'", "'01'", "'1'", '"x"']),
    st.integers(-3, 3).map(str),
    st.sampled_from(["1.5", "-0.5"]),
)
LISTS = st.lists(SCALARS, max_size=3).map(lambda items: "[" + ", ".join(items) + "]")
OPS = st.sampled_from(["==", "!=", "<", "<=", ">", ">="])


@st.composite
def comparisons(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(NAMES))
    shape = draw(st.integers(0, 3))
    if shape == 0:
        return f"{name} {draw(OPS)} {draw(SCALARS)}"
    if shape == 1:
        return f"{draw(SCALARS)} {draw(OPS)} {name}"
    membership = draw(st.sampled_from(["in", "not in"]))
    if shape == 2:
        return f"{name} {membership} {draw(LISTS)}"
    return f"{draw(SCALARS)} {membership} {name}"


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(children, st.sampled_from(["and", "or"]), children).map(lambda t: f"({t[0]}) {t[1]} ({t[2]})"),
        children.map(lambda c: f"not ({c})"),
    )


EXPRESSIONS = st.recursive(comparisons(), _combine, max_leaves=8)
ANSWER = st.one_of(
    st.none(),
    st.sampled_from(["x", "y", "01", "1", "2"]),
    st.integers(-3, 3),
    st.lists(st.sampled_from(["x", "y", "1"]), max_size=3, unique=True),
)
ANSWERS = st.fixed_dictionaries({name: ANSWER for name in NAMES})


@given(EXPRESSIONS, ANSWERS)
def test_not_inverts(text: str, answers: dict[str, object]) -> None:
    assert parse(f"not ({text})").evaluate(answers) is (not parse(text).evaluate(answers))


@given(comparisons(), comparisons(), comparisons(), ANSWERS)
def test_and_binds_tighter_than_or_and_not_tighter_than_and(a: str, b: str, c: str, answers: dict[str, object]) -> None:
    ea, eb, ec = (parse(t).evaluate(answers) for t in (a, b, c))
    assert parse(f"{a} or {b} and {c}").evaluate(answers) is (ea or (eb and ec))
    assert parse(f"{a} and {b} or {c}").evaluate(answers) is ((ea and eb) or ec)
    assert parse(f"not {a} and {b}").evaluate(answers) is ((not ea) and eb)
    assert parse(f"not {a} or {b}").evaluate(answers) is ((not ea) or eb)


@given(EXPRESSIONS, ANSWERS)
def test_rendering_parses_back_to_the_same_meaning(text: str, answers: dict[str, object]) -> None:
    expr = parse(text)
    again = parse(str(expr))
    assert again.evaluate(answers) is expr.evaluate(answers)
    assert again.names == expr.names


@given(comparisons())
def test_every_comparison_on_missing_answers_follows_the_none_rule(text: str) -> None:
    expr = parse(text)
    op = "not in" if " not in " in text else text.split()[1]
    assert expr.evaluate({}) is (op in ("!=", "not in"))


@given(st.text(alphabet="ab =!<>()[],'\"0123456789.-_notandorin", max_size=30))
def test_parser_only_ever_raises_expression_error(text: str) -> None:
    try:
        expr = parse(text)
    except ExpressionError as exc:
        assert 1 <= exc.column <= len(text) + 1
    else:
        assert isinstance(expr.evaluate({"a": "1", "b": ["x"]}), bool)
