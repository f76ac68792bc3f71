"""Comparability amendments: a later judgement on a published version, without editing it."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from survey_app.questionnaire import Catalog, QuestionnaireError, load_file

ROOT = Path(__file__).resolve().parents[2] / "questionnaires"

REASON = """\
    reason:
      id: "Skala berubah."
      en: "The scale changed."
"""


def _folder(tmp_path: Path, amendments: str | None) -> Path:
    """trust-safety v1 and v2 as published, with the given amendments file (or none)."""
    folder = tmp_path / "trust-safety"
    folder.mkdir()
    for name in ("v1.yaml", "v2.yaml"):
        shutil.copy(ROOT / "trust-safety" / name, folder / name)
    if amendments is not None:
        (folder / "amendments.yaml").write_text(amendments, encoding="utf-8")
    return folder


def _amend(question: str, compare: str, version: int = 2, reason: str = REASON) -> str:
    return (f"amendments:\n  - version: {version}\n    question: {question}\n    compare: {compare}\n"
            f"    decided: 2026-12-04\n{reason}")


def test_the_shipped_amendment_turns_v2s_recode_into_a_caution_and_leaves_the_file_alone():
    v2 = Catalog(ROOT).get("trust-safety", 2)
    link = v2.question("safe_walk_dark").compare
    assert link.kind == "caution" and not link.comparable
    assert link.recode("3") == "4"  # the published recode is kept for the record
    (amendment,) = v2.amendments
    assert (amendment.question_id, amendment.kind, amendment.decided.isoformat()) == (
        "safe_walk_dark", "caution", "2026-12-04")
    assert "middle category" in amendment.reason["en"] and amendment.reason["id"]
    published = (ROOT / "trust-safety" / "v2.yaml").read_bytes()
    assert v2.content_hash == hashlib.sha256(published).hexdigest()  # answers stay pinned to it


def test_without_the_amendment_the_published_recode_across_a_longer_scale_is_refused(tmp_path):
    folder = _folder(tmp_path, None)
    with pytest.raises(QuestionnaireError) as caught:
        load_file(folder / "v2.yaml")
    (problem,) = caught.value.problems
    assert problem.question_id == "safe_walk_dark" and problem.line is not None
    assert "changed from 4 to 5 points" in problem.message and "caution: true" in problem.message


def test_an_amendment_may_make_a_link_not_comparable(tmp_path):
    both = _amend("trust_help", "not_comparable") + _amend("safe_walk_dark", "caution").replace("amendments:\n", "")
    folder = _folder(tmp_path, both)
    v2 = load_file(folder / "v2.yaml")
    assert v2.question("trust_help").compare.kind == "not_comparable"
    assert {a.question_id for a in v2.amendments} == {"trust_help", "safe_walk_dark"}
    assert load_file(folder / "v1.yaml").amendments == ()  # each applies to the version it names


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        (_amend("access_easy_contact", "caution"), "already declares 'access_easy_contact' not_comparable", 4),
        (_amend("worry_online_fraud", "caution"), "'worry_online_fraud' is new in v2", 2),
        (_amend("nope", "caution"), "v2 has no question 'nope'", 3),
        (_amend("trust_help", "caution", reason="    reason:\n      id: \"Skala berubah.\"\n"),
         "the reason has no text in 'en'", 6),
        (_amend("trust_help", "maybe"), "compare: Input should be 'caution' or 'not_comparable'", 4),
        (_amend("trust_help", "caution", version=7), "amends v7, which has no file here", 2),
        (_amend("trust_help", "caution") + "  - version: 2\n    question: trust_help\n    compare: caution\n"
         "    decided: 2026-12-05\n" + REASON, "'trust_help' in v2 is amended twice", 9),
    ],
)
def test_a_bad_amendment_is_named_with_its_file_and_line(tmp_path, text, message, line):
    extra = _amend("safe_walk_dark", "caution").replace("amendments:\n", "")
    folder = _folder(tmp_path, text + extra)
    problems = Catalog(tmp_path).validate()
    ours = [p for p in problems if message in p.message]
    assert ours, [str(p) for p in problems]
    assert ours[0].file.endswith("amendments.yaml") and ours[0].line == line
    assert len(ours) == 1  # said once, though every version of the folder reads the file
    assert (folder / "amendments.yaml").is_file()


def test_validate_checks_the_amendments_when_named_and_skips_them_as_a_questionnaire(tmp_path):
    folder = _folder(tmp_path, _amend("safe_walk_dark", "caution"))
    catalog = Catalog(tmp_path)
    assert catalog.validate() == []
    assert catalog.validate([folder / "amendments.yaml"]) == []
    assert catalog.diff("trust-safety", 1, 2).of_kind("caution")[0].question_id == "safe_walk_dark"
