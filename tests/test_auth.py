import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import AuditEvent, Role, User
from tests.factories import PASSWORD, csrf_token, login, make_user


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def test_login_page_is_indonesian_by_default(client):
    html = client.get("/auth/login").get_data(as_text=True)
    assert '<html lang="id">' in html
    assert "Masuk" in html


def test_language_switch_to_english(client):
    response = client.get("/lang/en?next=/auth/login")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/auth/login")
    html = client.get("/auth/login").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Sign in" in html


def test_language_switch_refuses_unknown_languages_and_open_redirects(client):
    assert client.get("/lang/fr").status_code == 404
    response = client.get("/lang/en?next=//evil.example/")
    assert response.headers["Location"] == "/"


def test_passwords_are_hashed_with_argon2id(app):
    user = make_user(Role.ADMIN)
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_successful_login_is_audited_and_redirects_to_console(client):
    user = make_user(Role.COORDINATOR)
    response = login(client, user.email)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/admin/").status_code == 200
    [event] = _events("auth.login")
    assert event.actor_id == user.id
    assert db.session.get(User, user.id).last_login_at is not None


def test_wrong_password_is_refused_and_audited(client):
    user = make_user(Role.ADMIN)
    response = login(client, user.email, "not the password")
    assert response.status_code == 200
    assert "salah" in response.get_data(as_text=True)  # "Email atau kata sandi salah."
    assert client.get("/admin/").status_code == 302  # still anonymous
    [event] = _events("auth.login_failed")
    assert event.details["reason"] == "wrong password"


def test_unknown_email_is_refused_like_a_wrong_password(client):
    response = login(client, "nobody@example.org", PASSWORD)
    assert response.status_code == 200
    [event] = _events("auth.login_failed")
    assert event.actor == "nobody@example.org"


def test_deactivated_user_cannot_sign_in(client):
    user = make_user(Role.VOLUNTEER)
    user.active = False
    db.session.commit()
    login(client, user.email)
    assert client.get("/admin/").status_code == 302


def test_login_without_csrf_token_is_rejected(client):
    user = make_user(Role.ADMIN)
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert _events("auth.login") == []


def test_login_attempts_are_rate_limited(client, app):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    token = csrf_token(client, "/auth/login")
    attempt = {"email": "a@example.org", "password": "x" * 12, "csrf_token": token}
    codes = [client.post("/auth/login", data=attempt).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_logout_needs_post_with_csrf(client):
    user = make_user(Role.ADMIN)
    login(client, user.email)
    assert client.get("/auth/logout").status_code == 405
    assert client.post("/auth/logout").status_code == 400
    token = csrf_token(client, "/admin/")
    assert client.post("/auth/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/admin/").status_code == 302
    [event] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "auth.logout")).all()
    assert (event.actor, event.object_id) == (user.email, str(user.id))


def test_console_requires_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_open_redirect_after_login_is_refused(client):
    user = make_user(Role.ADMIN)
    token = csrf_token(client, "/auth/login")
    response = client.post(
        "/auth/login?next=https://evil.example/",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/"
