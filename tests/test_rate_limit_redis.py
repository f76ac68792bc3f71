"""Rate limiting with the Redis storage production uses (RATELIMIT_STORAGE_URI=redis://...).

With several gunicorn workers, memory:// gives each worker its own counters; Redis shares
them. The local Redis (127.0.0.1:6379, present in CI) must be running for this test.
"""

from __future__ import annotations

import pytest

from tests.factories import csrf_token


@pytest.fixture
def redis_url(database_url: str) -> str:
    # A Redis database of its own per backend, so parallel test workers never share counters.
    return "redis://127.0.0.1:6379/" + ("14" if database_url.startswith("sqlite") else "15")


@pytest.fixture
def app_config(redis_url: str) -> dict[str, object]:
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    return {"RATELIMIT_STORAGE_URI": redis_url, "LOGIN_RATE_LIMIT": "2 per minute"}


def test_sign_in_attempts_are_counted_in_redis(app, client, redis_url):
    import redis

    store = redis.Redis.from_url(redis_url)
    token = csrf_token(client, "/auth/login")
    data = {"email": "nobody@example.org", "password": "wrong password", "csrf_token": token}
    statuses = [client.post("/auth/login", data=data).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    keys = store.keys("*")
    assert keys, "the limiter's counters are not in Redis"
    # Short-lived counters keyed by the window, never stored with anything else.
    assert all(store.ttl(key) > 0 for key in keys)
    store.flushdb()
