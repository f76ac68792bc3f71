"""Interface language: Bahasa Indonesia by default, English on request."""

from __future__ import annotations

from flask import Flask, redirect, request, session, url_for
from werkzeug.wrappers import Response

from survey_app.access import public
from survey_app.extensions import babel


def select_locale() -> str:
    """The language chosen with the switch, else Indonesian (never guessed from the browser:
    residents share phones set to English more often than they read it)."""
    from flask import current_app

    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    return str(chosen) if chosen in languages else str(current_app.config["BABEL_DEFAULT_LOCALE"])


def current_language() -> str:
    """The language of this request's pages, as Flask-Babel resolved it."""
    from flask import current_app
    from flask_babel import get_locale

    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


@public
def set_language(code: str) -> Response:
    """Remember the chosen language and go back where the user was."""
    from flask import abort, current_app

    if code not in current_app.config["LANGUAGES"]:
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

    @app.context_processor
    def _languages() -> dict[str, object]:
        return {"languages": app.config["LANGUAGES"], "current_language": select_locale()}
