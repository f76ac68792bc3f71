"""An administrator previews the residents' form in Chromium, with JS: the same pages and skip
logic, marked as a preview, and the last step checks the answers without storing them."""

from __future__ import annotations

from playwright.sync_api import expect

from survey_app.extensions import db
from survey_app.models import Role
from tests.browser.resident import BROWSER_TEST, fill_form, stored_responses
from tests.browser.staff import sign_in
from tests.factories import make_round, make_user

pytestmark = BROWSER_TEST


def test_a_draft_rounds_form_is_previewed_with_js_and_nothing_is_stored(live_server, page, plan):
    draft = make_round("Putaran Draf", "trust-safety@2", scope=["32.73.01"])
    admin = make_user(Role.ADMIN, "preview@example.org")
    slug, email = draft.slug, admin.email
    db.session.remove()  # SQLite: the live server needs the write lock
    sign_in(page, live_server.url, email, lang="id")
    page.goto(f"{live_server.url}/admin/rounds/{slug}/preview")
    expect(page.locator("#preview-banner")).to_be_visible()
    fill_form(page, plan)
    page.locator("#next").click()
    expect(page.locator("h1")).to_have_text("Pratinjau: jawaban sudah diperiksa, dan tidak ada yang disimpan.")
    assert stored_responses() == []
