from pathlib import Path

from survey_app.config import PROJECT_ROOT

FIXTURES = Path(__file__).parent / "questionnaire" / "fixtures"


def test_validate_passes_on_the_shipped_questionnaires(runner):
    result = runner.invoke(args=["questionnaire", "validate", str(PROJECT_ROOT / "questionnaires")])
    assert result.exit_code == 0, result.output
    assert "All questionnaire files are valid." in result.output


def test_validate_defaults_to_the_configured_folder(runner):
    result = runner.invoke(args=["questionnaire", "validate"])
    assert result.exit_code == 0, result.output


def test_validate_fails_with_precise_messages_on_broken_files(runner):
    broken = sorted(FIXTURES.rglob("*.yaml"))
    broken = [path for path in broken if "broken" in str(path)]
    assert broken, "the broken fixtures are missing"
    result = runner.invoke(args=["questionnaire", "validate", *map(str, broken)])
    assert result.exit_code == 1
    for path in broken:
        assert str(path) in result.output or path.name in result.output, path
    assert "problem(s) found" in result.output


def test_validate_reports_a_missing_path(runner, tmp_path):
    result = runner.invoke(args=["questionnaire", "validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_list_shows_versions_and_whether_they_are_published(runner):
    result = runner.invoke(args=["questionnaire", "list"])
    assert result.exit_code == 0
    assert "trust-safety@1  not used yet" in result.output
    created = runner.invoke(args=["rounds", "create", "--all-villages", "R", "--questionnaire", "trust-safety@1"])
    assert created.exit_code == 0
    result = runner.invoke(args=["questionnaire", "list"])
    assert "trust-safety@1  published" in result.output
    assert "trust-safety@2  not used yet" in result.output


def test_show_prints_sections_questions_and_options(runner):
    result = runner.invoke(args=["questionnaire", "show", "trust-safety@1", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "trust-safety@1: Trust in Police and Feeling of Safety" in result.output
    assert "Strongly agree *" in result.output  # favourable options are starred
    assert "[dont_know]" in result.output
    assert "show if:" in result.output
    assert "index trust:" in result.output


def test_show_refuses_unknown_versions(runner):
    result = runner.invoke(args=["questionnaire", "show", "trust-safety@7"])
    assert result.exit_code == 1
    assert "No questionnaire trust-safety@7" in result.output


def test_diff_shows_the_kinds_of_change(runner):
    result = runner.invoke(args=["questionnaire", "diff", "trust-safety@1", "trust-safety@2"])
    assert result.exit_code == 0, result.output
    text = result.output.lower()
    for kind in ("added", "removed", "caution", "not comparable", "same"):
        assert kind in text, kind
    assert "safe_walk_dark" in text and "series breaks (comparable with caution)" in text


def test_diff_refuses_versions_of_different_questionnaires_or_in_the_wrong_order(runner):
    result = runner.invoke(args=["questionnaire", "diff", "trust-safety@2", "trust-safety@1"])
    assert result.exit_code == 1
    assert "Error:" in result.output and "Traceback" not in result.output
