"""Browser fixtures: the app served on a free local port, driven by Debian's Chromium.

Each test gets its own live server (port chosen by the OS, so xdist workers never
collide) on the per-test database of the ``app`` fixture, and a fresh browser context
(cookies, IndexedDB and service worker start empty). Chromium is launched once per
test process (see chromium.py). A missing Chromium fails the tests loudly: CI installs
it, and a silent skip would hide that the resident's path was never exercised.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from werkzeug.serving import make_server

from survey_app.extensions import db
from survey_app.questionnaires import load
from tests.browser.chromium import acquire, release
from tests.factories import complete_answers, make_round, make_villages

PHONE = {"width": 360, "height": 640}
FORM_PATH = "/s/round-1/32.73.01.1001"
TIMEOUT_MS = 5_000


@dataclass(frozen=True)
class LiveServer:
    url: str  # http://127.0.0.1:PORT, no trailing slash

    @property
    def form_url(self) -> str:
        return self.url + FORM_PATH


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    """The app served by werkzeug in a background thread, on the test's own database."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Chromium, once per process (shared with other folders' copies of this fixture);
    fails, never skips, when it is not installed."""
    chromium = acquire()
    try:
        yield chromium
    finally:
        release()


class ContextFactory:
    """Makes phone-sized, Indonesian browser contexts, and hears every Content-Security-Policy
    violation Chromium reports in any of their pages (``violations``)."""

    def __init__(self, browser) -> None:  # type: ignore[no-untyped-def]
        self.browser, self.contexts, self.violations = browser, [], []

    def __call__(self, **options: object):  # type: ignore[no-untyped-def]
        settings: dict[str, object] = {"viewport": PHONE, "locale": "id-ID", **options}
        context = self.browser.new_context(**settings)
        context.set_default_timeout(TIMEOUT_MS)
        context.on("console", self._heard)
        self.contexts.append(context)
        return context

    def _heard(self, message) -> None:  # type: ignore[no-untyped-def]
        if "Content Security Policy" in message.text:
            self.violations.append(f"{message.location.get('url', '')}: {message.text}")


@pytest.fixture
def new_context(browser) -> Iterator[ContextFactory]:  # type: ignore[no-untyped-def]
    """Factory for browser contexts; all are closed after the test, which fails if any page
    broke the Content-Security-Policy (the app must run under the policy it sends)."""
    factory = ContextFactory(browser)
    yield factory
    for context in factory.contexts:
        context.close()
    assert factory.violations == [], "Content-Security-Policy violations:\n" + "\n".join(factory.violations)


@pytest.fixture
def context(new_context):  # type: ignore[no-untyped-def]
    """A phone with JavaScript on."""
    return new_context()


@pytest.fixture
def page(context):  # type: ignore[no-untyped-def]
    return context.new_page()


@pytest.fixture
def questionnaire(app: Flask):  # type: ignore[no-untyped-def]
    """An open round of trust-safety v2 covering the village at FORM_PATH."""
    make_villages()
    make_round("Round 1", "trust-safety@2", opened=True, scope=["32.73.01"])
    questionnaire = load("trust-safety", 2)
    # Every SQLite transaction holds the write lock (BEGIN IMMEDIATE): end the test's own
    # before the live server needs the database.
    db.session.remove()
    return questionnaire


@pytest.fixture
def plan(questionnaire) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """What the resident answers: every question shown, with both skips taken the same way
    on every path (contact_12m 'no' hides contact_how; know_fkpm 'yes' shows the meetings)."""
    return complete_answers(questionnaire, {"contact_12m": "no", "fkpm_meetings_12m": "3",
                                            "work_together": "Ronda malam bersama."})

