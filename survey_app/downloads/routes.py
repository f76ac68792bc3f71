"""Download views: thin wrappers that check who may have what, call the reporting service and send a file.

Who may download what:

- a village report: admins and coordinators for any village in their scope, viewers for
  the village(s) of their scope only (a viewer without a scope gets none);
- a zip of an area's village reports, the area overview and the raw export: staff only
  (admins and coordinators), limited to their scope;
- free-text answers (``?free_text=1``): admins only.

Zips, raw exports and the overviews of large areas are built on the task queue
(``survey_app.downloads.jobs``); a village report and a small overview are sent at once.
Every download is written to the audit log before the file is sent.
"""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path
from typing import IO

import sqlalchemy as sa
from flask import abort, current_app, render_template, request, send_file
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from reports.export import WRITERS
from survey_app.access import STAFF, roles_required, user_covers
from survey_app.database import end_read_only_request, read_only_request
from survey_app.downloads import bp
from survey_app.downloads.forms import JobForm
from survey_app.extensions import db
from survey_app.models import Area, Role, Round, RoundStatus, User, Village
from survey_app.operations import OperationError
from survey_app.reporting.results import area_results, page_options, village_results
from survey_app.reporting.service import (
    AreaRef,
    area_filename,
    area_overview,
    find_area,
    record_download,
    report_language,
    report_languages,
    report_options,
    round_villages,
    village_filename,
    village_report,
)

READERS = (Role.ADMIN, Role.COORDINATOR, Role.VIEWER)
XLSX = WRITERS["xlsx"][2]
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


def round_or_404(slug: str) -> Round:
    round_ = db.session.scalar(sa.select(Round).where(Round.slug == slug, Round.status != RoundStatus.DRAFT))
    if round_ is None:
        abort(404)
    return round_


def _lang(round_: Round) -> str:
    try:
        return report_language(round_, request.args.get("lang", "id"))
    except OperationError:
        abort(400, description=_l("Unknown report language."))


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


def area_in_scope(code: str) -> AreaRef:
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
    round_ = round_or_404(round_slug)
    villages = in_scope(round_)
    areas: list[Area] = []
    sizes = Counter(code for v in villages for code in (v.district_code, ".".join(v.code.split(".")[:2])))
    if current_user.role in STAFF:
        areas = [a for a in db.session.scalars(sa.select(Area).where(Area.code.in_(sizes)).order_by(Area.code))
                 if user_covers(current_user, a.code)]
    options = page_options(round_)
    return render_template(
        "downloads/round.html", round=round_, villages=villages, areas=areas, level_labels=LEVEL_LABELS,
        is_staff=current_user.role in STAFF, is_admin=current_user.role is Role.ADMIN, form=JobForm(),
        area_sizes=sizes, direct_overview=current_app.config["OVERVIEW_DIRECT_VILLAGES"],
        results=area_results(round_, current_user, options), min_n=options.min_n,
        report_languages=report_languages(round_),
    )


def _village_of(round_: Round, code: str) -> Village:
    """The round's village with this code, if the user may see it."""
    target = db.session.scalar(sa.select(Village).where(Village.code == code))
    if target is None:
        abort(404)
    if not may_see_village(current_user, target.code):
        abort(403)
    try:
        round_villages(round_, village_code=target.code)
    except OperationError:
        abort(404)  # not in this round
    return target


GOAL_STATUS_LABELS = {"reached": _l("reached"), "not_yet": _l("not yet"), "missed": _l("missed"),
                      "too_few": _l("too few answers"), "not_comparable": _l("cannot be judged: the series breaks")}


@bp.route("/<round_slug>/village/<village_code>/")
@roles_required(*READERS)
def village_page(round_slug: str, village_code: str):  # type: ignore[no-untyped-def]
    """One village's headline results across rounds, as charts, beside its workbook."""
    round_ = round_or_404(round_slug)
    target = _village_of(round_, village_code)
    options = page_options(round_)
    return render_template("downloads/village.html", round=round_, village=target, min_n=options.min_n,
                           results=village_results(round_, target, options), is_admin=current_user.role is Role.ADMIN,
                           report_languages=report_languages(round_), goal_status_labels=GOAL_STATUS_LABELS)


@bp.route("/<round_slug>/village/<village_code>.xlsx")
@roles_required(*READERS)
def village(round_slug: str, village_code: str) -> Response:
    """One village's workbook."""
    round_ = round_or_404(round_slug)
    lang, free_text = _lang(round_), _free_text()
    target = _village_of(round_, village_code)
    data = village_report(round_, target, report_options(round_, lang, include_free_text=free_text))
    record_download(current_user, "village", target.code, what="village_report", round=round_.name, lang=lang,
                    free_text=free_text)
    return send_download(data, village_filename(target, round_), XLSX)


@bp.route("/<round_slug>/area/<area_code>/overview.xlsx")
@roles_required(*STAFF)
def overview(round_slug: str, area_code: str) -> Response:
    """The overview of a small area, built at once: one row per village, unadjusted and
    BH-adjusted significance. Larger areas go through the queue (``start_job``)."""
    round_ = round_or_404(round_slug)
    lang = _lang(round_)
    area = area_in_scope(area_code)
    villages = area_villages(round_, area)
    if len(villages) > current_app.config["OVERVIEW_DIRECT_VILLAGES"]:
        abort(409, description=_l("This area has too many villages to build its overview at once: "
                                  "prepare it from the round page, and download it when it is ready."))
    data = area_overview(round_, area, villages, report_options(round_, lang))
    record_download(current_user, "area", area.code, what="overview", round=round_.name, lang=lang,
                    villages=len(villages))
    return send_download(data, area_filename(round_, area, "overview", ".xlsx"), XLSX)


def in_scope(round_: Round) -> list[Village]:
    """The round's villages the user may see; 403 for a round entirely outside their area."""
    villages = [v for v in round_villages(round_) if may_see_village(current_user, v.code)]
    if not villages:
        abort(403)
    return villages


def area_villages(round_: Round, area: AreaRef) -> list[Village]:
    try:
        villages = round_villages(round_, area_code=area.code, user=current_user)
    except OperationError:
        abort(404)
    if not villages:
        abort(404)
    return villages


def send_download(data: bytes | IO[bytes] | Path, filename: str, mimetype: str) -> Response:
    """A file attachment that no shared cache keeps."""
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    response = send_file(source, mimetype=mimetype, as_attachment=True, download_name=filename, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"  # reports are not for shared caches
    return response
