"""``flask --app wsgi queue ...``: queue workers for long report work, and clean-up."""

from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import with_appcontext

from reports.bulk import default_processes
from survey_app.extensions import db
from survey_app.reporting import jobs

group = click.Group("queue", help="Run the workers that build queued reports and exports.")


@group.command("worker")
@click.option("--workers", "-w", type=click.IntRange(min=1), help="Worker processes (default: CPU count).")
@with_appcontext
def worker(workers: int | None) -> None:
    """Run queued jobs until stopped. Start one per machine (with QUEUE_URL on Redis and
    RESULTS_DIR on a shared folder when there are several); Ctrl-C lets running jobs finish."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    queue = current_app.extensions["queue"]
    db.engine.dispose()  # forked worker processes open their own connections
    count = workers or default_processes()
    click.echo(f"Queue worker: {count} process(es) on {_where(current_app.config['QUEUE_URL'])}.")
    queue.huey.create_consumer(workers=count, worker_type="process").run()


@group.command("purge")
@with_appcontext
def purge() -> None:
    """Delete expired job files and fail jobs whose worker stopped (workers also do it every 10 minutes)."""
    expired, failed = jobs.purge()
    click.echo(f"Expired {expired} job file(s); marked {failed} stopped job(s) as failed.")


def _where(url: str) -> str:
    """The queue's storage without any password."""
    return url.split("@")[-1] if "@" in url else url
