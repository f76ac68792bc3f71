"""Own password changes, forced changes after a temporary password, and invitation links."""

from datetime import timedelta

import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import AuditEvent, Role, User
from survey_app.models._types import utcnow
from survey_app.operations.users import AccessMethod, create_user_with_access, token_hash
from survey_app.security import verify_password
from tests.factories import PASSWORD, csrf_token, login, make_user

NEW_PASSWORD = "a brand new passphrase"


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def _fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)  # type: ignore[return-value]


def _change(client, current: str, new: str = NEW_PASSWORD, confirm: str | None = None):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/auth/password")
    return client.post("/auth/password", data={"csrf_token": token, "current_password": current,
                                                "new_password": new, "confirm": new if confirm is None else confirm})


def _grant(method: AccessMethod, role: Role = Role.VOLUNTEER):  # type: ignore[no-untyped-def]
    grant = create_user_with_access("new@example.org", role, [], method, valid_hours=72, actor="test")
    db.session.commit()
    return grant


def _all_audit_text() -> str:
    return repr([(e.action, e.details) for e in db.session.scalars(sa.select(AuditEvent))])


# ---------------------------------------------------------------------------
# Changing one's own password


def test_password_page_needs_sign_in(client):
    response = client.get("/auth/password")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_every_role_can_change_their_password(client):
    user = make_user(Role.VIEWER)
    login(client, user.email)
    page = client.get("/auth/password")
    assert page.status_code == 200 and 'name="csrf_token"' in page.get_data(as_text=True)
    response = _change(client, PASSWORD)
    assert response.status_code == 302
    assert verify_password(_fresh(user).password_hash, NEW_PASSWORD)
    [event] = _events("user.password_changed")
    assert event.actor_id == user.id and event.details == {"via": "self"}
    assert PASSWORD not in _all_audit_text() and NEW_PASSWORD not in _all_audit_text()
    # The new password signs in; the old one does not.
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/auth/password")})
    login(client, user.email, PASSWORD)
    assert client.get("/auth/password").status_code == 302
    login(client, user.email, NEW_PASSWORD)
    assert client.get("/auth/password").status_code == 200


def test_wrong_current_password_is_refused(client):
    user = make_user(Role.VOLUNTEER)
    login(client, user.email)
    client.get("/lang/en")
    response = _change(client, "not my password")
    assert response.status_code == 200
    assert "The current password is wrong." in response.get_data(as_text=True)
    assert verify_password(_fresh(user).password_hash, PASSWORD)
    assert _events("user.password_changed") == []
    [failed] = _events("auth.password_change_failed")
    assert failed.actor_id == user.id


def test_new_passwords_must_match_and_follow_the_rules(client):
    user = make_user(Role.VOLUNTEER)
    login(client, user.email)
    assert _change(client, PASSWORD, confirm="something else entirely").status_code == 200
    assert _change(client, PASSWORD, new="short").status_code == 200
    assert _change(client, PASSWORD, new=" leading space here").status_code == 200
    assert _change(client, PASSWORD, new=PASSWORD).status_code == 200  # the same password is no change
    assert verify_password(_fresh(user).password_hash, PASSWORD)
    assert _events("user.password_changed") == []


