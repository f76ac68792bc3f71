"""How long an interview takes, counted the way a field team plans one.

An interviewer reads each question and its answer options aloud at a normal pace, and the
respondent takes a moment to answer. The count is the worst case: every question asked,
whatever the skips, so a questionnaire that passes the limit passes it on every path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import Question, Questionnaire, text_in
from .types import takes_answer

WORDS_PER_MINUTE = 130
"""A normal reading pace aloud, for plain Indonesian or English."""
SECONDS_PER_ANSWER = 3
"""The respondent's moment to choose or say an answer, per question asked."""
MAX_MINUTES = 12
"""The longest interview a resident should be asked to give (issue 14)."""

_WORD = re.compile(r"\w+(?:[-'’]\w+)*")


@dataclass(frozen=True)
class InterviewLength:
    """Words read aloud and answers given, and the minutes they take."""

    words: int
    answers: int

    @property
    def minutes(self) -> float:
        """Reading time plus answering time, in minutes."""
        return self.words / WORDS_PER_MINUTE + self.answers * SECONDS_PER_ANSWER / 60

    @property
    def within_limit(self) -> bool:
        """True when the interview stays under ``MAX_MINUTES``."""
        return self.minutes < MAX_MINUTES


def interview_length(questionnaire: Questionnaire, lang: str) -> InterviewLength:
    """Count ``questionnaire`` in ``lang``: question and note texts, and the options read out.

    Help texts are for the reader, not read aloud. Don't know and refused are not offered
    aloud. A named scale's options are read once for a run of questions on that scale, as an
    interviewer reads a battery's answer card once.
    """
    words = answers = 0
    previous_scale: str | None = None
    for question in questionnaire.questions():
        words += _count(text_in(question.text, lang, questionnaire.default_language))
        if not takes_answer(question):
            continue
        answers += 1
        if question.scale is None or question.scale != previous_scale:
            words += sum(_count(label) for label in _read_options(question, lang, questionnaire.default_language))
        previous_scale = question.scale
    return InterviewLength(words, answers)


def _read_options(question: Question, lang: str, default_lang: str) -> list[str]:
    return [text_in(option.label, lang, default_lang) for option in question.options if option.special is None]


def _count(text: str) -> int:
    return len(_WORD.findall(text))
