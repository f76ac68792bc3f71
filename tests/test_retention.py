"""Retention and purge (UU 27/2022): per-round periods, a preview, an administrator's
confirmation in the console, ``flask retention apply`` hard-deleting what is due (soft-deleted
rows too) and auditing the counts, the figures of purged rounds kept for the trends, and
nothing of a purged answer left in the database file."""

from __future__ import annotations

import io
import math
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from survey_app.database import end_read_only_request, read_only
from survey_app.extensions import db
from survey_app.models import (
    AuditEvent,
    Correction,
    EntrySource,
    FormStatus,
    FreeTextReview,
    PaperEntry,
    PaperForm,
    PlaceSummary,
    Response,
    RetainedSums,
    Role,
    Round,
    SummaryDirty,
    Village,
    VillageCount,
)
from survey_app.operations.retention import add_months
from survey_app.reporting.service import report_options, village_tables
from tests.factories import sign_in, token_in

OLD, MIDDLE, LATEST = "Putaran 1 2025", "Putaran 2 2025", "Putaran 1 2026"
VILLAGE = "32.73.01.1001"
PLANTED = "Pak Hartono di gang Melati 7 suka mabuk"


def _round(name: str) -> Round:
    return db.session.scalar(sa.select(Round).where(Round.name == name))


def _closed_months_ago(name: str, months: int) -> None:
    round_ = _round(name)
    round_.closed_at = datetime.now(UTC) - timedelta(days=31 * months)
    db.session.commit()


def _count(model, *where) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where)) or 0


def _figures(round_name: str) -> dict[tuple[str, str, int], tuple[float, ...]]:
    """Every index and item figure of the demo village's report for ``round_name``, by round."""
    db.session.remove()
    with read_only():  # as the download does: the sums are refreshed on a connection of their own
        round_ = _round(round_name)
        village = db.session.scalar(sa.select(Village).where(Village.code == VILLAGE))
        tables = village_tables(round_, village, report_options(round_))
        db.session.remove()
    found = {}
    for trend in (*tables.indices, *tables.items):
        for round_id, value in trend.values.items():
            if value is not None:
                found[(trend.kind, trend.key, round_id)] = (value.value, value.ci_low, value.ci_high, value.n)
        for round_id, change in trend.changes.items():
            found[("change", trend.key, round_id)] = (change.status, change.change.estimate, change.change.ci_low,
                                                        change.change.ci_high, change.change.p_value)
    for section in tables.sections:
        for item in section.items:
            for block in item.blocks:
                for dist in block.rounds:
                    means = [e for e in (dist.top2, dist.mean) if e is not None]
                    found[("counts", item.id, dist.round_id)] = (
                        dist.total, dist.valid_n, dist.missing, *sorted(dist.counts.items()),
                        *(x for e in means for x in (e.value, e.ci_low, e.ci_high)))
    db.session.remove()
    return found


def _same(before: dict, after: dict) -> None:  # type: ignore[type-arg]
    assert before.keys() == after.keys()
    for key, values in before.items():
        for one, other in zip(values, after[key], strict=True):
            if isinstance(one, float) and math.isnan(one):
                assert math.isnan(other), key
            elif isinstance(one, float):
                assert other == pytest.approx(one, rel=1e-9, abs=1e-9), key
            else:
                assert one == other, key


def test_retention_periods_count_from_closing_and_add_calendar_months():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2026, 11, 15), 14) == date(2028, 1, 15)


def test_the_periods_are_set_per_round_and_checked(runner, demo_data):
    said = runner.invoke(args=["rounds", "retention", OLD, "--free-text", "6", "--responses", "24"])
    assert said.exit_code == 0, said.output
    db.session.remove()
    assert (_round(OLD).free_text_months, _round(OLD).responses_months) == (6, 24)
    refused = runner.invoke(args=["rounds", "retention", OLD, "--free-text", "30", "--responses", "24"])
    assert refused.exit_code == 1 and "at least as long as free text" in refused.output
    assert db.session.scalar(sa.select(AuditEvent.details).where(AuditEvent.action == "round.retention_changed")) \
        == {"name": OLD, "old": {"free_text_months": 12, "responses_months": 36},
            "new": {"free_text_months": 6, "responses_months": 24}}


