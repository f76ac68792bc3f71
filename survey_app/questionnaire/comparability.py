"""How a question of version N relates to the same id in version N-1.

A trend line may only join rounds where an item is the same or declared comparable
through a recode; the report engine asks these objects before joining two rounds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from .model import Question

CompareKind = Literal["added", "same", "recoded", "not_comparable"]


@dataclass(frozen=True)
class Comparability:
    """Link to the previous version. ``recode_map`` maps old codes to new, specials included."""

    kind: CompareKind
    recode_map: Mapping[str, str] = field(default_factory=dict)

    @property
    def comparable(self) -> bool:
        """True when answers of the previous version may be joined to this one's."""
        return self.kind in ("same", "recoded")

    def recode(self, old_code: str) -> str | None:
        """New code for an answer given under the previous version, or None if it has none."""
        if self.kind == "same":
            return old_code
        if self.kind == "recoded":
            return self.recode_map.get(old_code)
        return None


ADDED = Comparability("added")
SAME = Comparability("same")
NOT_COMPARABLE = Comparability("not_comparable")


def compose(first: Comparability, second: Comparability) -> Comparability:
    """Chain v1->v2 with v2->v3 into v1->v3, so trends can span several versions."""
    if "added" in (first.kind, second.kind):
        return ADDED
    if not (first.comparable and second.comparable):
        return NOT_COMPARABLE
    if first.kind == "same":
        return second
    if second.kind == "same":
        return first
    chained = {old: new for old, middle in first.recode_map.items() if (new := second.recode(middle)) is not None}
    return Comparability("recoded", chained)


def recode(question: Question, old_code: str) -> str | None:
    """Map an answer code given under the previous version onto ``question``'s options."""
    return question.compare.recode(old_code)


def comparable_codes(question: Question) -> dict[str, str] | None:
    """Full old-code -> new-code map for a comparable choice question, else None."""
    if question.compare.kind == "same":
        return {option.code: option.code for option in question.options}
    if question.compare.kind == "recoded":
        return dict(question.compare.recode_map)
    return None
