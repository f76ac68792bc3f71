"""Date questions in the engine: what residents and volunteers may write, and bounds relative
to the interview's own date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from survey_app.questionnaire import QuestionnaireError, clean_answers, load_file
from survey_app.questionnaire.types import QUESTION_TYPES, relative_date

TEST_QUESTIONNAIRE = Path(__file__).resolve().parents[1] / "data" / "three_languages" / "tiga-bahasa" / "v1.yaml"
INTERVIEW = dt.date(2026, 3, 31)
ANSWERED = {"trust_police": "4", "fair_respect": "4", "fair_listen": "2", "eff_good_job": "3"}


@pytest.fixture(scope="module")
def questionnaire():  # type: ignore[no-untyped-def]
    return load_file(TEST_QUESTIONNAIRE)


@pytest.mark.parametrize(("typed", "stored"), [
    ("2026-03-05", "2026-03-05"),  # the phone's date picker
    ("5-3-2026", "2026-03-05"),  # day first, as written in Indonesia
    ("05/03/2026", "2026-03-05"),
    ("05.03.2026", "2026-03-05"),
    ("2026-03-05 00:00:00", "2026-03-05"),  # a date cell of a spreadsheet, read as text
])
def test_a_date_is_read_day_first_or_iso_and_stored_iso(questionnaire, typed, stored):
    result = clean_answers(questionnaire, {**ANSWERED, "last_incident": typed}, INTERVIEW)
    assert result.ok and result.answers["last_incident"] == stored


@pytest.mark.parametrize("typed", ["31-02-2026", "03-2026", "yesterday", "2026-13-01", "12"])
def test_what_is_not_a_date_is_refused_saying_how_to_write_one(questionnaire, typed):
    result = clean_answers(questionnaire, {**ANSWERED, "last_incident": typed}, INTERVIEW)
    assert result.errors == {"last_incident": "Write a date as day-month-year, for example 31-12-2026."}


def test_bounds_are_relative_to_the_interview_date(questionnaire):
    """earliest: -12 months, latest: today (not in the future)."""
    def check(day: str, interview: dt.date = INTERVIEW) -> dict[str, str]:
        return clean_answers(questionnaire, {**ANSWERED, "last_incident": day}, interview).errors

    assert check("31-03-2026") == {} and check("31-03-2025") == {}
    assert check("01-04-2026") == {"last_incident": "The date cannot be after 31-03-2026."}
    assert check("30-03-2025") == {"last_incident": "The date cannot be before 31-03-2025."}
    # The same answer on a later interview (a form keyed weeks after) is judged on its own day.
    assert check("01-04-2026", dt.date(2026, 4, 20)) == {}
    # A refused date is not an answer a show_if or constraint may read.
    assert "last_incident" not in clean_answers(questionnaire, {**ANSWERED, "last_incident": "01-04-2026"},
                                                INTERVIEW).answers


@pytest.mark.parametrize(("bound", "expected"), [
    ("today", "2026-03-31"), ("-30 days", "2026-03-01"), ("+1 day", "2026-04-01"),
    ("-1 month", "2026-02-28"),  # the end of a shorter month
    ("-12 months", "2025-03-31"), ("-2 years", "2024-03-31"), ("+1 year", "2027-03-31"),
])
def test_relative_dates(bound, expected):
    assert relative_date(bound, INTERVIEW).isoformat() == expected
    assert relative_date("-1 year", dt.date(2024, 2, 29)) == dt.date(2023, 2, 28)


def test_a_volunteer_keys_eight_digits():
    date = QUESTION_TYPES["date"]
    assert date.key(None, "05032026") == "05-03-2026"  # type: ignore[arg-type]
    assert date.key(None, "5-3-2026") == "5-3-2026"  # type: ignore[arg-type]


@pytest.mark.parametrize(("field", "message"), [
    ('earliest: "last year"', "write 'today' or an offset from the interview date such as '-12 months'"),
    ('latest: "-2 months"\n        earliest: "-1 month"', "latest (-2 months) is before earliest (-1 month)"),
])
def test_the_loader_names_a_bad_bound(tmp_path, field, message):
    folder = tmp_path / "tiga-bahasa"
    folder.mkdir()
    text = TEST_QUESTIONNAIRE.read_text(encoding="utf-8")
    text = text.replace('earliest: "-12 months"\n        latest: today  # not in the future', field)
    (folder / "v1.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(QuestionnaireError) as caught:
        load_file(folder / "v1.yaml")
    (problem,) = caught.value.problems
    assert problem.question_id == "last_incident" and message in problem.message and problem.line


def test_bounds_belong_to_date_questions_only(tmp_path):
    folder = tmp_path / "tiga-bahasa"
    folder.mkdir()
    text = TEST_QUESTIONNAIRE.read_text(encoding="utf-8").replace("        min: 17\n", "        earliest: today\n")
    (folder / "v1.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(QuestionnaireError) as caught:
        load_file(folder / "v1.yaml")
    assert any("'earliest' cannot be used on a integer question" in p.message for p in caught.value.problems)
