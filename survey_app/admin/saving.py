"""How the console's small POST handlers end: the change committed and a line said, or the
operation's refusal said and nothing kept."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash
from flask_wtf import FlaskForm

from survey_app.extensions import db
from survey_app.operations import OperationError


def commit_or_flash(change: Callable[[], object], done: Callable[[], str]) -> bool:
    """Run ``change`` and commit, then flash ``done()`` (asked after the change, so it can say
    the new state); an OperationError rolls back and is flashed instead. True when saved."""
    try:
        change()
    except OperationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return False
    db.session.commit()
    flash(done(), "info")
    return True


def flash_form_errors(form: FlaskForm) -> None:
    """Each refused field, with its label, as one line."""
    for field, errors in form.errors.items():
        flash(f"{form[field].label.text}: {' '.join(errors)}", "error")
