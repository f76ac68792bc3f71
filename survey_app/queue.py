"""The task queue for long report work: Huey, with its storage chosen by ``QUEUE_URL``.

Why Huey: it has an embedded storage (one SQLite file, no service to run) that suits the
SQLite set-up, and Redis storage for several machines, with the same code; it retries failed
tasks and runs periodic ones; it is small and well kept. RQ needs Redis always, and Celery
is far larger than this need.

The queue carries only ids: a job's state lives in the ``jobs`` table
(``survey_app.reporting.jobs``). Tasks are registered on the app's own Huey instance when the
app is built, so a worker started by ``flask --app wsgi queue worker`` runs them in the
app's context with its configuration.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from flask import Flask

from survey_app.config import ConfigError
from survey_app.reporting import jobs

if TYPE_CHECKING:  # Huey is imported on first use: with redis and psycopg it costs 0.3 s to start
    from huey import Huey
    from huey.api import TaskWrapper

PURGE_EVERY_MINUTES = "*/10"


class Queue:
    """The app's Huey instance and its tasks, built on first use: a web process or command
    that never starts a job neither imports Huey nor opens the queue's storage."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    @functools.cached_property
    def huey(self) -> Huey:
        from huey import crontab

        huey = make_huey(self.app.config["QUEUE_URL"], self.app.config["QUEUE_NAME"])
        settings = {"retries": self.app.config["JOB_RETRIES"],
                    "retry_delay": self.app.config["JOB_RETRY_SECONDS"], "context": True}
        self._run_job = huey.task(name="report_job", **settings)(self._in_app(jobs.run))
        self._run_chunk = huey.task(name="report_chunk", **settings)(self._in_app(jobs.run_chunk))
        huey.periodic_task(crontab(minute=PURGE_EVERY_MINUTES), name="purge_jobs")(self._in_app(_purge))
        return huey

    def _in_app(self, function: Callable[..., None]) -> Callable[..., None]:
        def task(*args: Any, task: Any = None, **kwargs: Any) -> None:
            with self.app.app_context():
                # The last try is the one with no retries left.
                function(*args, final=task is None or not task.retries, **kwargs)

        return task

    def enqueue_job(self, job_id: str) -> None:
        self._task("_run_job")(job_id)

    def enqueue_chunk(self, job_id: str, village_ids: Sequence[int]) -> None:
        self._task("_run_chunk")(job_id, list(village_ids))

    def _task(self, name: str) -> TaskWrapper:
        self.huey  # noqa: B018 - builds the instance and registers the tasks
        return getattr(self, name)  # type: ignore[no-any-return]

    def run_pending(self) -> int:
        """Run every task waiting now, here, one after another; returns how many ran. For
        tests and for a one-off run without a worker."""
        count = 0
        while (task := self.huey.dequeue()) is not None:
            self.huey.execute(task)
            count += 1
        return count


def make_huey(url: str, name: str) -> Huey:
    """Huey on a SQLite file (``sqlite:///path``) or on Redis (``redis://host:port/db``)."""
    from huey import RedisHuey, SqliteHuey

    if url.startswith("sqlite:///"):
        return SqliteHuey(name, filename=url.removeprefix("sqlite:///"), results=False)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(name, url=url, results=False)
    raise ConfigError(f"QUEUE_URL must be sqlite:///<file> or redis://<host>:<port>/<db>, not {url!r}.")


def init_app(app: Flask) -> None:
    app.extensions["queue"] = Queue(app)


def _purge(*, final: bool) -> None:  # noqa: ARG001 - periodic: tried once
    jobs.purge()
