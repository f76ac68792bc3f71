"""Loading the good fixtures: resolved options, scoring, texts and the content hash."""

from __future__ import annotations

import dataclasses
import hashlib

import pytest

from survey_app.questionnaire import Questionnaire, load_file, text_in

from .conftest import GOOD, WriteQuestionnaire


def test_v1_loads_with_every_question_in_file_order(v1: Questionnaire) -> None:
    assert v1.key == "demo"
    assert v1.version == 1
    assert v1.ref == "demo@1"
    assert v1.languages == ("id", "en")
    assert v1.default_language == "id"
    assert [s.id for s in v1.sections] == ["about", "trust", "safety"]
    assert [q.id for q in v1.questions()] == [
        "age",
        "contact_12m",
        "contact_kind",
        "channel",
        "trust_police",
        "fair_respect",
        "worry_theft",
        "safe_walk_night",
        "problems",
        "theft_where",
        "village_problem",
    ]
    assert v1.question("trust_police").section_id == "trust"
    assert v1.path == GOOD / "demo" / "v1.yaml"


def test_unknown_question_raises_key_error(v1: Questionnaire) -> None:
    with pytest.raises(KeyError):
        v1.question("nope")
    assert not v1.has_question("nope")


def test_yaml_1_1_trap_codes_are_kept_as_written(v1: Questionnaire) -> None:
    assert [o.code for o in v1.question("contact_12m").options] == ["yes", "no"]
    assert [o.code for o in v1.question("contact_kind").options] == ["01", "02", "03"]
    assert [o.code for o in v1.question("channel").options] == ["on", "off", "phone", "9"]
    # Unquoted integers in the file are still text codes.
    assert [o.code for o in v1.question("safe_walk_night").options] == ["1", "2", "3", "4", "8"]
    assert v1.question("safe_walk_night").favourable == ("3", "4")


def test_scale_is_resolved_into_each_question(v1: Questionnaire) -> None:
    trust = v1.question("trust_police")
    assert trust.scale == "agree5"
    assert trust.options == v1.scales["agree5"].options
    assert trust.favourable == ("4", "5")
    assert trust.help == {"id": "Pilih satu.", "en": "Choose one."}
    assert trust.required is True
    assert v1.question("village_problem").required is False


def test_question_favourable_overrides_the_scale(v1: Questionnaire) -> None:
    assert v1.question("worry_theft").favourable == ("1", "2")


def test_scale_options_leave_out_specials(v1: Questionnaire) -> None:
    trust = v1.question("trust_police")
    assert [o.code for o in trust.scale_options()] == ["1", "2", "3", "4", "5"]
    assert trust.is_special("8") and trust.is_special("9")
    assert not trust.is_special("5")
    assert not trust.is_special("unknown")
    assert trust.option("8") is not None and trust.option("8").special == "dont_know"


def test_scores_run_1_to_k_over_scale_options(v1: Questionnaire) -> None:
    trust = v1.question("trust_police")
    assert [trust.score(c) for c in ["1", "2", "3", "4", "5"]] == [1, 2, 3, 4, 5]
    assert trust.score("8") is None
    assert trust.score("nope") is None
    assert [trust.score_0_100(c) for c in ["1", "2", "3", "4", "5"]] == [0, 25, 50, 75, 100]
    assert trust.score_0_100("9") is None


def test_reverse_items_score_the_low_end_high(v1: Questionnaire) -> None:
    worry = v1.question("worry_theft")
    assert worry.score("1") == 1  # raw position is unchanged
    assert worry.score_0_100("1") == 100
    assert worry.score_0_100("5") == 0
    assert worry.score_0_100("2") == 75


def test_yes_no_scores_yes_high_whatever_the_display_order(v1: Questionnaire) -> None:
    contact = v1.question("contact_12m")
    assert contact.score_0_100("yes") == 100
    assert contact.score_0_100("no") == 0
    assert contact.favourable == ("yes",)


def test_reverse_yes_no_favours_no(write: WriteQuestionnaire) -> None:
    path = write(
        """\
        sections:
          - id: main
            title: {id: Utama, en: Main}
            questions:
              - id: afraid
                type: yes_no
                text: {id: Takut, en: Afraid}
                reverse: true
                options:
                  - {code: "no", label: {id: Tidak, en: "No"}}
                  - {code: "yes", label: {id: Ya, en: "Yes"}}
                  - {code: "9", label: {id: Menolak, en: Refused}, special: refused}
        """
    )
    afraid = load_file(path).question("afraid")
    assert afraid.favourable == ("no",)
    assert [o.code for o in afraid.scale_options()] == ["no", "yes"]
    assert afraid.score_0_100("no") == 100
    assert afraid.score_0_100("yes") == 0
    assert afraid.score_0_100("9") is None


def test_non_scale_questions_have_no_score(v1: Questionnaire) -> None:
    assert v1.question("problems").score("theft") is None
    assert v1.question("age").score_0_100("30") is None


def test_type_defaults(v1: Questionnaire) -> None:
    assert v1.question("theft_where").max_length == 20
    assert v1.question("village_problem").max_length == 2000
    age = v1.question("age")
    assert (age.min, age.max) == (17, 120)


def test_indices(v1: Questionnaire) -> None:
    assert [i.id for i in v1.indices] == ["trust", "safety"]
    assert v1.index("trust").items == ("trust_police", "fair_respect", "worry_theft")
    assert v1.index("safety").label["en"] == "Safety index"
    with pytest.raises(KeyError):
        v1.index("nope")


def test_show_if_is_parsed_and_kept_as_text(v1: Questionnaire) -> None:
    kind = v1.question("contact_kind")
    assert kind.show_if is not None
    assert kind.show_if_text == "contact_12m == 'yes'"
    assert kind.show_if.names == frozenset({"contact_12m"})
    assert v1.question("age").show_if is None


def test_every_v1_question_is_added(v1: Questionnaire) -> None:
    assert {q.compare.kind for q in v1.questions()} == {"added"}


def test_content_hash_is_sha256_of_the_file_bytes(v1: Questionnaire) -> None:
    data = (GOOD / "demo" / "v1.yaml").read_bytes()
    assert v1.content_hash == hashlib.sha256(data).hexdigest()


def test_content_hash_changes_with_a_comment(write: WriteQuestionnaire) -> None:
    body = """\
    sections:
      - id: main
        title: {id: Utama, en: Main}
        questions:
          - {id: q1, type: yes_no, text: {id: Satu, en: One}}
    """
    first = load_file(write(body)).content_hash
    second = load_file(write(body + "# a comment\n")).content_hash
    assert first != second


def test_models_are_frozen(v1: Questionnaire) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        v1.version = 3  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        v1.question("age").required = False  # type: ignore[misc]


def test_text_in_falls_back_to_the_default_language() -> None:
    texts = {"id": "Ya", "en": "Yes"}
    assert text_in(texts, "en", "id") == "Yes"
    assert text_in(texts, "jv", "id") == "Ya"
    assert text_in({"en": "Yes"}, "jv", "id") == "Yes"
    assert text_in(None, "en", "id") == ""


def test_description_is_optional(write: WriteQuestionnaire) -> None:
    path = write(
        """\
        sections:
          - id: main
            title: {id: Utama, en: Main}
            questions:
              - {id: q1, type: short_text, text: {id: Satu, en: One}}
        """
    )
    questionnaire = load_file(path)
    assert questionnaire.description is None
    assert questionnaire.scales == {}
    assert questionnaire.indices == ()
    assert questionnaire.question("q1").max_length == 200
