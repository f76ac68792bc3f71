"""A section's short title names its workbook sheet (Excel allows 31 characters)."""

from __future__ import annotations

from pathlib import Path

import pytest

from survey_app.questionnaire import QuestionnaireError, load_file

TEST_QUESTIONNAIRE = Path(__file__).resolve().parents[1] / "data" / "three_languages" / "tiga-bahasa" / "v1.yaml"


def _with(tmp_path: Path, short: str) -> Path:
    folder = tmp_path / "tiga-bahasa"
    folder.mkdir()
    text = TEST_QUESTIONNAIRE.read_text(encoding="utf-8").replace(
        '    title: {id: "Masalah", en: "Problems", jv: "Masalah"}\n',
        '    title: {id: "Masalah", en: "Problems", jv: "Masalah"}\n' + f"    short_title: {short}\n")
    (folder / "v1.yaml").write_text(text, encoding="utf-8")
    return folder / "v1.yaml"


def test_a_short_title_in_every_language_is_kept(tmp_path):
    questionnaire = load_file(_with(tmp_path, '{id: "Masalah", en: "Problems here", jv: "Masalah"}'))
    (section,) = [s for s in questionnaire.sections if s.id == "problems"]
    assert dict(section.short_title or {}) == {"id": "Masalah", "en": "Problems here", "jv": "Masalah"}


@pytest.mark.parametrize(("short", "message"), [
    ('{id: "Masalah", en: "' + "x" * 32 + '", jv: "Masalah"}', "at most 31 characters"),
    ('{id: "Masalah", en: "Problems"}', "short title of section 'problems' has no text in 'jv'"),
])
def test_a_bad_short_title_is_named_with_its_line(tmp_path, short, message):
    with pytest.raises(QuestionnaireError) as caught:
        load_file(_with(tmp_path, short))
    assert any(message in p.message and p.line for p in caught.value.problems), caught.value.problems