def test_password_change_needs_csrf(client):
    user = make_user(Role.VOLUNTEER)
    login(client, user.email)
    response = client.post("/auth/password", data={"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                                                    "confirm": NEW_PASSWORD})
    assert response.status_code == 400
    assert verify_password(_fresh(user).password_hash, PASSWORD)


# ---------------------------------------------------------------------------
# A temporary password must be replaced before anything else


def test_temporary_password_forces_a_change_then_works(client):
    grant = _grant(AccessMethod.TEMPORARY_PASSWORD, Role.COORDINATOR)
    login(client, grant.user.email, grant.secret)
    response = client.get("/admin/")
    assert response.status_code == 302 and response.headers["Location"] == "/auth/password"
    assert client.get("/entry/").headers["Location"] == "/auth/password"
    assert client.get("/auth/password").status_code == 200
    assert client.get("/lang/en?next=/auth/password").status_code == 302
    assert client.get("/static/style.css").status_code == 200

    response = _change(client, grant.secret)
    assert response.status_code == 302
    user = _fresh(grant.user)
    assert not user.must_change_password
    assert verify_password(user.password_hash, NEW_PASSWORD)
    assert client.get("/admin/").status_code == 200
    assert grant.secret not in _all_audit_text()


def test_sign_out_stays_possible_during_a_forced_change(client):
    grant = _grant(AccessMethod.TEMPORARY_PASSWORD)
    login(client, grant.user.email, grant.secret)
    token = csrf_token(client, "/auth/password")
    response = client.post("/auth/logout", data={"csrf_token": token})
    assert response.headers["Location"] == "/auth/login"
    assert client.get("/admin/").headers["Location"].startswith("/auth/login")


# ---------------------------------------------------------------------------
# Invitation links


def test_invitation_sets_the_password_signs_in_and_is_spent(client):
    grant = _grant(AccessMethod.INVITATION)
    url = f"/auth/invite/{grant.secret}"
    page = client.get(url)
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "same-origin"  # the token never reaches another site
    assert page.headers["Cache-Control"] == "no-store"
    assert 'name="csrf_token"' in page.get_data(as_text=True)

    token = csrf_token(client, url)
    mismatch = client.post(url, data={"csrf_token": token, "new_password": NEW_PASSWORD, "confirm": "different one!"})
    assert mismatch.status_code == 200
    assert _fresh(grant.user).invite_token_hash == token_hash(grant.secret)

    response = client.post(url, data={"csrf_token": token, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    user = _fresh(grant.user)
    assert verify_password(user.password_hash, NEW_PASSWORD)
    assert user.invite_token_hash is None and user.invite_expires_at is None
    assert user.last_login_at is not None
    assert client.get("/auth/password").status_code == 200  # signed in
    [event] = _events("user.password_changed")
    assert event.details == {"via": "invitation"} and event.actor_id == user.id
    assert grant.secret not in _all_audit_text() and NEW_PASSWORD not in _all_audit_text()

    # One time only: the link is gone, for a second visitor too.
    other = client.application.test_client()
    assert other.get(url).status_code == 404
    response = other.post(url, data={"csrf_token": token, "new_password": "another passphrase",
                                     "confirm": "another passphrase"})
    assert response.status_code in (400, 404)
    assert verify_password(_fresh(grant.user).password_hash, NEW_PASSWORD)


def test_a_user_invited_but_not_yet_arrived_cannot_sign_in(client):
    grant = _grant(AccessMethod.INVITATION)
    assert grant.user.password_hash.startswith("$argon2id$")
    login(client, grant.user.email, grant.secret)
    assert client.get("/auth/password").status_code == 302


def test_expired_invitation_is_refused_and_changes_nothing(client):
    grant = _grant(AccessMethod.INVITATION)
    grant.user.invite_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    url = f"/auth/invite/{grant.secret}"
    assert client.get(url).status_code == 410
    token = csrf_token(client, "/auth/login")
    response = client.post(url, data={"csrf_token": token, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 410
    user = _fresh(grant.user)
    assert user.invite_token_hash == token_hash(grant.secret)
    assert not verify_password(user.password_hash, NEW_PASSWORD)
    assert _events("user.password_changed") == []
    assert client.get("/auth/password").status_code == 302


def test_invitation_lasts_the_hours_asked_for(app):
    grant = _grant(AccessMethod.INVITATION)
    assert timedelta(hours=71, minutes=59) < grant.expires_at - utcnow() <= timedelta(hours=72)


def test_unknown_token_is_a_friendly_404(client):
    response = client.get("/auth/invite/not-a-real-token")
    assert response.status_code == 404
    assert "/auth/login" in response.get_data(as_text=True)


def test_deactivated_user_cannot_use_an_invitation(client):
    grant = _grant(AccessMethod.INVITATION)
    grant.user.active = False
    db.session.commit()
    url = f"/auth/invite/{grant.secret}"
    assert client.get(url).status_code == 410
    token = csrf_token(client, "/auth/login")
    client.post(url, data={"csrf_token": token, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert not verify_password(_fresh(grant.user).password_hash, NEW_PASSWORD)
    assert client.get("/auth/password").status_code == 302


def test_invitation_post_needs_csrf(client):
    grant = _grant(AccessMethod.INVITATION)
    response = client.post(f"/auth/invite/{grant.secret}", data={"new_password": NEW_PASSWORD,
                                                                  "confirm": NEW_PASSWORD})
    assert response.status_code == 400
    assert _fresh(grant.user).invite_token_hash is not None


def test_invitation_links_are_rate_limited(client, app):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    codes = [client.get(f"/auth/invite/guess-{n}").status_code for n in range(4)]
    assert codes == [404, 404, 404, 429]


GUESSABLE = ["password12", "aaaaaaaaaa", "qwertyuiop123", "1234567890", "iloveyou2026", "ana.wijaya1",
             "ana.wijaya@desa.id"]


def test_guessable_passwords_are_refused_at_every_door(client, runner, app):
    """NIST SP 800-63B: common and breached passwords, repeats and patterns, and passwords
    built from the user's own address are refused, on the change page, the invitation page
    and the command line."""
    from survey_app.security import password_problem

    for weak in GUESSABLE:
        assert password_problem(weak, ["ana.wijaya@desa.id"]) is not None, weak
    for strong in (PASSWORD, NEW_PASSWORD, "Kata sandi panjang 2027", "ana naik sepeda ke pasar pagi"):
        assert password_problem(strong, ["ana.wijaya@desa.id"]) is None, strong

    user = make_user(Role.VOLUNTEER, "ana.wijaya@desa.id")
    login(client, user.email)
    client.get("/lang/en")
    for weak in ("ana.wijaya1", "password12"):
        page = _change(client, PASSWORD, weak)
        assert "too easy to guess" in page.get_data(as_text=True), weak
    assert verify_password(_fresh(user).password_hash, PASSWORD)

    result = runner.invoke(args=["users", "create", "budi.santoso@desa.id", "--role", "volunteer"],
                           env={"SURVEY_USER_PASSWORD": "budisantoso"})
    assert result.exit_code == 1 and "too easy to guess" in result.output
    assert db.session.scalar(sa.select(User).where(User.email == "budi.santoso@desa.id")) is None

    grant = _grant(AccessMethod.INVITATION)
    url = f"/auth/invite/{grant.secret}"
    token = csrf_token(client, url)
    refused = client.post(url, data={"csrf_token": token, "new_password": "new@example.org1",
                                     "confirm": "new@example.org1"})
    assert refused.status_code in (200, 422) and "too easy to guess" in refused.get_data(as_text=True)
