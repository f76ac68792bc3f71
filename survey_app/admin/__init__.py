"""Administrators' and coordinators' console."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from survey_app.admin import routes  # noqa: E402,F401
