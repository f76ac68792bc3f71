import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import AuditEvent, Role, User
from survey_app.security import verify_password
from tests.factories import make_villages


def _users() -> list[User]:
    return list(db.session.scalars(sa.select(User)))


def test_create_user_reading_the_password_from_the_environment(runner, monkeypatch):
    make_villages()
    monkeypatch.setenv("SURVEY_USER_PASSWORD", "a long enough secret")
    result = runner.invoke(args=["users", "create", "Vol@Example.org", "--role", "volunteer",
                                 "--villages", "32.73.01"])
    assert result.exit_code == 0, result.output
    [user] = _users()
    assert user.email == "vol@example.org"
    assert user.role is Role.VOLUNTEER
    assert user.scope_prefixes == ["32.73.01"]
    assert verify_password(user.password_hash, "a long enough secret")
    assert db.session.scalar(sa.select(AuditEvent.action)) == "user.created"


def test_create_user_prompts_for_the_password(runner, monkeypatch):
    monkeypatch.delenv("SURVEY_USER_PASSWORD", raising=False)
    result = runner.invoke(args=["users", "create", "admin@example.org", "--role", "admin"],
                           input="typed secret 123\ntyped secret 123\n")
    assert result.exit_code == 0, result.output
    assert verify_password(_users()[0].password_hash, "typed secret 123")


def test_unknown_role_is_refused(runner, monkeypatch):
    monkeypatch.setenv("SURVEY_USER_PASSWORD", "a long enough secret")
    result = runner.invoke(args=["users", "create", "x@example.org", "--role", "boss"])
    assert result.exit_code == 1
    assert "Unknown role 'boss'" in result.output
    assert "admin, coordinator, volunteer, viewer" in result.output
    assert _users() == []


def test_duplicate_email_is_refused(runner, monkeypatch):
    monkeypatch.setenv("SURVEY_USER_PASSWORD", "a long enough secret")
    assert runner.invoke(args=["users", "create", "x@example.org", "--role", "volunteer"]).exit_code == 0
    result = runner.invoke(args=["users", "create", "X@example.org", "--role", "admin"])
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert len(_users()) == 1


def test_short_password_and_bad_email_are_refused(runner, monkeypatch):
    monkeypatch.setenv("SURVEY_USER_PASSWORD", "short")
    result = runner.invoke(args=["users", "create", "x@example.org", "--role", "viewer"])
    assert result.exit_code == 1
    assert "at least 10 characters" in result.output
    monkeypatch.setenv("SURVEY_USER_PASSWORD", "a long enough secret")
    result = runner.invoke(args=["users", "create", "not-an-email", "--role", "viewer"])
    assert result.exit_code == 1
    assert "not a valid email" in result.output
    assert _users() == []


def test_unknown_scope_code_is_refused(runner, monkeypatch):
    make_villages()
    monkeypatch.setenv("SURVEY_USER_PASSWORD", "a long enough secret")
    result = runner.invoke(args=["users", "create", "v@example.org", "--role", "volunteer",
                                 "--villages", "99.99"])
    assert result.exit_code == 1
    assert "Unknown area or village code(s): 99.99" in result.output
    assert _users() == []


def test_help_is_available(runner):
    result = runner.invoke(args=["users", "create", "--help"])
    assert result.exit_code == 0
    assert "--role" in result.output


def test_a_viewer_needs_villages_and_the_message_says_what_was_given(runner, monkeypatch):
    make_villages()
    monkeypatch.setenv("SURVEY_USER_PASSWORD", "a long enough secret")
    result = runner.invoke(args=["users", "create", "forum@example.org", "--role", "viewer"])
    assert result.exit_code == 1
    assert "A viewer must be limited to areas or villages" in result.output
    assert "all villages" not in result.output
    assert _users() == []
    result = runner.invoke(args=["users", "create", "forum@example.org", "--role", "viewer", "--villages", "32.73.01"])
    assert result.exit_code == 0, result.output
    assert "Created viewer forum@example.org (32.73.01)." in result.output
    result = runner.invoke(args=["users", "create", "staff@example.org", "--role", "coordinator"])
    assert "Created coordinator staff@example.org (all villages)." in result.output
