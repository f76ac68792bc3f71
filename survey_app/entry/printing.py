"""Printing numbered paper forms from a page. The console's round page (coordinators, admins)
and the volunteers' paper-forms page share the form, its limit and the PDF response."""

from __future__ import annotations

import io
from collections.abc import Sequence

from flask import Response, current_app
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from survey_app import questionnaires
from survey_app.entry.forms import PrintFormsForm
from survey_app.extensions import db
from survey_app.i18n import language_name
from survey_app.models import Round, User, Village
from survey_app.operations import OperationError
from survey_app.operations.printing import print_forms

MAX_PRINTED = 300
"""Forms printed from a page at once (about 12 s); larger runs belong to the CLI
(`responses print`), which has no request time limit."""


def print_form(round_: Round, formdata: object = None) -> PrintFormsForm:
    """The form to print numbered paper questionnaires, in the round's languages."""
    questionnaire = questionnaires.load(round_.questionnaire_key, round_.questionnaire_version)
    form = PrintFormsForm(formdata=formdata)
    form.lang.choices = [SelectChoice(code, language_name(code)) for code in questionnaire.languages]
    form.second_lang.choices = [SelectChoice("", "—"), *form.lang.choices]
    return form


def printed_pdf(round_: Round, form: PrintFormsForm, villages: Sequence[Village], user: User) -> Response | str:
    """The PDF of the forms asked for, with their serials reserved and committed; or the
    message saying why not, with nothing reserved."""
    forms = len(villages) * form.count.data
    if forms > MAX_PRINTED:
        return _("%(n)s forms: print at most %(max)s at once here, or all of them with `flask responses print`.",
                 n=forms, max=MAX_PRINTED)
    out = io.BytesIO()
    try:
        run = print_forms(round_, villages, form.count.data, form.lang.data, out, user,
                          second_lang=form.second_lang.data or None)
    except OperationError as exc:
        db.session.rollback()
        return str(exc)
    db.session.commit()
    name = f"{round_.slug}-{form.area.data.strip()}-forms.pdf"
    return current_app.response_class(out.getvalue(), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "X-Forms": str(run.forms)})
