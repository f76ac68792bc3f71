import shutil
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from survey_app.config import PROJECT_ROOT
from survey_app.extensions import db
from survey_app.models import AuditEvent, QuestionnaireVersion, Round, RoundStatus
from tests.factories import make_response, make_villages


@pytest.fixture
def qdir(tmp_path: Path) -> Path:
    """A private copy of the shipped questionnaires, so a test may tamper with it."""
    target = tmp_path / "questionnaires"
    shutil.copytree(PROJECT_ROOT / "questionnaires", target)
    return target


@pytest.fixture
def app_config(qdir: Path) -> dict[str, object]:
    return {"QUESTIONNAIRE_DIR": str(qdir)}


def _create(runner, *args: str):  # type: ignore[no-untyped-def]
    """``rounds create`` over every village, said out loud as the command requires."""
    return runner.invoke(args=["rounds", "create", "--all-villages", *args])


def _rounds() -> list[Round]:
    return list(db.session.scalars(sa.select(Round).order_by(Round.id)))


def test_create_round_pins_the_questionnaire_version(runner):
    make_villages()
    result = runner.invoke(args=["rounds", "create", "Putaran 1 2026", "--questionnaire", "trust-safety@1",
                                 "--opens", "2026-01-05", "--closes", "2026-02-28",
                                 "--villages", "32.73.01", "--villages", "32.73.02.1001"])
    assert result.exit_code == 0, result.output
    [round_] = _rounds()
    assert round_.slug == "putaran-1-2026"
    assert round_.status is RoundStatus.DRAFT
    assert (round_.opens_on, round_.closes_on) == (date(2026, 1, 5), date(2026, 2, 28))
    assert round_.scope_prefixes == ["32.73.01", "32.73.02.1001"]
    pinned = db.session.get(QuestionnaireVersion, ("trust-safety", 1))
    assert pinned is not None and len(pinned.content_hash) == 64
    assert pinned.path == "trust-safety/v1.yaml"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--all-villages", "--opens", "2026-13-01"], "--opens: '2026-13-01' is not a date; write it as YYYY-MM-DD."),
        (["--all-villages", "--opens", "2026-03-01", "--closes", "2026-02-01"],
         "closes (2026-02-01) before it opens (2026-03-01)"),
        (["--villages", "11.01"], "Unknown area or village code(s): 11.01"),
        ([], "Give the areas or villages of this round, or choose all villages."),
        (["--villages", "32.73", "--all-villages"], "Give area or village codes, or choose all villages, not both."),
    ],
)
def test_create_round_rejects_bad_input(runner, args, message):
    make_villages()
    result = runner.invoke(args=["rounds", "create", "R", "--questionnaire", "trust-safety@1", *args])
    assert result.exit_code == 1
    assert message in result.output
    assert _rounds() == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuestionnaireVersion)) == 0


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("trust-safety@9", "No questionnaire trust-safety@9. Known versions: partnership@1, trust-safety@1, "
                           "trust-safety@2, trust-safety@3."),
        ("trust-safety", "write key@version, e.g. trust-safety@2"),
        ("nope@1", "No questionnaire nope@1"),
    ],
)
def test_create_round_rejects_unknown_questionnaires(runner, ref, message):
    result = _create(runner, "R", "--questionnaire", ref)
    assert result.exit_code == 1
    assert message in result.output
    assert _rounds() == []


def test_round_names_are_unique(runner):
    assert _create(runner, "Round A", "--questionnaire", "trust-safety@1").exit_code == 0
    result = _create(runner, "round a", "--questionnaire", "trust-safety@2")
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert len(_rounds()) == 1


def test_round_lifecycle(runner):
    _create(runner, "R1", "--questionnaire", "trust-safety@1")
    result = runner.invoke(args=["rounds", "close", "R1"])
    assert result.exit_code == 1 and "only an open round can be closed" in result.output
    assert runner.invoke(args=["rounds", "open", "R1"]).exit_code == 0
    assert _rounds()[0].status is RoundStatus.OPEN
    result = runner.invoke(args=["rounds", "open", "r1"])
    assert result.exit_code == 1 and "already open" in result.output
    assert runner.invoke(args=["rounds", "close", "r1"]).exit_code == 0
    result = runner.invoke(args=["rounds", "open", "R1"])
    assert result.exit_code == 1 and "closed round is not reopened" in result.output
    assert _rounds()[0].status is RoundStatus.CLOSED
    actions = list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions == ["round.created", "round.opened", "round.closed"]


