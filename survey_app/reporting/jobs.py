"""Long report work, run by queue workers: area zips, large overviews, raw exports and bulk
builds of many villages.

``start`` writes a ``Job`` row and puts its id on the queue (``survey_app.queue``); a worker
calls ``run`` (or ``run_chunk`` for one slice of a bulk build). Progress, the result and the
reason of a failure go to the row, which the web pages and the CLI read. Access is decided
twice: when the job starts (by the view) and again when it runs, with the owner's scope as it
is then, so a job never hands out more than its owner may see at that moment.

A job's file is written under a hidden partial name and renamed when complete
(``reports.files.written_whole``): a worker killed halfway leaves nothing that looks finished,
and the job is then failed by ``purge`` once its heartbeat is old.
"""

from __future__ import annotations

import dataclasses
import secrets
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import current_app

from reports.bulk import BuiltReport, build_reports
from reports.export import ExportOptions, write_file
from reports.files import PARTIAL_SUFFIX, written_whole
from survey_app.database import read_only, writing
from survey_app.extensions import db
from survey_app.models import Job, JobKind, JobStatus, Round, User, Village
from survey_app.models._types import as_utc, utcnow
from survey_app.operations import OperationError
from survey_app.reporting.service import (
    area_filename,
    area_overview,
    bulk_inputs,
    find_area,
    report_options,
    response_export,
    round_villages,
)

CLI_ACTOR = "cli"
HEARTBEAT_SECONDS = 1.0
"""A running job writes its progress at most this often: enough for a progress bar, few writes."""

T = TypeVar("T")


class JobRefused(Exception):
    """The job may not (or can no longer) run; trying again would not help."""


# --- starting ----------------------------------------------------------------------------------------


def start(kind: JobKind, actor: User | str, round_: Round, *, total: int, area_code: str | None = None,
          **params: Any) -> Job:
    """Record a job and put it on the queue; returns the committed row."""
    job = _record(kind, actor, round_, total=total, area_code=area_code, **params)
    _queue().enqueue_job(job.id)
    return job


def start_build(round_: Round, villages: Sequence[Village], out_dir: Path, chunk_size: int, **params: Any) -> Job:
    """A bulk build fanned out in chunks of villages, one queue task per chunk, so every running
    worker (on any machine that sees ``out_dir``) takes a share."""
    job = _record(JobKind.BUILD, CLI_ACTOR, round_, total=len(villages), out=str(out_dir), **params)
    ids = [v.id for v in villages]
    for first in range(0, len(ids), chunk_size):
        _queue().enqueue_chunk(job.id, ids[first:first + chunk_size])
    return job


def _record(kind: JobKind, actor: User | str, round_: Round, *, total: int, area_code: str | None = None,
            **params: Any) -> Job:
    job = Job(id=secrets.token_hex(16), kind=kind, user_id=actor.id if isinstance(actor, User) else None,
              actor=actor.email if isinstance(actor, User) else actor, round_id=round_.id, area_code=area_code,
              params=params, total=total, status=JobStatus.QUEUED)
    db.session.rollback()  # the caller only read; the job row goes in its own short transaction
    with writing():
        db.session.add(job)
        db.session.commit()
    return job


def _queue() -> Any:
    return current_app.extensions["queue"]


# --- running -----------------------------------------------------------------------------------------


class Progress:
    """Counts what a running job has done, and writes it (with a heartbeat) now and then."""

    def __init__(self, job_id: str, total: int) -> None:
        self.job_id, self.total, self.done = job_id, total, 0
        self._written = time.monotonic()

    def advance(self, count: int = 1) -> None:
        self.done += count
        if time.monotonic() - self._written >= HEARTBEAT_SECONDS:
            self._written = time.monotonic()
            _update(self.job_id, done=self.done, total=max(self.total, self.done), heartbeat_at=utcnow())

    def counted(self, items: Iterable[T]) -> Iterator[T]:
        """``items``, advancing by one for each."""
        for item in items:
            yield item
            self.advance()


Runner = Callable[[Job, Path, Progress], str]
"""Writes a job's file to the given (partial) path and returns the name it is downloaded under."""


