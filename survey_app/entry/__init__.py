"""Field volunteers keying paper questionnaires; coordinators reconciling and correcting."""

from flask import Blueprint

from survey_app.questionnaire.types import takes_answer

bp = Blueprint("entry", __name__)
# ``{% for question in q.questions() if question is answered %}``: notes are read on the
# paper, never keyed, corrected or reconciled.
bp.add_app_template_test(takes_answer, "answered")

from survey_app.entry import routes  # noqa: E402,F401
