"""Comparability between v1 and v2, recoding old answers, and the version diff."""

from __future__ import annotations

import pytest

from survey_app.questionnaire import (
    Comparability,
    Questionnaire,
    compose,
    diff,
)


def test_compare_kinds_in_v2(v2: Questionnaire) -> None:
    kinds = {q.id: q.compare.kind for q in v2.questions()}
    assert kinds == {
        "age": "same",
        "contact_12m": "same",
        "contact_kind": "same",
        "channel": "same",
        "know_officer": "added",
        "trust_police": "same",
        "fair_respect": "same",  # wording edited, declared same
        "worry_theft": "not_comparable",
        "safe_walk_night": "caution",  # 4 -> 5 points
        "problems": "same",
        "theft_where": "same",
    }


def test_recode_map_is_completed_with_shared_special_codes(v2: Questionnaire) -> None:
    question = v2.question("safe_walk_night")
    assert dict(question.compare.recode_map) == {"1": "1", "2": "2", "3": "4", "4": "5", "8": "8"}
    assert {c: question.compare.recode(c) for c in ["1", "2", "3", "4", "8"]} == {
        "1": "1", "2": "2", "3": "4", "4": "5", "8": "8"}
    assert question.compare.recode("3") == "4"
    assert question.compare.recode("8") == "8"
    assert question.compare.recode("99") is None
    assert question.compare.maps_codes
    assert not question.compare.comparable  # a scale changing length breaks the series


def test_same_maps_codes_to_themselves(v2: Questionnaire) -> None:
    trust = v2.question("trust_police")
    codes = [option.code for option in trust.options]
    assert trust.compare.recode("5") == "5"
    assert {c: trust.compare.recode(c) for c in codes} == {c: c for c in ["1", "2", "3", "4", "5", "8", "9"]}


def test_not_comparable_and_added_map_nothing(v2: Questionnaire) -> None:
    for qid in ("worry_theft", "know_officer"):
        question = v2.question(qid)
        assert not question.compare.comparable
        assert question.compare.recode("1") is None
        assert not question.compare.maps_codes


def test_compose_chains_versions() -> None:
    first = Comparability("recoded", {"1": "1", "2": "1", "3": "2", "8": "8"})
    second = Comparability("recoded", {"1": "a", "2": "b"})
    chained = compose(first, second)
    assert chained.kind == "recoded"
    assert dict(chained.recode_map) == {"1": "a", "2": "a", "3": "b"}
    same = Comparability("same")
    assert compose(same, first) == first
    assert compose(first, same) == first
    assert compose(same, same) == same
    assert compose(first, Comparability("not_comparable")).kind == "not_comparable"
    assert compose(Comparability("not_comparable"), same).kind == "not_comparable"
    assert compose(same, Comparability("added")).kind == "added"


def test_a_caution_anywhere_makes_the_chain_one_and_keeps_the_codes() -> None:
    recoded = Comparability("recoded", {"1": "1", "2": "1", "3": "2"})
    caution = Comparability("caution", {"1": "x", "2": "y"})
    chained = compose(recoded, caution)
    assert chained.kind == "caution" and dict(chained.recode_map) == {"1": "x", "2": "x", "3": "y"}
    assert compose(caution, Comparability("same")) == caution
    kept = compose(Comparability("caution"), recoded)  # codes kept at the caution step
    assert kept.kind == "caution" and kept.recode("3") == "2"
    assert compose(caution, Comparability("not_comparable")).kind == "not_comparable"
    assert not chained.comparable and chained.maps_codes


def test_diff_lists_every_kind_in_a_stable_order(v1: Questionnaire, v2: Questionnaire) -> None:
    result = diff(v1, v2)
    assert (result.old_ref, result.new_ref) == ("demo@1", "demo@2")
    assert [(e.question_id, e.kind) for e in result.entries] == [
        ("age", "same"),
        ("contact_12m", "same"),
        ("contact_kind", "same"),
        ("channel", "same"),
        ("know_officer", "added"),
        ("trust_police", "same"),
        ("fair_respect", "same"),
        ("worry_theft", "not_comparable"),
        ("safe_walk_night", "caution"),
        ("problems", "same"),
        ("theft_where", "same"),
        ("village_problem", "removed"),
    ]
    details = {e.question_id: e.detail for e in result.entries}
    assert details["safe_walk_night"] == "series breaks (comparable with caution): 1->1, 2->2, 3->4, 4->5, 8->8"
    assert details["fair_respect"] == "wording edited"
    assert details["trust_police"] == ""
    assert [e.question_id for e in result.of_kind("removed")] == ["village_problem"]


def test_diff_text_for_the_cli(v1: Questionnaire, v2: Questionnaire) -> None:
    text = diff(v1, v2).format_text()
    lines = text.splitlines()
    assert lines[0] == "demo@1 -> demo@2"
    assert ("  caution         safe_walk_night  series breaks (comparable with caution): 1->1, 2->2, 3->4, 4->5, 8->8"
            in lines)
    assert "  removed         village_problem  not in v2" in lines
    assert "  same            age" in lines
    assert lines[-1] == "8 same, 1 caution, 1 not comparable, 1 added, 1 removed"


def test_diff_refuses_versions_that_are_not_adjacent(v1: Questionnaire, v2: Questionnaire) -> None:
    with pytest.raises(ValueError, match="adjacent versions"):
        diff(v2, v1)
    with pytest.raises(ValueError, match="adjacent versions"):
        diff(v1, v1)
