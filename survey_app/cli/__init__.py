"""Command line: ``flask --app wsgi <group> <command>``. The admin's interface and the tests' door."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click
import sqlalchemy as sa
from flask import Flask

from survey_app.database import read_only
from survey_app.extensions import db
from survey_app.operations import OperationError

F = TypeVar("F", bound=Callable[..., Any])


def transactional(command: F) -> F:
    """Run a command in one transaction: commit on success; on OperationError roll back,
    print the reason and exit 1, so a failed command leaves the database as it was."""

    @functools.wraps(command)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            result = command(*args, **kwargs)
            db.session.commit()
            return result
        except OperationError as exc:
            db.session.rollback()
            raise click.ClickException(str(exc)) from None
        except sa.exc.OperationalError as exc:
            db.session.rollback()
            if not _no_tables(exc):
                raise
            raise click.ClickException(NO_TABLES) from None
        except BaseException:
            db.session.rollback()
            raise

    return wrapped  # type: ignore[return-value]


NO_TABLES = "The database has no tables yet: run `flask --app wsgi db upgrade` first (`make run` does it)."


def _no_tables(exc: sa.exc.OperationalError) -> bool:
    """SQLite's words for a database that was never upgraded (PostgreSQL's are a ProgrammingError)."""
    return "no such table" in str(exc.orig)


def reading(command: F) -> F:
    """Run a command that only reads (reports, exports) in deferred SQLite transactions, so a
    long build never holds the write lock residents need; its audit event writes on its own.
    An OperationError (such as an edited published questionnaire) is one line and exit 1."""

    @functools.wraps(command)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with read_only():
            try:
                return command(*args, **kwargs)
            except OperationError as exc:
                raise click.ClickException(str(exc)) from None
            finally:
                db.session.rollback()  # end the read; it wrote nothing left to keep

    return wrapped  # type: ignore[return-value]


def init_app(app: Flask) -> None:
    from survey_app.cli import (
        backup,
        context,
        demo,
        export,
        goals,
        privacy,
        questionnaire,
        queue,
        reports,
        responses,
        retention,
        rounds,
        users,
        villages,
    )

    for group in (
        questionnaire.group, villages.group, rounds.group, users.group, demo.group, responses.group,
        reports.group, export.group, queue.group, backup.group, goals.group, context.crime, context.population,
        privacy.group, retention.group,
    ):
        app.cli.add_command(group)
