"""What the phone downloads: only our own server, few requests, within the 30 KB budget.

benchmarks/page_weight.py reports the same bytes per page in detail; this test keeps the
budget and the no-third-party rule from regressing.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.browser.resident import BROWSER_TEST, THANKS, fill_form

pytestmark = BROWSER_TEST

BUDGET = 30 * 1024  # bytes on the wire for HTML + CSS + JS of a form page


def test_first_visit_is_four_local_requests_within_the_budget_and_nothing_else_is_fetched(
    live_server, context, page, plan
):
    seen = []
    context.on("request", lambda request: seen.append(request))
    page.goto(live_server.form_url)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.wait_for_function("() => caches.open('respond-v1').then(c => c.keys()).then(k => k.length === 4)")
    first_visit = list(seen)
    paths = sorted(urlsplit(r.url).path for r in first_visit)
    # The page and its three files, the worker, then the worker keeping the page and its files
    # for an offline reload (the files come from the browser's cache: they are versioned).
    form = urlsplit(live_server.form_url).path
    files = ["/static/respond.css", "/static/showif.js", "/static/respond.js"]
    assert paths == sorted([form, *files, "/s/sw.js", form, *files])
    transferred: dict[str, int] = {}
    for request in first_visit:
        path = urlsplit(request.url).path
        transferred[path] = transferred.get(path, 0) + request.sizes()["responseBodySize"]
    assert 0 < sum(transferred.values()) <= BUDGET, transferred

    fill_form(page, plan)
    page.locator("#next").click()
    page.wait_for_url(THANKS)
    hosts = {urlsplit(r.url).netloc for r in seen}
    assert hosts == {urlsplit(live_server.url).netloc}, "every request goes to our own server"
