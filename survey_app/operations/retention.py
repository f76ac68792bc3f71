"""Retention (UU 27/2022: data kept no longer than its purpose needs): per round, free-text
answers and then individual responses are hard-deleted a set number of months after the round
stopped taking answers.

Nothing is deleted on the clock alone. ``retention_plan`` says what is due and what it would
delete; an administrator confirms in the console (``confirm_retention``) that what is due by
that day may go; ``apply_retention`` (``flask retention apply``, daily) deletes what is due and
confirmed, soft-deleted rows included, and audits the counts. Before a round's responses go,
each village's answers are reduced to the sums its reports need (``reports.retained``), so
the round stays in every trend with the same figures. Writes flush and audit; callers commit,
then ``reclaim_space`` so the deleted bytes leave the database file.
"""

from __future__ import annotations

import calendar
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from reports.data import RoundInfo, load_round_responses, load_rounds
from reports.tables.retain import retain_round
from survey_app import audit, clock, questionnaires
from survey_app.database import read_only
from survey_app.extensions import db
from survey_app.models import (
    AuditEvent,
    Correction,
    FreeTextReview,
    PaperEntry,
    PaperForm,
    PrintedSerial,
    ReconciliationDecision,
    Response,
    RetainedSums,
    Round,
    RoundStatus,
    SummaryDirty,
    User,
    VillageCount,
)
from survey_app.models.rounds import MAX_RETENTION_MONTHS
from survey_app.operations import OperationError
from survey_app.operations.texts import _
from survey_app.questionnaire.redaction import free_text_ids
from survey_app.reporting import summaries

REMOVED = None
"""What a deleted answer becomes where a record of it must stay (corrections, the audit trail)."""


class Stage(enum.StrEnum):
    """What a retention period ends: free text first, then the individual responses."""

    FREE_TEXT = "free_text"
    RESPONSES = "responses"


STAGE_NAMES = {Stage.FREE_TEXT: "free-text answers", Stage.RESPONSES: "individual responses"}
"""How the command line names a stage."""


# ---------------------------------------------------------------------------
# Settings and dates


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def retention_start(round_: Round) -> date | None:
    """The day the periods count from: when the round stopped taking answers. None while it
    still takes them (open, or closed with paper entry still allowed), or when not known."""
    if round_.status is not RoundStatus.CLOSED or round_.paper_after_close:
        return None
    if round_.closed_at is not None:
        return round_.closed_at.astimezone(UTC).date()
    return round_.closes_on


def due_on(round_: Round, stage: Stage) -> date | None:
    """When ``stage`` of the round falls due; None while its start is unknown."""
    start = retention_start(round_)
    if start is None:
        return None
    return add_months(start, round_.free_text_months if stage is Stage.FREE_TEXT else round_.responses_months)


def purged_at(round_: Round, stage: Stage) -> datetime | None:
    return round_.free_text_purged_at if stage is Stage.FREE_TEXT else round_.responses_purged_at


def set_retention(round_: Round, free_text_months: int, responses_months: int, actor: User | str | None) -> None:
    """Set how long the round keeps free text and individual responses after closing."""
    if not 1 <= free_text_months <= responses_months <= MAX_RETENTION_MONTHS:
        raise OperationError(_("Keep free text for 1 to %(max)s months and responses at least as long as free "
                               "text (at most %(max)s months).", max=MAX_RETENTION_MONTHS))
    old = {"free_text_months": round_.free_text_months, "responses_months": round_.responses_months}
    new = {"free_text_months": free_text_months, "responses_months": responses_months}
    if old == new:
        return
    if round_.responses_purged_at is not None or (
            round_.free_text_purged_at is not None and free_text_months != round_.free_text_months):
        raise OperationError(_("Round %(name)s's data has already been deleted under its retention settings; "
                               "they no longer change.", name=round_.name))
    round_.free_text_months, round_.responses_months = free_text_months, responses_months
    audit.record("round.retention_changed", actor=actor, object_type="round", object_id=round_.id,
                 name=round_.name, old=old, new=new)


