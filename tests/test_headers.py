"""Security headers, the remember-me cookie, proxies and the production rate-limit storage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
from flask_migrate import upgrade

from survey_app import create_app
from survey_app.config import ConfigError
from survey_app.extensions import db
from survey_app.models import Role
from tests.factories import PASSWORD, csrf_token, login, make_round, make_user, make_villages

FORM = "/s/round-1/32.73.01.1001"


@pytest.fixture
def form(app):  # type: ignore[no-untyped-def]
    make_villages()
    make_round("Round 1", "trust-safety@2", opened=True, scope=["32.73.01"])
    make_user(Role.ADMIN, "admin@example.org")


def _headers_say_no_framing_and_own_files_only(response) -> None:  # type: ignore[no-untyped-def]
    policy = dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == policy["script-src"] == policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_every_kind_of_page_carries_the_security_headers(client, form):
    for path in (FORM, "/auth/login", "/static/respond.js"):
        _headers_say_no_framing_and_own_files_only(client.get(path))
    login(client, "admin@example.org")
    page = client.get("/admin/")
    assert page.status_code == 200
    _headers_say_no_framing_and_own_files_only(page)
    assert "Strict-Transport-Security" not in page.headers  # HTTPS only in production


def test_a_public_page_does_not_ask_to_delete_a_cookie_the_browser_never_had(client, form):
    for path in (FORM, "/auth/login"):
        cookies = client.get(path).headers.getlist("Set-Cookie")
        assert not any(cookie.startswith("remember_token=") for cookie in cookies), cookies


def test_signing_out_still_deletes_the_remember_me_cookie(client, form):
    token = csrf_token(client, "/auth/login")
    client.post("/auth/login", data={"email": "admin@example.org", "password": PASSWORD, "remember": "y",
                                     "csrf_token": token})
    assert client.get_cookie("remember_token") is not None
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/admin/")})
    assert client.get_cookie("remember_token") is None


@pytest.fixture
def production(monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SURVEY_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/prod.sqlite")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/14")
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    monkeypatch.delenv("QUEUE_URL", raising=False)
    app = create_app({"RATELIMIT_STORAGE_URI": "memory://"})  # these tests do not need Redis itself
    with app.app_context():
        upgrade()
        make_user(Role.ADMIN, "admin@example.org")
        db.session.remove()
        yield app
        db.engine.dispose()


def test_production_sends_plain_http_to_https_and_pins_it(production):
    client = production.test_client()
    plain = client.get("/auth/login")
    assert plain.status_code == 302 and plain.headers["Location"].startswith("https://")
    secure = client.get("/auth/login", base_url="https://survey.example.org")
    assert secure.status_code == 200
    assert "max-age=" in secure.headers["Strict-Transport-Security"]


def test_production_remember_me_cookie_is_secure_same_site_and_lasts_a_month(production):
    client = production.test_client()
    base = "https://survey.example.org"
    page = client.get("/auth/login", base_url=base).get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/auth/login", base_url=base, headers={"Referer": f"{base}/auth/login"}, data={
        "email": "admin@example.org", "password": PASSWORD, "remember": "y", "csrf_token": token})
    assert response.status_code == 302
    (cookie,) = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token=")]
    attributes = {part.split("=")[0].strip().lower(): part.split("=", 1)[-1] for part in cookie.split(";")[1:]}
    assert {"secure", "httponly"} <= attributes.keys() and attributes["samesite"] == "Lax"
    expires = parsedate_to_datetime(attributes["expires"])
    assert timedelta(days=29) < expires - datetime.now(UTC) <= timedelta(days=30)


def test_production_refuses_counters_kept_in_each_worker(monkeypatch, tmp_path):
    monkeypatch.setenv("SURVEY_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/prod.sqlite")
    for name in ("REDIS_URL", "RATELIMIT_STORAGE_URI", "QUEUE_URL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError, match="REDIS_URL"):
        create_app()
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    app = create_app()
    assert app.config["RATELIMIT_STORAGE_URI"] == app.config["QUEUE_URL"] == "redis://127.0.0.1:6379/3"
    monkeypatch.delenv("REDIS_URL")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "inline-memory://")  # one worker, said on purpose
    assert create_app().config["RATELIMIT_STORAGE_URI"] == "inline-memory://"


@pytest.mark.parametrize(("proxies", "second_address_allowed"), [(1, True), (0, False)])
def test_behind_a_trusted_proxy_each_client_address_has_its_own_limit(database_url, tmp_path, proxies,
                                                                      second_address_allowed):
    from tests.conftest import _app_config

    app = create_app(_app_config(database_url, TRUSTED_PROXIES=proxies, LOGIN_RATE_LIMIT="2 per minute",
                                 WTF_CSRF_ENABLED=False, QUEUE_URL=f"sqlite:///{tmp_path}/q.sqlite"))
    client = app.test_client()

    def attempt(address: str) -> int:
        return client.post("/auth/login", data={"email": "nobody@example.org", "password": "wrong password"},
                           headers={"X-Forwarded-For": address}).status_code

    with app.app_context():
        assert [attempt("10.0.0.1") for _ in range(3)][-1] == 429  # the nginx in front sees one hall's phones
        assert (attempt("10.0.0.2") != 429) is second_address_allowed
        db.engine.dispose()


def test_only_the_printable_posters_may_carry_their_own_style(client, form):
    login(client, "admin@example.org")
    posters = client.get("/admin/rounds/round-1/posters.html?area=32.73.01")
    assert posters.status_code == 200 and "<style>" in posters.get_data(as_text=True)
    policy = posters.headers["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy and "script-src 'self';" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in client.get("/admin/").headers["Content-Security-Policy"]
