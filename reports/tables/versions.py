"""Comparability across questionnaire versions: ``question.compare`` chained through every
version between two rounds, and declared recodes applied to answer counts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from reports.data import QuestionnaireLookup, RoundInfo
from survey_app.questionnaire import Comparability, Questionnaire, compose
from survey_app.questionnaire.comparability import NOT_COMPARABLE, SAME

Number = TypeVar("Number", int, float)


@dataclass(frozen=True)
class Link:
    """How answers of an earlier round map onto a later round's question."""

    comparability: Comparability
    broken_at: int | None = None
    reason: str = ""  # message key when not comparable


class Versions:
    """Chains ``question.compare`` through every questionnaire version between two rounds."""

    def __init__(self, rounds: Sequence[RoundInfo], lookup: QuestionnaireLookup | None) -> None:
        known = {(r.questionnaire.key, r.questionnaire.version): r.questionnaire for r in rounds}
        self._lookup = lookup
        self._known = known

    def get(self, key: str, version: int) -> Questionnaire:
        if (key, version) not in self._known:
            if self._lookup is None:
                raise ValueError(
                    f"questionnaire {key}@{version} lies between two report rounds; pass versions= to load it"
                )
            self._known[(key, version)] = self._lookup(key, version)
        return self._known[(key, version)]

    def link(self, question_id: str, earlier: RoundInfo, later: RoundInfo) -> Link:
        """Comparability of ``question_id`` from ``earlier``'s version to ``later``'s."""
        old, new = earlier.questionnaire, later.questionnaire
        if old.key != new.key:
            return Link(NOT_COMPARABLE, new.version, "note_other_questionnaire")
        if old.version == new.version:
            return Link(SAME)
        if old.version > new.version:
            return Link(NOT_COMPARABLE, new.version, "note_changed")
        link, caution_at = SAME, None
        for version in range(old.version + 1, new.version + 1):
            questionnaire = self.get(new.key, version)
            if not questionnaire.has_question(question_id):
                return Link(NOT_COMPARABLE, version, "note_not_asked_in")
            step = questionnaire.question(question_id).compare
            link = compose(link, step)
            if not link.maps_codes:
                reason = "note_readded" if step.kind == "added" else "note_changed"
                return Link(NOT_COMPARABLE, version, reason)
            if step.kind == "caution" and caution_at is None:
                caution_at = version
        if link.kind == "caution":  # codes map, but the series breaks: not joined, with its own note
            return Link(link, caution_at, "note_caution")
        return Link(link)


def recode_counts(counts: Mapping[str, Number], comparability: Comparability) -> dict[str, Number]:
    """Counts (or weighted sums) per answer code, moved onto the codes of a later version."""
    if comparability.kind == "same":
        return dict(counts)
    recoded: dict[str, Number] = defaultdict(int)
    for code, n in counts.items():
        new = comparability.recode(code)
        if new is not None:
            recoded[new] += n
    return dict(recoded)
