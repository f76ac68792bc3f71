"""Orders drawn per response: the same seed gives the same order anywhere, notes keep their
place, "none" and refused stay last, and a shuffled section cannot hold its own skip logic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from survey_app.questionnaire import Catalog, QuestionnaireError, load_file
from survey_app.questionnaire.ordering import FILE_ORDER, display_order, randomises, recorded_order

TEST_QUESTIONNAIRE = Path(__file__).resolve().parents[1] / "data" / "three_languages" / "tiga-bahasa" / "v1.yaml"
ROOT = Path(__file__).resolve().parents[2] / "questionnaires"
BATTERY = ["trust_police", "fair_respect", "fair_listen", "eff_good_job", "age", "years_here"]


@pytest.fixture(scope="module")
def questionnaire():  # type: ignore[no-untyped-def]
    return load_file(TEST_QUESTIONNAIRE)


def test_one_seed_one_order_and_many_seeds_many_orders(questionnaire):
    seeds = [f"{n:016x}" for n in range(40)]
    orders = [display_order(questionnaire, seed) for seed in seeds]
    assert display_order(questionnaire, seeds[3]) == orders[3]
    trust = [order.sections["trust"] for order in orders]
    assert all(order[0] == "trust_intro" for order in trust)  # the note keeps its place
    assert all(sorted(order[1:]) == sorted(BATTERY) for order in trust)
    assert len(set(trust)) > 30  # 720 orders of six questions: forty seeds rarely repeat
    firsts = {order[1] for order in trust}
    assert firsts == set(BATTERY)  # every question comes first for someone
    problems = [order.options["local_problems"] for order in orders]
    assert all(order[-2:] == ("none", "9") for order in problems)  # "none" and refused stay last
    assert {order[:2] for order in problems} == {("theft", "drugs"), ("drugs", "theft")}


def test_the_order_is_the_same_in_another_process(questionnaire):
    """Python's string-seeded generator is stable across processes and hash seeds, so the
    stored order can be recomputed from the seed."""
    code = (f"from survey_app.questionnaire import load_file; from survey_app.questionnaire.ordering import "
            f"display_order; print(display_order(load_file({str(TEST_QUESTIONNAIRE)!r}), '00000000000000ff')"
            f".to_json())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,  # noqa: S603
                         env={"PYTHONHASHSEED": "123", "PATH": ""}, cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.strip() == str(display_order(questionnaire, "00000000000000ff").to_json())


def test_what_is_stored(questionnaire):
    stored = recorded_order(questionnaire, "00000000000000ff")
    assert stored is not None and set(stored) == {"sections", "options"}
    assert stored["sections"]["trust"] == list(display_order(questionnaire, "00000000000000ff").sections["trust"])
    assert recorded_order(questionnaire, "not a seed") is None  # an order not known is not made up
    assert recorded_order(questionnaire, None) is None
    shipped = Catalog(ROOT).get("trust-safety", 2)
    assert not randomises(shipped) and display_order(shipped, "00000000000000ff") is FILE_ORDER
    assert recorded_order(shipped, "00000000000000ff") is None


def test_a_shuffled_section_cannot_skip_on_its_own_questions(tmp_path):
    folder = tmp_path / "tiga-bahasa"
    folder.mkdir()
    text = TEST_QUESTIONNAIRE.read_text(encoding="utf-8").replace(
        "      - id: years_here\n", "      - id: years_here\n        show_if: \"age >= 17\"\n")
    (folder / "v1.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(QuestionnaireError) as caught:
        load_file(folder / "v1.yaml")
    (problem,) = caught.value.problems
    assert problem.question_id == "years_here" and problem.line
    assert "shown in a random order, so show_if cannot read age of the same section" in problem.message


def test_options_are_shuffled_only_on_choice_questions(tmp_path):
    folder = tmp_path / "tiga-bahasa"
    folder.mkdir()
    text = TEST_QUESTIONNAIRE.read_text(encoding="utf-8").replace("        min: 17\n",
                                                                   "        min: 17\n        randomise_options: true\n")
    (folder / "v1.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(QuestionnaireError) as caught:
        load_file(folder / "v1.yaml")
    assert any("'randomise_options' cannot be used on a integer question" in p.message for p in caught.value.problems)


def test_diff_says_where_an_order_is_now_drawn(tmp_path):
    folder = tmp_path / "tiga-bahasa"
    folder.mkdir()
    text = TEST_QUESTIONNAIRE.read_text(encoding="utf-8")
    (folder / "v1.yaml").write_text(text, encoding="utf-8")
    newer = (text.replace("version: 1", "version: 2").replace("    randomise: true  #", "    #")
             .replace("        randomise_options: true  #", "        #"))
    (folder / "v2.yaml").write_text(newer, encoding="utf-8")
    result = Catalog(tmp_path).diff("tiga-bahasa", 1, 2)
    details = {entry.question_id: (entry.kind, entry.detail) for entry in result.entries}
    assert details["trust_police"] == ("same", "now shown in the file's order")
    assert details["local_problems"] == ("same", "options now in the file's order")
    assert details["last_incident"] == ("same", "")
