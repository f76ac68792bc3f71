"""The in-process rate-limit storage and the limiter's set-up (survey_app/ratelimit.py)."""

from __future__ import annotations

import threading
import time

import pytest
from flask import Flask
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from survey_app import create_app
from survey_app.extensions import db, limiter
from survey_app.ratelimit import INLINE_MEMORY_URI, InlineMemoryStorage
from tests.conftest import _app_config
from tests.factories import csrf_token


@pytest.fixture
def storage() -> InlineMemoryStorage:
    found = storage_from_string(INLINE_MEMORY_URI)
    assert isinstance(found, InlineMemoryStorage)
    time.sleep(0.05)  # the stock constructor's one timer has run and ended
    return found


def test_counting_starts_no_thread_per_request(storage):
    limiter = FixedWindowRateLimiter(storage)
    item = parse("1000 per minute")
    before = threading.active_count()
    for n in range(200):
        assert limiter.hit(item, "respond", f"10.0.0.{n % 7}")
        time.sleep(0.0002)
    assert threading.active_count() == before
    assert limiter.get_window_stats(item, "respond", "10.0.0.1").remaining == 1000 - 29


def test_the_limit_trips_and_a_new_window_starts_afresh(storage):
    limiter = FixedWindowRateLimiter(storage)
    item = parse("2 per second")
    assert [limiter.hit(item, "login", "10.0.0.1") for _ in range(3)] == [True, True, False]
    assert limiter.hit(item, "login", "10.0.0.2"), "another address has its own counter"
    time.sleep(1.05)
    assert limiter.hit(item, "login", "10.0.0.1")


def test_expired_counters_are_swept_from_memory(storage):
    limiter = FixedWindowRateLimiter(storage)
    for n in range(50):
        limiter.hit(parse("5 per second"), "respond", f"10.0.1.{n}")
    assert len(storage.storage) == 50
    time.sleep(1.05)
    storage.next_sweep = 0.0  # the sweep is due
    limiter.hit(parse("5 per second"), "respond", "10.0.2.1")
    assert list(storage.storage) != [] and len(storage.storage) == 1, "old addresses' counters were kept"


@pytest.fixture
def make_app(database_url):  # type: ignore[no-untyped-def]
    """Apps with their own limiter settings. The limiter object is shared by every app in
    the process and keeps what the last one set (on/off, default limits), so this puts it
    back, and closes each app's connections."""
    apps: list[Flask] = []

    def make(**config: object) -> Flask:
        apps.append(create_app(_app_config(database_url, **config)))
        return apps[-1]

    yield make
    limiter.enabled = True
    limiter.limit_manager.set_default_limits([])
    for app in apps:
        with app.app_context():
            db.engine.dispose()


def test_route_limits_need_no_check_on_every_request(client):
    """Only the routes that declare a limit count requests; other pages are never refused."""
    assert {client.get("/auth/login").status_code for _ in range(12)} == {200}


def test_a_site_wide_limit_keeps_flask_limiters_check_on_every_request(make_app):
    client = make_app(RATELIMIT_DEFAULT="2 per minute").test_client()
    assert [client.get("/auth/login").status_code for _ in range(3)] == [200, 200, 429]


def test_limits_can_be_switched_off(make_app):
    client = make_app(RATELIMIT_ENABLED=False, LOGIN_RATE_LIMIT="1 per minute").test_client()
    token = csrf_token(client, "/auth/login")
    data = {"email": "nobody@example.org", "password": "wrong password", "csrf_token": token}
    assert [client.post("/auth/login", data=data).status_code for _ in range(3)] == [200, 200, 200]


def test_limits_are_on_again_for_the_next_app(client):
    token = csrf_token(client, "/auth/login")
    data = {"email": "nobody@example.org", "password": "wrong password", "csrf_token": token}
    assert [client.post("/auth/login", data=data).status_code for _ in range(11)][-1] == 429
