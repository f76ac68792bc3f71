"""Read side of report downloads, shared by the web views and the CLI: which villages a request
covers, loading the data the report engine needs, and the audit record of every download.

Data is read with SQLAlchemy Core in ``read_only()`` blocks (deferred SQLite transactions), so
building a report never queues behind the writers of an open round.
"""

from __future__ import annotations

import csv
import io
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from werkzeug.wrappers import Response

from reports.bulk import BulkInputs, report_filename, slugify
from reports.data import (
    RESPONSES,
    Place,
    RoundInfo,
    VillageInfo,
    load_round_history,
    load_round_responses,
    load_village,
    load_villages,
)
from reports.export import ExportOptions, ResponseTable, csv_text, response_table
from reports.overview import build_overview, overview_workbook
from reports.stats import Suppression
from reports.tables import Population, ReportOptions, build_village_tables
from reports.workbook import build_village_workbook
from survey_app import audit, questionnaires
from survey_app.database import read_only
from survey_app.extensions import db
from survey_app.models import Area, Round, User, Village, covers
from survey_app.operations import OperationError
from survey_app.posters import villages_of_round

DOWNLOADED = "report.downloaded"
"""Audit action of every report, overview, zip and export handed out, web or CLI."""


def report_options(lang: str = "id", min_n: int | None = None, include_free_text: bool = False) -> ReportOptions:
    """Report options with the installation's ``MIN_N`` unless one is given."""
    return ReportOptions(
        min_n=min_n if min_n is not None else int(current_app.config["MIN_N"]),
        lang=lang,
        include_free_text=include_free_text,
    )


@dataclass(frozen=True)
class AreaRef:
    """An area a request names: a district, regency or province (or a single village)."""

    code: str
    name: str

    @property
    def place(self) -> Place:
        return Place(self.code, self.name)


def find_area(code: str) -> AreaRef:
    """The area or village with this code; OperationError naming the code otherwise."""
    code = code.strip()
    area = db.session.get(Area, code)
    if area is not None:
        return AreaRef(area.code, area.name)
    village = db.session.scalar(sa.select(Village).where(Village.code == code))
    if village is not None:
        return AreaRef(village.code, village.name)
    raise OperationError(f"No area or village with code {code!r} (for example 32.73 or 32.73.01).")


def round_villages(
    round_: Round,
    *,
    village_code: str | None = None,
    area_code: str | None = None,
    user: User | None = None,
) -> list[Village]:
    """Villages of the round, ordered by code: all, one (``village_code``) or those of an area,
    limited to ``user``'s scope when given. OperationError when the request names nothing."""
    villages = villages_of_round(round_, village_code)
    if area_code is not None:
        area = find_area(area_code)
        villages = [v for v in villages if covers([area.code], v.code)]
        if not villages:
            raise OperationError(f"Round {round_.name!r} has no villages in {area.name} ({area.code}).")
    if user is not None:
        villages = [v for v in villages if covers(user.scope_prefixes, v.code)]
    return villages


def bulk_inputs(round_: Round, villages: Sequence[Village], options: ReportOptions) -> BulkInputs:
    """Everything a bulk build needs, loaded with one query for the responses of every round
    the reports cover (all villages: alpha and the area comparison need them)."""
    with read_only(), db.engine.connect() as connection:
        rounds = load_round_history(connection, round_.id, questionnaires.load)
        responses = load_round_responses(connection, [r.id for r in rounds])
        infos = load_villages(connection, [v.id for v in villages])
    return BulkInputs(infos, rounds, responses, options, versions=questionnaires.catalog().get)


# --- one village, from the web ---------------------------------------------------------------------

SUMMARY_TTL = 60.0
"""Seconds a process trusts its cached round figures before checking the data again."""

# Per process: (round id, small-base policy, with area figures) -> (checked at, data token,
# alpha, area figures). Recomputed only when the round's responses changed.
_summaries: dict[tuple[int, Suppression, bool], tuple[float, tuple[Any, ...], dict[Any, Any], dict[Any, Any]]] = {}
_summaries_lock = threading.Lock()


