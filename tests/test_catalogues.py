"""The message catalogues: Indonesian complete, Javanese and Sundanese complete for the
residents' pages, and every translation keeps its placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

APP = Path(__file__).resolve().parents[1] / "survey_app"
PLACEHOLDER = re.compile(r"%\((\w+)\)s|\{(\w+)\}")
RESIDENT_SOURCES = [*sorted((APP / "templates" / "respond").glob("*.html")), *sorted((APP / "respond").glob("*.py")),
                    APP / "answer_messages.py", APP / "errors.py"]
STAFF_ONLY = ("Preview", "This is how residents finish the form")
"""The form's preview banner and its notes: staff read them, in the console's languages."""


def _catalog(code: str):  # type: ignore[no-untyped-def]
    with (APP / "translations" / code / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=code)


def _resident_ids() -> set[str]:
    found = set()
    for path in RESIDENT_SOURCES:
        method, options = ("jinja2", {"extensions": "jinja2.ext.i18n"}) if path.suffix == ".html" else ("python", {})
        for _line, message, _comments, _context in extract_from_file(
                method, str(path), keywords={"_": None, "_l": None, "gettext": None}, options=options):
            text = message if isinstance(message, str) else message[0]
            if not text.startswith(STAFF_ONLY):
                found.add(text)
    return found


def test_the_indonesian_catalogue_is_complete():
    missing = [m.id for m in _catalog("id") if m.id and (not m.string or m.fuzzy)]
    assert missing == []


@pytest.mark.parametrize("code", ["jv", "su"])
def test_regional_catalogues_cover_every_string_of_the_residents_pages(code):
    catalog = _catalog(code)
    wanted = _resident_ids()
    assert len(wanted) > 40
    missing = sorted(text for text in wanted if not (catalog.get(text) and catalog.get(text).string
                                                     and not catalog.get(text).fuzzy))
    assert missing == []


@pytest.mark.parametrize("code", ["id", "jv", "su"])
def test_translations_keep_their_placeholders(code):
    for message in _catalog(code):
        if not message.id or not message.string:
            continue
        if isinstance(message.id, tuple):  # plural forms: each may name fewer than the English pair
            names = set(PLACEHOLDER.findall(" ".join(message.id)))
            assert all(set(PLACEHOLDER.findall(form)) <= names for form in message.string), message.id
        else:
            assert set(PLACEHOLDER.findall(message.id)) == set(PLACEHOLDER.findall(message.string)), message.id
