"""The browser's side of the shared evaluator table: ``showif.js`` and ``entry.js`` give the
answers ``tests/evaluator_cases.py`` states, the same the Python engine is held to."""

from __future__ import annotations

from pathlib import Path

import pytest

from survey_app.questionnaire import parse
from tests.evaluator_cases import EXPAND, KEYED_DATES, SHOW_IF

pytestmark = pytest.mark.browser  # no app, no database: only the two scripts

STATIC = Path(__file__).resolve().parents[2] / "survey_app" / "static"


def test_showif_js_and_entry_js_agree_with_the_engine_on_every_case(page):
    page.set_content("<!doctype html><title>evaluators</title>")
    page.add_script_tag(path=str(STATIC / "showif.js"))
    page.add_script_tag(path=str(STATIC / "entry.js"))
    shown = page.evaluate(
        "(cases) => cases.map(([ast, answers]) => ShowIf.evaluate(ast, answers))",
        [[parse(text).to_json(), answers] for text, answers, _expected in SHOW_IF],
    )
    assert [(text, got) for (text, _a, _e), got in zip(SHOW_IF, shown, strict=True)] == [
        (text, expected) for text, _a, expected in SHOW_IF]
    expanded = page.evaluate(
        "(cases) => cases.map(([codes, token]) => EntryKeys.expand({codes: codes.map((c) => ({code: c}))}, token))",
        [[list(codes), token] for codes, token, _expected in EXPAND],
    )
    assert [(codes, token, got) for (codes, token, _e), got in zip(EXPAND, expanded, strict=True)] == [
        (codes, token, expected) for codes, token, expected in EXPAND]
    dates = page.evaluate("(cases) => cases.map((typed) => EntryKeys.readDate(typed))", [t for t, _e in KEYED_DATES])
    assert list(zip([t for t, _e in KEYED_DATES], dates, strict=True)) == KEYED_DATES