def test_nothing_is_deleted_without_an_administrators_confirmation(app, client, runner, demo_data):
    assert runner.invoke(args=["retention", "plan"]).output.strip() == "Nothing is due."
    _closed_months_ago(OLD, 37)
    responses = _count(Response, Response.round_id == _round(OLD).id)
    planned = runner.invoke(args=["retention", "plan"]).output
    assert f"Round '{OLD}': individual responses due since" in planned
    assert f"would delete {responses:,} responses, 0 soft deleted responses" in planned
    assert "Awaiting an administrator's confirmation in the console." in planned
    applied = runner.invoke(args=["retention", "apply"])
    assert applied.exit_code == 0 and "Awaiting an administrator's confirmation" in applied.output
    db.session.remove()
    assert _count(Response, Response.round_id == _round(OLD).id) == responses

    # Only an administrator confirms, with the form's token.
    url = f"/admin/rounds/{_round(OLD).slug}/retention/confirm"
    db.session.remove()
    coordinator = app.test_client()
    sign_in(coordinator, Role.COORDINATOR, ["32.73"], email="coord@example.org")
    assert coordinator.get(url).status_code == 403
    sign_in(client, Role.ADMIN)
    client.get("/lang/en")
    page = client.get(f"/admin/rounds/{_round(OLD).slug}").get_data(as_text=True)
    assert "The retention period has ended: an administrator must confirm the deletion." in page
    end_read_only_request()  # the round page reads only; the test's app context outlives it
    preview = client.get(url).get_data(as_text=True)
    assert f"{responses} responses" in preview and "Confirm the deletion" in preview
    db.session.remove()
    assert client.post(url, data={}).status_code == 400
    assert client.post(url, data={"csrf_token": token_in(preview)}).status_code == 303
    db.session.remove()
    confirmed = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "retention.confirmed"))
    assert confirmed.actor == "admin@example.org"
    assert confirmed.details["due"][0]["would_delete"]["responses"] == responses


def _confirm_and_apply(client, runner, name: str) -> str:  # type: ignore[no-untyped-def]
    """An administrator confirms what is due in round ``name``; the daily run deletes it. Its output."""
    sign_in(client, Role.ADMIN)
    url = f"/admin/rounds/{_round(name).slug}/retention/confirm"
    db.session.remove()
    preview = client.get(url).get_data(as_text=True)
    db.session.remove()
    assert client.post(url, data={"csrf_token": token_in(preview)}).status_code == 303
    db.session.remove()
    applied = runner.invoke(args=["retention", "apply"])
    assert applied.exit_code == 0, applied.output
    return applied.output


