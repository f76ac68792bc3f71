"""Exports read in their own read-only transaction: residents and staff are never held back,
an empty round exports a header, and a stopped export leaves no file that looks complete."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import reports.export
import survey_app.database
from reports.export import META_HEADERS
from survey_app.extensions import db
from survey_app.models import Mode, Role
from survey_app.operations.responses import insert_response
from survey_app.questionnaire import clean_answers
from survey_app.questionnaires import load
from tests.factories import (
    complete_answers,
    consent_of,
    csrf_token,
    login,
    make_round,
    make_user,
    make_villages,
    prepared_download,
    start_job,
)

RESIDENT_URL = "/s/round-1/32.73.01.1001"


@pytest.fixture
def short_busy_timeout(monkeypatch):
    """A blocked writer fails after 1 s instead of 30 s, so a regression fails fast."""
    monkeypatch.setattr(survey_app.database, "SQLITE_BUSY_TIMEOUT_MS", 1_000)


@pytest.fixture
def round_with_answers(short_busy_timeout, app):  # type: ignore[no-untyped-def]
    villages = make_villages()
    round_ = make_round("Round 1", "trust-safety@2", opened=True, scope=["32.73"])  # answers only in 32.73.01
    questionnaire = load("trust-safety", 2)

    answers = clean_answers(questionnaire, complete_answers(questionnaire)).answers
    for _ in range(3):
        insert_response(round_, villages[0], questionnaire, answers, str(uuid.uuid4()), Mode.WEB)
    db.session.commit()
    make_user(Role.ADMIN, "admin@example.org")
    make_user(Role.COORDINATOR, "far@example.org", scope=["32.73.02"])
    db.session.close()
    return round_


def _resident_posts(client) -> int:  # type: ignore[no-untyped-def]
    questionnaire = load("trust-safety", 2)
    token = csrf_token(client, RESIDENT_URL)
    payload = {"submission_key": str(uuid.uuid4()), "answers": complete_answers(questionnaire),
               "consent": consent_of(client, RESIDENT_URL)}
    return client.post(RESIDENT_URL + "/submit", json=payload, headers={"X-CSRFToken": token}).status_code


@pytest.fixture
def paused_export(monkeypatch) -> tuple[threading.Event, threading.Event]:  # type: ignore[no-untyped-def]
    """Exports stop after their first row until released: (started, release)."""
    started, release = threading.Event(), threading.Event()
    original = reports.export._rows

    def slow_rows(*args, **kwargs):  # type: ignore[no-untyped-def]
        for row in original(*args, **kwargs):
            yield row
            started.set()
            assert release.wait(30)

    monkeypatch.setattr(reports.export, "_rows", slow_rows)
    return started, release


def test_a_resident_and_a_sign_in_go_through_while_a_cli_export_is_being_written(
    round_with_answers, app, runner, paused_export, tmp_path: Path
):
    started, release = paused_export
    out = tmp_path / "answers.csv"
    result: list[object] = []
    worker = threading.Thread(target=lambda: result.append(runner.invoke(
        args=["export", "responses", "--round", "Round 1", "--format", "csv", "--out", str(out)])))
    worker.start()
    try:
        assert started.wait(30), "the export never started writing"
        assert not out.exists()  # half-written: not under its final name
        resident, staff = app.test_client(), app.test_client()
        assert _resident_posts(resident) == 201
        signed_in = login(staff, "admin@example.org")
        assert signed_in.status_code == 302, signed_in.get_data(as_text=True)
    finally:
        db.session.close()  # test requests share this thread's session: end its transaction
        release.set()
        worker.join(60)
    (invoked,) = result
    assert invoked.exit_code == 0, invoked.output  # type: ignore[attr-defined]
    assert len(pd.read_csv(out, encoding="utf-8-sig")) == 3  # its snapshot: the answer sent meanwhile is not in it
    assert not list(tmp_path.glob(".*partial"))


def test_a_resident_goes_through_while_a_queued_export_is_being_written(
    round_with_answers, app, client, paused_export
):
    started, release = paused_export
    login(client, "admin@example.org")
    client.get("/lang/en")
    job_url = start_job(client, "round-1", kind="responses", fmt="csv").headers["Location"]
    db.session.close()
    worker = threading.Thread(target=app.extensions["queue"].run_pending)
    worker.start()
    try:
        assert started.wait(30), "the export never started writing"
        assert _resident_posts(app.test_client()) == 201
        page = client.get(job_url).get_data(as_text=True)
        assert "Being built" in page and "/file" not in page and 'http-equiv="refresh"' in page
    finally:
        db.session.close()
        release.set()
        worker.join(60)
    with client.get(f"{job_url}/file") as download:
        text = download.get_data(as_text=True)
    assert len(text.strip().splitlines()) == 1 + 3  # its snapshot: the answer sent meanwhile is not in it


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_with_no_responses_in_the_area_is_just_the_header(round_with_answers, app, client, runner, fmt,
                                                                   tmp_path: Path):
    empty = runner.invoke(args=["export", "responses", "--round", "Round 1", "--format", fmt, "--area", "32.73.02",
                                "--out", str(tmp_path / f"empty.{fmt}")])
    assert empty.exit_code == 0, empty.output
    assert "Wrote 0 responses" in empty.output
    login(client, "far@example.org")
    with prepared_download(app, client, "round-1", kind="responses", fmt=fmt) as web:
        assert web.status_code == 200
        data = web.data
    for rows in (_rows(tmp_path / f"empty.{fmt}", fmt), _rows_bytes(data, fmt, tmp_path)):
        assert len(rows) == 1 and tuple(rows[0][: len(META_HEADERS)]) == META_HEADERS


def test_an_export_that_fails_halfway_leaves_no_file(round_with_answers, runner, monkeypatch, tmp_path: Path):
    original = reports.export._rows

    def broken_rows(*args, **kwargs):  # type: ignore[no-untyped-def]
        yield from list(original(*args, **kwargs))[:1]
        raise RuntimeError("disk gone")

    monkeypatch.setattr(reports.export, "_rows", broken_rows)
    out = tmp_path / "exports" / "answers.xlsx"
    result = runner.invoke(args=["export", "responses", "--round", "Round 1", "--format", "xlsx", "--out", str(out)])
    assert result.exit_code != 0
    assert list(out.parent.iterdir()) == []


def _rows(path: Path, fmt: str) -> list[list[object]]:
    if fmt == "csv":
        return [line.split(",") for line in path.read_text(encoding="utf-8-sig").strip().splitlines()]
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        return [list(row) for row in workbook.active.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _rows_bytes(data: bytes, fmt: str, tmp_path: Path) -> list[list[object]]:
    path = tmp_path / f"web.{fmt}"
    path.write_bytes(data)
    return _rows(path, fmt)
