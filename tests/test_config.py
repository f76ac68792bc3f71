import pytest

from survey_app import create_app
from survey_app.config import DEV_SECRET_KEY, ConfigError, normalise_database_url


def test_production_refuses_the_development_secret(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("SURVEY_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite")
    with pytest.raises(ConfigError, match="real SECRET_KEY"):
        create_app()


def test_production_refuses_a_short_secret(monkeypatch, tmp_path):
    monkeypatch.setenv("SURVEY_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "short")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite")
    with pytest.raises(ConfigError):
        create_app()


def test_production_starts_with_a_real_secret(monkeypatch, tmp_path):
    monkeypatch.setenv("SURVEY_ENV", "production")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite")
    app = create_app()
    assert app.config["SECRET_KEY"] == "x" * 48
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_development_has_safe_defaults(monkeypatch):
    for name in ("SURVEY_ENV", "SECRET_KEY", "DATABASE_URL", "QUESTIONNAIRE_DIR"):
        monkeypatch.delenv(name, raising=False)
    app = create_app()
    assert app.config["SECRET_KEY"] == DEV_SECRET_KEY
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["QUESTIONNAIRE_DIR"].endswith("questionnaires")


def test_environment_is_read(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    monkeypatch.setenv("QUESTIONNAIRE_DIR", str(tmp_path))
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"
    assert app.config["QUESTIONNAIRE_DIR"] == str(tmp_path)


def test_unknown_environment_name_is_refused():
    with pytest.raises(ConfigError, match="SURVEY_ENV"):
        create_app({"SURVEY_ENV": "staging"})


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://a@b/c", "postgresql+psycopg://a@b/c"),
        ("postgresql://a@b/c", "postgresql+psycopg://a@b/c"),
        ("postgresql+psycopg://a@b/c", "postgresql+psycopg://a@b/c"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_database_urls_use_psycopg3(url, expected):
    assert normalise_database_url(url) == expected
