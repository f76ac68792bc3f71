"""Reconciling two differing entries of a paper form against the paper.

A coordinator sees every field side by side and, where the entries differ, chooses the
first, the second, or types the value on the paper. The choices are re-validated with
the same keying rules (a choice can change which questions ``show_if`` shows), each
decision is recorded, and the form becomes a response. Callers commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from survey_app import audit
from survey_app.access import user_covers
from survey_app.extensions import db
from survey_app.models import DecisionSource, FormStatus, PaperEntry, PaperForm, ReconciliationDecision, User
from survey_app.operations import OperationError
from survey_app.operations.keying import BLANK, key_answers, typed_text
from survey_app.operations.paper import (
    COMPARED_HEADER,
    DATE,
    INTERVIEWER,
    EntryForbidden,
    EntryInvalid,
    answer_errors,
    check_interview_date,
    check_interviewer,
    field_value,
    finalise,
    keeps_redacted,
    same_value,
)
from survey_app.operations.texts import _
from survey_app.questionnaire import Questionnaire
from survey_app.questionnaire.types import takes_answer


@dataclass(frozen=True)
class FieldRow:
    """One line of the side-by-side view."""

    name: str
    first: object
    second: object

    @property
    def differs(self) -> bool:
        return not same_value(self.first, self.second)


def side_by_side(form: PaperForm, questionnaire: Questionnaire) -> list[FieldRow]:
    """Header fields, then every question, with both entries' values."""
    first, second = _entries(form)
    names = [*COMPARED_HEADER, *(q.id for q in questionnaire.questions() if takes_answer(q))]
    return [FieldRow(name, field_value(first, name), field_value(second, name)) for name in names]


def _entries(form: PaperForm) -> tuple[PaperEntry, PaperEntry]:
    first, second = form.entry(1), form.entry(2)
    if first is None or second is None:
        raise OperationError(_("Form %(serial)s does not have two entries.", serial=form.serial))
    return first, second


def reconcile(user: User, form: PaperForm, questionnaire: Questionnaire,
              picks: Mapping[str, str], typed: Mapping[str, str]) -> list[ReconciliationDecision]:
    """Apply a coordinator's choices: ``picks`` maps a field to first/second/typed, ``typed``
    holds values typed from the paper. Every differing field needs a pick."""
    if not user_covers(user, form.village.code):
        raise EntryForbidden(_("Form %(serial)s is outside your area.", serial=form.serial))
    if form.status is not FormStatus.RECONCILIATION:
        raise OperationError(_("Form %(serial)s is not waiting for reconciliation.", serial=form.serial))
    rows = side_by_side(form, questionnaire)
    chosen = _chosen(rows, picks, typed)
    merged = {name: text for name, (_source, text) in chosen.items()}
    interview_date, problem = check_interview_date(merged.get(DATE, ""))
    result = key_answers(questionnaire, merged, interview_date, redact=keeps_redacted(form.round))
    errors = answer_errors(result)
    if problem:
        errors[DATE] = problem
    interviewer, problem = check_interviewer(merged.get(INTERVIEWER, ""))
    if problem:
        errors[INTERVIEWER] = problem
    if errors:
        raise EntryInvalid(errors)
    _claim(form)

    final = {DATE: interview_date.isoformat() if interview_date else None, INTERVIEWER: interviewer}
    decisions = []
    for row in rows:
        source, _text = chosen[row.name]
        if not (row.differs or source is DecisionSource.TYPED):
            continue
        if row.name in final:
            value = final[row.name]
        else:
            value = result.answers.get(row.name, BLANK if row.name in result.blank else None)
        decision = ReconciliationDecision(form=form, field=row.name, source=source or DecisionSource.FIRST,
                                          value=value, decided_by_id=user.id)
        decisions.append(decision)
    db.session.add_all(decisions)
    form.interview_date, form.interviewer_code = interview_date, interviewer
    audit.record("paper.reconciled", actor=user, object_type="paper_form", object_id=form.id, serial=form.serial,
                 decisions=[{"field": d.field, "source": d.source.value, "value": d.value} for d in decisions])
    finalise(form, questionnaire, result.answers, user)
    return decisions


def _chosen(rows: list[FieldRow], picks: Mapping[str, str],
            typed: Mapping[str, str]) -> dict[str, tuple[DecisionSource | None, str]]:
    """Field -> (whose value, its text as keyed); a differing field without a pick is an error."""
    errors: dict[str, str] = {}
    chosen: dict[str, tuple[DecisionSource | None, str]] = {}
    for row in rows:
        pick = picks.get(row.name) or ""
        source = DecisionSource(pick) if pick in set(DecisionSource) else None
        if source is None and row.differs:
            errors[row.name] = _("The entries differ: choose the right value, or type it from the paper.")
        elif source is DecisionSource.TYPED:
            chosen[row.name] = (source, (typed.get(row.name) or "").strip())
        else:
            value = row.second if source is DecisionSource.SECOND else row.first
            chosen[row.name] = (source, typed_text(value))
    if errors:
        raise EntryInvalid(errors)
    return chosen


def _claim(form: PaperForm) -> None:
    """Move the form from the queue to RESOLVED in the database, or refuse: two coordinators
    saving the same form at once must not both record decisions (the status read above
    may be stale; this UPDATE's condition is checked when it runs)."""
    claimed = db.session.execute(
        sa.update(PaperForm)
        .where(PaperForm.id == form.id, PaperForm.status == FormStatus.RECONCILIATION)
        .values(status=FormStatus.RESOLVED)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise OperationError(_("Form %(serial)s was reconciled by someone else just now.", serial=form.serial))
    set_committed_value(form, "status", FormStatus.RESOLVED)
