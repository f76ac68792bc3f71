"""Console: villages. Browse the area tree, set targets, import the official list.

Admins and coordinators browse and set targets, each within their scope (checked here on
the server for every area and village); only admins import, since an import can rename
any area in the country.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import HiddenField, IntegerField
from wtforms.validators import NumberRange, Optional

from survey_app.access import STAFF, roles_required, user_covers
from survey_app.admin import bp
from survey_app.admin import village_queries as queries
from survey_app.extensions import db
from survey_app.models import Area, AreaLevel, Role, Village
from survey_app.operations import OperationError
from survey_app.operations.targets import set_area_target, set_village_target, villages_in_area
from survey_app.operations.village_upload import (
    MAX_UPLOAD_BYTES,
    OFFICIAL_FILES,
    Upload,
    UploadRejected,
    stage_upload,
)
from survey_app.operations.villages import MAX_TARGET, import_villages

FORM_OVERHEAD_BYTES = 64 * 1024  # multipart headers and the CSRF field around the files
LEVEL_LABELS = {AreaLevel.PROVINCE: _l("Province"), AreaLevel.REGENCY: _l("Regency / city"),
                AreaLevel.DISTRICT: _l("District")}
CHILD_LABELS = {None: _l("Provinces"), AreaLevel.PROVINCE: _l("Regencies and cities"),
                AreaLevel.REGENCY: _l("Districts"), AreaLevel.DISTRICT: _l("Villages")}


class TargetForm(FlaskForm):
    target = IntegerField(
        _l("Target (respondents)"),
        validators=[Optional(), NumberRange(min=1, max=MAX_TARGET,
                                            message=_l("Give a whole number from 1 to %(max)s, or leave it empty.",
                                                       max=MAX_TARGET))],
    )


class AreaTargetForm(TargetForm):
    confirmed = HiddenField()


def _csv_allowed() -> FileAllowed:
    return FileAllowed(["csv"], _l("Choose a .csv file."))


class VillageImportForm(FlaskForm):
    file = FileField(_l("One file: a flat CSV or a .zip of the four official files"),
                     validators=[FileAllowed(["csv", "zip"], _l("Choose a .csv or .zip file."))])
    provinces = FileField("provinces.csv", validators=[_csv_allowed()])
    regencies = FileField("regencies.csv", validators=[_csv_allowed()])
    districts = FileField("districts.csv", validators=[_csv_allowed()])
    villages = FileField("villages.csv", validators=[_csv_allowed()])


def _page() -> int:
    return request.args.get("page", 1, type=int) or 1


def _visible_area(code: str) -> Area:
    """The area at ``code``: 404 when unknown, 403 when neither in nor on the way to the scope."""
    area = db.get_or_404(Area, code)
    if not queries.area_visible(current_user, area.code):
        abort(403)
    return area


def _village_in_scope(code: str) -> Village:
    village = db.first_or_404(db.select(Village).where(Village.code == code))
    if not user_covers(current_user, village.code):
        abort(403)
    return village


@bp.route("/villages")
@roles_required(*STAFF)
def villages():  # type: ignore[no-untyped-def]
    """The area tree one level at a time, or search results; ``code`` is the current area."""
    code = request.args.get("code", "").strip() or None
    text = request.args.get("q", "").strip()
    area = _visible_area(code) if code else None
    context: dict[str, object] = {
        "area": area, "q": text, "crumbs": queries.breadcrumbs(area.code) if area else [],
        "level_labels": LEVEL_LABELS, "child_label": CHILD_LABELS[area.level if area else None],
        "can_set_area": area is not None and user_covers(current_user, area.code),
        "max_target": MAX_TARGET,
    }
    if text:
        page = queries.search_villages(current_user, text, code, _page())
        context.update(
            page=page, found_areas=queries.with_counts(current_user, queries.search_areas(current_user, text, code)),
            districts=queries.district_names({v.district_code for v in page.items}),
        )
    elif area is not None and area.level == AreaLevel.DISTRICT:
        context.update(page=queries.district_villages(current_user, area, _page()))
    else:
        page = queries.child_areas(current_user, area, _page())
        context.update(page=page, rows=queries.with_counts(current_user, list(page.items)))
    return render_template("admin/villages.html", **context)


@bp.route("/villages/<code>/target", methods=["GET", "POST"])
@roles_required(*STAFF)
def village_target(code: str):  # type: ignore[no-untyped-def]
    """Set or clear one village's target (empty = no target)."""
    village = _village_in_scope(code)
    form = TargetForm(data={"target": village.target_n} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            changed = set_village_target(village, form.target.data, current_user)
        except OperationError as exc:
            db.session.rollback()
            form.target.errors = [str(exc)]
        else:
            db.session.commit()
            if changed:
                flash(_("Target of %(village)s set to %(target)s.", village=village.name,
                        target=village.target_n if village.target_n is not None else _("none")), "info")
            else:
                flash(_("Target of %(village)s unchanged.", village=village.name), "info")
            return redirect(url_for(".villages", code=village.district_code), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("admin/village_target.html", village=village, form=form,
                           crumbs=queries.breadcrumbs(village.district_code), max_target=MAX_TARGET), status


@bp.route("/villages/areas/<code>/target", methods=["GET", "POST"])
@roles_required(*STAFF)
def area_target(code: str):  # type: ignore[no-untyped-def]
    """Give every village of an area the same target, after a confirmation naming the count."""
    area = db.get_or_404(Area, code)
    if not user_covers(current_user, area.code):
        abort(403)
    form = AreaTargetForm()
    count = villages_in_area(area)
    confirming, status = False, 200
    if form.validate_on_submit():
        if form.confirmed.data != "yes":
            confirming = True
        else:
            total, changed = set_area_target(area, form.target.data, current_user)
            db.session.commit()
            target = form.target.data if form.target.data is not None else _("none")
            flash(_("Target %(target)s set for the %(total)s villages of %(area)s (%(changed)s changed).",
                    target=target, total=total, area=area.name, changed=changed), "info")
            return redirect(url_for(".villages", code=area.code), 303)
    elif request.method == "POST":
        status = 422
    return render_template("admin/area_target.html", area=area, form=form, count=count, confirming=confirming,
                           crumbs=queries.breadcrumbs(area.code), max_target=MAX_TARGET), status


@bp.route("/villages/import", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def villages_import():  # type: ignore[no-untyped-def]
    """Upload a flat CSV, a zip of the four official files, or the four files; all or nothing."""
    max_mb = MAX_UPLOAD_BYTES // (1024 * 1024)
    problems: list[str] = []
    status = 200
    if request.content_length and request.content_length > MAX_UPLOAD_BYTES + FORM_OVERHEAD_BYTES:
        form = VillageImportForm(formdata=None)
        problems, status = [_("The upload is larger than %(mb)s MB; nothing was imported.", mb=max_mb)], 413
    else:
        form = VillageImportForm()
        if form.validate_on_submit():
            problems = _run_import(form)
            if not problems:
                return redirect(url_for(".villages_import"), 303)
            status = 422
        elif request.method == "POST":
            status = 422
    return render_template("admin/villages_import.html", form=form, problems=problems, max_mb=max_mb,
                           official_files=OFFICIAL_FILES), status


def _run_import(form: VillageImportForm) -> list[str]:
    """Stage the upload in a temporary directory and import it; the problems, or [] when done."""
    single = _upload(form.file.data)
    official = {
        name: upload
        for name, field in zip(OFFICIAL_FILES, (form.provinces, form.regencies, form.districts, form.villages),
                               strict=True)
        if (upload := _upload(field.data)) is not None
    }
    with tempfile.TemporaryDirectory(prefix="villages-") as directory:
        try:
            path = stage_upload(Path(directory), single, official)
            result = import_villages(path, actor=current_user)
        except UploadRejected as exc:
            db.session.rollback()
            return exc.problems
        except OperationError as exc:
            db.session.rollback()
            lines = str(exc).splitlines()
            # The import's report opens with a summary line, then one line per problem.
            return lines[1:] if len(lines) > 1 else lines
    db.session.commit()
    flash(result.summary(), "info")
    return []


def _upload(data: object) -> Upload | None:
    """A chosen file as an ``Upload``; an empty file input sends a part with no name."""
    filename = getattr(data, "filename", None)
    if not filename:
        return None
    return Upload(filename, data.stream)  # type: ignore[attr-defined]
