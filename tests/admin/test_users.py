"""User management in the console: only administrators, every change audited, no secret kept."""

import json
import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import AuditEvent, Role, User
from survey_app.models._types import utcnow
from survey_app.operations import OperationError
from survey_app.operations.users import deactivate_user, token_hash
from survey_app.security import verify_password
from tests.factories import PASSWORD, csrf_token, login, make_user, make_villages, sign_in


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def _user(email: str) -> User:
    db.session.expire_all()
    user = db.session.scalar(sa.select(User).where(User.email == email))
    assert user is not None
    return user


def _all_audit_text() -> str:
    events = db.session.scalars(sa.select(AuditEvent)).all()
    return json.dumps([[e.action, e.actor, e.details] for e in events])


def _create(client, **fields):  # type: ignore[no-untyped-def]
    data = {"email": "new@example.org", "role": "volunteer", "scope": "", "method": "invitation",
            "csrf_token": csrf_token(client, "/admin/users/new"), **fields}
    return client.post("/admin/users/new", data=data)


def _token_in(html: str) -> str:
    match = re.search(r"/auth/invite/([A-Za-z0-9_-]+)", html)
    assert match, "no invitation link on the page"
    return match.group(1)


def _password_in(html: str) -> str:
    match = re.search(r'id="temporary-password">([^<]+)<', html)
    assert match, "no temporary password on the page"
    return match.group(1)


# ---------------------------------------------------------------------------
# Who may manage users


def test_anonymous_visitors_are_sent_to_sign_in(client):
    target = make_user(Role.VOLUNTEER)
    for path in ["/admin/users", "/admin/users/new", f"/admin/users/{target.id}",
                 f"/admin/users/{target.id}/access", f"/admin/users/{target.id}/deactivate"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.VOLUNTEER, Role.VIEWER])
def test_other_roles_are_refused(client, role):
    user = make_user(role)
    admin = make_user(Role.ADMIN)
    login(client, user.email)
    paths = ["/admin/users", "/admin/users/new", f"/admin/users/{admin.id}", f"/admin/users/{admin.id}/access",
             f"/admin/users/{admin.id}/deactivate", f"/admin/users/{admin.id}/reactivate"]
    for path in paths:
        assert client.get(path).status_code == 403, path
    token = csrf_token(client, "/auth/password")
    assert client.post(f"/admin/users/{admin.id}/deactivate", data={"csrf_token": token}).status_code == 403
    assert client.post(f"/admin/users/{admin.id}", data={"csrf_token": token, "role": "viewer",
                                                          "scope": ""}).status_code == 403
    assert client.post("/admin/users/new", data={"csrf_token": token, "email": "x@example.org", "role": "admin",
                                                 "method": "invitation"}).status_code == 403
    assert _user(admin.email).active and _user(admin.email).role is Role.ADMIN
    assert db.session.scalar(sa.select(User).where(User.email == "x@example.org")) is None


def test_users_link_shows_in_the_console_for_admins(client):
    sign_in(client)
    assert 'href="/admin/users"' in client.get("/admin/").get_data(as_text=True)


def test_actions_need_a_csrf_token(client):
    sign_in(client)
    target = make_user(Role.VOLUNTEER)
    assert client.post("/admin/users/new", data={"email": "a@example.org", "role": "viewer",
                                                 "method": "invitation"}).status_code == 400
    assert client.post(f"/admin/users/{target.id}/deactivate").status_code == 400
    assert client.post(f"/admin/users/{target.id}/access", data={"method": "invitation"}).status_code == 400
    assert _user(target.email).active
    assert _events("user.password_reset") == []


# ---------------------------------------------------------------------------
# The list


def test_list_filters_by_role_and_searches_by_email(client):
    sign_in(client)
    make_villages()
    make_user(Role.VOLUNTEER, "siti@example.org", scope=["32.73.01"])
    make_user(Role.COORDINATOR, "budi@example.org")
    html = client.get("/admin/users").get_data(as_text=True)
    assert all(email in html for email in ("admin@example.org", "siti@example.org", "budi@example.org"))
    assert "32.73.01" in html
    html = client.get("/admin/users?role=volunteer").get_data(as_text=True)
    assert "siti@example.org" in html and "budi@example.org" not in html
    html = client.get("/admin/users?q=BUD").get_data(as_text=True)
    assert "budi@example.org" in html and "siti@example.org" not in html
    html = client.get("/admin/users?q=%25").get_data(as_text=True)  # a LIKE wildcard is searched literally
    assert "budi@example.org" not in html


