"""Console: the progress dashboard of a round, village by village, with quality flags.

Staff only (admins and coordinators), and only the villages in both the round's scope and
the user's. Counts and totals come from ``progress_data``; quality signals from the pure
``quality`` module, computed for the villages shown (all of them in the CSV).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import sqlalchemy as sa
from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from reports.export import WRITERS, export_bytes
from survey_app import clock, quality
from survey_app.access import STAFF, roles_required
from survey_app.admin import bp, progress_data
from survey_app.admin.progress_data import SORTS, Filters, Page, Scope
from survey_app.admin.queries import round_by_slug
from survey_app.admin.rounds import STATUS_LABELS
from survey_app.database import read_only
from survey_app.extensions import db
from survey_app.models import Round, RoundStatus, User, covers
from survey_app.operations.printing import printed_and_keyed
from survey_app.reporting.service import record_download

FLAG_LABELS = {
    quality.FAST: _l("fast forms"),
    quality.STRAIGHT: _l("straight-lining"),
    quality.BURST: _l("burst"),
}
# Table columns: (sort key, label, numeric).
COLUMNS = [
    ("regency", _l("Regency/city"), False),
    ("district", _l("District"), False),
    ("code", _l("Code"), False),
    ("name", _l("Village"), False),
    ("web", _l("Web"), True),
    ("paper", _l("Paper"), True),
    ("total", _l("Total"), True),
    ("awaiting_second", _l("Awaiting 2nd entry"), True),
    ("reconciliation", _l("In reconciliation"), True),
    ("target", _l("Target"), True),
    ("reached", _l("Share of target"), True),
    ("last_at", _l("Last response"), False),
    ("fast", _l("Fast web forms"), True),
]
GROUPED_SORTS = {"code": ("regency", "district"), "regency": ("regency", "district"), "district": ("district",)}
"""Sorts that keep areas together, so each area gets a header row with its totals."""
MAX_TEXT = 120
MAX_PAGE = 100_000


def scopes_overlap(a: list[str], b: list[str]) -> bool:
    """True when two scopes (empty = everywhere) share at least one village's worth of area."""
    return not a or not b or any(covers([x], y) or covers([y], x) for x in a for y in b)


def visible_rounds(user: User) -> list[Round]:
    """Every round, drafts too, whose scope reaches into the user's; newest first."""
    rounds = db.session.scalars(sa.select(Round).order_by(Round.created_at.desc(), Round.id.desc())).all()
    return [r for r in rounds if scopes_overlap(r.scope_prefixes, user.scope_prefixes)]


def _round(slug: str) -> Round:
    round_ = round_by_slug(slug)
    if not scopes_overlap(round_.scope_prefixes, current_user.scope_prefixes):
        abort(403)
    return round_


def _scope(round_: Round, user: User) -> Scope:
    return Scope(round_.id, round_.scope_prefixes, user.scope_prefixes, round_.target_per_village,
                 int(current_app.config["FAST_COMPLETION_SECONDS"]))


def parse_filters(args: MultiDict[str, str]) -> tuple[Filters, int]:
    """Filters and page number from the query string; unknown sorts fall back to the default."""
    sort = args.get("sort", "code")
    try:
        number = min(max(1, int(args.get("page", "1"))), MAX_PAGE)  # a huge number would overflow SQL
    except ValueError:
        number = 1
    filters = Filters(
        regency=args.get("regency", "").strip()[:16],
        district=args.get("district", "").strip()[:16],
        q=args.get("q", "").strip()[:MAX_TEXT],
        sort=sort if sort in SORTS else "code",
        desc=args.get("dir") == "desc",
    )
    return filters, number


def _query_args(filters: Filters, **changes: Any) -> dict[str, Any]:
    """The query string of ``filters`` with ``changes``, leaving out defaults."""
    values: dict[str, Any] = {"regency": filters.regency, "district": filters.district, "q": filters.q,
                              "sort": filters.sort if filters.sort != "code" else "",
                              "dir": "desc" if filters.desc else ""}
    values.update(changes)
    return {key: value for key, value in values.items() if value not in ("", None, 1)}


