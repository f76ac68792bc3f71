"""Every broken fixture must be rejected with exactly the problems its markers announce.

A marker is a YAML comment ``#! <question id or -> | <part of the message>`` on the
line where the error must be reported, so each fixture documents its own expectations.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from survey_app.questionnaire import Problem, QuestionnaireError, load_file

from .conftest import BROKEN, GOOD, WriteQuestionnaire


@dataclass(frozen=True)
class Expected:
    line: int
    question_id: str | None
    text: str


def expectations(path: Path) -> list[Expected]:
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        for marker in line.split("#!")[1:]:
            qid, _, text = marker.partition("|")
            qid = qid.strip()
            found.append(Expected(number, None if qid == "-" else qid, text.strip()))
    return found


def broken_files() -> list[Path]:
    return sorted(path for path in BROKEN.rglob("*.yaml") if expectations(path))


def matches(problem: Problem, expected: Expected) -> bool:
    return (
        problem.line == expected.line
        and problem.question_id == expected.question_id
        and expected.text in problem.message
    )


@pytest.mark.parametrize("path", broken_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_broken_fixture_reports_exactly_its_marked_problems(path: Path) -> None:
    with pytest.raises(QuestionnaireError) as caught:
        load_file(path)
    problems = caught.value.problems
    wanted = expectations(path)
    for expected in wanted:
        assert any(matches(p, expected) for p in problems), f"missing {expected} in:\n" + "\n".join(map(str, problems))
    assert len(problems) == len(wanted), "\n".join(map(str, problems))
    for problem in problems:
        assert problem.file == str(path)
        prefix = f"{path}:{problem.line}: "
        if problem.question_id:
            prefix += f"question '{problem.question_id}': "
        assert str(problem) == prefix + problem.message


def test_there_is_a_fixture_for_each_error_kind() -> None:
    kinds = {path.parent.name for path in broken_files()}
    assert kinds >= {
        "yaml-syntax",
        "duplicate-keys",
        "duplicate-ids",
        "show-if-names",
        "show-if-syntax",
        "missing-label",
        "bad-favourable",
        "bad-index",
        "unknown-scale",
        "wrong-folder",
        "unknown-field",
        "wrong-types",
        "type-rules",
        "compare-in-v1",
        "missing-previous",
        "bad-compare",
    }


def test_problem_str_matches_the_spec_example() -> None:
    problem = Problem(
        "questionnaires/trust-safety/v2.yaml",
        48,
        "safe_walk_night",
        "recode maps old code '5' which is not an option of v1",
    )
    assert str(problem) == (
        "questionnaires/trust-safety/v2.yaml:48: question 'safe_walk_night':"
        " recode maps old code '5' which is not an option of v1"
    )
    assert str(Problem("a.yaml", None, None, "cannot read")) == "a.yaml: cannot read"


def test_error_message_lists_every_problem() -> None:
    path = BROKEN / "bad-compare" / "v2.yaml"
    with pytest.raises(QuestionnaireError) as caught:
        load_file(path)
    assert str(caught.value).count("\n") == len(caught.value.problems) - 1
    assert [p.line for p in caught.value.problems] == sorted(p.line or 0 for p in caught.value.problems)


def test_v2_with_a_broken_v1_names_the_previous_file(write: WriteQuestionnaire) -> None:
    write("sections: []\n", key="chain", version=1)
    v2 = write(
        """\
        sections:
          - id: main
            title: {id: Utama, en: Main}
            questions:
              - {id: q1, type: yes_no, text: {id: Satu, en: One}}
        """,
        key="chain",
        version=2,
    )
    with pytest.raises(QuestionnaireError) as caught:
        load_file(v2)
    (problem,) = caught.value.problems
    assert problem.line == 2
    assert "v1.yaml has 1 problem(s); fix it first" in problem.message


def test_missing_and_empty_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(QuestionnaireError, match="cannot read file"):
        load_file(tmp_path / "x" / "v1.yaml")
    empty = tmp_path / "v1.yaml"
    empty.write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(QuestionnaireError, match="file is empty"):
        load_file(empty)
    latin = tmp_path / "v2.yaml"
    latin.write_bytes("title: caf\xe9\n".encode("latin-1"))
    with pytest.raises(QuestionnaireError, match="not UTF-8"):
        load_file(latin)


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "v1.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(QuestionnaireError) as caught:
        load_file(path)
    assert caught.value.problems[0].line == 1
    assert "valid dictionary" in caught.value.problems[0].message


def test_good_fixtures_have_no_markers() -> None:
    assert not any(expectations(path) for path in GOOD.rglob("*.yaml"))


def _only_problem(path: Path) -> Problem:
    with pytest.raises(QuestionnaireError) as caught:
        load_file(path)
    (problem,) = caught.value.problems
    return problem


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    from survey_app.questionnaire.loader import MAX_FILE_BYTES

    huge = tmp_path / "v1.yaml"
    huge.write_text("description: {id: '" + "x" * MAX_FILE_BYTES + "'}\n", encoding="utf-8")
    problem = _only_problem(huge)
    assert "at most 1,000,000" in problem.message and f"{huge.stat().st_size:,} bytes" in problem.message


def test_a_non_utf8_byte_is_named_with_its_line(tmp_path: Path) -> None:
    latin = tmp_path / "v1.yaml"
    latin.write_bytes("key: x\nversion: 1\ntitle: caf\xe9\n".encode("latin-1"))
    problem = _only_problem(latin)
    assert problem.line == 3 and "byte 28 " in problem.message  # counted from 0, as editors do


@pytest.mark.parametrize(("body", "line"), [
    ("description: " + "[" * 3000 + "]" * 3000 + "\n", 5),             # flow brackets
    ("description:\n" + "".join(" " * (2 * n) + f"k{n}:\n" for n in range(1, 300)), 206),  # indentation
    ("description:\n" + "  - " * 3000 + "x\n", 6),                       # sequences on one line
])
def test_thousands_of_levels_are_refused_with_a_line_not_a_crash(write: WriteQuestionnaire, body: str,
                                                                  line: int) -> None:
    problem = _only_problem(write(body))
    assert "nested more than 50 levels" in problem.message
    assert problem.line in (line, None)  # "- - - ..." on one line: PyYAML's own stack gives out first


def test_a_too_long_label_or_description_is_refused(write: WriteQuestionnaire) -> None:
    from survey_app.questionnaire.schema import MAX_LONG_TEXT_CHARS

    with pytest.raises(QuestionnaireError) as caught:
        load_file(write("description: {id: " + "x" * (MAX_LONG_TEXT_CHARS + 1) + "}\n"))
    assert any("at most 3000 characters" in p.message and p.line == 5 for p in caught.value.problems)


@pytest.mark.parametrize("condition", ["(" * 5000 + "a == 'yes'" + ")" * 5000, "not " * 20000 + "a == 'yes'"])
def test_a_condition_nested_thousands_deep_is_refused_with_its_question(write: WriteQuestionnaire,
                                                                         condition: str) -> None:
    path = write(f"""\
        sections:
          - id: s
            title: {{id: S, en: S}}
            questions:
              - id: a
                type: yes_no
                text: {{id: A, en: A}}
              - id: b
                type: yes_no
                text: {{id: B, en: B}}
                show_if: "{condition}"
        """)
    with pytest.raises(QuestionnaireError) as caught:
        load_file(path)
    assert any("nested more than 30 deep" in p.message and p.question_id == "b" for p in caught.value.problems)