def test_unknown_round_is_reported(runner):
    result = runner.invoke(args=["rounds", "open", "Nope"])
    assert result.exit_code == 1
    assert "No round named 'Nope'" in result.output


def test_list_shows_status_version_and_counts(runner):
    village = make_villages()[0]
    _create(runner, "Round 1", "--questionnaire", "trust-safety@1", "--opens", "2026-01-01")
    _create(runner, "Round 2", "--questionnaire", "trust-safety@2")
    round_ = _rounds()[0]
    for _ in range(3):
        make_response(round_, village.id)
    db.session.commit()
    result = runner.invoke(args=["rounds", "list"])
    assert result.exit_code == 0
    lines = {line.split()[0] + " " + line.split()[1]: line for line in result.output.splitlines()[1:]}
    assert lines["Round 1"].split()[-1] == "3"
    assert "trust-safety@1" in lines["Round 1"] and "2026-01-01" in lines["Round 1"]
    assert lines["Round 2"].split()[-1] == "0"


def test_list_with_no_rounds_says_how_to_create_one(runner):
    result = runner.invoke(args=["rounds", "list"])
    assert result.exit_code == 0
    assert "rounds create" in result.output


def test_changed_published_file_is_refused_by_name(runner, qdir):
    assert _create(runner, "R1", "--questionnaire", "trust-safety@1").exit_code == 0
    v1 = qdir / "trust-safety" / "v1.yaml"
    v1.write_text(v1.read_text(encoding="utf-8").replace("Version 1.", "Version 1 (edited)."), encoding="utf-8")
    result = runner.invoke(args=["rounds", "open", "R1"])
    assert result.exit_code == 1
    assert f"{v1} has changed since trust-safety@1 was first used" in result.output
    assert _rounds()[0].status is RoundStatus.DRAFT
    result = _create(runner, "R2", "--questionnaire", "trust-safety@1")
    assert result.exit_code == 1 and "has changed" in result.output
    result = runner.invoke(args=["questionnaire", "validate"])
    assert result.exit_code == 1
    assert "trust-safety/v1.yaml: trust-safety@1 is published" in result.output


def test_unpublished_version_may_still_change(runner, qdir):
    """Only versions a round has used are frozen; a draft file can be edited freely."""
    v2 = qdir / "trust-safety" / "v2.yaml"
    v2.write_text(v2.read_text(encoding="utf-8") + "\n# edited before first use\n", encoding="utf-8")
    result = _create(runner, "R2", "--questionnaire", "trust-safety@2")
    assert result.exit_code == 0, result.output


def test_deleted_published_file_is_refused_by_name(runner, qdir):
    """The catalog answers a loaded version from memory; the pinned file's absence still stops it."""
    assert _create(runner, "R1", "--questionnaire", "trust-safety@1").exit_code == 0
    v1 = qdir / "trust-safety" / "v1.yaml"
    v1.unlink()
    result = runner.invoke(args=["rounds", "open", "R1"])
    assert result.exit_code == 1
    assert f"{v1} is missing or unreadable since trust-safety@1 was first used" in result.output
    assert _rounds()[0].status is RoundStatus.DRAFT


def test_reports_and_exports_refuse_an_edited_published_file_in_one_line(runner, qdir, tmp_path):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    v2 = qdir / "trust-safety" / "v2.yaml"
    v2.write_text(v2.read_text(encoding="utf-8") + "\n# edited after publication\n", encoding="utf-8")
    for args in (["reports", "build", "--round", "Putaran 2 2025", "--out", str(tmp_path / "out")],
                 ["reports", "overview", "--round", "Putaran 2 2025", "--area", "32.73",
                  "--out", str(tmp_path / "o.xlsx")],
                 ["export", "responses", "--round", "Putaran 2 2025", "--format", "csv",
                  "--out", str(tmp_path / "a.csv")]):
        result = runner.invoke(args=args)
        assert result.exit_code == 1, (args, result.output)
        assert "has changed since trust-safety@2 was first used" in result.output
        assert "Traceback" not in result.output and result.exception is not None
        assert isinstance(result.exception, SystemExit)


def test_all_villages_is_said_out_loud_and_counted(runner):
    make_villages()
    result = _create(runner, "R", "--questionnaire", "trust-safety@1")
    assert result.exit_code == 0, result.output
    assert "all 6 villages" in result.output
    assert _rounds()[0].scope_prefixes == []
