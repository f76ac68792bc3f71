"""Catalog lookups, references and whole-folder validation."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from survey_app.questionnaire import (
    Catalog,
    QuestionnaireError,
    QuestionnaireNotFound,
    load_file,
    parse_ref,
)

from .conftest import BROKEN, GOOD


@pytest.fixture
def catalog() -> Catalog:
    return Catalog(GOOD)


def test_refs_lists_files_without_loading_them(tmp_path: Path) -> None:
    (tmp_path / "b-survey").mkdir()
    (tmp_path / "b-survey" / "v2.yaml").write_text("broken: [", encoding="utf-8")
    (tmp_path / "b-survey" / "v10.yaml").write_text("", encoding="utf-8")
    (tmp_path / "a-survey").mkdir()
    (tmp_path / "a-survey" / "v1.yaml").write_text("", encoding="utf-8")
    (tmp_path / "a-survey" / "notes.yaml").write_text("", encoding="utf-8")
    (tmp_path / "a-survey" / "v01.yaml").write_text("", encoding="utf-8")
    catalog = Catalog(tmp_path)
    assert catalog.refs() == [("a-survey", 1), ("b-survey", 2), ("b-survey", 10)]
    assert catalog.versions("b-survey") == [2, 10]
    assert Catalog(tmp_path / "missing").refs() == []


def test_get_is_cached(catalog: Catalog) -> None:
    first = catalog.get("demo", 2)
    assert first.ref == "demo@2"
    assert catalog.get("demo", 2) is first
    assert catalog.get_ref("demo@2") is first
    # Loading v2 loaded v1 through the same cache.
    assert catalog.get("demo", 1) is catalog.get_ref("demo@1")


def test_latest(catalog: Catalog) -> None:
    assert catalog.latest("demo").version == 2
    with pytest.raises(QuestionnaireNotFound):
        catalog.latest("nope")


def test_unknown_versions_raise_not_found(catalog: Catalog) -> None:
    with pytest.raises(QuestionnaireNotFound, match="demo@3"):
        catalog.get("demo", 3)
    with pytest.raises(LookupError):
        catalog.get_ref("other@1")


def test_broken_files_raise_questionnaire_error() -> None:
    with pytest.raises(QuestionnaireError):
        Catalog(BROKEN).get("bad-compare", 2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("trust-safety@2", ("trust-safety", 2)), (" demo@10 ", ("demo", 10))],
)
def test_parse_ref(text: str, expected: tuple[str, int]) -> None:
    assert parse_ref(text) == expected


@pytest.mark.parametrize("text", ["trust-safety", "trust-safety@", "@2", "x@0", "x@v2", "X@1"])
def test_parse_ref_rejects_bad_syntax(text: str) -> None:
    with pytest.raises(ValueError, match="key@version, e.g. trust-safety@2"):
        parse_ref(text)


def test_comparability_across_several_versions(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    shutil.copytree(GOOD / "demo", folder)
    v3 = (folder / "v2.yaml").read_text(encoding="utf-8")
    v3 = v3.replace("version: 2\n", "version: 3\n")
    v3 = v3.replace("recode: {1: 1, 2: 2, 3: 4, 4: 5}\n          caution: true", "same")
    v3 = v3.replace("        compare: not_comparable\n", "")
    v3 = v3.replace("        compare: same\n", "")
    (folder / "v3.yaml").write_text(v3, encoding="utf-8")
    catalog = Catalog(tmp_path)
    assert catalog.validate() == []
    link = catalog.comparability("demo", "safe_walk_night", 1, 3)
    assert link.kind == "caution"  # v2's caution carries through v3's "same"
    assert link.recode("3") == "4"
    assert catalog.comparability("demo", "worry_theft", 1, 3).kind == "not_comparable"
    assert catalog.comparability("demo", "worry_theft", 2, 3).kind == "same"
    assert catalog.comparability("demo", "know_officer", 1, 3).kind == "added"
    assert catalog.comparability("demo", "village_problem", 1, 3).kind == "not_comparable"
    assert catalog.comparability("demo", "age", 2, 2).kind == "same"
    with pytest.raises(ValueError):
        catalog.comparability("demo", "age", 3, 1)


def test_validate_good_folder_has_no_problems(catalog: Catalog) -> None:
    assert catalog.validate() == []
    assert catalog.validate([GOOD / "demo" / "v2.yaml"]) == []


def test_validate_collects_problems_across_files() -> None:
    problems = Catalog(BROKEN).validate()
    files = {Path(p.file).parent.name for p in problems}
    assert {"bad-compare", "yaml-syntax", "wrong-types", "missing-previous"} <= files
    assert all(p.message for p in problems)


def test_validate_reports_missing_paths(catalog: Catalog, tmp_path: Path) -> None:
    (problem,) = catalog.validate([tmp_path / "nothing.yaml"])
    assert problem.message == "no such file or folder"


def test_validate_reads_files_afresh(tmp_path: Path) -> None:
    shutil.copytree(GOOD / "demo", tmp_path / "demo")
    catalog = Catalog(tmp_path)
    catalog.get("demo", 1)
    path = tmp_path / "demo" / "v1.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("max: 120", "max: 1"), encoding="utf-8")
    problems = catalog.validate([path])
    assert [p.question_id for p in problems] == ["age"]
    assert "max 1 is less than min 17" in problems[0].message
    assert catalog.get("demo", 1).question("age").max == 120  # the cache is untouched


def test_load_file_accepts_strings() -> None:
    assert load_file(str(GOOD / "demo" / "v1.yaml")).ref == "demo@1"
