"""The connection drops: the answers wait on the phone and are stored exactly once later."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.resident import BROWSER_TEST, THANKS, fill_form, open_form, screenshot, stored_responses

pytestmark = BROWSER_TEST

QUEUED = "Tidak ada sinyal"


def _current_key(page) -> str:  # type: ignore[no-untyped-def]
    return page.evaluate("() => document.getElementById('survey').elements._key.value")


def _outbox_keys(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The submission keys waiting in the phone's IndexedDB outbox."""
    return page.evaluate("""() => new Promise((resolve, reject) => {
        const open = indexedDB.open("survey-outbox", 1);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
            const req = open.result.transaction("outbox").objectStore("outbox").getAllKeys();
            req.onsuccess = () => { open.result.close(); resolve(req.result); };
        };
    })""")


def _go_online(context, page) -> None:  # type: ignore[no-untyped-def]
    """Back in coverage. Chromium fires 'online' when offline emulation ends; the test
    relies on that event (not the 30 s timer), and checks it really fired.

    The outbox may send and move on to the thank-you page before the check runs, so
    the event is noted in sessionStorage, which survives that navigation."""
    page.evaluate(
        "() => { sessionStorage.removeItem('test-online');"
        " addEventListener('online', () => sessionStorage.setItem('test-online', '1')); }"
    )
    context.set_offline(False)
    page.wait_for_function("() => sessionStorage.getItem('test-online') === '1'")


def test_answers_sent_with_no_signal_are_kept_and_stored_once_when_it_returns(live_server, context, page, plan):
    open_form(page, live_server.form_url)
    fill_form(page, plan)
    context.set_offline(True)
    page.locator("#next").click()
    expect(page.locator("#status")).to_contain_text(QUEUED)
    expect(page.locator("#status")).to_be_in_viewport()  # seen where the resident is, not just announced
    expect(page.locator("#waiting")).to_have_text("1 jawaban menunggu di ponsel ini untuk dikirim.")
    screenshot(page, "offline-queued")
    key = _current_key(page)
    assert _outbox_keys(page) == [key]
    assert stored_responses() == []

    _go_online(context, page)
    page.wait_for_url(THANKS)
    [stored] = stored_responses()
    assert stored.submission_key == key
    assert stored.answers["contact_12m"] == "no"
    assert _outbox_keys(page) == []


def test_the_first_visit_is_kept_and_reloads_with_no_signal(live_server, context, page, plan):
    """A QR-code visit is often the only one: once the worker is installed, the page the
    resident is on and its files are kept, with no second visit."""
    open_form(page, live_server.form_url)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    # The worker says when the page and its files are stored (a listed key may still be writing).
    page.locator("html[data-offline-ready]").wait_for(state="attached")
    urls = page.evaluate("() => caches.open('respond-v1').then(c => c.keys()).then(k => k.map(r => r.url))")
    assert page.url in urls
    assert {"respond.css", "respond.js", "showif.js"} <= {url.split("/static/")[-1].split("?")[0] for url in urls}
    context.set_offline(True)
    page.reload()
    expect(page.locator("#progress")).to_have_text("Bagian 1 dari 9")
    assert page.evaluate("() => document.documentElement.classList.contains('js')")  # the script came too
    assert page.evaluate("() => getComputedStyle(document.querySelector('.bar')).display") == "flex"  # and the CSS
    fill_form(page, plan)
    page.locator("#next").click()
    expect(page.locator("#status")).to_contain_text(QUEUED)
    expect(page.locator("#waiting")).to_be_visible()
    _go_online(context, page)
    page.wait_for_url(THANKS)
    assert len(stored_responses()) == 1
    expect(page.locator("#waiting")).to_be_hidden()


def test_form_reopened_with_no_signal_comes_from_the_phone_and_its_answers_arrive_once(
    live_server, context, page, plan
):
    open_form(page, live_server.form_url)
    # The service worker keeps the pages it sees while it controls the tab; the first
    # visit installs it, the next one (here a reload) is kept.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.reload()
    page.wait_for_function(
        "() => caches.open('respond-v1').then(c => c.keys()).then(k => k.some(r => r.url.endsWith(location.pathname)))"
    )
    context.set_offline(True)
    page.reload()
    expect(page.locator("#progress")).to_have_text("Bagian 1 dari 9")
    fill_form(page, plan)
    page.locator("#next").click()
    expect(page.locator("#status")).to_contain_text(QUEUED)
    key = _current_key(page)
    assert stored_responses() == []

    _go_online(context, page)
    page.wait_for_url(THANKS)
    [stored] = stored_responses()
    assert stored.submission_key == key


def test_a_send_whose_session_expired_fetches_a_fresh_token_and_is_stored_once(live_server, context, page, plan):
    open_form(page, live_server.form_url)
    fill_form(page, plan)
    # The session cookie holds the CSRF secret: without it the page's token is stale.
    context.clear_cookies()
    csrf_fetches: list[str] = []
    page.on("request", lambda request: csrf_fetches.append(request.url) if request.url.endswith("/s/csrf") else None)
    with page.expect_response("**/submit") as refused:
        page.locator("#next").click()
    assert refused.value.status == 400
    page.wait_for_url(THANKS)
    assert len(csrf_fetches) == 1
    [stored] = stored_responses()
    assert stored.answers["contact_12m"] == "no"


def test_a_busy_server_is_not_called_a_lost_signal_and_the_answers_still_arrive(live_server, context, page, plan):
    """A 429 (or a 5xx) reached the phone: the resident is told the server is busy, not that
    their signal is gone; the answers wait in the outbox and are stored once later."""
    open_form(page, live_server.form_url)
    fill_form(page, plan)
    page.route("**/submit", lambda route: route.fulfill(status=429, content_type="text/html", body="busy"))
    page.locator("#next").click()
    expect(page.locator("#status")).to_contain_text("Server survei sedang sibuk")
    expect(page.locator("#status")).not_to_contain_text(QUEUED)
    key = _current_key(page)
    assert _outbox_keys(page) == [key]
    assert stored_responses() == []

    page.unroute("**/submit")
    page.evaluate("() => window.dispatchEvent(new Event('online'))")  # the next try, without the 30 s wait
    page.wait_for_url(THANKS)
    [stored] = stored_responses()
    assert stored.submission_key == key


def test_the_form_asks_that_its_outbox_survive_storage_clean_ups(live_server, context, page, plan):
    page.add_init_script("""(() => {
        const ask = navigator.storage.persist.bind(navigator.storage);
        window.persistAsked = 0;
        navigator.storage.persist = () => { window.persistAsked += 1; return ask(); };
    })()""")
    open_form(page, live_server.form_url)
    page.wait_for_function("() => window.persistAsked >= 1")
