"""Field volunteers keying paper questionnaires; coordinators reconciling and correcting."""

from flask import Blueprint

bp = Blueprint("entry", __name__)

from survey_app.entry import routes  # noqa: E402,F401
