"""Decide ``compare:`` for every question of version N against version N-1.

Authors must say how a changed question relates to the previous version, because a
silently joined trend line across a reworded or rescaled item would mislead an FKPM
meeting. Unchanged questions need no declaration.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from .comparability import ADDED, CAUTION, SAME, Comparability
from .errors import QuestionnaireError, QuestionnaireNotFound
from .model import Question, Questionnaire
from .reporter import Loc, Reporter
from .types import takes_answer

PreviousLoader = Callable[[int], Questionnaire]
"""Loads version N of the same key; raises QuestionnaireNotFound or QuestionnaireError."""

DECLARE = "declare compare: same, caution, not_comparable or {recode: {old code: new code}}"


@dataclass(frozen=True)
class Declared:
    """Where a question was written and what its ``compare:`` said (None when omitted)."""

    loc: Loc
    compare: Comparability | None


def resolve_versions(
    rep: Reporter,
    version: int,
    questions: Mapping[str, Question],
    declared: Mapping[str, Declared],
    previous: PreviousLoader,
    amended: Collection[str] = (),
) -> dict[str, Comparability]:
    """Comparability of each question id, reporting every bad or missing declaration.

    ``amended`` names the questions an amendment file judges afresh: a published recode
    across a change of scale length stands there, since the amendment decides it.
    """
    if version == 1:
        for qid, decl in declared.items():
            if decl.compare is not None:
                rep.error((*decl.loc, "compare"), "compare: is not allowed in version 1", qid)
        return {qid: ADDED for qid in questions}
    old = _load_previous(rep, version, previous)
    if old is None:
        return {qid: ADDED for qid in questions}
    result = {}
    for qid, question in questions.items():
        decl = declared[qid]
        if not old.has_question(qid):
            if decl.compare is not None:
                rep.error(
                    (*decl.loc, "compare"),
                    f"compare: given, but the question is new (v{old.version} has no '{qid}')",
                    qid,
                )
            result[qid] = ADDED
            continue
        checked = _check(rep, decl, old.question(qid), question, old.version, qid in amended)
        result[qid] = checked or ADDED
    return result


def _load_previous(rep: Reporter, version: int, previous: PreviousLoader) -> Questionnaire | None:
    try:
        return previous(version - 1)
    except QuestionnaireNotFound:
        reason = f"v{version - 1}.yaml was not found next to this file"
    except QuestionnaireError as exc:
        reason = f"v{version - 1}.yaml has {len(exc.problems)} problem(s); fix it first"
    rep.error(("version",), f"cannot check compare: against version {version - 1}: {reason}")
    return None


def _check(rep: Reporter, decl: Declared, old: Question, new: Question, old_version: int,
           amended: bool) -> Comparability | None:
    loc = (*decl.loc, "compare")
    declared = decl.compare
    if declared is None:
        if not (takes_answer(old) and takes_answer(new)) and old.type == new.type:
            return SAME  # a note holds no answers, so no trend can break on its wording
        changes = _changes(old, new)
        if not changes:
            return SAME
        rep.error(decl.loc, f"changed since v{old_version} ({', '.join(changes)}); {DECLARE}", new.id)
        return None
    if declared.kind == "same":
        return _check_same(rep, loc, old, new, old_version)
    if declared.kind == "caution" and not declared.recode_map:
        return CAUTION if _check_same(rep, loc, old, new, old_version, said="caution") else None
    if declared.kind in ("recoded", "caution"):
        recoded = _check_recode(rep, loc, declared, old, new, old_version)
        if recoded is None:
            return None
        if declared.kind == "recoded" and not amended and _points(old) != _points(new) and new.score_codes != ():
            rep.error(
                loc,
                f"the scale changed from {_points(old)} to {_points(new)} points since v{old_version}:"
                " such a series breaks even when every code maps; declare"
                " compare: {recode: {...}, caution: true} or not_comparable",
                new.id,
            )
            return None
        return Comparability(declared.kind, recoded.recode_map)
    return declared


def _points(question: Question) -> int:
    """Length of a question's answer scale: its options other than don't know and refused."""
    return sum(1 for option in question.options if option.special is None)


def _changes(old: Question, new: Question) -> list[str]:
    changes = []
    if old.type != new.type:
        changes.append(f"type {old.type} -> {new.type}")
    if dict(old.text) != dict(new.text):
        changes.append("wording")
    if _option_details(old) != _option_details(new):
        changes.append("options")
    return changes


def _option_details(question: Question) -> list[tuple[str, dict[str, str], str | None, bool]]:
    return [(o.code, dict(o.label), o.special, o.exclusive) for o in question.options]


def _codes(question: Question) -> list[str]:
    return [option.code for option in question.options]


def _check_same(rep: Reporter, loc: Loc, old: Question, new: Question, old_version: int,
                said: str = "same") -> Comparability | None:
    if old.type != new.type:
        rep.error(loc, f"compare: {said}, but the type changed from {old.type} to {new.type}", new.id)
        return None
    if _codes(old) != _codes(new):
        rep.error(
            loc,
            f"compare: {said}, but the option codes changed from v{old_version}"
            f" ({', '.join(_codes(old))} -> {', '.join(_codes(new))});"
            " use a recode or not_comparable",
            new.id,
        )
        return None
    return SAME


def _check_recode(
    rep: Reporter,
    loc: Loc,
    declared: Comparability,
    old: Question,
    new: Question,
    old_version: int,
) -> Comparability | None:
    """Every non-special old code must land on a new code; specials carry over by code."""
    if not (old.options and new.options):
        rep.error(loc, "recode needs a question with options in both versions", new.id)
        return None
    old_codes, new_codes = set(_codes(old)), set(_codes(new))
    ok = True
    for old_code, new_code in declared.recode_map.items():
        key_loc = (*loc, "recode", old_code)
        if old_code not in old_codes:
            rep.error(
                key_loc,
                f"recode maps old code '{old_code}' which is not an option of v{old_version}",
                new.id,
            )
            ok = False
        if new_code not in new_codes:
            rep.error(
                key_loc,
                f"recode maps old code '{old_code}' to '{new_code}', which is not an option of this question",
                new.id,
            )
            ok = False
    mapping: dict[str, str] = {}
    for option in old.options:
        if option.code in declared.recode_map:
            mapping[option.code] = declared.recode_map[option.code]
        elif option.special is not None:
            if option.code in new_codes:
                mapping[option.code] = option.code
        else:
            rep.error(
                (*loc, "recode"),
                f"recode does not map old code '{option.code}'; every old code on the scale needs a new code",
                new.id,
            )
            ok = False
    return Comparability("recoded", mapping) if ok else None