def display_rows(result: Page, signals: Mapping[int, quality.VillageQuality],
                 levels: tuple[str, ...]) -> Iterator[tuple[str, Any, Any]]:
    """("regency" | "district", totals, None) header rows before each area on the page, then
    ("village", row, signals) rows."""
    current = {"regency": None, "district": None}
    groups = {"regency": result.regencies, "district": result.districts}
    for row in result.rows:
        for level in levels:
            code = getattr(row, f"{level}_code")
            if current[level] != code:
                current[level] = code
                if level == "regency":
                    current["district"] = None
                yield level, groups[level][code], None
        yield "village", row, signals.get(row.village_id) or quality.VillageQuality()


@bp.route("/progress")
@roles_required(*STAFF)
def progress_index():  # type: ignore[no-untyped-def]
    """The user's rounds; straight to the dashboard when exactly one is open."""
    rounds = visible_rounds(current_user)
    today = clock.today()
    open_rounds = [r for r in rounds if r.status_on(today) is RoundStatus.OPEN]
    if len(open_rounds) == 1:
        return redirect(url_for("admin.progress", round_slug=open_rounds[0].slug))
    return render_template("admin/progress_index.html", rounds=[(r, r.status_on(today).value) for r in rounds],
                           status_labels=STATUS_LABELS)


@bp.route("/rounds/<round_slug>/progress")
@roles_required(*STAFF)
def progress(round_slug: str):  # type: ignore[no-untyped-def]
    """One round's villages: counts by mode, paper backlog, target reached, quality flags."""
    round_ = _round(round_slug)
    filters, number = parse_filters(request.args)
    scope = _scope(round_, current_user)
    with read_only(), db.engine.connect() as connection:
        result = progress_data.page(connection, scope, filters, number)
        options = progress_data.area_options(connection, scope, None if filters.narrows else result)
        rows = progress_data.responses_of(connection, scope, [row.village_id for row in result.rows])
        signals = quality.assess(rows, scope.fast_seconds)
    regencies = sorted({(code, name) for code, name, _d, _n in options})
    districts = [(code, name) for reg, _r, code, name in options
                 if reg == filters.regency or len(regencies) == 1]

    def link(**changes: Any) -> str:
        return url_for("admin.progress", round_slug=round_.slug, **_query_args(filters, **changes))

    return render_template(
        "admin/progress.html", round=round_, page=result, filters=filters, columns=COLUMNS,
        items=list(display_rows(result, signals, GROUPED_SORTS.get(filters.sort, ()))),
        regencies=regencies, districts=districts, link=link, flag_labels=FLAG_LABELS,
        status_label=STATUS_LABELS[round_.status_on(clock.today()).value],
        csv_url=url_for("admin.progress_csv", round_slug=round_.slug, **_query_args(filters)),
        fast_seconds=scope.fast_seconds, thresholds=quality,
        printed=printed_and_keyed(round_, current_user.scope_prefixes),
    )


@bp.route("/rounds/<round_slug>/progress.csv")
@roles_required(*STAFF)
def progress_csv(round_slug: str) -> Response:
    """The same table as a CSV: every row of the filter, in its sort, with the quality signals."""
    round_ = _round(round_slug)
    filters, _number = parse_filters(request.args)
    scope = _scope(round_, current_user)
    with read_only(), db.engine.connect() as connection:
        rows = list(progress_data.iter_village_rows(connection, scope, filters))
        responses = progress_data.responses_matching(connection, scope, filters)
        signals = quality.assess(responses, scope.fast_seconds)
    data = export_bytes(progress_data.csv_table(rows, signals, current_app.config["TIMEZONE"]), "csv")
    record_download(current_user, "round", round_.id, what="progress", round=round_.name, rows=len(rows),
                    **_query_args(filters))
    response = Response(data, content_type=WRITERS["csv"][2])
    response.headers["Content-Disposition"] = f'attachment; filename="{round_.slug}-progress.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
