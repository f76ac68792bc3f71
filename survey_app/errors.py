"""Error pages. A failed request rolls its session back so nothing half-written stays."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from survey_app.extensions import db


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(500, _server_error)


def http_message(error: HTTPException) -> str:
    """What a refusal says to a person, in their language."""
    titles = {
        400: _("The request could not be understood."),
        403: _("You do not have access to this page."),
        404: _("This page does not exist."),
        405: _("This action is not allowed here."),
        413: _("What was sent is too large."),
        429: _("Too many attempts. Please wait a minute and try again."),
    }
    return str(titles.get(error.code or 500, error.description))


def _http_error(error: HTTPException):  # type: ignore[no-untyped-def]
    return render_template("error.html", code=error.code, message=http_message(error)), error.code


def _csrf_error(error: CSRFError):  # type: ignore[no-untyped-def]
    """JSON clients (the offline replay) learn to fetch a fresh token; people get a page."""
    if request.is_json:
        return jsonify(error="csrf", message=error.description), 400
    message = _("This form has expired. Please go back, reload the page and try again.")
    return render_template("error.html", code=400, message=message), 400


def _server_error(_error: Exception):  # type: ignore[no-untyped-def]
    db.session.rollback()
    return render_template("error.html", code=500, message=_("Something went wrong on our side.")), 500