def test_list_shows_pending_invitations_and_temporary_passwords(client):
    client.get("/lang/en")
    sign_in(client)
    _create(client, email="invited@example.org", method="invitation")
    _create(client, email="printed@example.org", method="temporary_password")
    html = client.get("/admin/users").get_data(as_text=True)
    assert "invitation sent" in html
    assert "temporary password" in html


# ---------------------------------------------------------------------------
# Creating users


def test_create_by_invitation_shows_the_link_once_and_stores_only_its_hash(client, app):
    admin = sign_in(client)
    make_villages()
    response = _create(client, email=" Rina@Example.org ", role="volunteer", scope="32.73.01,\n32.73.02.1001 ")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    token = _token_in(html)
    assert app.config["PUBLIC_BASE_URL"] + "/auth/invite/" + token in html
    user = _user("rina@example.org")
    assert user.role is Role.VOLUNTEER
    assert user.scope_prefixes == ["32.73.01", "32.73.02.1001"]
    assert user.invite_token_hash == token_hash(token)
    assert not user.must_change_password
    [created] = [e for e in _events("user.created") if e.object_id == str(user.id)]
    assert created.actor_id == admin.id
    assert created.details["method"] == "invitation"
    assert created.details["scope"] == ["32.73.01", "32.73.02.1001"]
    [invited] = _events("user.invited")
    assert invited.object_id == str(user.id)
    assert token not in _all_audit_text()
    # The link is not shown again anywhere.
    assert token not in client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert token not in client.get("/admin/users").get_data(as_text=True)


def test_invitation_lifetime_comes_from_the_configuration(client, app):
    app.config["INVITE_VALID_HOURS"] = 2
    sign_in(client)
    _create(client, email="soon@example.org")
    [invited] = _events("user.invited")
    expires = datetime.fromisoformat(invited.details["expires_at"])
    assert timedelta(hours=1, minutes=59) < expires - utcnow() <= timedelta(hours=2)


def test_create_with_a_temporary_password(client):
    sign_in(client)
    response = _create(client, email="wayan@example.org", role="coordinator", method="temporary_password")
    assert response.status_code == 200
    password = _password_in(response.get_data(as_text=True))
    user = _user("wayan@example.org")
    assert verify_password(user.password_hash, password)
    assert user.must_change_password
    assert user.invite_token_hash is None
    assert password not in _all_audit_text()


def test_create_refuses_unknown_codes_duplicates_and_bad_emails(client):
    sign_in(client)
    make_villages()
    assert _create(client, scope="32.73.99").status_code == 200
    assert _create(client, email="admin@example.org").status_code == 200
    assert _create(client, email="not-an-email").status_code == 200
    assert _create(client, role="boss").status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1
    assert _events("user.created")[1:] == []  # only the admin made by the factory
    client.get("/lang/en")
    html = _create(client, scope="32.73.01 32.73.99").get_data(as_text=True)
    assert "32.73.99" in html and "Unknown area or village code" in html


# ---------------------------------------------------------------------------
# Editing role and scope


def test_edit_role_and_scope_is_audited_with_old_and_new(client):
    admin = sign_in(client)
    make_villages()
    target = make_user(Role.VOLUNTEER, "ani@example.org", scope=["32.73.01"])
    token = csrf_token(client, f"/admin/users/{target.id}")
    response = client.post(f"/admin/users/{target.id}",
                           data={"csrf_token": token, "role": "coordinator", "scope": "32.73.02"})
    assert response.status_code == 302
    user = _user("ani@example.org")
    assert user.role is Role.COORDINATOR
    assert user.scope_prefixes == ["32.73.02"]
    [role_event] = _events("user.role_changed")
    assert role_event.details == {"old": "volunteer", "new": "coordinator"}
    assert role_event.actor_id == admin.id
    [scope_event] = _events("user.scope_changed")
    assert scope_event.details == {"old": ["32.73.01"], "new": ["32.73.02"]}
    # Saving the same values again changes nothing and writes nothing.
    client.post(f"/admin/users/{target.id}", data={"csrf_token": token, "role": "coordinator", "scope": "32.73.02"})
    assert len(_events("user.role_changed")) == 1 and len(_events("user.scope_changed")) == 1