def run(job_id: str, *, final: bool) -> None:
    """Run one queued job to its file. An error is raised again (the queue retries the job)
    unless this was the ``final`` try; then, as for a refusal, the job is failed with the reason.

    Everything but the job row's own short writes is read in ``read_only()`` transactions, so
    a job never holds back a resident's submission on SQLite."""
    with read_only():
        try:
            job = _claim(job_id)
            if job is None:
                return  # gone or already finished: a repeated delivery
            target = results_dir() / f"{job.id}{RESULT_SUFFIX[job.kind](job)}"
            progress = Progress(job.id, job.total)
            with written_whole(target) as partial:
                name = RUNNERS[job.kind](job, partial, progress)
        except (JobRefused, OperationError) as exc:
            _fail(job_id, str(exc))
            return
        except Exception as exc:
            _fail(job_id, f"{type(exc).__name__}: {exc}", retrying=not final)
            if final:
                return
            raise
        finally:
            db.session.rollback()
    finished = utcnow()
    _update(job_id, status=JobStatus.DONE, result_file=target.name, download_name=name, error=None,
            done=progress.done, total=max(progress.total, progress.done), finished_at=finished, heartbeat_at=finished,
            expires_at=finished + timedelta(hours=current_app.config["RESULT_HOURS"]))


def run_chunk(job_id: str, village_ids: Sequence[int], *, final: bool) -> None:
    """Build the workbooks of some villages of a bulk build into its folder and count them in."""
    with read_only():
        try:
            job = db.session.get(Job, job_id)
            if job is None or job.finished:
                return
            _update(job_id, status=JobStatus.RUNNING, heartbeat_at=utcnow())
            results = _build_villages(job, village_ids)
        except Exception as exc:
            if not final:
                raise
            db.session.rollback()
            codes = db.session.scalars(sa.select(Village.code).where(Village.id.in_(village_ids))).all()
            _count_in(job_id, 0, len(village_ids),
                      "".join(f"{code}: {type(exc).__name__}: {exc}\n" for code in sorted(codes)))
            return
        finally:
            db.session.rollback()
    failed = [r for r in results if not r.ok]
    _count_in(job_id, len(results) - len(failed), len(failed),
              "".join(f"{r.village.code} {r.village.name}: {r.error}\n" for r in failed))


def _build_villages(job: Job, village_ids: Sequence[int]) -> list[BuiltReport]:
    round_ = db.session.get_one(Round, job.round_id)
    villages = db.session.scalars(sa.select(Village).where(Village.id.in_(village_ids)).order_by(Village.code)).all()
    options = report_options(round_, job.params["lang"], job.params["min_n"], job.params["free_text"])
    return build_reports(bulk_inputs(round_, villages, options), Path(job.params["out"]), processes=1)


def _claim(job_id: str) -> Job | None:
    with writing():
        job = db.session.get(Job, job_id, with_for_update=True)
        if job is None or job.finished:
            db.session.rollback()
            return None
        job.status, job.attempts, job.done, job.heartbeat_at = JobStatus.RUNNING, job.attempts + 1, 0, utcnow()
        db.session.commit()
    return job


def _update(job_id: str, **values: Any) -> None:
    """Write to the job row in its own short transaction, beside any long read in progress."""
    with writing(), db.engine.begin() as connection:
        connection.execute(sa.update(Job).where(Job.id == job_id).values(**values))


def _fail(job_id: str, reason: str, *, retrying: bool = False) -> None:
    if retrying:
        _update(job_id, status=JobStatus.QUEUED, error=reason[:2000])
    else:
        _update(job_id, status=JobStatus.FAILED, error=reason[:2000], finished_at=utcnow())


def _count_in(job_id: str, done: int, failed: int, errors: str) -> None:
    """Add a chunk's villages to the build's counts; the last chunk finishes the job. One
    statement, so chunks finishing at the same moment on different workers both count."""
    complete = Job.done + Job.failed + done + failed >= Job.total
    now = utcnow()
    values: dict[str, Any] = {"error": sa.func.coalesce(Job.error, "") + errors} if errors else {}
    _update(job_id, done=Job.done + done, failed=Job.failed + failed, heartbeat_at=now,
            status=sa.case((complete, JobStatus.DONE.value), else_=JobStatus.RUNNING.value),
            finished_at=sa.case((complete, now), else_=None), **values)


# --- what each kind of job does ----------------------------------------------------------------------


def _owner(job: Job) -> User | None:
    """The user the job runs for (None: the command line, which sees everything)."""
    if job.user_id is None:
        return None
    owner = job.user
    if owner is None or not owner.active:
        raise JobRefused("The user who asked for this file is no longer active.")
    return owner


def _area_villages(job: Job) -> tuple[Round, Any, list[Village]]:
    round_ = db.session.get_one(Round, job.round_id)
    area = find_area(job.area_code or "")
    villages = round_villages(round_, area_code=area.code, user=_owner(job))
    if not villages:
        raise JobRefused(f"No village of {area.name} ({area.code}) in this round is in your area.")
    return round_, area, villages


