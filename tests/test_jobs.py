"""Queued downloads and bulk builds: a job waits for a worker, shows its progress, hands out its
file once (audited) until it expires; failures are retried and then explained; a worker killed
halfway leaves nothing that looks finished; a real ``queue worker`` process runs a CLI build."""

from __future__ import annotations

import io
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

import reports.export
from survey_app.extensions import db
from survey_app.models import AuditEvent, Job, JobStatus, Role, UserScope
from survey_app.models._types import utcnow
from survey_app.queue import Queue
from survey_app.reporting import jobs
from tests.factories import login, make_user, prepared_download, start_job

ROUND = "putaran-2-2025"
PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture
def demo(demo_data):
    """The demo installation."""


@pytest.fixture
def app_config() -> dict[str, object]:
    return {"JOB_RETRIES": 1, "JOB_RETRY_SECONDS": 0}


def _job(job_id: str) -> Job:
    db.session.rollback()
    return db.session.get_one(Job, job_id)


def _started(client, **fields) -> str:  # type: ignore[no-untyped-def]
    response = start_job(client, ROUND, **fields)
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    db.session.commit()
    return response.headers["Location"]


def _results(app) -> list[str]:  # type: ignore[no-untyped-def]
    folder = Path(app.config["RESULTS_DIR"])
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def test_a_job_waits_for_a_worker_then_hands_out_its_file_to_its_owner(app, client, demo):
    make_user(Role.COORDINATOR, "other@example.org", ["32.73"])
    login(client, make_user(Role.COORDINATOR, "coord@example.org", ["32.73"]).email)
    client.get("/lang/en")
    job_url = _started(client, kind="overview", area_code="32.73", lang="en")
    page = client.get(job_url).get_data(as_text=True)
    assert "Waiting for a worker" in page and 'http-equiv="refresh"' in page and "/file" not in page
    assert "Overview" in client.get("/downloads/jobs/").get_data(as_text=True)
    assert client.get(f"{job_url}/file").status_code == 302  # not ready: back to its page

    other = app.test_client()
    login(other, "other@example.org")
    assert other.get(job_url).status_code == 404  # someone else's job
    assert other.get(f"{job_url}/file").status_code == 404

    assert app.extensions["queue"].run_pending() == 1
    page = client.get(job_url).get_data(as_text=True)
    assert "Ready" in page and "10 of 10 done" in page and 'http-equiv="refresh"' not in page
    with client.get(f"{job_url}/file") as response:
        assert response.status_code == 200
        workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    assert "Kota Bandung" in str(workbook.active["A1"].value)
    (event,) = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "report.downloaded"))
    assert (event.actor, event.object_id, event.details["what"]) == ("coord@example.org", "32.73", "overview")
    assert event.details["job"] == job_url.rsplit("/", 1)[1] and event.details["villages"] == 10


def test_a_large_area_overview_is_not_built_in_the_request(app, client, demo):
    app.config["OVERVIEW_DIRECT_VILLAGES"] = 5
    login(client, make_user(Role.ADMIN, "admin@example.org").email)
    assert client.get(f"/downloads/{ROUND}/area/32.73/overview.xlsx").status_code == 409
    page = client.get(f"/downloads/{ROUND}/").get_data(as_text=True)
    assert 'name="kind" value="overview"' in page  # offered as a prepared download instead
    with prepared_download(app, client, ROUND, kind="overview", area_code="32.73") as response:
        assert response.status_code == 200


def test_a_failing_job_is_retried_then_shown_as_failed_with_its_reason(app, client, demo, monkeypatch):
    calls = []

    def broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        raise OSError("disk full")

    monkeypatch.setattr(jobs, "area_overview", broken)
    login(client, make_user(Role.ADMIN, "admin@example.org").email)
    client.get("/lang/en")
    job_url = _started(client, kind="overview", area_code="32.73.01")
    assert app.extensions["queue"].run_pending() == 2  # the first try and one retry
    job = _job(job_url.rsplit("/", 1)[1])
    assert len(calls) == 2 and job.attempts == 2 and job.status is JobStatus.FAILED
    assert job.error == "OSError: disk full"
    page = client.get(job_url).get_data(as_text=True)
    assert "Failed" in page and "OSError: disk full" in page
    assert _results(app) == []  # nothing half-written left behind