def retention_table() -> list[tuple[str, str, str, int, int, str, str]]:
    """Each round's retention as the record of processing lists it: name, status, what it does
    with personal data found in free text (redact, review), the two periods in months, and for
    each stage "deleted on D", "due on D" or "after closing"."""
    def when(round_: Round, stage: Stage) -> str:
        done, day = purged_at(round_, stage), due_on(round_, stage)
        return f"deleted on {done:%Y-%m-%d}" if done else f"due on {day}" if day else "after closing"

    return [(round_.name, round_.status.value, round_.free_text_mode.value, round_.free_text_months,
             round_.responses_months, when(round_, Stage.FREE_TEXT), when(round_, Stage.RESPONSES))
            for round_ in db.session.scalars(sa.select(Round).order_by(Round.created_at, Round.id))]


# ---------------------------------------------------------------------------
# What is due, and what it would delete


@dataclass(frozen=True)
class Due:
    """One stage of one round that has fallen due, and what deleting it would delete."""

    round: Round
    stage: Stage
    due: date
    counts: Mapping[str, int]

    @property
    def confirmed(self) -> bool:
        """An administrator confirmed deletions due by a day on or after this one."""
        confirmed_on = self.round.retention_confirmed_on
        return confirmed_on is not None and confirmed_on >= self.due


def retention_plan(today: date | None = None, rounds: Iterable[Round] | None = None, *,
                   counted: bool = True) -> list[Due]:
    """The stages due by ``today`` and not yet done, with what each would delete (unless not
    ``counted``: a scan of the round); a round whose responses are due is listed once, for its
    responses (they take the text with them)."""
    today = today or clock.today()
    if rounds is None:
        rounds = db.session.scalars(sa.select(Round).where(Round.status == RoundStatus.CLOSED,
                                                           Round.responses_purged_at.is_(None)).order_by(Round.id))
    plan = []
    for round_ in rounds:
        for stage in (Stage.RESPONSES, Stage.FREE_TEXT):
            day = due_on(round_, stage)
            if day is None or day > today or purged_at(round_, stage) is not None:
                continue
            plan.append(Due(round_, stage, day, COUNTERS[stage](round_) if counted else {}))
            break
    return plan


def _free_text_ids(round_: Round) -> frozenset[str]:
    return free_text_ids(questionnaires.load(round_.questionnaire_key, round_.questionnaire_version))


def _count_free_text(round_: Round) -> dict[str, int]:
    texts = _free_text_ids(round_)
    responses = sum(1 for answers in db.session.scalars(sa.select(Response.answers).where(
        Response.round_id == round_.id)) if texts & _filled(answers))
    entries = sum(1 for answers in db.session.scalars(sa.select(PaperEntry.answers).join(PaperForm).where(
        PaperForm.round_id == round_.id)) if texts & _filled(answers))
    reviews = db.session.scalar(sa.select(sa.func.count()).select_from(FreeTextReview)
                                .where(FreeTextReview.round_id == round_.id)) or 0
    return {"responses_with_free_text": responses, "paper_entries_with_free_text": entries,
            "originals_under_review": reviews}


def _filled(answers: Mapping[str, Any] | None) -> set[str]:
    return {qid for qid, value in (answers or {}).items() if value not in (None, "")}


def _count_responses(round_: Round) -> dict[str, int]:
    def count(query: sa.Select[Any]) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0

    forms = sa.select(PaperForm.id).where(PaperForm.round_id == round_.id)
    responses = sa.select(Response.id).where(Response.round_id == round_.id)
    return {
        "responses": count(responses.where(Response.deleted_at.is_(None))),
        "soft_deleted_responses": count(responses.where(Response.deleted_at.is_not(None))),
        "paper_forms": count(forms),
        "paper_entries": count(sa.select(PaperEntry.id).where(PaperEntry.form_id.in_(forms))),
        "corrections": count(sa.select(Correction.id).where(Correction.response_id.in_(responses))),
        "printed_serials": count(sa.select(PrintedSerial.id).where(PrintedSerial.round_id == round_.id)),
        "originals_under_review": count(sa.select(FreeTextReview.id).where(FreeTextReview.round_id == round_.id)),
    }