def _area_zip(job: Job, out: Path, progress: Progress) -> str:
    round_, area, villages = _area_villages(job)
    progress.total = len(villages)
    options = report_options(round_, job.params["lang"], include_free_text=job.params["free_text"])
    folder = Path(tempfile.mkdtemp(prefix=".zip-", dir=out.parent))
    try:
        results = build_reports(bulk_inputs(round_, villages, options), folder, processes=1,
                                progress=lambda _report: progress.advance())
        failed = [f"{r.village.code} ({r.error})" for r in results if not r.ok]
        if failed:
            raise RuntimeError(f"reports failed for {', '.join(failed)}")
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for result in results:
                assert result.path is not None  # noqa: S101 - ok results have a path
                archive.write(result.path, result.path.name)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return area_filename(round_, area, "reports", ".zip")


def _overview(job: Job, out: Path, progress: Progress) -> str:
    round_, area, villages = _area_villages(job)
    out.write_bytes(area_overview(round_, area, villages, report_options(round_, job.params["lang"])))
    progress.advance(len(villages))
    return area_filename(round_, area, "overview", ".xlsx")


def _responses(job: Job, out: Path, progress: Progress) -> str:
    round_ = db.session.get_one(Round, job.round_id)
    owner = _owner(job)
    scope = [job.area_code] if job.area_code else (owner.scope_prefixes if owner else [])
    labels = job.params["labels"]
    options = ExportOptions(labels=labels, lang=job.params["lang"], include_free_text=job.params["free_text"])
    with response_export(round_, options, scope) as table:
        progress.total = table.row_count
        write_file(dataclasses.replace(table, rows=progress.counted(table.rows)), job.params["fmt"], out)
    return f"{round_.slug}-responses{'-labels' if labels else ''}.{job.params['fmt']}"


RUNNERS: dict[JobKind, Runner] = {
    JobKind.AREA_ZIP: _area_zip,
    JobKind.OVERVIEW: _overview,
    JobKind.RESPONSES: _responses,
}
RESULT_SUFFIX: dict[JobKind, Callable[[Job], str]] = {
    JobKind.AREA_ZIP: lambda _job: ".zip",
    JobKind.OVERVIEW: lambda _job: ".xlsx",
    JobKind.RESPONSES: lambda job: f".{job.params['fmt']}",
}


# --- results -----------------------------------------------------------------------------------------


def results_dir() -> Path:
    """The configured folder of job files, created on first use."""
    folder = Path(current_app.config["RESULTS_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def result_path(job: Job) -> Path | None:
    """The job's finished file, if it is ready and still kept."""
    if job.status is not JobStatus.DONE or job.result_file is None:
        return None
    if job.expires_at is not None and as_utc(job.expires_at) <= utcnow():
        return None
    path = results_dir() / job.result_file
    return path if path.is_file() else None


def stalled(job: Job, now: datetime | None = None) -> bool:
    """A running job whose worker has not reported for JOB_STALL_MINUTES: it was killed or lost."""
    if job.status is not JobStatus.RUNNING or job.heartbeat_at is None:
        return False
    limit = timedelta(minutes=current_app.config["JOB_STALL_MINUTES"])
    return as_utc(job.heartbeat_at) < (now or utcnow()) - limit


def purge(now: datetime | None = None) -> tuple[int, int]:
    """Delete the files of expired jobs and fail jobs whose worker stopped; also remove partial
    files left by killed workers. Returns (expired, failed). Run every few minutes by the
    queue's own scheduler, and by ``flask queue purge``."""
    now = now or utcnow()
    folder = results_dir()
    with writing():
        expired = db.session.scalars(sa.select(Job).where(Job.status == JobStatus.DONE, Job.expires_at <= now)).all()
        for job in expired:
            if job.result_file:
                (folder / job.result_file).unlink(missing_ok=True)
            job.status = JobStatus.EXPIRED
        running = db.session.scalars(sa.select(Job).where(Job.status == JobStatus.RUNNING)).all()
        lost = [job for job in running if stalled(job, now)]
        for job in lost:
            job.status, job.finished_at = JobStatus.FAILED, now
            job.error = "The worker stopped before the job was finished (killed or lost); please start it again."
        db.session.commit()
    limit = (now - timedelta(minutes=current_app.config["JOB_STALL_MINUTES"])).timestamp()
    for leftover in folder.glob(f".*{PARTIAL_SUFFIX}"):
        if leftover.stat().st_mtime < limit:
            leftover.unlink(missing_ok=True)
    for leftover in folder.glob(".zip-*"):
        if leftover.stat().st_mtime < limit:
            shutil.rmtree(leftover, ignore_errors=True)
    return len(expired), len(lost)
