"""Shared fixtures: the named good versions v1/v2 and a helper to write small files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from textwrap import dedent

import pytest

from survey_app.questionnaire import Questionnaire, load_file

FIXTURES = Path(__file__).parent / "fixtures"
GOOD = FIXTURES / "good"
BROKEN = FIXTURES / "broken"

HEADER = """\
key: {key}
version: {version}
languages: [id, en]
title: {{id: Uji, en: Test}}
"""


@pytest.fixture(scope="session")
def v1() -> Questionnaire:
    return load_file(GOOD / "demo" / "v1.yaml")


@pytest.fixture(scope="session")
def v2() -> Questionnaire:
    return load_file(GOOD / "demo" / "v2.yaml")


WriteQuestionnaire = Callable[..., Path]


@pytest.fixture
def write(tmp_path: Path) -> WriteQuestionnaire:
    """Write ``<tmp>/<key>/v<version>.yaml`` with a standard header plus ``body``."""

    def _write(body: str, key: str = "tmp", version: int = 1) -> Path:
        path = tmp_path / key / f"v{version}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(HEADER.format(key=key, version=version) + dedent(body), encoding="utf-8")
        return path

    return _write
