"""Benchmark: the resident form on a slow phone link, against static pages of the same size.

Issue 13's target: every page load and the submit within 1.2x of a static page of the same
size on the same link. The link is Chromium's own emulation, as the outside test measured
it: 2G (50 kbps both ways, 800 ms round trip) and a CPU four times slower.

For each step the script times our page in Chromium, then builds a static page with the same
bytes on the wire and times that, on a plain static server (Python's http.server, HTTP/1.1,
no compression, no cookies) in the same emulated tab:

- **first visit** (GET, with JS): our HTML, stylesheet and two scripts, against a static HTML
  file with a stylesheet and two scripts of the same sizes;
- **each no-JS section step** (POST of the section, next section back): the stylesheet and
  scripts are cached (versioned URLs), so the baseline is one static HTML file of the same
  size, fetched after a POST of the same body size;
- **the submit with JS** (one POST, the thanks shown from the JSON reply), against a POST
  of the same body to the static server, answered with a file of the reply's size.

Prints each step, its baseline, the ratio and PASS/FAIL (ratio <= 1.2), and exits non-zero
on FAIL. Run it twice if the machine is busy: both sides share the machine.

    .venv/bin/python benchmarks/slow_link.py [--runs 3]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import os
import statistics
import sys
import tempfile
from pathlib import Path

from page_weight import _prepare, _serve, serving

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from survey_app.extensions import db  # noqa: E402
from tests.browser.resident import fill_form, fill_page  # noqa: E402 - a resident's hands, as in the tests
from tests.factories import complete_answers  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
LINK = {"offline": False, "latency": 800, "downloadThroughput": 50_000 / 8, "uploadThroughput": 50_000 / 8}
CPU_SLOWDOWN = 4
TARGET = 1.2
_THANKS = "Terima kasih"


class _StaticHandler(http.server.SimpleHTTPRequestHandler):
    """Files from one folder; a POST reads its body and answers with the file named by the path."""

    protocol_version = "HTTP/1.1"  # keep-alive, as the app's server

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.do_GET()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def _static_server(folder: Path) -> contextlib.AbstractContextManager[str]:
    handler = functools.partial(_StaticHandler, directory=str(folder))
    return serving(http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler))


def _filler(size: int, prefix: str, suffix: str) -> str:
    """Text of exactly ``size`` bytes: ``prefix``, padding, ``suffix`` (padding in a comment)."""
    padding = max(0, size - len(prefix) - len(suffix) - len("<!---->"))
    return f"{prefix}<!--{'x' * padding}-->{suffix}"


class Emulated:
    """One emulated phone tab: the slow link and the slow CPU, via the DevTools protocol, and
    the browser's own clock for a document request and its load event (Playwright's click
    itself, with its waiting for stable frames, is slow on a throttled CPU and is no part of
    what a resident waits for)."""

    def __init__(self, context) -> None:  # type: ignore[no-untyped-def]
        self.page = context.new_page()
        self.cdp = context.new_cdp_session(self.page)
        for domain in ("Network", "Page"):
            self.cdp.send(f"{domain}.enable")
        self.cdp.send("Network.emulateNetworkConditions", LINK)
        self.cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
        self.bytes: dict[str, int] = {}
        self._urls: dict[str, str] = {}
        self._sent: dict[str, float] = {}
        self._loads: list[float] = []
        self.cdp.on("Network.requestWillBeSent", self._request)
        self.cdp.on("Network.responseReceived", self._received)
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.on("Page.loadEventFired", lambda event: self._loads.append(event["timestamp"]))

    def _request(self, event: dict) -> None:
        if event.get("type") == "Document" and "document" not in self._sent:
            self._sent["document"] = event["timestamp"]
        self._sent.setdefault(event["requestId"], event["timestamp"])

    def _received(self, event: dict) -> None:
        self._urls[event["requestId"]] = event["response"]["url"]

    def _finished(self, event: dict) -> None:
        url = self._urls.get(event["requestId"], "").split("?")[0]
        self.bytes[url] = int(event["encodedDataLength"])
        self._sent[f"done {url}"] = event["timestamp"]
        self._sent[f"sent {url}"] = self._sent.get(event["requestId"], event["timestamp"])

    def navigation(self, action) -> float:  # type: ignore[no-untyped-def]
        """Milliseconds from the document's request to its load event."""
        self._sent.clear()
        self._loads.clear()
        action()
        def load() -> float | None:  # a late event of the page before may still arrive: skip it
            start = self._sent.get("document")
            return next((at for at in self._loads if start is not None and at > start), None)

        self._until(lambda: load() is not None)
        return (load() - self._sent["document"]) * 1000  # type: ignore[operator]

    def exchange(self, action, url: str) -> float:  # type: ignore[no-untyped-def]
        """Milliseconds from the request to ``url`` (no query) to its last byte."""
        self._sent.clear()
        action()
        self._until(lambda: f"done {url}" in self._sent)
        return (self._sent[f"done {url}"] - self._sent[f"sent {url}"]) * 1000

    def _until(self, ready) -> None:  # type: ignore[no-untyped-def]
        """The protocol's events reach us a moment after Playwright returns: wait for them."""
        for _ in range(600):
            if ready():
                return
            self.page.wait_for_timeout(50)
        raise SystemExit("the browser never reported the request or its load event")


