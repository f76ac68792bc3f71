"""Page weight of the resident form: bytes of HTML + CSS + JS per page, raw and gzip as served.

Residents open the form over 2G/3G, so each form page has a budget of 30 KB transferred
(gzip) for its HTML, CSS and JS together. This script loads the demo into a scratch SQLite
database, serves the real app on a free local port, and fetches what a phone fetches:

- the first page (GET), with the stylesheet, the script and the service worker script;
- every later page of the no-JS path (one POST per section, answers kept by the server).

Each page is counted as if nothing were cached yet (the worst case: a shared phone, a
cleared cache). Bodies are measured on the wire, never decoded, three times: with
``Accept-Encoding: identity`` (raw), with ``gzip`` (the budget's measure: what an older
phone browser that only offers gzip receives) and with the header of today's Chromium
(``gzip, deflate, br, zstd``), for information. It prints a table, ``PASS`` or ``FAIL``,
and exits non-zero on ``FAIL``.

    .venv/bin/python benchmarks/page_weight.py [--budget-kb 30]
"""

from __future__ import annotations

import argparse
import contextlib
import http.cookiejar
import re
import secrets
import sys
import tempfile
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from survey_app import create_app  # noqa: E402
from survey_app.extensions import db  # noqa: E402

ASSETS = ("/static/respond.css", "/static/showif.js", "/static/respond.js", "/s/sw.js")  # what the form page loads
CHROMIUM_ENCODINGS = "gzip, deflate, br, zstd"
EXTERNAL = re.compile(r"""(?:src|href|action)=["'](?:https?:)?//""", re.IGNORECASE)


@dataclass(frozen=True)
class Weight:
    raw: int
    gzip: int
    chromium: int
    gzip_encoded: bool  # False when a gzip-only client got the body uncompressed


@dataclass(frozen=True)
class PageWeight:
    name: str
    html: Weight
    assets: dict[str, Weight]

    @property
    def raw(self) -> int:
        return self.html.raw + sum(w.raw for w in self.assets.values())

    @property
    def gzip(self) -> int:
        return self.html.gzip + sum(w.gzip for w in self.assets.values())

    @property
    def chromium(self) -> int:
        return self.html.chromium + sum(w.chromium for w in self.assets.values())


def _prepare(database: Path) -> tuple[object, str]:
    """A migrated database with the demo loaded; returns the app and one open form's path."""
    from flask_migrate import upgrade

    from survey_app.demo import load_demo
    from survey_app.models import Round, RoundStatus
    from survey_app.operations.rounds import create_round, open_round
    from survey_app.posters import villages_of_round
    from survey_app.respond.availability import Availability, availability

    app = create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "RATELIMIT_STORAGE_URI": "inline-memory://",
        "RESPOND_RATE_LIMIT": "10000 per minute",
    })
    with app.app_context():
        upgrade()
        load_demo()
        db.session.commit()  # the CLI's `demo load` commits the same way
        rounds = db.session.scalars(db.select(Round).where(Round.status == RoundStatus.OPEN)).all()
        found = [(r, v) for r in rounds for v in villages_of_round(r)
                 if availability(r, v, date.today()) is Availability.OPEN]
        if not found:  # the demo's open round has its own dates: make one that is open today
            round_ = create_round("Ukuran halaman", "trust-safety@2", actor="benchmark")
            open_round(round_, actor="benchmark")
            db.session.commit()
            found = [(round_, villages_of_round(round_)[0])]
        round_, village = found[0]
        path = f"/s/{urllib.parse.quote(round_.slug)}/{urllib.parse.quote(village.code)}"
        db.session.remove()
        return app, path


@contextmanager
def serving(server) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The base URL of a ``socketserver``-style ``server`` run in a thread, until the block ends."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _serve(app) -> contextlib.AbstractContextManager[str]:  # type: ignore[no-untyped-def]
    return serving(make_server("127.0.0.1", 0, app, threaded=True))


class Phone:
    """A cookie-keeping client that reads bodies as they come over the wire (never decoded)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.requests = 0

    def fetch(self, path: str, data: dict[str, object] | None = None, encoding: str = "gzip") -> tuple[bytes, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        # Our own server on 127.0.0.1, over http: no other scheme can get in.
        request = urllib.request.Request(self.base + path, data=body, headers={"Accept-Encoding": encoding})  # noqa: S310
        with self.opener.open(request, timeout=30) as response:
            self.requests += 1
            return response.read(), response.headers.get("Content-Encoding", "identity")

    def weigh(self, path: str, data: dict[str, object] | None = None) -> tuple[Weight, str]:
        """The body's sizes on the wire, and its text (from the raw fetch)."""
        zipped, encoding = self.fetch(path, data, "gzip")
        modern, _ = self.fetch(path, data, CHROMIUM_ENCODINGS)
        raw, _ = self.fetch(path, data, "identity")
        weight = Weight(raw=len(raw), gzip=len(zipped), chromium=len(modern), gzip_encoded=encoding == "gzip")
        return weight, raw.decode("utf-8")


