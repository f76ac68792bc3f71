"""The order a respondent sees: a section's questions or a question's options, drawn per response.

Order effects are real (the first items of a battery colour the rest), so a questionnaire can
ask for a section's questions or a question's options to be shown in a random order. The order
is drawn from a seed the form carries, so every page of one response shows the same order and
the stored order can be recomputed; it is stored with the response so order effects can be
studied. Paper keeps the printed order: the file's.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from .model import Question, Questionnaire
from .types import takes_answer

SEED_RE = re.compile(r"[0-9a-f]{16}")
"""A seed as the form carries it: 64 random bits in hex."""


@dataclass(frozen=True)
class DisplayOrder:
    """Question ids per shuffled section, option codes per shuffled question; the file's order
    for everything not named."""

    sections: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    options: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def questions(self, section_id: str, questions: tuple[Question, ...]) -> list[Question]:
        """``questions`` of ``section_id`` in the order shown."""
        order = self.sections.get(section_id)
        if order is None:
            return list(questions)
        by_id = {q.id: q for q in questions}
        return [by_id[qid] for qid in order]

    def option_codes(self, question: Question) -> tuple[str, ...]:
        """The question's option codes in the order shown."""
        return self.options.get(question.id) or tuple(option.code for option in question.options)

    def to_json(self) -> dict[str, dict[str, list[str]]] | None:
        """What is stored with the response: nothing when nothing was shuffled."""
        if not (self.sections or self.options):
            return None
        return {"sections": {k: list(v) for k, v in self.sections.items()},
                "options": {k: list(v) for k, v in self.options.items()}}


FILE_ORDER = DisplayOrder()


def new_seed() -> str:
    """A fresh seed for a form being opened."""
    return f"{random.getrandbits(64):016x}"  # noqa: S311 - an order to show, not a secret


def recorded_order(questionnaire: Questionnaire, seed: object) -> dict[str, dict[str, list[str]]] | None:
    """What to store with a response sent with ``seed``: the order it was shown, or None when
    the questionnaire draws none, or the seed is missing or malformed (the order is unknown)."""
    if not isinstance(seed, str) or not SEED_RE.fullmatch(seed):
        return None
    return display_order(questionnaire, seed).to_json()


def randomises(questionnaire: Questionnaire) -> bool:
    """True when some order of ``questionnaire`` is drawn per response."""
    return any(s.randomise for s in questionnaire.sections) or any(
        q.randomise_options for q in questionnaire.questions())


def display_order(questionnaire: Questionnaire, seed: str) -> DisplayOrder:
    """The order drawn for ``seed``: the same seed always gives the same order, in any process."""
    if not randomises(questionnaire):
        return FILE_ORDER
    sections = {s.id: _notes_in_place(s.questions, seed, s.id) for s in questionnaire.sections if s.randomise}
    options = {}
    for question in questionnaire.questions():
        if question.randomise_options:
            movable = [o.code for o in question.options if not question.stands_alone(o.code)]
            last = [o.code for o in question.options if question.stands_alone(o.code)]
            options[question.id] = (*_shuffled(movable, seed, question.id), *last)
    return DisplayOrder(sections, options)


def _notes_in_place(questions: tuple[Question, ...], seed: str, name: str) -> tuple[str, ...]:
    """The section's questions shuffled; a note (an introduction, an instruction) keeps its place."""
    drawn = iter(_shuffled([q.id for q in questions if takes_answer(q)], seed, name))
    return tuple(next(drawn) if takes_answer(q) else q.id for q in questions)


def _shuffled(items: list[str], seed: str, name: str) -> tuple[str, ...]:
    rng = random.Random(f"{seed}:{name}")  # noqa: S311 - an order to show, not a secret
    shuffled = list(items)
    rng.shuffle(shuffled)
    return tuple(shuffled)
