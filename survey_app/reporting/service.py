"""Read side of report downloads, shared by the web views and the CLI: which villages a request
covers, loading the data the report engine needs, and the audit record of every download.

Data is read with SQLAlchemy Core in ``read_only()`` blocks (deferred SQLite transactions), so
building a report never queues behind the writers of an open round.
"""

from __future__ import annotations

import csv
import io
import socket
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from werkzeug.wrappers import Response

from reports.bulk import BulkInputs, report_filename, slugify
from reports.crime_data import load_crime_sources, load_population_targets, load_response_weights
from reports.data import (
    RESPONSES,
    Place,
    load_companion_rounds,
    load_round_history,
    load_round_responses,
    load_village,
    load_villages,
    response_records,
    response_versions,
)
from reports.export import ExportOptions, ResponseTable, csv_text, response_table
from reports.goals import with_goals, with_spans
from reports.overview import build_overview, overview_workbook
from reports.retained import load_retained
from reports.tables import ReportOptions, VillageTables, build_companion_tables, build_village_tables
from reports.text import LANGUAGES
from reports.workbook import build_village_workbook
from survey_app import audit, questionnaires
from survey_app.database import read_only, writing
from survey_app.extensions import db
from survey_app.models import Area, Round, User, Village, code_in_scope, covers
from survey_app.operations import OperationError
from survey_app.operations.goals import goal_specs
from survey_app.operations.texts import _
from survey_app.posters import villages_of_round
from survey_app.reporting import summaries

DOWNLOADED = "report.downloaded"
"""Audit action of every report, overview, zip and export handed out, web or CLI."""


def report_languages(round_: Round) -> tuple[str, ...]:
    """The languages a report of ``round_`` can be built in: the reports' own (Indonesian,
    English) and every language of the round's questionnaire."""
    questionnaire = questionnaires.load(round_.questionnaire_key, round_.questionnaire_version)
    return tuple(dict.fromkeys((*LANGUAGES, *questionnaire.languages)))


def report_language(round_: Round, lang: str) -> str:
    """``lang`` when a report of ``round_`` can be built in it; OperationError naming the choices."""
    choices = report_languages(round_)
    if lang not in choices:
        raise OperationError(f"Round {round_.name!r} has no report language {lang!r}: "
                             f"choose one of {', '.join(choices)}.")
    return lang


