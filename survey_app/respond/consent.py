"""The consent step before the questions: shown first, with and without JavaScript (a plain
form); only "Saya setuju" leads to the questions, "Tidak" ends politely and stores nothing,
and every later page must carry the consent the resident agreed to."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from flask import render_template, request

from survey_app.i18n import current_language
from survey_app.questionnaire import text_in
from survey_app.questionnaire.consent import Consent
from survey_app.respond.pages import Target

CHOICE = "setuju"
"""The query parameter the consent page's buttons set: the consent's hash, or ``DECLINE``. A
plain GET form, so the questions that follow have an address a phone can reload; agreeing
stores nothing by itself (the hash is stored with the answers)."""
DECLINE = "tidak"


def consent_step(target: Target, known: Callable[[str, Consent, object], bool]):  # type: ignore[no-untyped-def]
    """The consent page, the goodbye page, or the target with the consent the resident agreed
    to (the first questions come next, or a posted page goes on)."""
    consent = target.consent
    assert consent is not None  # noqa: S101 - only called when the questionnaire asks consent
    if request.method in ("GET", "HEAD"):
        choice = request.args.get(CHOICE, "")
        if choice == DECLINE:
            return _page("respond/declined.html", target), 200
        if choice != consent.hash:  # first visit, or a text that has changed since: (re)read it
            return _consent_page(target)
        return dataclasses.replace(target, consent_hash=choice)
    posted = request.form.get("_consent", "")
    if not known(target.questionnaire.key, consent, posted):
        return _consent_page(target)  # questions posted without consent: ask first, store nothing
    return dataclasses.replace(target, consent_hash=posted)


def _consent_page(target: Target):  # type: ignore[no-untyped-def]
    assert target.consent is not None  # noqa: S101 - see consent_step
    texts = target.consent.texts(current_language(), target.questionnaire.default_language)
    return _page("respond/consent.html", target, choice=CHOICE, decline=DECLINE, texts=texts), 200


def _page(template: str, target: Target, **context: object) -> str:
    q = target.questionnaire
    lang = current_language()
    return render_template(template, target=target, q=q, t=lambda texts: text_in(texts, lang, q.default_language),
                           languages=q.languages, **context)
