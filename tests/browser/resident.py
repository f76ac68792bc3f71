"""What a resident does in the browser: answer the visible questions of a page, move on.

The same helpers drive the enhanced form (JS on, pages switched in the page) and the
server pages (JS off, one POST per page), so both paths get exactly the same inputs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import Response

# Every browser module: marked, and on SQLite only (the live server shares the test's
# database from another thread).
BROWSER_TEST = [
    pytest.mark.browser,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]
THANKS = "**/terima-kasih"
VISIBLE_PAGE = "section.page:not([hidden])"


@dataclass(frozen=True)
class Stored:
    id: int
    submission_key: str
    answers: dict[str, Any]
    consent_hash: str | None = None


def stored_responses() -> list[Stored]:
    """The responses in the database now, copied out of a short transaction.

    The live server writes from its own thread, and on SQLite every transaction takes the
    write lock (BEGIN IMMEDIATE): the test must never keep one open while the browser acts.
    """
    db.session.remove()
    try:
        return [Stored(r.id, r.submission_key, dict(r.answers), r.consent_hash)
                for r in db.session.scalars(sa.select(Response))]
    finally:
        db.session.remove()


def open_form(page, url: str):  # type: ignore[no-untyped-def]
    """Open a resident form as a resident does: read the consent and press "I agree" (a plain
    GET form, with JS or without); returns the navigation's response."""
    response = page.goto(url)
    agree = page.locator("#agree")
    if agree.count():
        # A resident reads the consent for a while, long enough for the phone to install the
        # offline worker the page registers; a test clicks at once, so it waits for that.
        if page.locator("html.js").count():
            page.wait_for_function("() => navigator.serviceWorker.ready.then(() => true)")
        with page.expect_navigation() as navigation:
            agree.click()
        return navigation.value
    return response


def screenshot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """Keep a picture of the page for a human to look at, when SCREENSHOT_DIR is set
    (for example ``SCREENSHOT_DIR=/tmp pytest tests/browser``)."""
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=str(Path(folder) / f"respond-{name}.png"), full_page=True)


def visible_questions(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Ids of the questions shown on the current page, in order."""
    return page.eval_on_selector_all(
        f"{VISIBLE_PAGE} .q", "els => els.filter(e => e.offsetParent !== null).map(e => e.dataset.q)"
    )


def answer(page, question_id: str, value: object) -> None:  # type: ignore[no-untyped-def]
    """Give one answer the way a finger would: tap the option's label, or type."""
    block = page.locator(f"#q-{question_id}")
    if block.locator("input[type=radio], input[type=checkbox]").count():
        for code in value if isinstance(value, list) else [value]:
            block.locator(f"label.choice:has(input[value='{code}'])").click()
    else:
        block.locator("input[type=text], textarea").fill(str(value))


def fill_page(page, plan: dict[str, object]) -> list[str]:  # type: ignore[no-untyped-def]
    """Answer every visible question of the current page that the plan answers.

    Visibility is read again after each answer: with JS on, an answer may show the next
    question. Returns the ids answered.
    """
    done: list[str] = []
    while True:
        todo = [q for q in visible_questions(page) if q in plan and q not in done]
        if not todo:
            return done
        answer(page, todo[0], plan[todo[0]])
        done.append(todo[0])


def fill_form(page, plan: dict[str, object], js: bool = True, stop_before_send: bool = True) -> list[str]:  # type: ignore[no-untyped-def]
    """Walk the form to its last page, answering as planned. Without JS each "Next" is a
    server round trip. Returns the ids answered, in order."""
    answered: list[str] = []
    for _ in range(20):
        answered += fill_page(page, plan)
        button = page.locator("#next")
        if button.get_attribute("value") == "submit" or (js and _is_send_button(page)):
            if not stop_before_send:
                button.click()
            return answered
        if js:
            button.click()
        else:
            with page.expect_navigation():
                button.click()
    raise AssertionError("the form never reached its last page")


def _is_send_button(page) -> bool:  # type: ignore[no-untyped-def]
    # The enhanced form keeps the server's button value and only relabels it.
    return page.evaluate(
        "() => document.getElementById('next').textContent === document.getElementById('survey').dataset.send"
    )
