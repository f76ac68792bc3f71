"""The questionnaire, report and printing engines stay pure Python: no Flask, no web layer."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ENGINES = {
    "survey_app/questionnaire": ("survey_app.questionnaire",),
    "reports": ("reports", "survey_app.questionnaire"),
    "survey_app/printing": ("survey_app.printing", "survey_app.questionnaire"),
}
FORBIDDEN = ("flask", "flask_sqlalchemy", "flask_wtf", "flask_login", "flask_babel", "werkzeug")


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


@pytest.mark.parametrize("folder", sorted(ENGINES))
def test_engine_imports_no_web_framework(folder):
    allowed_internal = ENGINES[folder]
    offenders = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for name in _imports(path):
            top = name.split(".")[0]
            if top in FORBIDDEN:
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
            if top in ("survey_app", "reports") and not name.startswith(allowed_internal):
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def test_engines_run_without_loading_flask():
    """Import-statement checks miss transitive imports: load the engines in a clean process."""
    import subprocess
    import sys

    code = ("import sys, reports.tables, reports.workbook, survey_app.questionnaire, survey_app.printing.pdf; "
            "print('flask' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)  # noqa: S603
    assert result.stdout.strip() == "False"