def test_edit_refuses_unknown_codes(client):
    sign_in(client)
    target = make_user(Role.VOLUNTEER)
    token = csrf_token(client, f"/admin/users/{target.id}")
    client.post(f"/admin/users/{target.id}", data={"csrf_token": token, "role": "viewer", "scope": "99.99"})
    user = _user(target.email)
    assert user.role is Role.VOLUNTEER and user.scope_prefixes == []
    assert _events("user.role_changed") == []


def test_the_last_admin_cannot_demote_themselves(client):
    admin = sign_in(client)
    client.get("/lang/en")
    token = csrf_token(client, f"/admin/users/{admin.id}")
    response = client.post(f"/admin/users/{admin.id}", data={"csrf_token": token, "role": "viewer", "scope": ""},
                           follow_redirects=True)
    assert "last active administrator" in response.get_data(as_text=True)
    assert _user(admin.email).role is Role.ADMIN
    assert _events("user.role_changed") == []


def test_an_admin_may_step_down_when_another_admin_remains(client):
    admin = sign_in(client)
    make_user(Role.ADMIN, "second@example.org")
    token = csrf_token(client, f"/admin/users/{admin.id}")
    response = client.post(f"/admin/users/{admin.id}", data={"csrf_token": token, "role": "coordinator", "scope": ""})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert _user(admin.email).role is Role.COORDINATOR
    assert client.get("/admin/users").status_code == 403


def test_last_admin_guard_holds_in_the_operation_too(app):
    admin = make_user(Role.ADMIN)
    coordinator = make_user(Role.COORDINATOR)
    with pytest.raises(OperationError, match="last active administrator"):
        deactivate_user(admin, actor=coordinator)
    db.session.rollback()
    assert _user(admin.email).active


# ---------------------------------------------------------------------------
# Deactivating and reactivating


def test_deactivate_asks_first_then_the_user_loses_access_at_the_next_request(app, client):
    admin = sign_in(client)
    target = make_user(Role.VOLUNTEER)
    volunteer_client = app.test_client()
    login(volunteer_client, target.email)
    assert volunteer_client.get("/auth/password").status_code == 200

    page = client.get(f"/admin/users/{target.id}/deactivate")
    assert page.status_code == 200
    assert 'name="csrf_token"' in page.get_data(as_text=True)
    assert _user(target.email).active  # asking changes nothing
    token = csrf_token(client, f"/admin/users/{target.id}/deactivate")
    response = client.post(f"/admin/users/{target.id}/deactivate", data={"csrf_token": token})
    assert response.status_code == 302
    assert not _user(target.email).active
    [event] = _events("user.deactivated")
    assert event.actor_id == admin.id and event.object_id == str(target.id)

    response = volunteer_client.get("/auth/password")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    login(volunteer_client, target.email)
    assert volunteer_client.get("/auth/password").status_code == 302

    token = csrf_token(client, f"/admin/users/{target.id}/reactivate")
    assert client.post(f"/admin/users/{target.id}/reactivate", data={"csrf_token": token}).status_code == 302
    assert _user(target.email).active
    assert len(_events("user.reactivated")) == 1
    login(volunteer_client, target.email)
    assert volunteer_client.get("/auth/password").status_code == 200


def test_an_admin_cannot_deactivate_their_own_account(client):
    admin = sign_in(client)
    make_user(Role.ADMIN, "second@example.org")  # not the last admin: the self-guard alone refuses
    client.get("/lang/en")
    token = csrf_token(client, f"/admin/users/{admin.id}/deactivate")
    response = client.post(f"/admin/users/{admin.id}/deactivate", data={"csrf_token": token}, follow_redirects=True)
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    assert _user(admin.email).active
    assert _events("user.deactivated") == []


