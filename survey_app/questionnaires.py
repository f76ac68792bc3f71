"""The app's view of the questionnaire catalog, guarded by the recorded content hashes.

A published version never changes. The first round that uses a version records the file's
hash; from then on a file whose bytes differ is refused, naming the file, with no silent
fall-back to what was cached.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from survey_app.database import read_only
from survey_app.digests import file_hash
from survey_app.extensions import db
from survey_app.models import QuestionnaireVersion
from survey_app.operations import OperationError
from survey_app.questionnaire import Catalog, Questionnaire, QuestionnaireError, QuestionnaireNotFound, parse_ref


class QuestionnaireChanged(OperationError):
    """A published questionnaire file no longer matches the hash recorded on first use."""


def init_app(app: Flask) -> None:
    app.extensions["questionnaire_catalog"] = Catalog(Path(app.config["QUESTIONNAIRE_DIR"]))


def catalog() -> Catalog:
    return current_app.extensions["questionnaire_catalog"]


def questionnaire_dir() -> Path:
    return Path(current_app.config["QUESTIONNAIRE_DIR"])


def relative_path(path: Path) -> Path:
    """A path under the questionnaire folder, as recorded (portable between machines)."""
    try:
        return path.resolve().relative_to(questionnaire_dir().resolve())
    except ValueError:
        return path


def find(ref: str) -> Questionnaire:
    """Load ``key@version`` or raise OperationError saying what is wrong with it."""
    try:
        key, version = parse_ref(ref)
    except ValueError as exc:
        raise OperationError(str(exc)) from None
    return load(key, version)


def load(key: str, version: int) -> Questionnaire:
    """Load a version, checking the file against its recorded hash if it has one."""
    cat = catalog()
    try:
        questionnaire = cat.get(key, version)
    except QuestionnaireNotFound:
        known = ", ".join(f"{k}@{v}" for k, v in sorted(cat.refs())) or "none"
        raise OperationError(f"No questionnaire {key}@{version}. Known versions: {known}.") from None
    except QuestionnaireError as exc:
        raise OperationError("\n".join(str(p) for p in exc.problems)) from None
    pinned = _pinned_hash(key, version)
    if pinned is not None:
        recorded, first_used = pinned
        try:
            on_disk = file_hash(Path(questionnaire.path))
        except OSError:
            on_disk = None  # deleted or unreadable: as much a change as an edit
        if on_disk != recorded or questionnaire.content_hash != recorded:
            what = "has changed" if on_disk is not None else "is missing or unreadable"
            raise QuestionnaireChanged(
                f"{questionnaire.path} {what} since {key}@{version} was first used "
                f"(recorded {first_used}). Published versions never change: "
                "restore the file from version control, or publish the change as a new version."
            )
    return questionnaire


def _pinned_hash(key: str, version: int) -> tuple[str, str] | None:
    """The recorded hash and first-use date; remembered per process once found, because a
    pin never changes after it is written (the resident form asks on every request).

    A shared read: a resident's request that starts the session's transaction here must not
    take SQLite's write lock, which its own insert, on another connection, then waits for."""
    pins: dict[tuple[str, int], tuple[str, str]] = current_app.extensions.setdefault("questionnaire_pins", {})
    if (key, version) not in pins:
        with read_only():
            row = db.session.get(QuestionnaireVersion, (key, version))
        if row is None:
            return None
        pins[(key, version)] = (row.content_hash, f"{row.first_used_at:%Y-%m-%d}")
    return pins[(key, version)]


def pin(questionnaire: Questionnaire) -> None:
    """Record the content hash of a version the first time a round uses it."""
    key, version = questionnaire.key, questionnaire.version
    if db.session.get(QuestionnaireVersion, (key, version)) is None:
        db.session.add(
            QuestionnaireVersion(
                key=key, version=version, content_hash=questionnaire.content_hash,
                path=str(relative_path(Path(questionnaire.path))),
            )
        )
        db.session.flush()
