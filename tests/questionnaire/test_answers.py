"""clean_answers and visible_questions against the v1 fixture."""

from __future__ import annotations

import pytest

from survey_app.questionnaire import (
    QUESTION_TYPES,
    Questionnaire,
    clean_answers,
    load_file,
    visible_questions,
)
from survey_app.questionnaire import messages as m

from .conftest import WriteQuestionnaire

# Answers to every required, always-visible question of v1.
BASE: dict[str, object] = {
    "age": "34",
    "contact_12m": "no",
    "trust_police": "4",
    "fair_respect": "5",
    "worry_theft": "2",
    "safe_walk_night": "3",
    "problems": ["drugs"],
}


def clean(v1: Questionnaire, **changes: object) -> tuple[dict[str, object], dict[str, str]]:
    result = clean_answers(v1, {**BASE, **changes})
    return result.answers, result.errors


def test_a_complete_form_is_cleaned_to_typed_values(v1: Questionnaire) -> None:
    result = clean_answers(v1, {**BASE, "csrf_token": "abc"})
    assert result.ok
    assert result.errors == {}
    assert result.answers == {
        "age": 34,
        "contact_12m": "no",
        "trust_police": "4",
        "fair_respect": "5",
        "worry_theft": "2",
        "safe_walk_night": "3",
        "problems": ["drugs"],
    }


def test_missing_required_answers_are_reported(v1: Questionnaire) -> None:
    result = clean_answers(v1, {})
    assert not result.ok
    assert result.answers == {}
    assert result.errors == {
        "age": m.REQUIRED,
        "contact_12m": m.REQUIRED,
        "trust_police": m.REQUIRED,
        "fair_respect": m.REQUIRED,
        "worry_theft": m.REQUIRED,
        "safe_walk_night": m.REQUIRED,
        "problems": m.REQUIRED,
    }
    assert m.REQUIRED == "This answer is required."


@pytest.mark.parametrize("blank", ["", "   ", None, [], [""], ["  ", ""]])
def test_blank_values_count_as_unanswered(v1: Questionnaire, blank: object) -> None:
    answers, errors = clean(v1, trust_police=blank, village_problem=blank)
    assert errors == {"trust_police": m.REQUIRED}
    assert "trust_police" not in answers
    assert "village_problem" not in answers  # optional and blank: not stored


def test_invalid_option_codes(v1: Questionnaire) -> None:
    _, errors = clean(v1, trust_police="7", contact_12m="ya", problems=["drugs", "guns"])
    assert errors == {
        "trust_police": "'7' is not a valid option.",
        "contact_12m": "'ya' is not a valid option.",
        "problems": "'guns' is not a valid option.",
    }


def test_single_choice_accepts_json_ints_and_one_item_lists(v1: Questionnaire) -> None:
    answers, errors = clean(v1, trust_police=4, fair_respect=["5"], worry_theft=" 1 ")
    assert errors == {}
    assert (answers["trust_police"], answers["fair_respect"], answers["worry_theft"]) == (
        "4",
        "5",
        "1",
    )


def test_single_choice_rejects_several_answers_and_booleans(v1: Questionnaire) -> None:
    _, errors = clean(v1, trust_police=["4", "5"], contact_12m=True)
    assert errors == {"trust_police": m.ONE_ANSWER_ONLY, "contact_12m": m.NOT_TEXT}


def test_special_codes_are_valid_answers(v1: Questionnaire) -> None:
    answers, errors = clean(v1, trust_police="8", problems="8")
    assert errors == {}
    assert answers["trust_police"] == "8"
    assert answers["problems"] == ["8"]


def test_multiple_choice_is_deduplicated_and_sorted_by_option_order(v1: Questionnaire) -> None:
    answers, errors = clean(v1, problems=["fights", "theft", "fights", ""])
    assert errors == {}
    assert answers["problems"] == ["theft", "fights"]


def test_multiple_choice_special_cannot_be_combined(v1: Questionnaire) -> None:
    _, errors = clean(v1, problems=["theft", "8"])
    assert errors == {"problems": "'8' cannot be combined with other answers."}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("17", 17), (" 120 ", 120), (45, 45), (45.0, 45), ("+30", 30)],
)
def test_integers_in_range(v1: Questionnaire, raw: object, expected: int) -> None:
    answers, errors = clean(v1, age=raw)
    assert errors == {}
    assert answers["age"] == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("16", "Must be at least 17."),
        ("121", "Must be at most 120."),
        ("-5", "Must be at least 17."),
        ("thirty", m.WHOLE_NUMBER),
        ("30.5", m.WHOLE_NUMBER),
        (30.5, m.WHOLE_NUMBER),
        (True, m.WHOLE_NUMBER),
        (["30", "31"], m.ONE_ANSWER_ONLY),
    ],
)
def test_integer_errors(v1: Questionnaire, raw: object, message: str) -> None:
    _, errors = clean(v1, age=raw)
    assert errors == {"age": message}
    assert m.WHOLE_NUMBER == "Must be a whole number."