COUNTERS = {Stage.FREE_TEXT: _count_free_text, Stage.RESPONSES: _count_responses}
"""What each stage would delete, counted without deleting (the preview)."""


# ---------------------------------------------------------------------------
# Confirming and applying


def confirm_retention(round_: Round, actor: User | str, today: date | None = None) -> list[Due]:
    """An administrator's go-ahead: what is due for the round by ``today`` may be deleted by
    the next ``apply_retention``. Refused when nothing is due (nothing to confirm)."""
    today = today or clock.today()
    due = retention_plan(today, [round_])
    if not due:
        raise OperationError(_("Nothing of round %(name)s is due for deletion.", name=round_.name))
    round_.retention_confirmed_on = today
    audit.record("retention.confirmed", actor=actor, object_type="round", object_id=round_.id, name=round_.name,
                 confirmed_on=today.isoformat(), due=[{"stage": d.stage.value, "due": d.due.isoformat(),
                                                       "would_delete": dict(d.counts)} for d in due])
    return due


@dataclass
class Applied:
    """What ``apply_retention`` did, and what it left for an administrator to confirm."""

    deleted: list[tuple[Due, dict[str, int]]] = field(default_factory=list)
    awaiting: list[Due] = field(default_factory=list)


def apply_retention(actor: User | str = "retention", today: date | None = None) -> Applied:
    """Delete every confirmed stage that is due; list the unconfirmed ones. Call it with
    nothing pending in the session: it commits first, so that the summary sums of the rounds
    whose responses go can be brought up to date (they are kept as they are then)."""
    going = [d.round.id for d in retention_plan(today, counted=False)
             if d.confirmed and d.stage is Stage.RESPONSES]
    if going:
        # The rebuild writes on connections of its own: end this session's transaction first
        # (on SQLite it holds the write lock, and a read would keep seeing the sums as they were).
        db.session.commit()
        with read_only(), db.engine.connect() as connection:
            rounds = load_rounds(connection, going, questionnaires.catalog().get)
        summaries.refresh(db.engine, rounds)
    applied = Applied()
    for due in retention_plan(today):
        if not due.confirmed:
            applied.awaiting.append(due)
            continue
        applied.deleted.append((due, PURGES[due.stage](due.round, actor)))
    return applied


def purge_free_text(round_: Round, actor: User | str) -> dict[str, int]:
    """Delete the round's free-text answers wherever they are kept: responses (soft-deleted
    ones too), paper entries, coordinators' decisions, corrections and the audit trail."""
    texts = _free_text_ids(round_)
    connection = db.session.connection()
    marks = summaries.stale_villages(connection, round_.id)
    counts = {
        "responses": _drop_keys(connection, Response.__table__, Response.round_id == round_.id, texts),
        "paper_entries": _drop_keys(connection, PaperEntry.__table__, PaperEntry.form_id.in_(
            sa.select(PaperForm.id).where(PaperForm.round_id == round_.id)), texts),
    }
    forms = sa.select(PaperForm.id).where(PaperForm.round_id == round_.id)
    responses = sa.select(Response.id).where(Response.round_id == round_.id)
    decisions = ReconciliationDecision.__table__
    counts["decisions"] = connection.execute(sa.update(decisions).where(
        decisions.c.form_id.in_(forms), decisions.c.field.in_(texts)).values(value=REMOVED)).rowcount
    counts["corrections"] = connection.execute(sa.update(Correction.__table__).where(
        Correction.response_id.in_(responses), Correction.question_id.in_(texts)).values(
        old_value=REMOVED, new_value=REMOVED)).rowcount
    counts["originals_under_review"] = connection.execute(sa.delete(FreeTextReview.__table__).where(
        FreeTextReview.round_id == round_.id)).rowcount
    _scrub_audit(connection, round_, texts)
    # Free text is in no sum: the marks the updates left would only rebuild the same figures.
    _restore_marks(connection, round_.id, marks)
    db.session.expire_all()  # answers the session loaded have changed
    round_.free_text_purged_at = datetime.now(UTC)
    audit.record("retention.free_text_deleted", actor=actor, object_type="round", object_id=round_.id,
                 name=round_.name, **counts)
    return counts


