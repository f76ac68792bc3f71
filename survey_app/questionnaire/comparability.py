"""How a question of version N relates to the same id in version N-1.

A trend line may only join rounds where an item is the same or declared comparable
through a recode; the report engine asks these objects before joining two rounds.
"Comparable with caution" keeps the recode for the record, but the trend breaks there:
changing a scale's length or adding a middle category breaks a series even when every
code can be mapped (ONS calls such series "not directly comparable").

Plain values only: this module knows nothing of questions, so the model can hold these
objects without an import circle.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

CompareKind = Literal["added", "same", "recoded", "caution", "not_comparable"]

WEAKER: Mapping[CompareKind, int] = {"same": 0, "recoded": 1, "caution": 2, "not_comparable": 3, "added": 4}
"""How far each kind is from a joined trend; an amendment may only move a link further away."""


@dataclass(frozen=True)
class Comparability:
    """Link to the previous version. ``recode_map`` maps old codes to new, specials included.

    ``caution`` holds a map when codes were recoded, and none when they were kept.
    """

    kind: CompareKind
    recode_map: Mapping[str, str] = field(default_factory=dict)

    @property
    def comparable(self) -> bool:
        """True when answers of the previous version may be joined to this one's in a trend."""
        return self.kind in ("same", "recoded")

    @property
    def maps_codes(self) -> bool:
        """True when old answers have a declared meaning in this version (even if the trend breaks)."""
        return self.kind in ("same", "recoded", "caution")

    def recode(self, old_code: str) -> str | None:
        """New code for an answer given under the previous version, or None if it has none."""
        if self.kind == "same" or (self.kind == "caution" and not self.recode_map):
            return old_code
        if self.maps_codes:
            return self.recode_map.get(old_code)
        return None


ADDED = Comparability("added")
SAME = Comparability("same")
CAUTION = Comparability("caution")
NOT_COMPARABLE = Comparability("not_comparable")


def compose(first: Comparability, second: Comparability) -> Comparability:
    """Chain v1->v2 with v2->v3 into v1->v3, so trends can span several versions.

    The chain is as weak as its weakest step; a caution anywhere makes the whole span one.
    """
    if "added" in (first.kind, second.kind):
        return ADDED
    if not (first.maps_codes and second.maps_codes):
        return NOT_COMPARABLE
    if first.kind == "same":
        return second
    if second.kind == "same":
        return first
    kind: CompareKind = "caution" if "caution" in (first.kind, second.kind) else "recoded"
    if not (first.recode_map or second.recode_map):
        return Comparability(kind)
    old_codes = list(first.recode_map) or list(second.recode_map)
    chained = {old: new for old in old_codes
               if (middle := first.recode(old)) is not None and (new := second.recode(middle)) is not None}
    return Comparability(kind, chained)