class Tab:
    """Our pages in one emulated tab, the static baselines in another, one browser context."""

    def __init__(self, browser, javascript: bool) -> None:  # type: ignore[no-untyped-def]
        self.context = browser.new_context(viewport={"width": 360, "height": 640}, java_script_enabled=javascript)
        self.ours, self.static = Emulated(self.context), Emulated(self.context)
        self.page, self.side = self.ours.page, self.static.page

    def close(self) -> None:
        self.context.close()


def _walk(browser, base: str, path: str, static: str, folder: Path, answers: dict[str, object],
          ) -> list[tuple[str, float, float]]:  # type: ignore[no-untyped-def]
    """(step, ours ms, static ms) for one resident's visit, without and with JS."""
    steps = []

    # --- with JS: the first visit, and the submit ------------------------------------------
    tab = Tab(browser, javascript=True)
    page = tab.page
    ours = tab.ours.navigation(lambda: page.goto(base + path, wait_until="load"))
    sizes = {name: tab.ours.bytes.get(base + name, 0)
             for name in (path, "/static/respond.css", "/static/showif.js", "/static/respond.js")}
    (folder / "first.css").write_text(_filler(sizes["/static/respond.css"], "", ""))
    (folder / "a.js").write_text(_filler(sizes["/static/showif.js"], "", ""))
    (folder / "b.js").write_text(_filler(sizes["/static/respond.js"], "", ""))
    head = '<!doctype html><link rel="stylesheet" href="first.css"><script src="a.js" defer></script>' \
           '<script src="b.js" defer></script>'
    (folder / "first.html").write_text(_filler(sizes[path], head, "<p>static</p>"))
    baseline = tab.static.navigation(lambda: tab.side.goto(f"{static}/first.html", wait_until="load"))
    steps.append(("first visit, with JS (GET)", ours, baseline))

    page.goto(base + path, wait_until="load")
    fill_form(page, answers)  # every section on the phone, with no network, up to "Send"
    thanked = page.locator("h1", has_text=_THANKS)
    ours = tab.ours.exchange(lambda: (page.locator("#next").click(), thanked.wait_for(timeout=120_000)),
                             base + path + "/submit")
    reply = tab.ours.bytes.get(base + path + "/submit", 200)
    (folder / "reply.json").write_text(_filler(reply, "", ""))
    body = 1200  # about the JSON body of a whole questionnaire's answers
    (folder / "blank.html").write_text("<!doctype html><p>static</p>")
    tab.side.goto(f"{static}/blank.html")  # the static server's own origin, for its fetch
    baseline = tab.static.exchange(lambda: tab.side.evaluate(
        "([url, size]) => fetch(url, {method: 'POST', body: 'x'.repeat(size)}).then(r => r.text())",
        [f"{static}/reply.json", body]), f"{static}/reply.json")
    steps.append(("submit, with JS (POST; the thanks from its reply)", ours, baseline))
    tab.close()

    # --- without JS: each section step ------------------------------------------------------
    tab = Tab(browser, javascript=False)
    page = tab.page
    page.goto(base + path, wait_until="load")
    number = 1
    while True:
        fill_page(page, answers)
        if page.locator("#next").get_attribute("value") == "submit":
            break
        ours = tab.ours.navigation(lambda: page.locator("#next").click())
        number += 1
        size = tab.ours.bytes.get(base + path, 0)
        (folder / f"step{number}.html").write_text(_filler(size, "<!doctype html>", "<p>static</p>"))
        (folder / "post.html").write_text(  # a plain form posting about as much as a section does
            f'<!doctype html><form method="post" action="step{number}.html"><input type="hidden" name="x" '
            f'value="{"x" * 900}"><button id="go">go</button></form>')
        tab.side.goto(f"{static}/post.html")
        baseline = tab.static.navigation(lambda: tab.side.locator("#go").click())
        steps.append((f"no-JS step to section {number} (POST)", ours, baseline))
    tab.close()
    return steps


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="visits timed; the median is judged (default: 3)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from survey_app import questionnaires

    with tempfile.TemporaryDirectory(prefix="slow-link-") as tmp:
        app, path = _prepare(Path(tmp) / "slow.sqlite")
        with app.app_context():
            answers = complete_answers(questionnaires.load("trust-safety", 2), {"contact_12m": "no"})
            db.session.remove()
        folder = Path(tmp) / "static"
        folder.mkdir()
        runs: dict[str, list[tuple[float, float]]] = {}
        with _serve(app) as base, _static_server(folder) as static, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
            for _ in range(args.runs):
                for step, ours, baseline in _walk(browser, base, path, static, folder, answers):
                    runs.setdefault(step, []).append((ours, baseline))
            browser.close()
    print(f"Resident form on emulated 2G (50 kbps, 800 ms RTT) with a {CPU_SLOWDOWN}x slower CPU; "
          f"median of {args.runs} visits")
    print(f"  {'step':<52}{'ours ms':>9}{'static ms':>11}{'ratio':>8}")
    passed = True
    for step, pairs in runs.items():
        ours = statistics.median(p[0] for p in pairs)
        baseline = statistics.median(p[1] for p in pairs)
        ratio = ours / baseline
        passed &= ratio <= TARGET
        print(f"  {step:<52}{ours:>9.0f}{baseline:>11.0f}{ratio:>8.2f}  {'PASS' if ratio <= TARGET else 'FAIL'}")
    print(f"result: {'PASS' if passed else 'FAIL'} (every step within {TARGET}x of a static page of its size)")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
