"""Trend segments and changes: which rounds a trend line may join, the notes that say where
and why it breaks, the change into each round from the previous comparable one, and the
changes over longer spans that a report asks for (change goals over several rounds)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from reports.data import RoundInfo
from reports.stats import Change
from reports.tables.model import NO_CHANGE, ChangeEstimate
from reports.tables.versions import Link
from reports.text import t


def _break_note(label: str, link: Link, earlier: RoundInfo, later: RoundInfo, lang: str) -> str:
    return t(link.reason or "note_changed", lang, label=label, version=link.broken_at or "",
             before=earlier.name, after=later.name)


def split_segments(
    asked: Sequence[RoundInfo], links: Callable[[RoundInfo, RoundInfo], Link], label: str, lang: str
) -> tuple[list[list[RoundInfo]], list[str]]:
    """Split the rounds that asked a figure into comparable runs; notes say where and why."""
    segments: list[list[RoundInfo]] = []
    notes: list[str] = []
    for round_ in asked:
        if not segments:
            segments.append([round_])
            continue
        previous = segments[-1][-1]
        link = links(previous, round_)
        if link.comparability.comparable:
            segments[-1].append(round_)
            if link.comparability.kind == "recoded":
                notes.append(t("note_recoded", lang, label=label, before=previous.name, after=round_.name))
        else:
            segments.append([round_])
            notes.append(_break_note(label, link, previous, round_, lang))
    return segments, notes


def presence_notes(label: str, rounds: Sequence[RoundInfo], asked: Sequence[RoundInfo], lang: str) -> list[str]:
    notes = []
    if asked and asked[0] is not rounds[0]:
        notes.append(t("note_added", lang, label=label, round=asked[0].name))
    if asked and asked[-1] is not rounds[-1]:
        later = rounds[[r.id for r in rounds].index(asked[-1].id) + 1]
        notes.append(t("note_dropped", lang, label=label, round=later.name))
    return notes


def segment_changes(
    segments: Sequence[Sequence[RoundInfo]],
    compute: Callable[[RoundInfo, RoundInfo], Change],
    min_n_ok: Callable[[RoundInfo, RoundInfo], bool],
) -> dict[int, ChangeEstimate]:
    changes: dict[int, ChangeEstimate] = {}
    for number, segment in enumerate(segments):
        first = segment[0]
        changes[first.id] = ChangeEstimate("first" if number == 0 else "not_comparable", NO_CHANGE)
        for before, after in zip(segment, segment[1:], strict=False):
            if not min_n_ok(before, after):
                changes[after.id] = ChangeEstimate("suppressed", NO_CHANGE, before.id)
            else:
                changes[after.id] = ChangeEstimate("computed", compute(before, after), before.id)
    return changes


def span_changes(
    segments: Sequence[Sequence[RoundInfo]],
    wanted: Collection[tuple[int, int]],
    compute: Callable[[RoundInfo, RoundInfo], Change],
    min_n_ok: Callable[[RoundInfo, RoundInfo], bool],
) -> dict[tuple[int, int], ChangeEstimate]:
    """Change from ``before`` into ``after`` for each wanted pair of round ids that this
    figure asked; computed only inside one comparable run (a break between them makes the
    pair not comparable), and only when both bases reach min_n."""
    where = {r.id: (number, r) for number, segment in enumerate(segments) for r in segment}
    spans: dict[tuple[int, int], ChangeEstimate] = {}
    for before_id, after_id in wanted:
        if before_id not in where or after_id not in where:
            continue
        (run_a, before), (run_b, after) = where[before_id], where[after_id]
        if run_a != run_b:
            spans[(before_id, after_id)] = ChangeEstimate("not_comparable", NO_CHANGE, before_id)
        elif not min_n_ok(before, after):
            spans[(before_id, after_id)] = ChangeEstimate("suppressed", NO_CHANGE, before_id)
        else:
            spans[(before_id, after_id)] = ChangeEstimate("computed", compute(before, after), before_id)
    return spans
