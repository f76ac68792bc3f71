"""The YAML reader keeps every scalar as written and knows where it was written."""

from __future__ import annotations

from survey_app.questionnaire.yamlload import read_yaml


def test_scalars_stay_text() -> None:
    doc = read_yaml("a: yes\nb: no\nc: on\nd: 01\ne: 1.50\nf: true\ng: 0x1F\n")
    assert doc.problems == []
    assert doc.value == {
        "a": "yes",
        "b": "no",
        "c": "on",
        "d": "01",
        "e": "1.50",
        "f": "true",
        "g": "0x1F",
    }


def test_only_unquoted_empty_and_null_words_are_none() -> None:
    doc = read_yaml("a:\nb: ~\nc: null\nd: ''\ne: 'null'\nf: NULL\n")
    assert doc.value == {"a": None, "b": None, "c": None, "d": "", "e": "null", "f": None}


def test_line_map_points_at_keys_and_items() -> None:
    doc = read_yaml("top: 1\nlist:\n  - a\n  - b: 2\n    c:\n      - x\n")
    assert doc.lines[("top",)] == 1
    assert doc.lines[("list",)] == 2
    assert doc.lines[("list", 0)] == 3
    assert doc.lines[("list", 1)] == 4
    assert doc.lines[("list", 1, "c")] == 5
    assert doc.lines[("list", 1, "c", 0)] == 6
    # Unknown tails fall back to the deepest known prefix.
    assert doc.line_of(("list", 1, "c", "missing", 3)) == 5
    assert doc.line_of(("nothing",)) == 1


def test_duplicate_keys_are_reported_and_the_first_value_kept() -> None:
    doc = read_yaml("a: 1\nb:\n  c: 1\n  c: 2\na: 3\n")
    assert doc.value == {"a": "1", "b": {"c": "1"}}
    assert doc.problems == [
        (("b", "c"), 4, "duplicate key 'c' (first written on line 3)"),
        (("a",), 5, "duplicate key 'a' (first written on line 1)"),
    ]


def test_syntax_error_has_a_line() -> None:
    doc = read_yaml("a: [1, 2\nb: 3\n")
    assert doc.value is None
    ((_, line, message),) = doc.problems
    assert line == 2
    assert message.startswith("YAML syntax error:")


def test_complex_keys_are_rejected() -> None:
    doc = read_yaml("? [a, b]\n: 1\n")
    assert doc.problems == [((), 1, "mapping keys must be plain text")]


def test_anchors_and_aliases_expand() -> None:
    doc = read_yaml("a: &x {k: v}\nb: *x\n")
    assert doc.value == {"a": {"k": "v"}, "b": {"k": "v"}}


def test_alias_bombs_are_stopped() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
    doc = read_yaml("\n".join(lines) + "\n")
    assert doc.value is None
    assert "too large" in doc.problems[0][2]


def test_recursive_aliases_are_stopped() -> None:
    doc = read_yaml("a: &a [*a]\n")
    assert doc.value is None
    assert doc.problems
