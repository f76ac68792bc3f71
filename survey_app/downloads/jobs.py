"""Queued downloads: start a job, follow it, fetch its file.

Area zips, overviews of large areas and raw exports are built by queue workers
(``survey_app.reporting.jobs``), never inside a request. The person who started a job (or an
admin) can follow it on its page, leave, come back and download the file until it expires.
The file is audited when it is handed out, and only if the user's scope still covers it.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from flask import abort, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from reports.export import WRITERS
from survey_app.access import STAFF, roles_required, user_covers
from survey_app.downloads import bp
from survey_app.downloads.forms import JobForm
from survey_app.downloads.routes import area_in_scope, area_villages, in_scope, round_or_404, send_download
from survey_app.extensions import db
from survey_app.models import Job, JobKind, JobStatus, Role
from survey_app.reporting import jobs
from survey_app.reporting.service import record_download, report_languages

KIND_LABELS = {
    JobKind.AREA_ZIP: _l("All village reports (zip)"),
    JobKind.OVERVIEW: _l("Overview"),
    JobKind.RESPONSES: _l("Answers (raw data)"),
    JobKind.BUILD: _l("Village reports (folder)"),
}
STATUS_LABELS = {
    JobStatus.QUEUED: _l("Waiting for a worker"),
    JobStatus.RUNNING: _l("Being built"),
    JobStatus.DONE: _l("Ready"),
    JobStatus.FAILED: _l("Failed"),
    JobStatus.EXPIRED: _l("Expired"),
}
AUDIT_WHAT = {JobKind.AREA_ZIP: "village_reports_zip", JobKind.OVERVIEW: "overview", JobKind.RESPONSES: "responses"}
MEDIA_TYPES = {".zip": "application/zip", **{f".{fmt}": media for fmt, (_w, _m, media) in WRITERS.items()}}
RECENT_JOBS = 50


@bp.route("/<round_slug>/jobs", methods=["POST"])
@roles_required(*STAFF)
def start_job(round_slug: str) -> Response:
    """Queue an area zip, an overview or a raw export, and go to its page."""
    round_ = round_or_404(round_slug)
    form = JobForm()
    form.lang.choices = [(code, code) for code in report_languages(round_)]
    if not form.validate_on_submit():
        abort(400, description=_l("This download request is not valid; please start it from the round page."))
    kind = JobKind(form.kind.data)
    free_text = form.free_text.data
    if free_text and current_user.role is not Role.ADMIN:
        abort(403)  # free-text answers can identify a resident
    params = {"lang": form.lang.data, "free_text": free_text}
    if kind is JobKind.RESPONSES:
        in_scope(round_)  # 403 for a round entirely outside the user's area
        job = jobs.start(kind, current_user, round_, total=0, fmt=form.fmt.data, labels=form.labels.data,
                         scope=list(current_user.scope_prefixes), **params)
    else:
        area = area_in_scope(form.area_code.data or "")
        villages = area_villages(round_, area)
        job = jobs.start(kind, current_user, round_, total=len(villages), area_code=area.code,
                         scope=[area.code], **params)
    return redirect(url_for("downloads.job", job_id=job.id), code=303)


@bp.route("/jobs/")
@roles_required(*STAFF)
def job_list():  # type: ignore[no-untyped-def]
    """The user's recent jobs, newest first."""
    jobs_ = db.session.scalars(
        sa.select(Job).where(Job.user_id == current_user.id).order_by(Job.created_at.desc()).limit(RECENT_JOBS)
    ).all()
    return render_template("downloads/jobs.html", jobs=jobs_, kind_labels=KIND_LABELS,
                           status_labels=STATUS_LABELS, stalled=jobs.stalled)


@bp.route("/jobs/<job_id>")
@roles_required(*STAFF)
def job(job_id: str):  # type: ignore[no-untyped-def]
    """A job's progress (the page reloads itself until it is finished) and, when ready, its file."""
    found = _own_job(job_id)
    return render_template("downloads/job.html", job=found, kind_labels=KIND_LABELS, status_labels=STATUS_LABELS,
                           stalled=jobs.stalled(found), ready=jobs.result_path(found) is not None)


@bp.route("/jobs/<job_id>/file")
@roles_required(*STAFF)
def job_file(job_id: str) -> Response:
    """The job's file, audited; 410 once it has expired."""
    found = _own_job(job_id)
    path = jobs.result_path(found)
    if path is None:
        if found.status in (JobStatus.DONE, JobStatus.EXPIRED):
            abort(410, description=_l("This file has expired and was deleted. Please start it again."))
        return redirect(url_for("downloads.job", job_id=found.id))
    if not all(user_covers(current_user, code) for code in found.params.get("scope") or [""]):
        abort(403)  # the user's scope changed since the job started
    if found.params.get("free_text") and current_user.role is not Role.ADMIN:
        abort(403)
    object_type, object_id = ("area", found.area_code) if found.area_code else ("round", found.round_id)
    details = {key: value for key, value in found.params.items() if key != "scope"}
    details["villages" if found.area_code else "rows"] = found.total
    record_download(current_user, object_type, object_id, what=AUDIT_WHAT[found.kind], round=found.round.name,
                    job=found.id, **details)
    return send_download(path, found.download_name or path.name, MEDIA_TYPES[Path(path).suffix])


def _own_job(job_id: str) -> Job:
    """The job if the current user started it (admins may see every job); 404 otherwise."""
    found = db.session.get(Job, job_id)
    if found is None or (found.user_id != current_user.id and current_user.role is not Role.ADMIN):
        abort(404)
    return found
