"""Load one questionnaire file: bytes -> YAML values -> schema -> checked model objects.

Problems from every stage are collected and raised together in one QuestionnaireError,
except that a file which is not valid YAML, or does not fit the schema, stops before
the whole-file checks (they would only repeat the same mistakes in other words).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from pydantic import ValidationError

from .amendments import read_amendments
from .build import build_questionnaire
from .errors import Problem, QuestionnaireError, QuestionnaireNotFound
from .model import Questionnaire
from .reporter import Reporter
from .schema import QuestionnaireIn
from .versioning import PreviousLoader
from .yamlload import DocPath, YamlDocument, read_yaml

Loc = DocPath

FILE_NAME_RE = re.compile(r"v([1-9][0-9]*)\.yaml")

MAX_FILE_BYTES = 1_000_000
"""A questionnaire is a few tens of KB; the limit is checked before the file is read, so a huge
file costs neither the memory nor the half minute that parsing it would."""


def version_file(folder: Path, version: int) -> Path:
    """Where version ``version`` of the questionnaire in ``folder`` lives."""
    return folder / f"v{version}.yaml"


def load_file(path: Path | str) -> Questionnaire:
    """Load and fully validate one file; version N>1 also loads its sibling ``v<N-1>.yaml``."""
    path = Path(path)
    return load_with(path, lambda version: _load_sibling(path, version))


def _load_sibling(path: Path, version: int) -> Questionnaire:
    sibling = version_file(path.parent, version)
    if not sibling.is_file():
        raise QuestionnaireNotFound(str(sibling))
    return load_file(sibling)


def load_with(path: Path, previous: PreviousLoader) -> Questionnaire:
    """Load ``path``, asking ``previous(n)`` for version n when ``compare:`` must be checked."""
    label = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise QuestionnaireError([Problem(label, None, None, f"file is {size:,} bytes; a questionnaire file may "
                                                                 f"have at most {MAX_FILE_BYTES:,}")])
        data = path.read_bytes()
    except OSError as exc:
        raise QuestionnaireError([Problem(label, None, None, f"cannot read file: {exc.strerror}")]) from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        message = f"file is not UTF-8 text: byte {exc.start:,} (on this line) is not UTF-8"
        raise QuestionnaireError([Problem(label, line, None, message)]) from exc
    doc = read_yaml(text)
    reporter = Reporter(label, doc)
    for where, at_line, message in doc.problems:
        qid, _ = _question_of(doc, where)
        reporter.problems.append(Problem(label, at_line, qid, message))
    if doc.value is None:
        if not reporter.problems:
            reporter.error((), "file is empty")
        raise QuestionnaireError(reporter.problems)
    spec = _validate_schema(reporter)
    if spec is None:
        raise QuestionnaireError(_in_file_order(reporter.problems))
    content_hash = hashlib.sha256(data).hexdigest()
    amendments = read_amendments(path.parent)
    questionnaire = build_questionnaire(reporter, spec, path, content_hash, previous, amendments)
    amendment_problems = amendments.reporter.problems if amendments.reporter is not None else []
    if questionnaire is None or reporter.problems or amendment_problems:
        raise QuestionnaireError(_in_file_order(reporter.problems) + _in_file_order(amendment_problems))
    return questionnaire


def _in_file_order(problems: list[Problem]) -> list[Problem]:
    """Sort by line so the author can fix the file top to bottom."""
    return sorted(problems, key=lambda problem: problem.line or 0)


def _validate_schema(reporter: Reporter) -> QuestionnaireIn | None:
    try:
        return QuestionnaireIn.model_validate(reporter.doc.value)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            loc = tuple(error["loc"])
            qid, rest = _question_of(reporter.doc, loc)
            reporter.error(loc, _describe(error["type"], error["msg"], rest), qid)
        return None


def _question_of(doc: YamlDocument, loc: Loc) -> tuple[str | None, Loc]:
    """The question id a schema error belongs to, and the location inside that question."""
    if len(loc) >= 4 and loc[0] == "sections" and loc[2] == "questions":
        try:
            question = doc.value["sections"][loc[1]]["questions"][loc[3]]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            return None, loc
        qid = question.get("id") if isinstance(question, dict) else None
        if isinstance(qid, str):
            return qid, loc[4:]
    return None, loc


def _describe(kind: str, message: str, loc: Loc) -> str:
    """Say which field is wrong in words an administrator will recognise."""
    where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)
    where = where.lstrip(".")
    if kind == "extra_forbidden":
        parent = where.rpartition(".")[0] if isinstance(loc[-1], str) else where
        inside = f" in {parent}" if parent else ""
        return f"unknown field '{loc[-1]}'{inside} (check the spelling)"
    if kind == "missing":
        return f"missing required field '{where}'"
    message = message.removeprefix("Value error, ")
    return f"{where}: {message}" if where else message
