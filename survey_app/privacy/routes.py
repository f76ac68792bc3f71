"""The public privacy notice (``/privasi``), in the resident's language."""

from __future__ import annotations

from flask import current_app, render_template

from survey_app.access import public
from survey_app.i18n import current_language
from survey_app.privacy import bp, settings
from survey_app.privacy.facts import latest_versions, questionnaire_facts
from survey_app.privacy.settings import text
from survey_app.questionnaires import catalog


@bp.route("/privasi")
@public
def notice() -> str:
    """Who holds residents' answers, why, on what basis, what is kept, and residents' rights."""
    lang = current_language()
    return render_template(
        "privacy/notice.html", privacy=settings(), lang=lang, text=text,
        languages=current_app.config["LANGUAGES"],  # every interface language, not only the complete ones
        questionnaires=questionnaire_facts(latest_versions(catalog()), lang),
    )
