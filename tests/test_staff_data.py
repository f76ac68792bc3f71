"""Staff members' personal data (UU 27/2022): an admin exports what is held about one person,
and anonymises an account closed long enough ago, its e-mail replaced everywhere, the audit
trail keeping the actions under a pseudonym."""

from __future__ import annotations

import json

import sqlalchemy as sa

from survey_app.database import read_only
from survey_app.extensions import db
from survey_app.models import AuditEvent, Goal, Role, Round, User
from survey_app.operations.goals import set_goal
from tests.factories import login, make_user, sign_in, token_in

OFFICER = "bhabin.sari@polres.example"


def _officer_at_work(app, client) -> int:
    """A coordinator who signs in, downloads a report and sets a goal; returns the account id."""
    officer = make_user(Role.COORDINATOR, OFFICER, ["32.73"])
    round_ = db.session.scalar(sa.select(Round).where(Round.name == "Putaran 1 2026"))
    set_goal(round_, "32.73.01", "trust", "level", 55, actor=officer)
    db.session.commit()
    officer_id = officer.id
    db.session.remove()
    other = app.test_client()
    assert login(other, OFFICER).status_code == 302
    assert other.get("/downloads/putaran-1-2026/village/32.73.01.1001.xlsx").status_code == 200
    db.session.remove()
    return officer_id


def _deactivate(client, user_id: int) -> None:
    page = client.get(f"/admin/users/{user_id}/deactivate").get_data(as_text=True)
    assert client.post(f"/admin/users/{user_id}/deactivate", data={"csrf_token": token_in(page)}).status_code == 302
    db.session.remove()


def test_an_admin_downloads_everything_held_about_one_staff_member(app, client, demo_data):
    officer_id = _officer_at_work(app, client)
    sign_in(client, Role.ADMIN)
    db.session.remove()
    response = client.get(f"/admin/users/{officer_id}/data.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = json.loads(response.data)
    assert data["account"]["email"] == OFFICER and data["account"]["role"] == "coordinator"
    assert data["account"]["scope"] == ["32.73"]
    assert [e["action"] for e in data["sign_ins"]] == ["auth.login"]
    assert any(e["action"] == "report.downloaded" and e["object"] == "village 32.73.01.1001" for e in data["actions"])
    assert any(e["action"] == "user.created" for e in data["actions"])  # what was done to the account too
    assert data["work"]["goals_set"] == 1
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "user.data_exported")) == 1
    coordinator = app.test_client()
    sign_in(coordinator, Role.COORDINATOR, email="other@polres.example")
    assert coordinator.get(f"/admin/users/{officer_id}/data.json").status_code == 403


def test_a_closed_account_is_anonymised_everywhere_and_its_actions_stay(app, client, runner, demo_data):
    officer_id = _officer_at_work(app, client)
    sign_in(client, Role.ADMIN)
    db.session.remove()
    _deactivate(client, officer_id)
    # Not yet: the account was closed today and the wait is a year.
    preview = runner.invoke(args=["users", "anonymise"])
    assert preview.exit_code == 0 and "0 account(s) deactivated at least 365 days ago" in preview.output
    page = client.get(f"/admin/users/{officer_id}/anonymise").get_data(as_text=True)
    client.post(f"/admin/users/{officer_id}/anonymise", data={"csrf_token": token_in(page)})
    db.session.remove()
    assert db.session.get(User, officer_id).email == OFFICER
    db.session.remove()

    held = _columns_holding(OFFICER)
    assert {"users.email", "audit_events.actor", "goals.created_by", "audit_events.details"} <= set(held)
    app.config["STAFF_ANONYMISE_DAYS"] = 0
    preview = runner.invoke(args=["users", "anonymise"])
    assert f"would anonymise {OFFICER}" in preview.output
    done = runner.invoke(args=["users", "anonymise", "--yes"])
    assert done.exit_code == 0, done.output
    pseudonym = f"anonim-{officer_id}@anonim.invalid"
    assert f"anonymised {OFFICER} as {pseudonym}" in done.output
    db.session.remove()

    # The address is nowhere in the database any more.
    assert _columns_holding(OFFICER) == []
    # The trail keeps the actions, under the pseudonym.
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.actor == pseudonym)).all()
    assert "auth.login" in actions and "report.downloaded" in actions
    assert db.session.scalar(sa.select(Goal.created_by).where(Goal.area_code == "32.73.01")) == pseudonym
    anonymised = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "user.anonymised")).one()
    assert anonymised.details == {"pseudonym": pseudonym}
    db.session.remove()
    # Nobody can sign in as it, and it cannot be reopened.
    assert login(app.test_client(), OFFICER).status_code != 302
    page = client.get(f"/admin/users/{officer_id}/reactivate").get_data(as_text=True)
    client.post(f"/admin/users/{officer_id}/reactivate", data={"csrf_token": token_in(page)})
    db.session.remove()
    assert db.session.get(User, officer_id).active is False


def _columns_holding(text: str) -> list[str]:
    """Every text or JSON column of every table with ``text`` in at least one row."""
    found = []
    with read_only(), db.engine.connect() as connection:
        inspector = sa.inspect(connection)
        for table in inspector.get_table_names():
            for column in inspector.get_columns(table):
                if isinstance(column["type"], (sa.String, sa.Text, sa.JSON)):
                    cell = sa.cast(sa.column(column["name"]), sa.Text)
                    hits = connection.scalar(sa.select(sa.func.count()).select_from(sa.table(table))
                                             .where(cell.contains(text)))
                    if hits:
                        found.append(f"{table}.{column['name']}")
    return found