def report_options(round_: Round, lang: str = "id", min_n: int | None = None,
                   include_free_text: bool = False) -> ReportOptions:
    """The options of ``round_``'s reports: its minimum base (else the installation's
    ``MIN_N``) unless one is given, and whether its figures are weighted."""
    chosen = min_n if min_n is not None else round_.min_n
    return ReportOptions(
        min_n=chosen if chosen is not None else int(current_app.config["MIN_N"]),
        lang=lang,
        include_free_text=include_free_text,
        weighted=round_.weighted,
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
    """Everything a bulk build needs: the responses of ``villages`` in every round the reports
    cover, and the stored sums of the rest (refreshed first), as the single download uses."""
    with read_only(), db.engine.connect() as connection:
        rounds = load_round_history(connection, round_.id, questionnaires.load)
    summaries.refresh(db.engine, rounds)
    with read_only(), db.engine.connect() as connection:
        infos = load_villages(connection, [v.id for v in villages])
        responses = load_round_responses(connection, [r.id for r in rounds], [v.id for v in villages])
        population = summaries.population(connection, rounds, infos, options.suppression)
        others = load_companion_rounds(connection, round_.id, questionnaires.load)
        other_responses = load_round_responses(connection, [r.id for r in others], [v.id for v in villages])
        crime = load_crime_sources(connection, infos)
        targets = load_population_targets(connection, infos) if options.weighted else {}
        retained = load_retained(connection, [r.id for r in (*rounds, *others)], [v.id for v in villages])
    goals = tuple(goal_specs([r.id for r in rounds]))
    return BulkInputs(infos, rounds, responses, with_spans(options, goals), versions=questionnaires.catalog().get,
                      population=population, companions=others, companion_responses=other_responses,
                      goals=goals, crime=crime, targets=targets, retained=retained)


# --- one village, from the web ---------------------------------------------------------------------


def village_tables(round_: Round, village: Village, options: ReportOptions) -> VillageTables:
    """One village's report tables: its own responses plus the stored sums of the other
    villages (alpha, district and regency), refreshed first for the villages whose answers
    changed unless they are too many to wait for (the tables then count them). The workbook
    and the village's results page both show these."""
    with read_only(), db.engine.connect() as connection:
        rounds = load_round_history(connection, round_.id, questionnaires.load)
    stale = summaries.refresh_if_small(db.engine, rounds)
    with read_only(), db.engine.connect() as connection:
        responses = load_round_responses(connection, [r.id for r in rounds], [village.id])
        info = load_village(connection, village.id)
        population = summaries.population(connection, rounds, [info], options.suppression)
        others = load_companion_rounds(connection, round_.id, questionnaires.load)
        other_responses = load_round_responses(connection, [r.id for r in others], [village.id]) if others else None
        crime = load_crime_sources(connection, [info]).get(info.id)
        targets = load_population_targets(connection, [info]).get(info.id) if options.weighted else None
        retained = load_retained(connection, [r.id for r in (*rounds, *others)], [village.id]).get(village.id)
    companions = build_companion_tables(info, others, other_responses, options, retained=retained) if others else ()
    goals = goal_specs([r.id for r in rounds])
    tables = build_village_tables(
        info, rounds, responses, with_spans(options, goals), population=population,
        versions=questionnaires.catalog().get, stale_villages=stale, companions=companions, crime=crime,
        targets=targets, retained=retained,
    )
    return with_goals(tables, goals)


def village_report(round_: Round, village: Village, options: ReportOptions) -> bytes:
    """One village's workbook."""
    return build_village_workbook(village_tables(round_, village, options))


# --- overview and export ---------------------------------------------------------------------------


def area_overview(round_: Round, area: AreaRef, villages: Sequence[Village], options: ReportOptions) -> bytes:
    """The overview workbook of ``villages`` (an area's, already limited to the user's scope)."""
    with read_only(), db.engine.connect() as connection:
        rounds = load_round_history(connection, round_.id, questionnaires.load)
        responses = load_round_responses(connection, [r.id for r in rounds], [v.id for v in villages])
        infos = load_villages(connection, [v.id for v in villages])
        targets = load_population_targets(connection, infos) if options.weighted else {}
        retained = load_retained(connection, [r.id for r in rounds], [v.id for v in villages])
    overview = build_overview(area.place, infos, rounds, responses, options, versions=questionnaires.catalog().get,
                              goals=goal_specs([rounds[-1].id]), targets=targets, retained=retained)
    return overview_workbook(overview)


@contextmanager
def response_export(round_: Round, options: ExportOptions, scope: Sequence[str] = ()) -> Iterator[ResponseTable]:
    """The raw export of one round, limited to villages under ``scope`` (empty: all), open for
    reading: its rows are read a chunk at a time while the caller writes them, in one
    read-only transaction (a snapshot on SQLite's WAL and on PostgreSQL) that never holds
    back a resident's submission. A round whose responses were deleted (retention) has none
    to export: OperationError says so rather than hand out an empty file."""
    if round_.responses_purged_at is not None:
        raise OperationError(_("The individual answers of round %(name)s were deleted on %(day)s, when their "
                               "retention period ended; its reports keep its figures.", name=round_.name,
                               day=f"{round_.responses_purged_at:%Y-%m-%d}"))
    with read_only(), db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":  # one snapshot for the count and every chunk
            connection.execution_options(isolation_level="REPEATABLE READ")
        info = next(r for r in load_round_history(connection, round_.id, questionnaires.load) if r.id == round_.id)
        in_scope = None
        if scope:
            in_scope = RESPONSES.c.village_id.in_(sa.select(Village.id).where(code_in_scope(Village.code, list(scope))))
        count, refs = response_versions(connection, round_.id, in_scope)
        answered = sa.select(RESPONSES.c.village_id).where(RESPONSES.c.round_id == round_.id).distinct()
        names = dict(connection.execute(
            sa.select(Village.id, Village.name).where(Village.id.in_(answered))).tuples().all())
        weights = load_response_weights(connection, round_.id, in_scope) if round_.weighted else None
        records = response_records(connection, round_.id, in_scope)
        yield response_table(info, records, refs, count, names, options, versions=questionnaires.catalog().get,
                             weights=weights)


# --- names and audit ---------------------------------------------------------------------------------


def village_filename(village: Village, round_: Round) -> str:
    """``<round>-<village code>-<village name>.xlsx``, ASCII only."""
    return f"{slugify(round_.name)}-{report_filename(village.code, village.name)}"


def area_filename(round_: Round, area: AreaRef, what: str, suffix: str) -> str:
    """``<round>-<what>-<area code>-<area name><suffix>``, ASCII only."""
    return f"{slugify(round_.name)}-{what}-{area.code}-{slugify(area.name)}{suffix}".replace("--", "-")


def record_download(actor: User | str, object_type: str, object_id: object, **details: Any) -> None:
    """Write the download to the audit log in its own short transaction and commit.

    The caller's transaction only read (a download changes nothing else), so it is ended
    first: on SQLite a read that turns into a write can fail at once, and a long one that
    began as a write would have held every resident's submission back.
    """
    db.session.rollback()
    with writing():
        audit.record(DOWNLOADED, actor=actor, object_type=object_type, object_id=object_id, where=_where(),
                     **details)
        db.session.commit()


def _where() -> str:
    """Where a download went: the client's address (behind TRUSTED_PROXIES, the one they
    forwarded), or the machine a command ran on. Staff, not residents: their answers never
    carry an address."""
    if has_request_context():
        return request.remote_addr or ""
    return f"cli@{socket.gethostname()}"


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