def _answers(questionnaire) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """A plausible answer to every question, in form shape; the server ignores hidden ones."""
    answers: dict[str, object] = {}
    for q in questionnaire.questions():
        if q.type == "yes_no":
            answers[q.id] = "yes"
        elif q.options:
            first = q.scale_options()[0].code
            answers[q.id] = [first] if q.type == "multiple_choice" else first
        elif q.type == "integer":
            answers[q.id] = str(q.min if q.min is not None else 1)
        else:
            answers[q.id] = "Ronda malam"
    return answers


def _hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html)
    if match is None:
        raise SystemExit(f"the form page has no {name} field")
    return match.group(1)


def measure(base: str, path: str, questionnaire) -> tuple[list[PageWeight], int, list[str]]:  # type: ignore[no-untyped-def]
    """Weigh the first page and every later no-JS page; also the requests of a first visit
    and any reference to another host."""
    phone = Phone(base)
    html_weight, html = phone.weigh(path)
    assets = {asset: phone.weigh(asset)[0] for asset in ASSETS}
    first_visit_requests = 1 + len(ASSETS)
    external = EXTERNAL.findall(html)
    pages = [PageWeight("section 1 (GET, first visit)", html_weight, assets)]
    fields = {name: _hidden(html, name) for name in ("csrf_token", "_key", "_started")}
    answers, page = _answers(questionnaire), "0"
    for _ in range(len(questionnaire.sections)):
        data = {**fields, **answers, "_page": page, "_nav": "next"}
        weight, html = phone.weigh(path, data)
        page = _hidden(html, "_page")
        external += EXTERNAL.findall(html)
        # Without JS the phone loads the stylesheet only; count it uncached, as on page 1.
        pages.append(PageWeight(f"section {int(page) + 1} (POST, no JS)", weight,
                                {"/static/respond.css": assets["/static/respond.css"]}))
        if 'value="submit"' in html:
            break
    return pages, first_visit_requests, external


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget-kb", type=float, default=30.0, help="gzip budget per form page (KB)")
    args = parser.parse_args(argv)
    budget = int(args.budget_kb * 1024)

    from survey_app import questionnaires

    with tempfile.TemporaryDirectory() as tmp:
        app, path = _prepare(Path(tmp) / "weight.sqlite")
        with app.app_context():
            questionnaire = questionnaires.load("trust-safety", 2)
            db.session.remove()
        with _serve(app) as base:
            pages, requests, external = measure(base, path, questionnaire)
        with app.app_context():
            db.engine.dispose()

    first = pages[0]
    print(f"Resident form {path}: bytes on the wire per page (budget {budget} B gzip, HTML + CSS + JS)")
    print(f"  {'file':<30}{'raw':>8}{'gzip':>8}{'chromium':>10}")
    for asset, weight in {"form page HTML": first.html, **first.assets}.items():
        note = "" if weight.gzip_encoded else "  (not gzipped for a gzip-only client)"
        print(f"  {asset:<30}{weight.raw:>8}{weight.gzip:>8}{weight.chromium:>10}{note}")
    print(f"  {'page: HTML + CSS + JS':<30}{'HTML gz':>8}{'raw':>8}{'gzip':>8}{'chromium':>10}  budget")
    for p in pages:
        verdict = "ok" if p.gzip <= budget else "OVER"
        print(f"  {p.name:<30}{p.html.gzip:>8}{p.raw:>8}{p.gzip:>8}{p.chromium:>10}  {verdict}")
    print(f"Requests on a first visit with JS: {requests} (HTML, stylesheet, script, service worker); "
          "each later no-JS page: 1 (HTML; the stylesheet's versioned URL is cached for a year, "
          "but it is counted below as if uncached)")
    print(f"References to other hosts in the HTML: {len(external)}")
    worst = max(pages, key=lambda p: p.gzip)
    ok = worst.gzip <= budget and not external
    print(f"{'PASS' if ok else 'FAIL'}: heaviest page {worst.name}, {worst.gzip} B gzip "
          f"({worst.gzip / budget:.0%} of {budget} B)" + ("; third-party references found" if external else ""))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
