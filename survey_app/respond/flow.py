"""Which section a resident sees next: one section per page, skip logic between pages.

Pure functions over the questionnaire and the answers cleaned so far, so the no-JS path
(server pages) and the JS path (client pages) agree on what is shown and stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from survey_app.questionnaire import Question, Questionnaire, Section
from survey_app.questionnaire.ordering import FILE_ORDER, DisplayOrder


def section_visible(section: Section, answers: dict[str, object]) -> bool:
    """A section is shown when at least one of its questions is."""
    return any(q.show_if is None or q.show_if.evaluate(answers) for q in section.questions)


def visible_sections(questionnaire: Questionnaire, answers: dict[str, object]) -> list[int]:
    """Indices of the sections to show, given the answers so far."""
    return [i for i, s in enumerate(questionnaire.sections) if section_visible(s, answers)]


def next_section(questionnaire: Questionnaire, answers: dict[str, object], current: int) -> int | None:
    """The next section to show after ``current``, or None when ``current`` is the last."""
    return next((i for i in visible_sections(questionnaire, answers) if i > current), None)


def previous_section(questionnaire: Questionnaire, answers: dict[str, object], current: int) -> int:
    """The section before ``current`` (the first one when there is none)."""
    earlier = [i for i in visible_sections(questionnaire, answers) if i < current]
    return earlier[-1] if earlier else 0


@dataclass(frozen=True)
class QuestionView:
    """How the server renders a question on its page."""

    question: Question
    hidden: bool  # hidden by answers on earlier pages
    depends_on_page: bool  # its condition reads a question on the same page: JS decides
    option_codes: tuple[str, ...] = ()  # the order its options are shown in

    def arrange(self, choices: Iterable[object]) -> list[object]:
        """A choice field's inputs (each with its code as ``data``) in the order shown."""
        by_code = {getattr(choice, "data", None): choice for choice in choices}
        return [by_code[code] for code in self.option_codes if code in by_code]


def page_questions(section: Section, answers: dict[str, object],
                   order: DisplayOrder = FILE_ORDER) -> list[QuestionView]:
    """The section's questions, in the order shown, with their visibility as far as the server
    can know it."""
    on_page = {q.id for q in section.questions}
    views = []
    for question in order.questions(section.id, section.questions):
        codes = order.option_codes(question)
        if question.show_if is None:
            views.append(QuestionView(question, hidden=False, depends_on_page=False, option_codes=codes))
        elif question.show_if.names & on_page:
            views.append(QuestionView(question, hidden=False, depends_on_page=True, option_codes=codes))
        else:
            views.append(QuestionView(question, hidden=not question.show_if.evaluate(answers), depends_on_page=False,
                                      option_codes=codes))
    return views


def first_section_with_errors(questionnaire: Questionnaire, errors: dict[str, str]) -> int | None:
    for index, section in enumerate(questionnaire.sections):
        if any(q.id in errors for q in section.questions):
            return index
    return None