def test_purged_responses_leave_the_database_and_old_rounds_keep_their_figures(app, client, runner, demo_data,
                                                                               tmp_path):
    old = _round(OLD)
    old_id = old.id
    # A soft-deleted answer and a corrected one: both go too, with the correction's values.
    first, second = db.session.scalars(sa.select(Response).where(Response.round_id == old_id).limit(2)).all()
    first.deleted_at, first.delete_reason = datetime.now(UTC), "duplicate"
    db.session.add(Correction(response_id=second.id, question_id="sex", old_value="1", new_value="2",
                              reason="checked", corrected_by="admin@example.org"))
    db.session.commit()
    marked_village = second.village_id
    before_latest, before_old = _figures(LATEST), _figures(OLD)  # with the soft delete
    counts = {(c.village_id, c.web, c.paper) for c in db.session.scalars(
        sa.select(VillageCount).where(VillageCount.round_id == old_id))}
    sums = {(s.level, s.code): s.sums for s in db.session.scalars(
        sa.select(PlaceSummary).where(PlaceSummary.round_id == old_id))}
    total = _count(Response, Response.round_id == old_id)
    _closed_months_ago(OLD, 37)
    applied = _confirm_and_apply(client, runner, OLD)
    assert f"Round '{OLD}': individual responses deleted: {total - 1:,} responses, 1 soft deleted" in applied
    db.session.remove()
    assert _count(Response, Response.round_id == old_id) == 0
    assert _count(Correction) == 0
    villages = _count(RetainedSums, RetainedSums.round_id == old_id)
    assert villages == len(counts) > 0
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "retention.responses_deleted"))
    assert (event.actor, event.details["responses"], event.details["soft_deleted_responses"],
            event.details["corrections"], event.details["villages_kept"]) == ("retention", total - 1, 1, 1, villages)
    # The progress counts and the area sums stay as they were; a later refresh keeps them.
    db.session.add(SummaryDirty(round_id=old_id, village_id=marked_village, revision=9))
    db.session.commit()
    _same(before_latest, _figures(LATEST))  # the trend of a later report: the same figures
    _same(before_old, _figures(OLD))  # the old round's own report too
    assert {(c.village_id, c.web, c.paper) for c in db.session.scalars(
        sa.select(VillageCount).where(VillageCount.round_id == old_id))} == counts
    assert {(s.level, s.code): s.sums for s in db.session.scalars(
        sa.select(PlaceSummary).where(PlaceSummary.round_id == old_id))} == sums
    assert _count(SummaryDirty, SummaryDirty.round_id == old_id) == 0

    # The workbook says where the old round's figures come from; nothing is due any more.
    # The purged round's own pages still show what was kept.
    slug = _round(OLD).slug
    db.session.remove()
    client.get("/lang/en")
    page = client.get(f"/admin/rounds/{slug}").get_data(as_text=True)
    assert "Individual responses: deleted on" in page and "Free-text answers: deleted on" in page
    end_read_only_request()
    for url in (f"/admin/rounds/{slug}/progress", f"/downloads/{slug}/", f"/downloads/{slug}/village/{VILLAGE}/",
                f"/downloads/{slug}/village/{VILLAGE}.xlsx"):
        assert client.get(url).status_code == 200, url
        end_read_only_request()
    workbook = client.get(f"/downloads/putaran-1-2026/village/{VILLAGE}.xlsx?lang=en")
    cells = [c.value for sheet in openpyxl.load_workbook(io.BytesIO(workbook.data)).worksheets
             for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(f"The individual answers of {OLD} were deleted on" in text for text in cells)
    assert runner.invoke(args=["retention", "plan"]).output.strip() == "Nothing is due."
    record = tmp_path / "record.md"
    assert runner.invoke(args=["privacy", "record", "--out", str(record)]).exit_code == 0
    day = f"{datetime.now(UTC):%Y-%m-%d}"
    assert f"| {OLD} | closed | redact | 12 | 36 | deleted on {day} | deleted on {day} |" in record.read_text()
    export = runner.invoke(args=["export", "responses", "--round", OLD, "--format", "csv",
                                 "--out", str(tmp_path / "old.csv")])
    assert export.exit_code == 1 and f"The individual answers of round {OLD} were deleted on {day}" in export.output
    refused = runner.invoke(args=["rounds", "retention", OLD, "--free-text", "12", "--responses", "48"])
    assert refused.exit_code == 1 and "already been deleted" in refused.output


def _plant_free_text(round_id: int) -> tuple[int, int]:
    """The planted text in a response, a soft-deleted response, a paper entry, an original
    awaiting review, a correction and the audit trail; returns (response id, paper form id)."""
    responses = db.session.scalars(sa.select(Response).where(Response.round_id == round_id).limit(2)).all()
    for response in responses:
        response.answers = {**response.answers, "work_together": PLANTED}
    responses[1].deleted_at = datetime.now(UTC)
    form = PaperForm(round_id=round_id, village_id=responses[0].village_id, serial="RET-1",
                     status=FormStatus.VERIFIED, needs_second=False)
    db.session.add(form)
    db.session.add(PaperEntry(form=form, number=1, keyed_by="vol@example.org", source=EntrySource.SCREEN,
                              answers={"work_together": PLANTED, "sex": "1"}))
    db.session.add(FreeTextReview(round_id=round_id, response_id=responses[0].id, question_id="work_together",
                                  original=PLANTED + " 0812 3456 7890", kinds="phone"))
    db.session.add(Correction(response_id=responses[0].id, question_id="work_together", old_value=PLANTED,
                              new_value=PLANTED + "!", reason="typo", corrected_by="coord@example.org"))
    db.session.add(AuditEvent(actor="coord@example.org", action="response.corrected", object_type="response",
                              object_id=str(responses[0].id),
                              details={"changes": [{"question": "work_together", "old": PLANTED, "new": "x"},
                                                   {"question": "sex", "old": "1", "new": "2"}]}))
    db.session.commit()
    return responses[0].id, form.id


def test_free_text_goes_first_everywhere_and_not_a_byte_of_it_stays(app, client, runner, demo_data, database_url):
    middle_id = _round(MIDDLE).id
    response_id, form_id = _plant_free_text(middle_id)
    before = _figures(LATEST)
    _closed_months_ago(MIDDLE, 13)  # free text is due (12 months), the responses are not (36)
    planned = runner.invoke(args=["retention", "plan"]).output
    assert f"Round '{MIDDLE}': free-text answers due since" in planned
    assert f"Round '{MIDDLE}': free-text answers deleted" in _confirm_and_apply(client, runner, MIDDLE)
    db.session.remove()
    texts = {"work_together", "local_problems_other"}
    for answers in db.session.scalars(sa.select(Response.answers).where(Response.round_id == middle_id)):
        assert not texts & answers.keys()
    entry = db.session.scalar(sa.select(PaperEntry).where(PaperEntry.form_id == form_id))
    assert entry.answers == {"sex": "1"}
    correction = db.session.scalar(sa.select(Correction).where(Correction.response_id == response_id))
    assert (correction.old_value, correction.new_value, correction.reason) == (None, None, "typo")
    audit = db.session.scalar(sa.select(AuditEvent.details).where(AuditEvent.action == "response.corrected"))
    assert audit["changes"] == [{"question": "work_together", "old": None, "new": None},
                                {"question": "sex", "old": "1", "new": "2"}]
    assert _count(FreeTextReview) == 0  # an original awaiting review goes with the free text
    assert _count(Response, Response.round_id == middle_id) > 0  # the answers themselves stay
    assert _round(MIDDLE).free_text_purged_at is not None and _round(MIDDLE).responses_purged_at is None
    _same(before, _figures(LATEST))
    db.session.remove()
    db.engine.dispose()
    if database_url.startswith("sqlite"):
        path = Path(make_url(database_url).database)
        stored = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
        assert PLANTED.encode() not in stored
        assert b"Putaran 2 2025" in stored  # the search reads the real file


def test_stale_summary_sums_are_brought_up_to_date_before_they_are_kept(client, runner, demo_data):
    assert runner.invoke(args=["reports", "refresh"]).exit_code == 0
    db.session.remove()
    old_id = _round(OLD).id
    answer = db.session.scalars(sa.select(Response).where(Response.round_id == old_id)).first()
    village_id = answer.village_id
    code = db.session.get(Village, village_id).code
    stored = db.session.scalar(sa.select(PlaceSummary.responses).where(
        PlaceSummary.round_id == old_id, PlaceSummary.code == code))
    answer.deleted_at, answer.delete_reason = datetime.now(UTC), "a duplicate found late"
    db.session.commit()  # the triggers mark the village: its stored sums are stale now
    assert _count(SummaryDirty, SummaryDirty.round_id == old_id) == 1
    _closed_months_ago(OLD, 37)
    _confirm_and_apply(client, runner, OLD)
    db.session.remove()
    assert _count(Response, Response.round_id == old_id) == 0
    assert db.session.scalar(sa.select(PlaceSummary.responses).where(
        PlaceSummary.round_id == old_id, PlaceSummary.code == code)) == stored - 1
    kept = db.session.get(RetainedSums, (old_id, village_id))
    assert f'"responses":{stored - 1},' in kept.sums