def test_getlist_style_values_work_for_every_type(v1: Questionnaire) -> None:
    raw = {key: value if isinstance(value, list) else [value] for key, value in BASE.items()}
    result = clean_answers(v1, {**raw, "village_problem": ["  long  "]})
    assert result.errors == {}
    assert result.answers["age"] == 34
    assert result.answers["village_problem"] == "long"


def test_texts_are_stripped_and_limited(v1: Questionnaire) -> None:
    answers, errors = clean(
        v1,
        problems=["theft"],
        theft_where="  near   the\nmarket ",
        village_problem="\r\n line one\r\nline two  ",
    )
    assert errors == {}
    assert answers["theft_where"] == "near the market"
    assert answers["village_problem"] == "line one\nline two"
    _, errors = clean(v1, problems=["theft"], theft_where="x" * 21)
    assert errors == {"theft_where": "Must be at most 20 characters."}
    _, errors = clean(v1, village_problem=5)
    assert errors == {"village_problem": m.NOT_TEXT}


def test_hidden_questions_are_dropped_even_when_sent(v1: Questionnaire) -> None:
    answers, errors = clean(v1, contact_12m="no", contact_kind="01", channel=["on"])
    assert errors == {}
    assert "contact_kind" not in answers
    assert "channel" not in answers


def test_hidden_required_questions_are_not_required(v1: Questionnaire) -> None:
    _, errors = clean(v1, contact_12m="no")
    assert "contact_kind" not in errors


def test_shown_questions_are_validated(v1: Questionnaire) -> None:
    answers, errors = clean(v1, contact_12m="yes")
    assert errors == {"contact_kind": m.REQUIRED}
    answers, errors = clean(v1, contact_12m="yes", contact_kind="01", channel=["phone", "on"])
    assert errors == {}
    assert answers["contact_kind"] == "01"
    assert answers["channel"] == ["on", "phone"]


def test_visibility_uses_cleaned_answers_of_earlier_questions(v1: Questionnaire) -> None:
    # An invalid contact_12m is not an answer, so contact_kind stays hidden.
    answers, errors = clean(v1, contact_12m="maybe", contact_kind="01")
    assert errors == {"contact_12m": "'maybe' is not a valid option."}
    assert "contact_kind" not in answers
    # channel depends on contact_kind != '03': a hidden contact_kind is None, so != holds.
    answers, _ = clean(v1, contact_12m="yes", contact_kind="03", channel=["on"])
    assert "channel" not in answers


def test_multiple_choice_drives_later_visibility(v1: Questionnaire) -> None:
    answers, _ = clean(v1, problems=["drugs"], theft_where="market")
    assert "theft_where" not in answers
    answers, _ = clean(v1, problems=["theft", "drugs"], theft_where="market")
    assert answers["theft_where"] == "market"


def test_visible_questions(v1: Questionnaire) -> None:
    def ids(answers: dict[str, object]) -> list[str]:
        return [q.id for q in visible_questions(v1, answers)]

    everything = [q.id for q in v1.questions()]
    hidden_by_default = {"contact_kind", "channel", "theft_where"}
    assert ids({}) == [i for i in everything if i not in hidden_by_default]
    assert "contact_kind" in ids({"contact_12m": "yes"})
    assert "channel" in ids({"contact_12m": "yes"})
    assert "channel" not in ids({"contact_12m": "yes", "contact_kind": "03"})
    assert "theft_where" in ids({"problems": ["theft"]})


def test_stale_answers_of_hidden_questions_are_never_read(write: WriteQuestionnaire) -> None:
    questionnaire = load_file(
        write(
            """\
            sections:
              - id: main
                title: {id: Utama, en: Main}
                questions:
                  - {id: q1, type: yes_no, text: {id: Satu, en: One}}
                  - id: q2
                    type: single_choice
                    text: {id: Dua, en: Two}
                    options: [{code: a, label: {id: A, en: A}}, {code: b, label: {id: B, en: B}}]
                    show_if: "q1 == 'yes'"
                  - id: q3
                    type: short_text
                    text: {id: Tiga, en: Three}
                    show_if: "q2 == 'a'"
            """
        )
    )
    stale = {"q1": "no", "q2": "a", "q3": "text"}
    assert [q.id for q in visible_questions(questionnaire, stale)] == ["q1"]
    assert clean_answers(questionnaire, stale).answers == {"q1": "no"}
    fresh = {"q1": "yes", "q2": "a", "q3": "text"}
    assert [q.id for q in visible_questions(questionnaire, fresh)] == ["q1", "q2", "q3"]
    assert clean_answers(questionnaire, fresh).answers == fresh


def test_registry_has_every_type_of_the_format() -> None:
    assert set(QUESTION_TYPES) == {
        "single_choice",
        "multiple_choice",
        "yes_no",
        "integer",
        "date",
        "short_text",
        "long_text",
        "note",
    }
