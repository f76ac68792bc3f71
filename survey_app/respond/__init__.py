"""Residents answering on their phones (public, anonymous)."""

from flask import Blueprint

bp = Blueprint("respond", __name__)

from survey_app.respond import routes  # noqa: E402,F401
