"""What changed between two adjacent versions, question by question, for the CLI and reports."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Literal

from .comparability import Comparability
from .model import Question, Questionnaire, Section

DiffKind = Literal["same", "recoded", "caution", "not_comparable", "added", "removed"]
KIND_ORDER: tuple[DiffKind, ...] = ("same", "recoded", "caution", "not_comparable", "added", "removed")


@dataclass(frozen=True)
class DiffEntry:
    """One question's fate between the two versions."""

    question_id: str
    kind: DiffKind
    detail: str


@dataclass(frozen=True)
class VersionDiff:
    """Entries in the new file's order, then removed questions in the old file's order."""

    old_ref: str
    new_ref: str
    entries: tuple[DiffEntry, ...]

    def of_kind(self, kind: DiffKind) -> list[DiffEntry]:
        """Entries of one kind, in diff order."""
        return [entry for entry in self.entries if entry.kind == kind]

    def format_text(self) -> str:
        """Plain-text table for the command line."""
        width = max((len(entry.question_id) for entry in self.entries), default=0)
        lines = [f"{self.old_ref} -> {self.new_ref}"]
        for entry in self.entries:
            row = f"  {entry.kind:<15} {entry.question_id:<{width}}  {entry.detail}"
            lines.append(row.rstrip())
        counts = Counter(entry.kind for entry in self.entries)
        summary = ", ".join(f"{counts[kind]} {kind.replace('_', ' ')}" for kind in KIND_ORDER if counts[kind])
        lines.append(summary or "no questions")
        return "\n".join(lines)


def diff(old: Questionnaire, new: Questionnaire) -> VersionDiff:
    """Compare version N-1 with version N of the same questionnaire, using N's ``compare:``."""
    if old.key != new.key or new.version != old.version + 1:
        raise ValueError(f"diff needs two adjacent versions of one questionnaire, got {old.ref} and {new.ref}")
    entries = [_entry(old, new, question) for question in new.questions()]
    entries += [
        DiffEntry(q.id, "removed", f"not in v{new.version}") for q in old.questions() if not new.has_question(q.id)
    ]
    return VersionDiff(old.ref, new.ref, tuple(entries))


def _entry(old: Questionnaire, new: Questionnaire, question: Question) -> DiffEntry:
    compare = question.compare
    if compare.kind == "added":
        return DiffEntry(question.id, "added", f"new {question.type} question")
    before = old.question(question.id)
    entry = link_entry(question.id, compare)
    notes = [entry.detail] if entry.detail else []
    if compare.kind == "same" and dict(before.text) != dict(question.text):
        notes.append("wording edited")
    notes += _order_changes(old, new, before, question)
    return DiffEntry(question.id, entry.kind, "; ".join(notes))


def _order_changes(old: Questionnaire, new: Questionnaire, before: Question, question: Question) -> list[str]:
    """How the order shown changed: not a change of meaning, so no compare:, but a reader of
    the trend should know (order effects)."""
    said = []
    shuffled = (_section_of(old, before).randomise, _section_of(new, question).randomise)
    if shuffled[0] != shuffled[1]:
        said.append("now shown in an order drawn per response" if shuffled[1] else "now shown in the file's order")
    if before.randomise_options != question.randomise_options:
        said.append("options now in an order drawn per response" if question.randomise_options
                    else "options now in the file's order")
    return said


def _section_of(questionnaire: Questionnaire, question: Question) -> Section:
    return next(s for s in questionnaire.sections if s.id == question.section_id)


def link_entry(question_id: str, link: Comparability) -> DiffEntry:
    """One line of a diff from the link alone: its kind and what it means for the trend."""
    mapping = ", ".join(f"{a}->{b}" for a, b in link.recode_map.items())
    detail = {
        "same": "",
        "recoded": mapping,
        "caution": "series breaks (comparable with caution)" + (f": {mapping}" if mapping else ""),
        "not_comparable": "trend breaks",
    }
    return DiffEntry(question_id, link.kind, detail.get(link.kind, ""))  # type: ignore[arg-type]
