from flask import render_template
from flask_babel import lazy_gettext as _l

from survey_app.access import ANY_ROLE, roles_required
from survey_app.admin import bp
from survey_app.admin.queries import round_overview

STATUS_LABELS = {"draft": _l("draft"), "open": _l("open"), "closed": _l("closed")}


@bp.route("/")
@roles_required(*ANY_ROLE)
def index():  # type: ignore[no-untyped-def]
    """Rounds at a glance: status, version, dates and responses so far."""
    return render_template("admin/index.html", rounds=round_overview(), status_labels=STATUS_LABELS)
