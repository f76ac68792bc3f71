"""Rate limits: short-lived counters per client address (Flask-Limiter), never joined to answers.

Two costs of the stock set-up are taken off the resident form's every post (measured with
py-spy on a gunicorn worker under benchmarks/submit_throughput.py):

- limits' ``memory://`` storage purges expired counters on a timer thread and starts a new
  one whenever none is alive, which under steady load is a new thread for nearly every
  request. ``InlineMemoryStorage`` purges inline instead, at most once every few seconds;
  expired counters are already ignored when read, so only memory use depends on the purge.
- Flask-Limiter runs a before-request pass over every request for site-wide limits. Every
  limit in this app is a route decorator, which checks its own limits when the view is
  called, so that pass only resolved empty lists. It is taken out unless a default or
  application limit is configured. Blueprint-wide limits would need it too; the app has none.

Both lean on private names of limits and Flask-Limiter; tests/test_library_internals.py fails
by name when an upgrade moves them.
"""

from __future__ import annotations

import time

from flask import Flask
from limits.storage import MemoryStorage

from survey_app.config import MEMORY_COUNTERS
from survey_app.extensions import limiter

# The in-process storage, the default when RATELIMIT_STORAGE_URI names no shared one.
INLINE_MEMORY_URI = MEMORY_COUNTERS
SWEEP_SECONDS = 10.0


class InlineMemoryStorage(MemoryStorage):
    """limits' memory storage with the purge of expired counters done inline, not by threads."""

    STORAGE_SCHEME = [INLINE_MEMORY_URI.removesuffix("://")]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.next_sweep = time.monotonic() + SWEEP_SECONDS

    # MemoryStorage calls this (its private __schedule_expiry) on every increment.
    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802 - the name-mangled hook
        now = time.monotonic()
        if now >= self.next_sweep:
            self.next_sweep = now + SWEEP_SECONDS
            self._MemoryStorage__expire_events()  # type: ignore[attr-defined]


def init_app(app: Flask) -> None:
    limiter.init_app(app)
    manager = limiter.limit_manager
    hooks = app.before_request_funcs.get(None, [])
    # Not there when RATELIMIT_ENABLED is false: Flask-Limiter then installs nothing.
    if limiter._check_request_limit in hooks and not (manager.default_limits or manager.application_limits):
        hooks.remove(limiter._check_request_limit)