def purge_responses(round_: Round, actor: User | str) -> dict[str, int]:
    """Reduce each village's answers to the sums its reports need, then delete every response
    of the round (soft-deleted ones too) with its paper forms, entries, corrections and printed
    serials. The summary sums and progress counts stay as they were: they must be current
    (``summaries.refresh``), as they are kept for good."""
    connection = db.session.connection()
    [info] = load_rounds(connection, [round_.id], questionnaires.catalog().get)
    if summaries.stale_villages(connection, round_.id):
        raise OperationError(_("Round %(name)s's summaries are not up to date; run the retention again.",
                               name=round_.name))
    counts = _count_responses(round_)
    counts["villages_kept"] = _retain_villages(connection, round_, info)
    kept_counts = [dict(row) for row in connection.execute(
        sa.select(VillageCount.__table__).where(VillageCount.round_id == round_.id)).mappings()]
    _scrub_audit(connection, round_, None)
    forms = sa.select(PaperForm.id).where(PaperForm.round_id == round_.id)
    responses = sa.select(Response.id).where(Response.round_id == round_.id)
    connection.execute(sa.delete(ReconciliationDecision.__table__).where(ReconciliationDecision.form_id.in_(forms)))
    connection.execute(sa.delete(PaperEntry.__table__).where(PaperEntry.form_id.in_(forms)))
    connection.execute(sa.delete(PaperForm.__table__).where(PaperForm.round_id == round_.id))
    connection.execute(sa.delete(Correction.__table__).where(Correction.response_id.in_(responses)))
    connection.execute(sa.delete(PrintedSerial.__table__).where(PrintedSerial.round_id == round_.id))
    connection.execute(sa.delete(FreeTextReview.__table__).where(FreeTextReview.round_id == round_.id))
    connection.execute(sa.delete(Response.__table__).where(Response.round_id == round_.id))
    # The triggers saw every response go: the sums and counts they would now rebuild are the
    # ones kept on purpose.
    _restore_marks(connection, round_.id, {})
    connection.execute(sa.delete(VillageCount.__table__).where(VillageCount.round_id == round_.id))
    if kept_counts:
        connection.execute(sa.insert(VillageCount.__table__), kept_counts)
    db.session.expire_all()  # rows the session loaded are gone
    now = datetime.now(UTC)
    round_.responses_purged_at = now
    if round_.free_text_purged_at is None:
        round_.free_text_purged_at = now
    audit.record("retention.responses_deleted", actor=actor, object_type="round", object_id=round_.id,
                 name=round_.name, **counts)
    return counts


PURGES = {Stage.FREE_TEXT: purge_free_text, Stage.RESPONSES: purge_responses}


def _retain_villages(connection: sa.Connection, round_: Round, info: RoundInfo) -> int:
    """Write each village's ``RetainedRound``; returns the number of villages."""
    kept = retain_round(load_round_responses(connection, [round_.id]), info.questionnaire, clock.today())
    rows = [{"round_id": round_.id, "village_id": village_id, "sums": sums.to_json()}
            for village_id, sums in kept.items()]
    connection.execute(sa.delete(RetainedSums.__table__).where(RetainedSums.round_id == round_.id))
    if rows:
        connection.execute(sa.insert(RetainedSums.__table__), rows)
    return len(rows)