def test_another_admin_can_be_deactivated(client):
    sign_in(client)
    other = make_user(Role.ADMIN, "second@example.org")
    token = csrf_token(client, f"/admin/users/{other.id}/deactivate")
    client.post(f"/admin/users/{other.id}/deactivate", data={"csrf_token": token})
    assert not _user(other.email).active


def test_unknown_user_is_404(client):
    sign_in(client)
    assert client.get("/admin/users/999").status_code == 404
    assert client.get("/admin/users/999/access").status_code == 404


# ---------------------------------------------------------------------------
# Resetting access


def test_reset_by_invitation_asks_first_and_invalidates_password_and_older_link(client):
    sign_in(client)
    target = make_user(Role.VOLUNTEER)
    page = client.get(f"/admin/users/{target.id}/access")
    assert page.status_code == 200 and 'name="csrf_token"' in page.get_data(as_text=True)
    assert verify_password(_user(target.email).password_hash, PASSWORD)  # asking changes nothing

    token = csrf_token(client, f"/admin/users/{target.id}/access")
    first = _token_in(client.post(f"/admin/users/{target.id}/access",
                                  data={"csrf_token": token, "method": "invitation"}).get_data(as_text=True))
    second = _token_in(client.post(f"/admin/users/{target.id}/access",
                                   data={"csrf_token": token, "method": "invitation"}).get_data(as_text=True))
    assert first != second
    user = _user(target.email)
    assert not verify_password(user.password_hash, PASSWORD)
    assert user.invite_token_hash == token_hash(second)

    anonymous = client.application.test_client()
    assert anonymous.get(f"/auth/invite/{first}").status_code == 404
    assert anonymous.get(f"/auth/invite/{second}").status_code == 200
    events = _events("user.password_reset")
    assert [e.details["method"] for e in events] == ["invitation", "invitation"]
    audit_text = _all_audit_text()
    assert first not in audit_text and second not in audit_text


def test_reset_with_a_temporary_password_cancels_a_pending_link(client):
    sign_in(client)
    target = make_user(Role.VIEWER)
    token = csrf_token(client, f"/admin/users/{target.id}/access")
    link = _token_in(client.post(f"/admin/users/{target.id}/access",
                                 data={"csrf_token": token, "method": "invitation"}).get_data(as_text=True))
    response = client.post(f"/admin/users/{target.id}/access", data={"csrf_token": token,
                                                                     "method": "temporary_password"})
    password = _password_in(response.get_data(as_text=True))
    user = _user(target.email)
    assert user.must_change_password and user.invite_token_hash is None
    assert verify_password(user.password_hash, password)
    assert client.application.test_client().get(f"/auth/invite/{link}").status_code == 404
    assert password not in _all_audit_text()


def test_reset_of_a_deactivated_account_is_refused(client):
    sign_in(client)
    target = make_user(Role.VOLUNTEER)
    target.active = False
    db.session.commit()
    token = csrf_token(client, f"/admin/users/{target.id}/access")
    response = client.post(f"/admin/users/{target.id}/access", data={"csrf_token": token, "method": "invitation"})
    assert response.status_code == 302
    assert _user(target.email).invite_token_hash is None
    assert _events("user.password_reset") == []


def test_a_viewer_is_never_created_or_left_without_villages(client):
    client.get("/lang/en")
    sign_in(client)
    make_villages()
    response = _create(client, email="forum@example.org", role="viewer", scope="")
    assert "A viewer must be limited to areas or villages" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(User).where(User.email == "forum@example.org")) is None
    _create(client, email="forum@example.org", role="viewer", scope="32.73.01")
    viewer = _user("forum@example.org")
    token = csrf_token(client, f"/admin/users/{viewer.id}")
    response = client.post(f"/admin/users/{viewer.id}", data={"csrf_token": token, "role": "viewer", "scope": ""},
                           follow_redirects=True)
    assert "A viewer must be limited to areas or villages" in response.get_data(as_text=True)
    db.session.expire_all()
    assert _user("forum@example.org").scope_prefixes == ["32.73.01"]
