"""Console: the audit trail, admins only and read-only.

No route here writes to the trail except the CSV download, which records itself: who took
a copy of the trail, with which filters, is an event too. Updates and deletes are refused
by the model as well (``survey_app.models.audit``).
"""

from __future__ import annotations

from flask import Response, abort, current_app, render_template, request, stream_with_context
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from survey_app import audit as audit_log
from survey_app.access import roles_required
from survey_app.admin import audit_queries as queries
from survey_app.admin import bp
from survey_app.database import read_only
from survey_app.extensions import db
from survey_app.models import Role
from survey_app.models._types import utcnow

EXPORTED = "audit.exported"


class AuditFilterForm(FlaskForm):
    """Filters in the query string: a GET form, so links and the CSV share them (no CSRF)."""

    class Meta:
        csrf = False

    actor = StringField(_l("User (email contains)"), validators=[Optional(), Length(max=254)])
    action = SelectField(_l("Action"), validators=[Optional()])
    date_from = DateField(_l("From (date)"), validators=[Optional()])
    date_to = DateField(_l("To (date, inclusive)"), validators=[Optional()])
    individual = BooleanField(_l("Only downloads of individual-level data (raw exports, free text)"))

    def validate_date_to(self, field: DateField) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))


def _filters() -> tuple[AuditFilterForm, queries.AuditFilters | None]:
    """The filter form bound to the query string, and the filters when they are valid."""
    form = AuditFilterForm(formdata=request.args)
    form.action.choices = [("", _l("All actions")), *((a, a) for a in queries.distinct_actions())]
    if not form.validate():
        return form, None
    return form, queries.AuditFilters(
        actor=(form.actor.data or "").strip(), action=form.action.data or "",
        date_from=form.date_from.data, date_to=form.date_to.data, individual=bool(form.individual.data),
    )


@bp.route("/audit", endpoint="audit")
@roles_required(Role.ADMIN)
def audit_trail():  # type: ignore[no-untyped-def]
    """Events newest first, 50 a page, filtered by user, action and dates."""
    form, filters = _filters()
    zone = current_app.config["TIMEZONE"]
    page = None
    if filters is not None:
        page = db.paginate(queries.events_query(filters, zone), page=request.args.get("page", 1, type=int) or 1,
                           per_page=queries.PER_PAGE, error_out=False)
    return render_template("admin/audit.html", form=form, page=page, zone=zone,
                           compact=queries.compact_details), 200 if filters is not None else 422


@bp.route("/audit.csv", endpoint="audit_csv")
@roles_required(Role.ADMIN)
def audit_csv():  # type: ignore[no-untyped-def]
    """Every matching event as CSV, streamed; the download is itself recorded first."""
    _form, filters = _filters()
    if filters is None:
        abort(400)
    zone = current_app.config["TIMEZONE"]
    query = queries.events_query(filters, zone)
    rows = db.session.scalar(db.select(db.func.count()).select_from(query.order_by(None).subquery())) or 0
    audit_log.record(EXPORTED, actor=current_user, object_type="audit", filters=filters.as_dict(), rows=rows)
    db.session.commit()

    def generate():  # type: ignore[no-untyped-def]
        # Its own read-only connection: a long download must not hold SQLite's write lock.
        with read_only(), db.engine.connect() as connection:
            yield from queries.csv_chunks(connection.execute(query.execution_options(yield_per=1000)))

    filename = f"audit-{utcnow().strftime('%Y%m%d-%H%M%S')}.csv"
    return Response(stream_with_context(generate()), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
