"""Questionnaire engine: YAML files in, validated immutable questionnaires out.

Pure Python (no Flask): the web app, the CLI and the report engine call the names
below. The file format is documented in ``docs/questionnaires.md``.
"""

from .answers import CleanResult, clean_answers, visible_questions
from .catalog import Catalog, parse_ref
from .comparability import Comparability, compose
from .diff import DiffEntry, VersionDiff, diff
from .errors import Problem, QuestionnaireError, QuestionnaireNotFound
from .expressions import Expr, ExpressionError, parse
from .loader import load_file
from .model import Amendment, Index, Option, Question, Questionnaire, Scale, Section, Texts, text_in
from .types import QUESTION_TYPES

__all__ = [
    "QUESTION_TYPES",
    "Amendment",
    "Catalog",
    "CleanResult",
    "Comparability",
    "DiffEntry",
    "Expr",
    "ExpressionError",
    "Index",
    "Option",
    "Problem",
    "Question",
    "Questionnaire",
    "QuestionnaireError",
    "QuestionnaireNotFound",
    "Scale",
    "Section",
    "Texts",
    "VersionDiff",
    "clean_answers",
    "compose",
    "diff",
    "load_file",
    "parse",
    "parse_ref",
    "text_in",
    "visible_questions",
]