def test_a_job_refused_at_run_time_is_not_retried(app, client, demo):
    """The owner's scope is read again when the job runs: narrowed meanwhile, the job fails at once."""
    coordinator = make_user(Role.COORDINATOR, "coord@example.org", ["32.73.01"])
    login(client, coordinator.email)
    job_url = _started(client, kind="area_zip", area_code="32.73.01")
    db.session.execute(sa.update(UserScope).where(UserScope.user_id == coordinator.id).values(code_prefix="32.73.02"))
    db.session.commit()
    assert app.extensions["queue"].run_pending() == 1
    job = _job(job_url.rsplit("/", 1)[1])
    assert job.status is JobStatus.FAILED and job.attempts == 1 and "in your area" in (job.error or "")


def test_a_file_is_refused_when_the_scope_no_longer_covers_it_and_gone_once_expired(app, client, demo):
    coordinator = make_user(Role.COORDINATOR, "coord@example.org", ["32.73.02"])
    login(client, coordinator.email)
    client.get("/lang/en")
    job_url = _started(client, kind="responses", fmt="csv")
    assert app.extensions["queue"].run_pending() == 1
    job = _job(job_url.rsplit("/", 1)[1])
    assert job.status is JobStatus.DONE and job.total > 0 and _results(app) == [f"{job.id}.csv"]

    db.session.execute(sa.update(UserScope).where(UserScope.user_id == coordinator.id).values(code_prefix="32.73.01"))
    db.session.commit()
    assert client.get(f"{job_url}/file").status_code == 403  # moved to another district since it started
    db.session.execute(sa.update(UserScope).where(UserScope.user_id == coordinator.id).values(code_prefix="32.73.02"))
    db.session.commit()

    assert jobs.purge(utcnow() + timedelta(hours=1)) == (0, 0)  # kept for RESULT_HOURS
    expired, _failed = jobs.purge(utcnow() + timedelta(hours=app.config["RESULT_HOURS"], minutes=1))
    assert expired == 1 and _results(app) == [] and _job(job.id).status is JobStatus.EXPIRED
    assert client.get(f"{job_url}/file").status_code == 410
    assert "expired" in client.get(job_url).get_data(as_text=True)


def _run_queue_in_child(app) -> None:  # type: ignore[no-untyped-def]
    Queue(app).run_pending()  # its own connection to the queue's storage


def test_a_worker_killed_halfway_leaves_no_file_that_looks_finished(app, client, demo, monkeypatch):
    login(client, make_user(Role.ADMIN, "admin@example.org").email)
    job_id = _started(client, kind="responses", fmt="xlsx").rsplit("/", 1)[1]
    context = multiprocessing.get_context("fork")
    writing = context.Event()
    original = reports.export._rows

    def stuck_rows(*args, **kwargs):  # type: ignore[no-untyped-def]
        for row in original(*args, **kwargs):
            yield row
            writing.set()
            time.sleep(60)

    monkeypatch.setattr(reports.export, "_rows", stuck_rows)
    db.session.close()
    db.engine.dispose()  # the child opens its own connections
    child = context.Process(target=_run_queue_in_child, args=(app,))
    child.start()
    try:
        assert writing.wait(60), "the job never started writing"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.join(30)
    names = _results(app)
    assert names and all(name.startswith(".") and name.endswith(".partial") for name in names)
    assert _job(job_id).status is JobStatus.RUNNING

    later = utcnow() + timedelta(minutes=app.config["JOB_STALL_MINUTES"] + 1)
    assert jobs.purge(later) == (0, 1)
    job = _job(job_id)
    assert job.status is JobStatus.FAILED and "worker stopped" in (job.error or "")
    assert _results(app) == []


