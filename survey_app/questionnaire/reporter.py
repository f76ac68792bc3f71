"""Collects problems for one file, turning a location in the document into a line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .errors import Problem
from .yamlload import YamlDocument

Loc = Sequence[str | int]


@dataclass
class Reporter:
    """Every check reports here so that one run finds all problems, not just the first."""

    file: str
    doc: YamlDocument
    problems: list[Problem] = field(default_factory=list)

    def error(self, loc: Loc, message: str, question_id: str | None = None) -> None:
        """Record a problem at ``loc`` (a path into the document)."""
        self.problems.append(Problem(self.file, self.doc.line_of(loc), question_id, message))

    def line(self, loc: Loc) -> int | None:
        """Line where ``loc`` was written, for messages that point back at another place."""
        return self.doc.line_of(loc)
