"""Comparability judgements made after a version was published.

A published file never changes (its hash is stored with every answer), yet a judgement
about it can: the rule that a scale changing length breaks a series came after
trust-safety v2 was published with a plain recode. ``<key>/amendments.yaml`` states such a
judgement with its date and reason; the loader applies it to the version it names, and the
reports cite it. An amendment may only move a link away from a joined trend (a recode to
"comparable with caution", either to "not comparable"), never join what the file broke.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError

from .comparability import WEAKER, Comparability, CompareKind
from .errors import Problem
from .model import AmendedKind, Amendment
from .reporter import Reporter
from .schema import TextsIn, _Strict
from .yamlload import read_yaml

AMENDMENTS_FILE = "amendments.yaml"

class _AmendmentIn(_Strict):
    version: Annotated[int, Field(ge=2)]
    question: str
    compare: AmendedKind
    decided: dt.date
    reason: TextsIn


class _AmendmentsIn(_Strict):
    amendments: list[_AmendmentIn]


@dataclass(frozen=True)
class AmendmentFile:
    """The amendments of one questionnaire folder, with the reporter that names their lines."""

    amendments: tuple[Amendment, ...]
    reporter: Reporter | None

    def of_version(self, version: int) -> dict[str, Amendment]:
        """The amendments that apply to ``version``, by question id."""
        return {a.question_id: a for a in self.amendments if a.version == version}


NONE = AmendmentFile((), None)


def read_amendments(folder: Path) -> AmendmentFile:
    """Read ``folder/amendments.yaml``; a missing file means no amendments."""
    path = folder / AMENDMENTS_FILE
    if not path.is_file():
        return NONE
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reporter = Reporter(str(path), read_yaml(""))
        reporter.problems.append(Problem(str(path), None, None, f"cannot read the amendments: {exc}"))
        return AmendmentFile((), reporter)
    doc = read_yaml(text)
    reporter = Reporter(str(path), doc)
    reporter.problems.extend(Problem(str(path), line, None, message) for _, line, message in doc.problems)
    if doc.problems or doc.value is None:
        return AmendmentFile((), reporter)
    try:
        spec = _AmendmentsIn.model_validate(doc.value)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            where = ".".join(str(part) for part in error["loc"])
            reporter.error(tuple(error["loc"]), f"{where}: {error['msg'].removeprefix('Value error, ')}")
        return AmendmentFile((), reporter)
    found: list[Amendment] = []
    seen: set[tuple[int, str]] = set()
    for number, item in enumerate(spec.amendments):
        loc = ("amendments", number)
        if (item.version, item.question) in seen:
            reporter.error(loc, f"'{item.question}' in v{item.version} is amended twice; keep one judgement")
            continue
        seen.add((item.version, item.question))
        found.append(Amendment(item.version, item.question, item.compare, item.decided, dict(item.reason),
                               reporter.line(loc)))
    return AmendmentFile(tuple(found), reporter)


def apply_amendments(
    amendments: AmendmentFile,
    version: int,
    compares: Mapping[str, Comparability],
    languages: Sequence[str],
) -> dict[str, Comparability]:
    """``compares`` with this version's amendments applied; problems go to the amendments' reporter."""
    result = dict(compares)
    rep = amendments.reporter
    for qid, amendment in amendments.of_version(version).items():
        assert rep is not None  # amendments only come from a file, which has a reporter
        loc = ("amendments", amendments.amendments.index(amendment))
        for lang in languages:
            if not amendment.reason.get(lang, "").strip():
                rep.error((*loc, "reason"), f"the reason has no text in '{lang}'", qid)
        if qid not in compares:
            rep.error((*loc, "question"), f"v{version} has no question '{qid}'", qid)
            continue
        current = compares[qid]
        if current.kind == "added":
            rep.error(loc, f"'{qid}' is new in v{version}: there is no earlier trend to amend", qid)
            continue
        if WEAKER[amendment.kind] <= WEAKER[current.kind]:
            rep.error(
                (*loc, "compare"),
                f"v{version} already declares '{qid}' {_said(current.kind)}; an amendment may only weaken"
                " a link (recoded -> caution -> not_comparable)",
                qid,
            )
            continue
        result[qid] = Comparability(amendment.kind, current.recode_map if amendment.kind == "caution" else {})
    return result


def _said(kind: CompareKind) -> str:
    return {"same": "the same", "recoded": "recoded", "caution": "comparable with caution"}.get(kind, kind)
