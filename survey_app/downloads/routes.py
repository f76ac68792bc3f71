"""Download views: thin wrappers that check who may have what, call the reporting service and send a file.

Who may download what:

- a village report: admins and coordinators for any village in their scope, viewers for
  the village(s) of their scope only (a viewer without a scope gets none);
- a zip of an area's village reports, the area overview and the raw export: staff only
  (admins and coordinators), limited to their scope;
- free-text answers (``?free_text=1``): admins only.

Every download is written to the audit log before the file is sent.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO

import sqlalchemy as sa
from flask import abort, render_template, request, send_file, stream_with_context
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from reports.bulk import build_reports
from reports.export import WRITERS, ExportOptions, csv_chunks, write_xlsx
from reports.text import LANGUAGES
from survey_app.access import STAFF, roles_required, user_covers
from survey_app.database import end_read_only_request, read_only_request
from survey_app.downloads import bp
from survey_app.extensions import db
from survey_app.models import Area, Role, Round, RoundStatus, User, Village
from survey_app.operations import OperationError
from survey_app.reporting.service import (
    AreaRef,
    area_filename,
    area_overview,
    bulk_inputs,
    find_area,
    record_download,
    report_options,
    response_export,
    round_villages,
    village_filename,
    village_report,
)

READERS = (Role.ADMIN, Role.COORDINATOR, Role.VIEWER)
XLSX = WRITERS["xlsx"][2]
_SPOOL_BYTES = 16 * 1024 * 1024
"""An XLSX export up to this size is built in memory, a larger one in a temporary file."""
LEVEL_LABELS = {"district": _l("District"), "regency": _l("Regency/city"), "province": _l("Province")}


@bp.before_request
def _read_only_request() -> None:
    """Downloads only read. End the transaction the app's own hooks began (on SQLite a
    ``BEGIN IMMEDIATE``, which would hold back every resident's submission while a file is
    built) and read the rest of the request in deferred transactions."""
    db.session.commit()
    read_only_request()


@bp.teardown_request
def _end_read_only(_exc: BaseException | None) -> None:
    end_read_only_request()


def _round(slug: str) -> Round:
    round_ = db.session.scalar(sa.select(Round).where(Round.slug == slug, Round.status != RoundStatus.DRAFT))
    if round_ is None:
        abort(404)
    return round_


def _lang() -> str:
    lang = request.args.get("lang", "id")
    if lang not in LANGUAGES:
        abort(400, description=_l("Unknown report language."))
    return lang


def _free_text() -> bool:
    """Free-text answers can identify a resident: only an admin may add them."""
    wanted = request.args.get("free_text") in ("1", "true", "yes")
    if wanted and current_user.role is not Role.ADMIN:
        abort(403)
    return wanted


def may_see_village(user: User, code: str) -> bool:
    """Staff within their scope; a viewer only within an explicit scope (never everywhere)."""
    if user.role is Role.VIEWER and not user.scope_prefixes:
        return False
    return user_covers(user, code)


def _area_in_scope(code: str) -> AreaRef:
    try:
        area = find_area(code)
    except OperationError:
        abort(404)
    if not user_covers(current_user, area.code):
        abort(403)
    return area


@bp.route("/")
@roles_required(*READERS)
def index():  # type: ignore[no-untyped-def]
    """Rounds whose reports can be downloaded."""
    rounds = db.session.scalars(
        sa.select(Round).where(Round.status != RoundStatus.DRAFT).order_by(Round.opens_on.desc(), Round.id.desc())
    ).all()
    return render_template("downloads/index.html", rounds=rounds)


@bp.route("/<round_slug>/")
@roles_required(*READERS)
def round_page(round_slug: str):  # type: ignore[no-untyped-def]
    """The round's villages in the user's scope, each with its report, and the area downloads for staff."""
    round_ = _round(round_slug)
    villages = [v for v in round_villages(round_) if may_see_village(current_user, v.code)]
    areas: list[Area] = []
    if current_user.role in STAFF and villages:
        codes = {v.district_code for v in villages} | {".".join(v.code.split(".")[:2]) for v in villages}
        areas = [a for a in db.session.scalars(sa.select(Area).where(Area.code.in_(codes)).order_by(Area.code))
                 if user_covers(current_user, a.code)]
    return render_template(
        "downloads/round.html", round=round_, villages=villages, areas=areas, level_labels=LEVEL_LABELS,
        is_staff=current_user.role in STAFF, is_admin=current_user.role is Role.ADMIN,
    )


@bp.route("/<round_slug>/village/<village_code>.xlsx")
@roles_required(*READERS)
def village(round_slug: str, village_code: str) -> Response:
    """One village's workbook."""
    round_ = _round(round_slug)
    lang, free_text = _lang(), _free_text()
    target = db.session.scalar(sa.select(Village).where(Village.code == village_code))
    if target is None:
        abort(404)
    if not may_see_village(current_user, target.code):
        abort(403)
    try:
        round_villages(round_, village_code=target.code)
    except OperationError:
        abort(404)  # not in this round
    data = village_report(round_, target, report_options(lang, round_.min_n, free_text))
    record_download(current_user, "village", target.code, what="village_report", round=round_.name, lang=lang,
                    free_text=free_text)
    return _send(data, village_filename(target, round_), XLSX)