def _drop_keys(connection: sa.Connection, table: sa.Table, where: sa.ColumnElement[bool], keys: frozenset[str]) -> int:
    """Remove ``keys`` from the ``answers`` document of the rows matching ``where``; returns
    how many rows held one."""
    if not keys:
        return 0
    changed = [{"row_id": row_id, "kept": {k: v for k, v in answers.items() if k not in keys}}
               for row_id, answers in connection.execute(sa.select(table.c.id, table.c.answers).where(where))
               if answers and keys & answers.keys()]
    statement = sa.update(table).where(table.c.id == sa.bindparam("row_id")).values(answers=sa.bindparam("kept"))
    for start in range(0, len(changed), 5_000):  # executemany, a batch at a time
        connection.execute(statement, changed[start:start + 5_000])
    return len(changed)


def _scrub_audit(connection: sa.Connection, round_: Round, fields: frozenset[str] | None) -> None:
    """Blank the answer values the audit trail recorded for the round's corrections and
    reconciliations: those of ``fields``, or every one (None). The trail is append-only to
    the application; like anonymising staff, this is a rewrite the law asks for."""
    events = AuditEvent.__table__
    responses = [str(i) for i in connection.execute(sa.select(Response.id).where(Response.round_id == round_.id))
                 .scalars()]
    forms = [str(i) for i in connection.execute(sa.select(PaperForm.id).where(PaperForm.round_id == round_.id))
             .scalars()]
    wanted = (("response.corrected", "response", responses, "changes", "question", ("old", "new")),
              ("paper.reconciled", "paper_form", forms, "decisions", "field", ("value",)))
    for action, kind, ids, key, name, values in wanted:
        for start in range(0, len(ids), 900):
            chunk = ids[start:start + 900]
            found = connection.execute(sa.select(events.c.id, events.c.details).where(
                events.c.action == action, events.c.object_type == kind, events.c.object_id.in_(chunk)))
            for event_id, details in found.all():
                items = (details or {}).get(key) or []
                for item in items:
                    if fields is None or item.get(name) in fields:
                        item.update(dict.fromkeys(values, REMOVED))
                connection.execute(sa.update(events).where(events.c.id == event_id).values(details=details))


def _restore_marks(connection: sa.Connection, round_id: int, marks: Mapping[int, int]) -> None:
    """Put the round's stale-sums marks back as they were before this change."""
    dirty = SummaryDirty.__table__
    connection.execute(sa.delete(dirty).where(dirty.c.round_id == round_id))
    if marks:
        connection.execute(sa.insert(dirty), [{"round_id": round_id, "village_id": v, "revision": r}
                                              for v, r in marks.items()])


def reclaim_space() -> None:
    """Make deleted rows leave the database file: SQLite rewrites it (``VACUUM``) and empties
    its write-ahead log; PostgreSQL marks the space for reuse (``VACUUM``), and the bytes go
    as it is reused (``VACUUM FULL`` rewrites at once, under a lock: see docs/privacy.md)."""
    engine = db.engine
    db.session.remove()
    # On the driver's connection: both refuse VACUUM inside a transaction, and the engine's
    # connections always begin one.
    raw = engine.raw_connection()
    try:
        if engine.dialect.name == "postgresql":
            raw.driver_connection.autocommit = True  # type: ignore[union-attr]
        cursor = raw.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute("VACUUM")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            for table in ("responses", "paper_entries", "paper_forms", "reconciliation_decisions",
                          "response_corrections", "audit_events"):
                cursor.execute(f"VACUUM {table}")
        cursor.close()
    finally:
        if engine.dialect.name == "postgresql":
            raw.driver_connection.autocommit = False  # type: ignore[union-attr]
        raw.close()
