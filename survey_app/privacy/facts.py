"""What the notice and the record say about the data, read from the questionnaires and the
code's own rules rather than written by hand, so they cannot drift from what is stored."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from survey_app.questionnaire import Questionnaire, text_in
from survey_app.questionnaire.catalog import Catalog
from survey_app.questionnaire.redaction import MARKERS, free_text_ids


@dataclass(frozen=True)
class QuestionnaireFacts:
    """One questionnaire (its latest version) as the notice lists it."""

    ref: str
    title: str
    sections: tuple[str, ...]
    free_text: tuple[str, ...]
    """Questions answered in the resident's own words (redacted before storage)."""


def latest_versions(catalog: Catalog) -> list[Questionnaire]:
    """The newest version of every questionnaire: what residents are asked from now on."""
    return [catalog.latest(key) for key in sorted({key for key, _version in catalog.refs()})]


def questionnaire_facts(questionnaires: Iterable[Questionnaire], lang: str) -> list[QuestionnaireFacts]:
    found = []
    for questionnaire in questionnaires:
        default = questionnaire.default_language
        texts = free_text_ids(questionnaire)
        found.append(QuestionnaireFacts(
            questionnaire.ref,
            text_in(questionnaire.title, lang, default),
            tuple(text_in(section.title, lang, default) for section in questionnaire.sections),
            tuple(text_in(q.text, lang, default) for q in questionnaire.questions() if q.id in texts),
        ))
    return found


REDACTED_KINDS = tuple(MARKERS)
"""What free text is cleared of: the notice names them."""
