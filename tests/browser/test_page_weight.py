"""What the phone downloads: only our own server, few requests, within the 30 KB budget.

benchmarks/page_weight.py reports the same bytes per page in detail; this test keeps the
budget and the no-third-party rule from regressing.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.browser.resident import BROWSER_TEST, THANKS, fill_form, open_form

pytestmark = BROWSER_TEST

BUDGET = 30 * 1024  # bytes on the wire for HTML + CSS + JS of a form page
CONSENT_BUDGET = 4 * 1024  # the consent page before the questions: text and two buttons


def test_first_visit_is_few_local_requests_within_the_budget_and_nothing_else_is_fetched(
    live_server, context, page, plan
):
    seen = []
    context.on("request", lambda request: seen.append(request))
    open_form(page, live_server.form_url)  # the consent page, then the questions
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    # Kept for an offline reload: the consent page, the questions' page and the three files.
    page.wait_for_function("() => caches.open('respond-v1').then(c => c.keys()).then(k => k.length === 5)")
    first_visit = list(seen)
    form = urlsplit(live_server.form_url).path
    files = {"/static/respond.css", "/static/showif.js", "/static/respond.js"}
    paths = [urlsplit(r.url).path for r in first_visit]
    assert set(paths) == {form, *files, "/s/sw.js"}
    assert paths.count(form) <= 4  # each page once from the network, once kept by the worker
    sizes = [(request.url, request.sizes()["responseBodySize"]) for request in first_visit]
    # The questions' page and its files within a form page's budget; the consent step adds its
    # own small page (the files are the same).
    assert 0 < sum(size for _, size in sizes) <= BUDGET + CONSENT_BUDGET, sizes
    consent_page = [size for url, size in sizes if urlsplit(url).path == form and "setuju=" not in url]
    assert 0 < max(consent_page) <= CONSENT_BUDGET, sizes

    fill_form(page, plan)
    page.locator("#next").click()
    page.wait_for_url(THANKS)
    hosts = {urlsplit(r.url).netloc for r in seen}
    assert hosts == {urlsplit(live_server.url).netloc}, "every request goes to our own server"
