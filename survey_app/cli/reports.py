"""``flask --app wsgi reports ...``: village workbooks in bulk and the area overview."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext

from reports.bulk import build_reports, default_processes
from reports.tables import ReportOptions
from survey_app import questionnaires
from survey_app.cli import reading
from survey_app.extensions import db
from survey_app.models import Job, Round, Village
from survey_app.operations.rounds import get_round
from survey_app.reporting import jobs, summaries
from survey_app.reporting.service import (
    area_overview,
    bulk_inputs,
    find_area,
    record_download,
    report_language,
    report_options,
    round_villages,
)

group = click.Group("reports", help="Build village report workbooks and area overviews; keep summary sums current.")

CLI_ACTOR = jobs.CLI_ACTOR
QUEUE_POLL_SECONDS = 0.5


@group.command("build")
@click.option("--round", "round_name", required=True, help="Round name or slug.")
@click.option("--village", "village_code", metavar="CODE", help="Only this village, e.g. 32.73.01.1001.")
@click.option("--area", "area_code", metavar="CODE-PREFIX", help="Only the villages of this area, e.g. 32.73.01.")
@click.option("--lang", default="id", show_default=True,
              help="Report language: id, en, or any language of the round's questionnaire.")
@click.option("--min-n", type=click.IntRange(min=1), help="Minimum base (default: the MIN_N setting).")
@click.option("--free-text", is_flag=True, help="Add the free-text answers sheet (off by default: privacy).")
@click.option("--processes", "-j", type=click.IntRange(min=1), help="Worker processes (default: CPU count).")
@click.option("--queue", "queued", is_flag=True,
              help="Build on the queue workers (flask queue worker), on every machine running one; "
                   "--out must then be a folder they all reach.")
@click.option("--chunk", type=click.IntRange(min=1), default=25, show_default=True,
              help="With --queue: villages per queued task.")
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path), help="Folder for the workbooks.")
@with_appcontext
@reading
def build(round_name: str, village_code: str | None, area_code: str | None, lang: str, min_n: int | None,
          free_text: bool, processes: int | None, queued: bool, chunk: int, out_dir: Path) -> None:
    """Write one workbook per village of a round (all, one village, or an area) into --out."""
    if village_code and area_code:
        raise click.UsageError("Give --village or --area, not both.")
    if out_dir.exists() and not out_dir.is_dir():
        raise click.UsageError(f"--out {out_dir} is a file; give a folder for the workbooks.")
    try:
        round_ = get_round(round_name)
        villages = round_villages(round_, village_code=village_code, area_code=area_code)
        options = report_options(round_, report_language(round_, lang), min_n, free_text)
    except ValueError as exc:  # a bad --min-n; an OperationError is one line through @reading
        raise click.ClickException(str(exc)) from None
    if not villages:
        raise click.ClickException(f"Round {round_.name!r} has no villages.")
    with click.progressbar(length=len(villages), label="Reports", show_pos=True) as bar:
        if queued:
            out_dir.mkdir(parents=True, exist_ok=True)
            click.echo(f"Queued {len(villages)} village report(s) for {round_.name!r}; waiting for the queue "
                       "workers (start them with: flask --app wsgi queue worker)...")
            written, failures = _build_on_queue(round_, villages, out_dir.resolve(), chunk, options, bar)
        else:
            workers = min(processes or default_processes(), len(villages))
            click.echo(f"Building {len(villages)} village report(s) for {round_.name!r} with {workers} "
                       "process(es)...")
            results = build_reports(bulk_inputs(round_, villages, options), out_dir, workers,
                                    progress=lambda _report: bar.update(1))
            written = sum(1 for r in results if r.ok)
            failures = [f"{r.village.code} {r.village.name}: {r.error}" for r in results if not r.ok]
    record_download(
        CLI_ACTOR, "round", round_.id, what="village_reports", round=round_.name, lang=lang,
        min_n=options.min_n, free_text=free_text, area=area_code, village=village_code,
        villages=written, failed=len(failures), out=str(out_dir), queued=queued,
    )
    click.echo(f"Wrote {written} workbook(s) to {out_dir}.")
    if failures:
        for line in failures:
            click.echo(f"  {line}", err=True)
        raise click.ClickException(f"{len(failures)} village report(s) failed; see above.")


def _build_on_queue(round_: Round, villages: list[Village], out_dir: Path, chunk: int, options: ReportOptions,
                    bar: Any) -> tuple[int, list[str]]:
    """Fan the build out over the queue and follow it until every village is done or failed."""
    job = jobs.start_build(round_, villages, out_dir, chunk, lang=options.lang, min_n=options.min_n,
                           free_text=options.include_free_text)
    shown = 0
    while True:
        db.session.rollback()  # a fresh read each time
        current = db.session.get_one(Job, job.id)
        bar.update(current.done + current.failed - shown)
        shown = current.done + current.failed
        if current.finished:
            return current.done, (current.error or "").splitlines()
        time.sleep(QUEUE_POLL_SECONDS)


@group.command("overview")
@click.option("--round", "round_name", required=True, help="Round name or slug.")
@click.option("--area", "area_code", required=True, metavar="CODE-PREFIX", help="District, regency or province.")
@click.option("--lang", default="id", show_default=True,
              help="Report language: id, en, or any language of the round's questionnaire.")
@click.option("--min-n", type=click.IntRange(min=1), help="Minimum base (default: the MIN_N setting).")
@click.option("--out", "out_file", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="The .xlsx file to write.")
@with_appcontext
@reading
def overview(round_name: str, area_code: str, lang: str, min_n: int | None, out_file: Path) -> None:
    """Write the overview of an area's villages for a round: one row per village, BH-adjusted."""
    try:
        round_ = get_round(round_name)
        area = find_area(area_code)
        villages = round_villages(round_, area_code=area.code)
        options = report_options(round_, report_language(round_, lang), min_n)
    except ValueError as exc:  # a bad --min-n; an OperationError is one line through @reading
        raise click.ClickException(str(exc)) from None
    data = area_overview(round_, area, villages, options)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_bytes(data)
    record_download(CLI_ACTOR, "area", area.code, what="overview", round=round_.name, lang=lang,
                    min_n=options.min_n, villages=len(villages), out=str(out_file))
    click.echo(f"Wrote the overview of {len(villages)} villages of {area.name} ({area.code}) to {out_file}.")


@group.command("refresh")
@click.option("--round", "round_name", help="Only this round (name or slug); default: every round.")
@with_appcontext
@reading
def refresh(round_name: str | None) -> None:
    """Rebuild the stored summary sums of villages whose answers changed (run it after a bulk
    import, or every few minutes from cron; downloads also do it for their own rounds)."""
    round_ids = [get_round(round_name).id] if round_name else None
    villages = summaries.refresh_all(db.engine, questionnaires.load, round_ids)
    click.echo(f"Rebuilt the summary sums of {villages} village(s).")
