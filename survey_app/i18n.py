"""Interface language: Bahasa Indonesia by default, English, Javanese or Sundanese on request.

The English and Indonesian catalogues are complete. Javanese and Sundanese cover the
residents' pages; any string a catalogue lacks is shown in Indonesian, never in the English
of the source (``survey_app.catalogs``). A questionnaire may offer a language with no
catalogue at all (Balinese, Madurese...): its questions are then in that language and the
page around them in Indonesian.

Two things are kept apart: the page's language (``current_language``: questions, the
``lang`` attribute) and Flask-Babel's locale (``select_locale``: catalogue, number and date
formats), which is Indonesian wherever Babel does not know the page's language.
"""

from __future__ import annotations

from babel import Locale, UnknownLocaleError
from flask import Flask, redirect, request, session, url_for
from werkzeug.wrappers import Response

from survey_app.access import public
from survey_app.catalogs import FALLBACK
from survey_app.extensions import babel
from survey_app.questionnaire.build import LANGUAGE_RE

SWITCHED_LANGUAGES = ("id", "en")
"""The languages whose catalogues are complete: the staff console's switch, and a resident
page's when it knows no questionnaire (which otherwise offers its own languages)."""


def _babel_knows(code: str) -> bool:
    try:
        Locale.parse(code)
    except (ValueError, UnknownLocaleError):
        return False
    return True


def current_language() -> str:
    """The language of this request's pages and questions: the one chosen with a switch, else
    Indonesian (never guessed from the browser: residents share phones set to English more
    often than they read it). The switches store only languages they offer: the interface's,
    or a questionnaire's on the resident form."""
    from flask import current_app, has_request_context

    chosen = session.get("lang") if has_request_context() else None
    if chosen and LANGUAGE_RE.fullmatch(str(chosen)):
        return str(chosen)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def select_locale() -> str:
    """Flask-Babel's locale: the page's language where Babel knows it, else Indonesian, whose
    catalogue and formats then stand in for it."""
    language = current_language()
    return language if _babel_knows(language) else FALLBACK


def language_name(code: str) -> str:
    """A language's name in the page's language ("Jawa" on an Indonesian page), or its code
    where Babel has no name for it."""
    if not _babel_knows(code):
        return code.upper()
    name = Locale.parse(code).get_display_name(select_locale()) or code.upper()
    return name[:1].upper() + name[1:]


@public
def set_language(code: str) -> Response:
    """Remember the chosen language and go back where the user was: one with a catalogue, or
    one a questionnaire offers."""
    from flask import abort, current_app

    from survey_app import questionnaires

    catalog = questionnaires.catalog()
    offered = {language for ref in catalog.refs() for language in catalog.get(*ref).languages}
    if code not in current_app.config["LANGUAGES"] and code not in offered:
        abort(404)
    session["lang"] = code
    target = request.args.get("next", "")
    # Only local paths: never an open redirect.
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("index")
    return redirect(target)


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.add_url_rule("/lang/<code>", endpoint="set_language", view_func=set_language)
    app.add_template_filter(language_name)

    @app.context_processor
    def _languages() -> dict[str, object]:
        return {"languages": SWITCHED_LANGUAGES, "current_language": current_language()}
