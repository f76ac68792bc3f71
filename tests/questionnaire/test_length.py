"""The interview-length estimate: words read aloud at 130 a minute, plus 3 s an answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from survey_app.questionnaire import Catalog, load_file
from survey_app.questionnaire.length import MAX_MINUTES, interview_length

ROOT = Path(__file__).resolve().parents[2] / "questionnaires"

SMALL = """\
key: small
version: 1
languages: [id, en]
title: {id: Uji, en: Test}
scales:
  agree3:
    options:
      - {code: "1", label: {id: Tidak setuju, en: Disagree}}
      - {code: "2", label: {id: Ragu, en: Unsure}}
      - {code: "3", label: {id: Setuju, en: Agree}}
      - {code: "8", label: {id: Tidak tahu, en: "Don't know"}, special: dont_know}
sections:
  - id: main
    title: {id: Utama, en: Main}
    questions:
      - id: intro
        type: note
        text: {id: Terima kasih atas waktu Anda, en: Thank you for your time}
      - id: a
        type: single_choice
        text: {id: Polisi jujur, en: The police are honest}
        help: {id: Bantuan ini tidak dibacakan sama sekali, en: This help is never read aloud at all}
        scale: agree3
      - id: b
        type: single_choice
        text: {id: Polisi cepat datang, en: The police come quickly}
        scale: agree3
      - id: c
        type: yes_no
        text: {id: "Pernah lapor?", en: "Ever reported?"}
"""


def test_the_count_by_hand(tmp_path):
    folder = tmp_path / "small"
    folder.mkdir()
    (folder / "v1.yaml").write_text(SMALL, encoding="utf-8")
    questionnaire = load_file(folder / "v1.yaml")
    english = interview_length(questionnaire, "en")
    # note 5 + a 4 + b 4 + c 2 words; agree3 read once for the run a, b (3 words, not "Don't know");
    # yes_no's Yes/No (2). Help never counts.
    assert (english.words, english.answers) == (5 + 4 + 4 + 2 + 3 + 2, 3)
    assert english.minutes == pytest.approx(20 / 130 + 3 * 3 / 60)
    indonesian = interview_length(questionnaire, "id")
    assert (indonesian.words, indonesian.answers) == (5 + 2 + 3 + 2 + 4 + 2, 3)  # "Tidak setuju Ragu Setuju"


@pytest.mark.parametrize("ref", [("trust-safety", 3), ("partnership", 1)])
def test_every_new_questionnaire_stays_under_twelve_minutes_in_each_language(ref):
    questionnaire = Catalog(ROOT).get(*ref)
    for lang in questionnaire.languages:
        length = interview_length(questionnaire, lang)
        assert length.within_limit and length.minutes < MAX_MINUTES, (lang, length)
        assert length.answers >= 25  # and they ask enough to be worth the visit


def test_show_prints_the_estimate(runner):
    result = runner.invoke(args=["questionnaire", "show", "trust-safety@3", "--lang", "en"])
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    length = interview_length(Catalog(ROOT).get("trust-safety", 3), "en")
    assert last.startswith(f"interview length: about {length.minutes:.1f} minutes")
    assert f"{length.words} words read aloud at 130 a minute, {length.answers} answers at 3 s" in last
    assert last.endswith("within the 12-minute limit")


def test_a_command_on_a_database_never_upgraded_says_what_to_do(tmp_path):
    from survey_app import create_app
    from tests.conftest import _app_config

    app = create_app(_app_config(f"sqlite:///{tmp_path / 'empty.sqlite'}"))
    result = app.test_cli_runner().invoke(args=["questionnaire", "show", "trust-safety@3"])
    assert result.exit_code == 1
    assert "no tables yet: run `flask --app wsgi db upgrade` first" in result.output
    assert "Traceback" not in result.output