def _round_tokens(connection: sa.Connection, round_ids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
    """A cheap fingerprint of each round's responses: it changes when one is added, edited or deleted."""
    rows = connection.execute(
        sa.select(
            RESPONSES.c.round_id,
            sa.func.count(),
            sa.func.max(RESPONSES.c.id),
            sa.func.max(RESPONSES.c.updated_at),
        )
        .select_from(RESPONSES)
        .where(RESPONSES.c.round_id.in_(list(round_ids)), RESPONSES.c.deleted_at.is_(None))
        .group_by(RESPONSES.c.round_id)
    ).all()
    return {row[0]: tuple(str(value) for value in row[1:]) for row in rows}


def _population(connection: sa.Connection, rounds: Sequence[RoundInfo], suppression: Suppression) -> Population:
    """The figures of ``rounds`` across all villages, from the per-process cache.

    The cache is trusted for ``SUMMARY_TTL`` seconds, then checked against the rounds' data
    fingerprint, so a download costs no query on all responses while nothing changed; alpha
    and the area comparison may lag new answers by that long. The village's own figures are
    always read fresh.
    """
    now = time.monotonic()
    latest = rounds[-1].id
    keys = {r.id: (r.id, suppression, r.id == latest) for r in rounds}
    with _summaries_lock:
        cached = {rid: _summaries.get(key) for rid, key in keys.items()}
    stale = [rid for rid, entry in cached.items() if entry is None or now - entry[0] > SUMMARY_TTL]
    if stale:
        tokens = _round_tokens(connection, stale)
        for round_ in rounds:
            if round_.id not in stale:
                continue
            entry = cached[round_.id]
            token = tokens.get(round_.id, ())
            if entry is None or entry[1] != token:
                frame = load_round_responses(connection, [round_.id])
                alpha, figures = Population(frame).round_summary(round_, suppression, areas=round_.id == latest)
                entry = (now, token, alpha, figures)
            else:
                entry = (now, *entry[1:])
            cached[round_.id] = entry
            with _summaries_lock:
                _summaries[keys[round_.id]] = entry
    alpha_all: dict[Any, Any] = {}
    figures_all: dict[Any, Any] = {}
    for entry in cached.values():
        assert entry is not None  # noqa: S101 - filled above
        alpha_all.update(entry[2])
        figures_all.update(entry[3])
    return Population.precomputed(alpha_all, figures_all)


def village_report(round_: Round, village: Village, options: ReportOptions) -> bytes:
    """One village's workbook: its own responses plus the cached figures of the whole round."""
    with read_only(), db.engine.connect() as connection:
        rounds = load_round_history(connection, round_.id, questionnaires.load)
        responses = load_round_responses(connection, [r.id for r in rounds], [village.id])
        info = load_village(connection, village.id)
        population = _population(connection, rounds, options.suppression)
    tables = build_village_tables(
        info, rounds, responses, options, population=population, versions=questionnaires.catalog().get
    )
    return build_village_workbook(tables)


# --- overview and export ---------------------------------------------------------------------------


def area_overview(round_: Round, area: AreaRef, villages: Sequence[Village], options: ReportOptions) -> bytes:
    """The overview workbook of ``villages`` (an area's, already limited to the user's scope)."""
    with read_only(), db.engine.connect() as connection:
        rounds = load_round_history(connection, round_.id, questionnaires.load)
        responses = load_round_responses(connection, [r.id for r in rounds], [v.id for v in villages])
        infos = load_villages(connection, [v.id for v in villages])
    overview = build_overview(area.place, infos, rounds, responses, options, versions=questionnaires.catalog().get)
    return overview_workbook(overview)


def response_export(
    round_: Round, options: ExportOptions, scope: Sequence[str] = ()
) -> ResponseTable:
    """The raw export of one round, limited to villages under ``scope`` (empty: all)."""
    with read_only(), db.engine.connect() as connection:
        (info,) = [r for r in load_round_history(connection, round_.id, questionnaires.load) if r.id == round_.id]
        responses = load_round_responses(connection, [round_.id])
        if scope:
            responses = responses[[covers(list(scope), code) for code in responses["village_code"]]]
        ids = [int(i) for i in responses["village_id"].unique()]
        villages: dict[int, VillageInfo] = {v.id: v for v in load_villages(connection, ids)}
    return response_table(info, responses, villages, options, versions=questionnaires.catalog().get)


# --- names and audit ---------------------------------------------------------------------------------


def village_filename(village: Village, round_: Round) -> str:
    """``<round>-<village code>-<village name>.xlsx``, ASCII only."""
    return f"{slugify(round_.name)}-{report_filename(village.code, village.name)}"


def area_filename(round_: Round, area: AreaRef, what: str, suffix: str) -> str:
    """``<round>-<what>-<area code>-<area name><suffix>``, ASCII only."""
    return f"{slugify(round_.name)}-{what}-{area.code}-{slugify(area.name)}{suffix}".replace("--", "-")


def record_download(actor: User | str, object_type: str, object_id: object, **details: Any) -> None:
    """Write the download to the audit log and commit (a download changes nothing else)."""
    audit.record(DOWNLOADED, actor=actor, object_type=object_type, object_id=object_id, **details)
    db.session.commit()


def csv_response(headers: Sequence[str], rows: Iterable[Sequence[Any]], filename: str) -> Response:
    """A CSV attachment (UTF-8 with BOM, for Excel) whose text cells can never run as formulas."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows([csv_text(value) for value in row] for row in rows)
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
