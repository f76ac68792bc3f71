"""``flask backup create`` and ``restore`` on both databases: the restored database equals the
one backed up, and a damaged or unchecked file replaces nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import AuditEvent, Response, Round, User, Village


def _counts() -> dict[str, int]:
    counted = {model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
               for model in (Response, Round, Village, User)}
    db.session.close()  # on SQLite the restore needs the file to itself
    return counted


def _backed_up(runner, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    out = tmp_path / "backups" / "survey.backup"
    result = runner.invoke(args=["backup", "create", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_a_restored_database_is_the_one_backed_up(app, runner, tmp_path):
    out = _backed_up(runner, tmp_path)
    before = _counts()
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert (tmp_path / "backups" / "survey.backup.sha256").read_text() == f"{digest}  survey.backup\n"
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".")] == []  # no partial left

    db.session.execute(sa.delete(Response))
    db.session.commit()
    assert _counts()["Response"] == 0

    unconfirmed = runner.invoke(args=["backup", "restore", str(out)])
    assert unconfirmed.exit_code == 1 and "--yes" in unconfirmed.output and _counts()["Response"] == 0
    restored = runner.invoke(args=["backup", "restore", str(out), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert _counts() == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "backup.restored")) == 1


def test_a_damaged_or_unchecked_backup_replaces_nothing(app, runner, tmp_path):
    out = _backed_up(runner, tmp_path)
    db.session.execute(sa.delete(Response))
    db.session.commit()
    data = bytearray(out.read_bytes())
    data[len(data) // 2] ^= 0xFF
    out.write_bytes(bytes(data))
    damaged = runner.invoke(args=["backup", "restore", str(out), "--yes"])
    assert damaged.exit_code == 1 and "does not match its checksum" in damaged.output
    (out.parent / "survey.backup.sha256").unlink()
    unchecked = runner.invoke(args=["backup", "restore", str(out), "--yes"])
    assert unchecked.exit_code == 1 and "cannot be checked" in unchecked.output
    missing = runner.invoke(args=["backup", "restore", str(tmp_path / "nothing.backup"), "--yes"])
    assert missing.exit_code == 1 and "No backup file" in missing.output
    assert _counts()["Response"] == 0  # untouched: still as it was before each refusal
