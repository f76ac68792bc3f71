"""Problems found while loading questionnaire files.

Every problem names the file, the line and the question, because the person who
reads it is an administrator editing YAML, not a programmer reading a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a questionnaire file, located as precisely as we can."""

    file: str
    line: int | None
    question_id: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        who = f"question '{self.question_id}': " if self.question_id else ""
        return f"{where}: {who}{self.message}"


class QuestionnaireError(Exception):
    """Raised when a file cannot be loaded; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class QuestionnaireNotFound(LookupError):
    """Raised when a catalog has no file for the requested key and version."""
