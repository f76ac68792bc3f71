"""A resident answers the whole form on a phone-sized Chromium, with JS on and with JS off."""

from __future__ import annotations

import pytest

from tests.browser.resident import (
    BROWSER_TEST,
    THANKS,
    answer,
    fill_form,
    fill_page,
    open_form,
    screenshot,
    stored_responses,
    visible_questions,
)

pytestmark = BROWSER_TEST


def _take_the_skip_both_ways(page) -> None:  # type: ignore[no-untyped-def]
    """On the last page: 'no' hides contact_how at once, 'yes' shows it, and we end on 'no'."""
    how = page.locator("#q-contact_how")
    answer(page, "contact_12m", "no")
    assert how.is_hidden()
    answer(page, "contact_12m", "yes")
    assert how.is_visible()
    assert "contact_how" in visible_questions(page)
    answer(page, "contact_12m", "no")
    assert how.is_hidden()


def test_js_resident_fills_every_page_with_a_skip_and_is_thanked(live_server, page, plan):
    open_form(page, live_server.form_url)
    assert page.locator("#progress").inner_text().startswith("Bagian 1 dari")
    assert page.locator("#intro").is_visible()
    assert page.locator("#back").is_hidden()
    answered = fill_form(page, plan)
    assert "contact_how" not in answered
    assert page.locator("#progress").inner_text() == "Bagian 9 dari 9"
    assert page.locator("#intro").is_hidden()
    # Back and forth within the page keeps the answers.
    page.locator("#back").click()
    assert page.locator("#progress").inner_text() == "Bagian 8 dari 9"
    assert page.locator("#q-local_problems input[value=theft]").is_checked()
    page.locator("#next").click()
    # The phone's own back button goes back one section too, without leaving the form.
    page.go_back()
    assert page.locator("#progress").inner_text() == "Bagian 8 dari 9"
    assert page.url.split("?")[0].endswith(live_server.form_url.split("/s/", 1)[1])
    page.go_forward()
    assert page.locator("#progress").inner_text() == "Bagian 9 dari 9"
    _take_the_skip_both_ways(page)
    screenshot(page, "js-last-page")
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.locator("#next").click()
    page.wait_for_url(THANKS)
    assert "Terima kasih" in page.locator("h1").inner_text()
    assert "Jawaban Anda untuk" in page.locator("main").inner_text()
    assert page.title() == "Terima kasih!"
    # The thanks came with the JSON reply: one round trip, no thank-you page, no CSS check.
    assert [url.rsplit("/", 1)[-1] for url in requests] == ["submit"]
    screenshot(page, "thanks")
    page.reload()  # the address shown is the real thank-you page
    assert "Terima kasih" in page.locator("h1").inner_text()
    [stored] = stored_responses()
    assert "contact_how" not in stored.answers
    assert stored.answers["contact_12m"] == "no"
    assert stored.answers["fkpm_meetings_12m"] == 3


def test_js_off_gives_the_same_stored_answers_as_js_on(live_server, new_context, plan):
    no_js = new_context(java_script_enabled=False).new_page()
    open_form(no_js, live_server.form_url)
    fill_form(no_js, plan, js=False)
    # Without JS the server cannot hide a question that depends on the same page: it shows
    # it with a note, and the resident leaves it empty.
    assert "contact_how" in visible_questions(no_js)
    screenshot(no_js, "nojs-last-page")
    with no_js.expect_navigation():
        no_js.locator("#next").click()
    no_js.wait_for_url(THANKS)
    assert "Terima kasih" in no_js.locator("h1").inner_text()
    [server_path] = stored_responses()

    js = new_context().new_page()
    open_form(js, live_server.form_url)
    fill_form(js, plan)
    _take_the_skip_both_ways(js)
    js.locator("#next").click()
    js.wait_for_url(THANKS)
    stored = stored_responses()
    assert len(stored) == 2
    [js_path] = [r for r in stored if r.id != server_path.id]
    assert js_path.answers == server_path.answers
    # Both paths agreed to the same consent text, and stored its hash with the answers.
    assert js_path.consent_hash == server_path.consent_hash is not None
    assert "contact_how" not in server_path.answers


def test_a_missing_answer_is_flagged_on_the_page_without_a_round_trip(live_server, page, plan):
    open_form(page, live_server.form_url)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.locator("#next").click()
    first = page.locator(".q.invalid").first
    assert first.locator(".error").inner_text().endswith("Jawaban ini wajib diisi.")
    assert requests == []
    fill_page(page, plan)
    page.locator("#next").click()
    assert page.locator(".q.invalid").count() == 0
    assert page.locator("#progress").inner_text().startswith("Bagian 2 dari")


@pytest.mark.parametrize("javascript", [True, False])
def test_declining_the_consent_ends_politely_and_stores_nothing(live_server, new_context, questionnaire, javascript):
    page = new_context(java_script_enabled=javascript).new_page()
    page.goto(live_server.form_url)
    assert page.locator("#consent").is_visible() and page.locator("section.page").count() == 0
    assert page.locator("#agree").inner_text() == "Saya setuju"
    with page.expect_navigation():
        page.locator("#decline").click()
    assert "Tidak ada yang disimpan" in page.locator("#declined").inner_text()
    assert stored_responses() == []