def test_a_bulk_build_counts_every_chunk_and_names_the_villages_that_failed(app, client, demo, monkeypatch,
                                                                            tmp_path):
    original = jobs.build_reports

    def failing_second_chunk(inputs, out_dir, **kwargs):  # type: ignore[no-untyped-def]
        if any(v.code == "32.73.01.1004" for v in inputs.villages):
            raise RuntimeError("printer on fire")
        return original(inputs, out_dir, **kwargs)

    monkeypatch.setattr(jobs, "build_reports", failing_second_chunk)
    from survey_app.operations.rounds import get_round
    from survey_app.reporting.service import round_villages

    round_ = get_round(ROUND)
    villages = round_villages(round_, area_code="32.73.01")
    out = tmp_path / "out"
    job = jobs.start_build(round_, villages, out, 3, lang="id", min_n=30, free_text=False)
    db.session.commit()
    assert app.extensions["queue"].run_pending() == 3  # chunk 1, chunk 2 and its one retry
    job = _job(job.id)
    assert (job.status, job.done, job.failed, job.total) == (JobStatus.DONE, 3, 1, 4)
    assert "printer on fire" in (job.error or "")
    assert sorted(p.name for p in out.iterdir()) == [
        "32.73.01.1001-sukarasa.xlsx", "32.73.01.1002-gegerkalong.xlsx", "32.73.01.1003-isola.xlsx"]
    login(client, make_user(Role.ADMIN, "admin@example.org").email)  # an admin may look at a CLI job
    client.get("/lang/en")
    page = client.get(f"/downloads/jobs/{job.id}").get_data(as_text=True)
    assert f"Workbooks written to {out}" in page and "32.73.01.1004" in page, page


def test_cli_build_on_the_queue_with_a_real_worker_writes_what_the_local_build_writes(app, runner, demo, tmp_path):
    env = {**os.environ, "FLASK_APP": "wsgi", "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "QUEUE_URL": app.config["QUEUE_URL"], "RESULTS_DIR": app.config["RESULTS_DIR"]}
    db.session.close()
    worker = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "flask", "queue", "worker", "--workers", "2"], cwd=PROJECT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    result: list[object] = []
    try:
        build = threading.Thread(target=lambda: result.append(runner.invoke(args=[
            "reports", "build", "--round", ROUND, "--area", "32.73", "--queue", "--chunk", "3",
            "--out", str(tmp_path / "queued")])), daemon=True)
        build.start()
        build.join(180)
        assert not build.is_alive(), "the queued build did not finish"
    finally:
        worker.send_signal(signal.SIGINT)  # a graceful stop: running tasks finish
        output, _ = worker.communicate(timeout=60)
    (invoked,) = result
    assert invoked.exit_code == 0, (invoked.output, output)  # type: ignore[attr-defined]
    assert "Wrote 10 workbook(s)" in invoked.output  # type: ignore[attr-defined]
    assert "Queue worker: 2 process(es)" in output

    local = runner.invoke(args=["reports", "build", "--round", ROUND, "--area", "32.73", "-j", "1",
                                "--out", str(tmp_path / "local")])
    assert local.exit_code == 0, local.output
    queued = sorted((tmp_path / "queued").iterdir())
    assert [p.name for p in queued] == sorted(p.name for p in (tmp_path / "local").iterdir())
    for path in queued:
        assert _values(path) == _values(tmp_path / "local" / path.name)
    (job,) = db.session.scalars(sa.select(Job))
    assert (job.status, job.done, job.total, job.actor) == (JobStatus.DONE, 10, 10, "cli")


def _values(path: Path) -> list[list[object]]:
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        return [[sheet.title, *row] for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)
                if not any(isinstance(v, str) and v.startswith(("Dibuat", "Made")) for v in row)]
    finally:
        workbook.close()


def test_the_queue_runs_on_redis_as_on_its_sqlite_file(app, client, demo):
    """Several machines share the queue through Redis (the local one, present in CI)."""
    app.config.update(QUEUE_URL="redis://127.0.0.1:6379/13", QUEUE_NAME=f"test-{uuid.uuid4()}")
    app.extensions["queue"] = Queue(app)  # built from the new settings on first use
    login(client, make_user(Role.ADMIN, "admin@example.org").email)
    try:
        with prepared_download(app, client, ROUND, kind="overview", area_code="32.73.01") as response:
            assert response.status_code == 200 and response.data[:2] == b"PK"
        assert app.extensions["queue"].huey.storage.queue_size() == 0
    finally:
        app.extensions["queue"].huey.storage.flush_all()


def test_an_unknown_queue_storage_is_refused_with_the_forms_it_takes():
    from survey_app.config import ConfigError
    from survey_app.queue import make_huey

    with pytest.raises(ConfigError, match="sqlite:///"):
        make_huey("amqp://guest@127.0.0.1:5672", "reports")
