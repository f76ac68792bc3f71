"""Backups of the whole database to one file, with its sha256 in a file beside it, and restores.

SQLite: the online backup API, a consistent copy even while residents are answering.
PostgreSQL: ``pg_dump`` in its custom format, restored by ``pg_restore --clean`` in one
transaction. A backup is written under a hidden partial name and renamed when complete, and
a restore first checks the checksum, so a damaged or half-copied file is refused before
anything is replaced.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from reports.files import written_whole


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why, for the command line."""


@dataclass(frozen=True)
class Backup:
    path: Path
    sha256: str
    size: int


def checksum_file(path: Path) -> Path:
    """``<backup>.sha256``, in the format ``sha256sum --check`` reads."""
    return path.with_name(path.name + ".sha256")


def create(database_url: str, out: Path) -> Backup:
    """Copy the database at ``database_url`` into ``out`` and write its checksum file."""
    url = make_url(database_url)
    out.parent.mkdir(parents=True, exist_ok=True)
    with written_whole(out) as partial:
        _WRITERS[url.get_backend_name()](url, partial)
    digest = _sha256(out)
    checksum_file(out).write_text(f"{digest}  {out.name}\n", encoding="utf-8")
    return Backup(out, digest, out.stat().st_size)


def restore(database_url: str, source: Path) -> Backup:
    """Replace every table of the database with the backup ``source``, after checking it."""
    backup = verify(source)
    url = make_url(database_url)
    _RESTORERS[url.get_backend_name()](url, source)
    return backup


def verify(source: Path) -> Backup:
    """The backup if its checksum file agrees with it; BackupError otherwise."""
    if not source.is_file():
        raise BackupError(f"No backup file at {source}.")
    try:
        expected = checksum_file(source).read_text(encoding="utf-8").split()[0]
    except (OSError, IndexError):
        raise BackupError(f"{checksum_file(source)} is missing or empty: the backup cannot be checked.") from None
    digest = _sha256(source)
    if digest != expected:
        raise BackupError(f"{source} does not match its checksum: the file is damaged or was changed. "
                          "Nothing was restored.")
    return Backup(source, digest, source.stat().st_size)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# --- SQLite --------------------------------------------------------------------------------------


def _sqlite_file(url: URL) -> str:
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    return url.database


def _sqlite_copy(source: str, target: str) -> None:
    with sqlite3.connect(source) as origin, sqlite3.connect(target) as copy:
        origin.backup(copy)
    origin.close()
    copy.close()


def _sqlite_backup(url: URL, partial: Path) -> None:
    _sqlite_copy(_sqlite_file(url), str(partial))


def _sqlite_restore(url: URL, source: Path) -> None:
    # The backup API writes every page of the live file in one transaction: readers see the
    # old database or the restored one, never a mix.
    _sqlite_copy(str(source), _sqlite_file(url))


# --- PostgreSQL ----------------------------------------------------------------------------------


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection string without the password, which goes in the environment (a
    command line is visible to every user of the machine)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (Debian: apt-get install postgresql-client).")
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")


def _postgresql_backup(url: URL, partial: Path) -> None:
    dsn, env = _libpq(url)
    _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}", dsn], env)


def _postgresql_restore(url: URL, source: Path) -> None:
    dsn, env = _libpq(url)
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
          f"--dbname={dsn}", str(source)], env)


_WRITERS = {"sqlite": _sqlite_backup, "postgresql": _postgresql_backup}
_RESTORERS = {"sqlite": _sqlite_restore, "postgresql": _postgresql_restore}