@bp.route("/<round_slug>/area/<area_code>/reports.zip")
@roles_required(*STAFF)
def area_zip(round_slug: str, area_code: str) -> Response:
    """All village reports of a district or regency in one zip, one workbook per village."""
    round_ = _round(round_slug)
    lang, free_text = _lang(), _free_text()
    area = _area_in_scope(area_code)
    villages = _area_villages(round_, area)
    options = report_options(lang, round_.min_n, free_text)
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="polmas-reports-") as folder:
        # One process: forking a web worker is not safe; large areas are for the CLI.
        results = build_reports(bulk_inputs(round_, villages, options), Path(folder), processes=1)
        failed = [r.village.code for r in results if not r.ok]
        if failed:
            abort(500, description=f"reports failed for {', '.join(failed)}")
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for result in results:
                assert result.path is not None  # noqa: S101 - ok results have a path
                archive.write(result.path, result.path.name)
    record_download(current_user, "area", area.code, what="village_reports_zip", round=round_.name, lang=lang,
                    free_text=free_text, villages=len(villages))
    return _send(buffer.getvalue(), area_filename(round_, area, "reports", ".zip"), "application/zip")


@bp.route("/<round_slug>/area/<area_code>/overview.xlsx")
@roles_required(*STAFF)
def overview(round_slug: str, area_code: str) -> Response:
    """The area overview: one row per village, unadjusted and BH-adjusted significance."""
    round_ = _round(round_slug)
    lang = _lang()
    area = _area_in_scope(area_code)
    villages = _area_villages(round_, area)
    data = area_overview(round_, area, villages, report_options(lang, round_.min_n))
    record_download(current_user, "area", area.code, what="overview", round=round_.name, lang=lang,
                    villages=len(villages))
    return _send(data, area_filename(round_, area, "overview", ".xlsx"), XLSX)


@bp.route("/<round_slug>/responses.<fmt>")
@roles_required(*STAFF)
def responses(round_slug: str, fmt: str) -> Response:
    """The raw export of the round (villages in the user's scope), codes or ``?labels=1``."""
    round_ = _round(round_slug)
    if fmt not in WRITERS:
        abort(404)
    lang, free_text = _lang(), _free_text()
    labels = request.args.get("labels") in ("1", "true", "yes")
    filename = f"{round_.slug}-responses{'-labels' if labels else ''}.{fmt}"
    options = ExportOptions(labels=labels, lang=lang, include_free_text=free_text)
    audit = {"what": "responses", "round": round_.name, "format": fmt, "labels": labels, "free_text": free_text}
    if fmt == "xlsx":  # a zip needs all its content first: written to a temporary file, not to memory
        # Small exports stay in memory, large ones go to disk; send_file closes it.
        spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_BYTES)  # noqa: SIM115
        with response_export(round_, options, current_user.scope_prefixes) as table:
            record_download(current_user, "round", round_.id, rows=table.row_count, **audit)
            write_xlsx(table, spool)
        spool.seek(0)
        return _send(spool, filename, XLSX)
    # CSV is streamed as it is read, so memory stays flat however large the round.
    export = ExitStack()
    table = export.enter_context(response_export(round_, options, current_user.scope_prefixes))
    try:
        record_download(current_user, "round", round_.id, rows=table.row_count, **audit)
    except BaseException:
        export.close()
        raise

    def body() -> Iterator[str]:
        try:
            yield "\ufeff"
            yield from csv_chunks(table)
        finally:
            export.close()  # as soon as the last row is sent; call_on_close covers a body never read

    response = Response(stream_with_context(body()), mimetype=WRITERS["csv"][2])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.call_on_close(export.close)
    return response


def _area_villages(round_: Round, area: AreaRef) -> list[Village]:
    try:
        villages = round_villages(round_, area_code=area.code, user=current_user)
    except OperationError:
        abort(404)
    if not villages:
        abort(404)
    return villages


def _send(data: bytes | IO[bytes], filename: str, mimetype: str) -> Response:
    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    response = send_file(stream, mimetype=mimetype, as_attachment=True, download_name=filename,
                         max_age=0)
    response.headers["Cache-Control"] = "private, no-store"  # reports are not for shared caches
    return response
