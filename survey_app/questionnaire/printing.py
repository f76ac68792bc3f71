"""What a printed questionnaire says, before any layout: question numbers, answer spaces and
skip logic in words.

The entry screen and the printed form number questions the same way (P1, P2, ... over the
questions that take an answer, in the file's order: the keying order), so a volunteer keys
what they read. Each type says what its answer space on paper is (``QuestionType.printed``).
Skip logic comes from ``show_if``: a filter question's options say where to go next ("→ P14")
when the following questions depend on it alone, and every conditional question says when
it is asked, in plain words, however complex its condition. No PDF library here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .expressions import BoolOp, Comparison, Expr, Literal, Name, Not
from .model import Question, Questionnaire, text_in
from .types import QUESTION_TYPES, PaperAnswer, takes_answer

WORDS: Mapping[str, Mapping[str, str]] = {
    "id": {"only_if": "Hanya jika", "go_to": "lanjut ke", "end": "selesai", "and": "dan", "or": "atau",
           "not": "bukan", "ticked": "dicentang", "not_ticked": "tidak dicentang", "one_of": "salah satu dari"},
    "en": {"only_if": "Only if", "go_to": "go to", "end": "end", "and": "and", "or": "or",
           "not": "not", "ticked": "ticked", "not_ticked": "not ticked", "one_of": "one of"},
}
"""The printed form's words around the questionnaire's own text; other languages use Indonesian."""

END = 0
"""A skip target past the last question: the interview ends."""


def words(lang: str) -> Mapping[str, str]:
    """The form's fixed words in ``lang`` (Indonesian where there are none)."""
    return WORDS.get(lang, WORDS["id"])


@dataclass(frozen=True)
class PrintedQuestion:
    """One block of the printed form: a numbered question, or a note (``number`` None)."""

    question: Question
    number: int | None
    answer: PaperAnswer
    goto: Mapping[str, int]
    """Option code -> the number to go to when it is ticked (``END``: the interview ends)."""


def printed_numbers(questionnaire: Questionnaire) -> dict[str, int]:
    """P-numbers of the questions that take an answer, in keying order."""
    answered = [q for q in questionnaire.questions() if takes_answer(q)]
    return {q.id: number for number, q in enumerate(answered, start=1)}


def printed_questions(questionnaire: Questionnaire) -> list[PrintedQuestion]:
    """Every block of the form in the file's order (paper keeps it even where the phone draws
    an order per response), with its number, answer space and skip targets."""
    numbers = printed_numbers(questionnaire)
    return [PrintedQuestion(q, numbers.get(q.id), QUESTION_TYPES[q.type].printed(q),
                            skip_targets(questionnaire, q, numbers))
            for q in questionnaire.questions()]


def skip_targets(questionnaire: Questionnaire, filter_question: Question, numbers: Mapping[str, int]) -> dict[str, int]:
    """For each option of ``filter_question`` that hides the question right after it, the
    number of the first question still asked. Only questions whose condition reads the filter
    question alone are decided here; the first one that reads anything else stops the count
    (it has its own "only if" line)."""
    if not filter_question.options or QUESTION_TYPES[filter_question.type].accepts_many:
        return {}
    following = [q for q in questionnaire.questions() if takes_answer(q)]
    following = following[following.index(filter_question) + 1:] if filter_question in following else []
    targets = {}
    for option in filter_question.options:
        answers = {filter_question.id: option.code}
        skipped = 0
        for question in following:
            decided = question.show_if is not None and question.show_if.names == {filter_question.id}
            if not decided or question.show_if is None or question.show_if.evaluate(answers):
                break
            skipped += 1
        if skipped:
            after = following[skipped:]
            targets[option.code] = numbers[after[0].id] if after else END
    return targets


def condition_in_words(expr: Expr, questionnaire: Questionnaire, numbers: Mapping[str, int], lang: str) -> str:
    """``expr`` said with question numbers and answer labels: "P12 = Ya", "P3: 'Lainnya'
    dicentang", joined with and/or/not as written. Never empty, never dropped."""
    said = words(lang)
    if isinstance(expr, BoolOp):
        parts = [_grouped(operand, questionnaire, numbers, lang) for operand in expr.operands]
        return f" {said[expr.op]} ".join(parts)
    if isinstance(expr, Not):
        return f"{said['not']} ({condition_in_words(expr.operand, questionnaire, numbers, lang)})"
    assert isinstance(expr, Comparison)  # the language has no other node
    return _comparison(expr, questionnaire, numbers, lang)


def _grouped(expr: Expr, questionnaire: Questionnaire, numbers: Mapping[str, int], lang: str) -> str:
    text = condition_in_words(expr, questionnaire, numbers, lang)
    return f"({text})" if isinstance(expr, BoolOp) else text


def _comparison(expr: Comparison, questionnaire: Questionnaire, numbers: Mapping[str, int], lang: str) -> str:
    said = words(lang)
    left, right = expr.left, expr.right
    if expr.op == "in" and isinstance(left, Literal) and isinstance(right, Name):  # 'other' in problems
        question = questionnaire.question(right.name)
        return f"P{numbers[right.name]}: '{_label(question, left.value, questionnaire, lang)}' {said['ticked']}"
    if isinstance(left, Name) and isinstance(right, Literal):
        question = questionnaire.question(left.name)
        where = f"P{numbers[left.name]}"
        if expr.op == "in" and isinstance(right.value, tuple):
            labels = [_label(question, value, questionnaire, lang) for value in right.value]
            return f"{where} = " + f" {said['or']} ".join(labels)
        shown = _label(question, right.value, questionnaire, lang)
        return f"{where} {_SYMBOLS.get(expr.op, expr.op)} {shown}"
    return str(expr)  # two questions compared: the file's own words, with its ids


_SYMBOLS = {"==": "=", "!=": "≠", "<=": "≤", ">=": "≥", "<": "<", ">": ">"}


def _label(question: Question, value: object, questionnaire: Questionnaire, lang: str) -> str:
    option = question.option(str(value)) if question.options else None
    if option is None:
        return str(value)
    return text_in(option.label, lang, questionnaire.default_language)
