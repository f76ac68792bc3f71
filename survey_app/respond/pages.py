"""The pages of the residents' form without JavaScript: one section at a time, validated by
the questionnaire engine, the answers carried from step to step. The resident door stores the
last step's answers; the staff preview (``admin/preview.py``) walks the same pages and stores
nothing, so the preview cannot drift from what residents see.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import render_template, request, session, url_for
from flask_babel import refresh

from survey_app import clock
from survey_app.answer_messages import translate_errors
from survey_app.i18n import current_language
from survey_app.questionnaire import CleanResult, Questionnaire, clean_answers, text_in
from survey_app.questionnaire.consent import Consent
from survey_app.questionnaire.ordering import SEED_RE, display_order, new_seed
from survey_app.respond import flow
from survey_app.respond.forms import form_class, raw_answers
from survey_app.respond.lookup import RoundRow, VillageRow

HONEYPOT = "_website"


@dataclass(frozen=True)
class Target:
    """Whose form: the round, the village and the questionnaire version it asks."""

    round: RoundRow
    village: VillageRow
    questionnaire: Questionnaire
    consent: Consent | None = None
    """The consent asked before the questions (``questionnaire.consent``); None: none asked."""
    consent_hash: str | None = None
    """The consent text this resident agreed to, carried from page to page and stored."""


@dataclass(frozen=True)
class PageView:
    """Where the enhanced form sends its answers, and whether the pages are a staff preview."""

    submit_url: str
    preview: bool = False


def walk(target: Target, finish: Callable[..., Any], view: PageView | None = None):  # type: ignore[no-untyped-def]
    """A page of the no-JS form: show, validate, move between sections, or hand the complete,
    valid answers to ``finish(answers, page, key, started)`` (which stores them, or for a
    preview does not)."""
    q = target.questionnaire
    render = functools.partial(render_page, target, view=view)
    if request.method in ("GET", "HEAD"):  # uptime monitors ask with HEAD
        return first_page(target, view)
    result, page, key, started = posted(q)
    errors = translate_errors(result.error_templates)
    nav = request.form.get("_nav", "next")

    if nav.startswith("lang-") and nav[5:] in q.languages:  # the questionnaire's, with or without a catalogue
        session["lang"] = nav[5:]
        refresh()  # Flask-Babel caches the locale per request
        return render(result.answers, page, {}, key=key, started=started)
    if nav == "back":
        previous = flow.previous_section(q, result.answers, page)
        return render(result.answers, previous, {}, key=key, started=started)
    page_errors = {q_.id: errors[q_.id] for q_ in q.sections[page].questions if q_.id in errors}
    if page_errors:
        return render(result.answers, page, page_errors, status=422, key=key, started=started)
    following = flow.next_section(q, result.answers, page)
    if following is not None and nav != "submit":
        return render(result.answers, following, {}, key=key, started=started)
    if errors:
        first = flow.first_section_with_errors(q, errors) or 0
        return render(result.answers, first, errors, status=422, key=key, started=started)
    return finish(result.answers, page, key, started)


def first_page(target: Target, view: PageView | None = None):  # type: ignore[no-untyped-def]
    """The form's first page, every section on it, with a new key and start time."""
    q = target.questionnaire
    return render_page(target, answers={}, page=flow.visible_sections(q, {})[0], errors={}, key=str(uuid.uuid4()),
                       started=datetime.now(UTC).isoformat(timespec="seconds"), view=view, first=True)


def posted(q: Questionnaire) -> tuple[CleanResult, int, str, str]:
    """What a no-JS page posted: the cleaned answers, the section it showed, its key and start."""
    result = clean_answers(q, raw_answers(q, request.form), clock.today())
    page = min(max(request.form.get("_page", 0, type=int), 0), len(q.sections) - 1)
    return result, page, request.form.get("_key", ""), request.form.get("_started", "")


def render_page(target: Target, answers: dict[str, object], page: int, errors: dict[str, str], key: str,
                started: str, status: int = 200, notice: str | None = None,
                view: PageView | None = None, first: bool = False):  # type: ignore[no-untyped-def]
    """One page of the form at section ``page``: every section on a first page or a language
    switch, else only that one with the other answers hidden (``_carried``)."""
    q = target.questionnaire
    view = view or PageView(url_for("respond.submit", round_slug=target.round.slug, village_code=target.village.code))
    lang = current_language()
    form = form_class(q, lang)(formdata=request.form if request.method == "POST" else None)
    shown = flow.visible_sections(q, answers)
    seed = order_seed()
    order = display_order(q, seed)
    # A no-JS step carries only its own section, and the other answers as hidden inputs: a
    # whole questionnaire on every step cost a slow phone seconds. The first page (and a
    # language switch, which the enhanced form also asks for) carries every section.
    partial = not first and request.method == "POST" and not request.form.get("_nav", "").startswith("lang-")
    html = render_template(
        "respond/form.html",
        target=target,
        q=q,
        t=lambda texts: text_in(texts, lang, q.default_language),
        form=form,
        page=page,
        shown=shown,
        position=shown.index(page) + 1 if page in shown else 1,
        is_last=flow.next_section(q, answers, page) is None,
        views=[flow.page_questions(section, answers, order) for section in q.sections],
        seed=seed,
        errors=errors,
        key=key,
        started=started,
        honeypot=HONEYPOT,
        notice=notice,
        door=view,
        partial=partial,
        carried=_carried(q, page) if partial else [],
    )
    return html, status


def order_seed() -> str:
    """The seed of the order this form is shown in: the one its pages carry, or a new one."""
    posted = request.form.get("_order", "") if request.method == "POST" else ""
    return posted if SEED_RE.fullmatch(posted) else new_seed()


def _carried(q: Questionnaire, page: int) -> list[tuple[str, str]]:
    """(name, value) of every posted answer outside section ``page``, as typed."""
    return [(question.id, value) for number, section in enumerate(q.sections) if number != page
            for question in section.questions for value in request.form.getlist(question.id) if value != ""]
