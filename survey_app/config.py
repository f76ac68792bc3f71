"""Configuration read from the environment, with safe development defaults.

``load_config`` is called by the factory; importing this module changes nothing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - refused in production, see check_config
MIN_SECRET_KEY_LENGTH = 32
MEMORY_COUNTERS = "inline-memory://"  # survey_app/ratelimit.py: counters in this process only


class ConfigError(RuntimeError):
    """The configuration would make the app unsafe or unusable."""


def _default_database_url(instance_path: str) -> str:
    return "sqlite:///" + str(Path(instance_path) / "survey.sqlite")


def load_config(instance_path: str, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Build the app config: environment first, then explicit overrides (tests, scripts)."""
    env = os.environ
    config: dict[str, Any] = {
        "SURVEY_ENV": env.get("SURVEY_ENV", "development"),
        "SECRET_KEY": env.get("SECRET_KEY", DEV_SECRET_KEY),
        "SQLALCHEMY_DATABASE_URI": env.get("DATABASE_URL") or _default_database_url(instance_path),
        "QUESTIONNAIRE_DIR": env.get("QUESTIONNAIRE_DIR", str(PROJECT_ROOT / "questionnaires")),
        "MIGRATIONS_DIR": str(PROJECT_ROOT / "migrations"),
        # In-process counters by default (survey_app/ratelimit.py); redis://... shares them between
        # workers. Production refuses the default (check_config): per-process counters let most of
        # a limit's excess through four workers.
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI") or env.get("REDIS_URL"),
        # Reverse proxies in front of the app (nginx: 1); their X-Forwarded-* headers are trusted.
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", "0")),
        # If Redis goes away, count in memory rather than turn residents away.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "LOGIN_RATE_LIMIT": env.get("LOGIN_RATE_LIMIT", "10 per minute"),
        "BABEL_DEFAULT_LOCALE": "id",
        # Interface languages with a catalogue (Javanese and Sundanese for the residents' pages).
        "LANGUAGES": ("id", "en", "jv", "su"),
        "MIN_N": int(env.get("MIN_N", "30")),
        # Controller, contact, purposes, legal basis and retention for the privacy notice and
        # the record of processing; the shipped file is an example the notice says is one.
        "PRIVACY_FILE": env.get("PRIVACY_FILE", str(PROJECT_ROOT / "survey_app" / "privacy" / "example.yaml")),
        # Rounds open and close by dates in this zone.
        "TIMEZONE": env.get("TIMEZONE", "Asia/Jakarta"),
        # Public address residents reach, printed on posters and links.
        "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "RESPOND_RATE_LIMIT": env.get("RESPOND_RATE_LIMIT", "120 per minute"),
        # A web form finished faster than this is flagged on the progress dashboard.
        "FAST_COMPLETION_SECONDS": int(env.get("FAST_COMPLETION_SECONDS", "90")),
        # A deactivated staff account may be anonymised this many days after it was closed.
        "STAFF_ANONYMISE_DAYS": int(env.get("STAFF_ANONYMISE_DAYS", "365")),
        # How long a one-time invitation or reset link stays valid.
        "INVITE_VALID_HOURS": int(env.get("INVITE_VALID_HOURS", "72")),
        # Largest request body: refused with 413 before anything reads it (uploads are 20 MB at most).
        "MAX_CONTENT_LENGTH": int(env.get("MAX_CONTENT_LENGTH", str(25 * 1024 * 1024))),
        # The resident form's posts: the largest valid submission is a few KB.
        "PUBLIC_MAX_CONTENT_LENGTH": int(env.get("PUBLIC_MAX_CONTENT_LENGTH", str(256 * 1024))),
        # The task queue for long report work (survey_app/queue.py): a SQLite file next to the
        # database by default, needing no service; redis://... when workers run on several machines.
        "QUEUE_URL": (env.get("QUEUE_URL") or env.get("REDIS_URL")
                      or "sqlite:///" + str(Path(instance_path) / "queue.sqlite")),
        # Installations sharing one Redis keep their queues apart by name.
        "QUEUE_NAME": env.get("QUEUE_NAME", "polmas-reports"),
        # Where finished job files go: a folder every web and queue worker can reach.
        "RESULTS_DIR": env.get("RESULTS_DIR") or str(Path(instance_path) / "results"),
        # A job's file is deleted this long after it is ready.
        "RESULT_HOURS": int(env.get("RESULT_HOURS", "24")),
        # A job that raises is tried again this many times, after JOB_RETRY_SECONDS, then failed.
        "JOB_RETRIES": int(env.get("JOB_RETRIES", "2")),
        "JOB_RETRY_SECONDS": int(env.get("JOB_RETRY_SECONDS", "30")),
        # A running job whose worker has not reported for this long was killed: shown as failed.
        "JOB_STALL_MINUTES": int(env.get("JOB_STALL_MINUTES", "15")),
        # Overviews of areas up to this many villages are sent at once; larger ones are queued.
        "OVERVIEW_DIRECT_VILLAGES": int(env.get("OVERVIEW_DIRECT_VILLAGES", "300")),
        "SESSION_COOKIE_HTTPONLY": True,
        # "Keep me signed in": a month at most, never readable by scripts nor sent cross-site.
        "REMEMBER_COOKIE_NAME": "remember_token",
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        "COMPRESS_MIMETYPES": ["text/html", "text/css", "text/javascript", "application/javascript",
                               "application/json", "image/svg+xml"],
        "COMPRESS_ALGORITHM": ["gzip"],  # the session bounds the token; long paper-entry evenings
    }
    if overrides:
        config.update(overrides)
    config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(config["SQLALCHEMY_DATABASE_URI"])
    if config["SURVEY_ENV"] == "production":
        config.setdefault("SESSION_COOKIE_SECURE", True)
        config.setdefault("REMEMBER_COOKIE_SECURE", True)
    check_config(config)
    config["RATELIMIT_STORAGE_URI"] = config["RATELIMIT_STORAGE_URI"] or MEMORY_COUNTERS
    return config


def normalise_database_url(url: str) -> str:
    """Route plain ``postgresql://`` URLs to psycopg 3, the only driver we install."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def check_config(config: Mapping[str, Any]) -> None:
    """Refuse to run production with the development secret or a guessable one, or with
    rate-limit counters that each worker keeps for itself without saying so."""
    if config["SURVEY_ENV"] not in ("development", "testing", "production"):
        raise ConfigError(f"SURVEY_ENV must be development, testing or production, not {config['SURVEY_ENV']!r}.")
    if config["SURVEY_ENV"] == "production":
        key = config.get("SECRET_KEY") or ""
        if key == DEV_SECRET_KEY or len(key) < MIN_SECRET_KEY_LENGTH:
            raise ConfigError(
                "Production needs a real SECRET_KEY of at least "
                f"{MIN_SECRET_KEY_LENGTH} random characters in the environment "
                '(for example: python -c "import secrets; print(secrets.token_urlsafe(48))").'
            )
        if not config.get("RATELIMIT_STORAGE_URI"):
            raise ConfigError(
                "Production needs shared rate-limit counters: set REDIS_URL (or RATELIMIT_STORAGE_URI=redis://...). "
                "Counters kept in each worker let most of a limit's excess through; to accept that on purpose "
                "(one worker), set RATELIMIT_STORAGE_URI=inline-memory://."
            )

