"""/admin/audit: filters, paging, the CSV export (neutralised and itself audited), append-only."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from survey_app import audit
from survey_app.extensions import db
from survey_app.models import AuditEvent, Role
from survey_app.models.audit import AuditTrailIsAppendOnly
from tests.factories import login, make_user

OWN_ACTIONS = {"audit.exported", "auth.login", "user.created"}


def add_event(action: str, actor: str, when: datetime, **details: object) -> None:
    event = audit.record(action, actor=actor, object_type="thing", object_id=1, **details)
    event.occurred_at = when
    db.session.commit()


def admin(client):  # type: ignore[no-untyped-def]
    user = make_user(Role.ADMIN, "boss@example.org")
    login(client, user.email)
    return user


def read_csv(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


@pytest.fixture
def trail(app):  # type: ignore[no-untyped-def]
    # Jakarta is UTC+7: 2024-03-01 20:00 UTC is already 2 March there.
    add_event("round.opened", "ana@example.org", datetime(2024, 3, 1, 3, 0, tzinfo=UTC), name="R1")
    add_event("round.closed", "ana@example.org", datetime(2024, 3, 1, 20, 0, tzinfo=UTC), name="R1")
    add_event("auth.login_failed", "=HYPERLINK(\"http://x\")", datetime(2024, 3, 3, 1, 0, tzinfo=UTC),
              note="+cmd")
    add_event("round.opened", "budi@example.org", datetime(2024, 3, 5, 1, 0, tzinfo=UTC), name="@R2")


def shown_actions(client, query: str = "") -> list[str]:  # type: ignore[no-untyped-def]
    response = client.get("/admin/audit.csv" + query)
    assert response.status_code == 200
    # Leave out what signing in and the export itself add.
    return [row["action"] for row in read_csv(response) if row["action"] not in OWN_ACTIONS]


def test_trail_lists_events_newest_first(client, trail):
    admin(client)
    client.get("/lang/en")
    html = client.get("/admin/audit").get_data(as_text=True)
    positions = [html.index(who) for who in ("budi@example.org", "HYPERLINK", "ana@example.org")]
    assert positions == sorted(positions)
    assert "name=R1" in html


def test_filters_by_actor_action_and_local_dates(client, trail):
    admin(client)
    assert shown_actions(client) == ["round.opened", "auth.login_failed", "round.closed", "round.opened"]
    assert shown_actions(client, "?actor=ANA@") == ["round.closed", "round.opened"]
    assert shown_actions(client, "?action=round.opened") == ["round.opened", "round.opened"]
    # Inclusive local dates: the 20:00 UTC event belongs to 2 March in Jakarta.
    assert shown_actions(client, "?date_from=2024-03-01&date_to=2024-03-01") == ["round.opened"]
    assert shown_actions(client, "?date_from=2024-03-02&date_to=2024-03-03") == ["auth.login_failed", "round.closed"]
    assert shown_actions(client, "?date_from=2024-03-05&date_to=2024-03-31") == ["round.opened"]
    assert shown_actions(client, "?date_to=2024-02-29") == []


def test_invalid_filters_are_refused(client, trail):
    admin(client)
    assert client.get("/admin/audit?date_from=2024-13-40").status_code == 422
    assert client.get("/admin/audit?date_from=2024-03-05&date_to=2024-03-01").status_code == 422
    assert client.get("/admin/audit?action=no.such").status_code == 422
    assert client.get("/admin/audit.csv?date_from=nonsense").status_code == 400


def test_trail_is_paged(client, app):
    for n in range(55):
        audit.record("demo.event", actor="system", object_id=n)
    db.session.commit()
    admin(client)
    first = client.get("/admin/audit?action=demo.event").get_data(as_text=True)
    second = client.get("/admin/audit?action=demo.event&page=2").get_data(as_text=True)
    assert first.count("<tr>") - 1 == 50 and second.count("<tr>") - 1 == 5
    assert "action=demo.event&amp;page=2" in first


def test_csv_neutralises_formulas_and_records_the_export(client, trail):
    user = admin(client)
    response = client.get("/admin/audit.csv?action=auth.login_failed")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = read_csv(response)
    failed = [row for row in rows if row["action"] == "auth.login_failed"]
    assert [row["actor"] for row in failed] == ["'=HYPERLINK(\"http://x\")"]
    assert failed[0]["occurred_at_wib"] == "2024-03-03 08:00:00"  # 01:00 UTC, in Jakarta
    assert failed[0]["details"] == '{"note":"+cmd"}'  # JSON text starts with "{", harmless
    (exported,) = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "audit.exported")).all()
    assert exported.actor_id == user.id
    assert exported.details == {"filters": {"action": "auth.login_failed"}, "rows": 1}


def test_no_route_under_audit_changes_anything(app):
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/admin/audit")]
    assert {rule.endpoint for rule in rules} == {"admin.audit", "admin.audit_csv"}
    for rule in rules:
        assert not rule.methods & {"POST", "PUT", "PATCH", "DELETE"}, rule.rule


def test_events_cannot_be_changed_or_deleted_through_the_orm(app, trail):
    event = db.session.scalars(sa.select(AuditEvent)).first()
    event.action = "round.tampered"
    with pytest.raises(AuditTrailIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    event = db.session.scalars(sa.select(AuditEvent)).first()
    db.session.delete(event)
    with pytest.raises(AuditTrailIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    with pytest.raises(AuditTrailIsAppendOnly):
        db.session.execute(sa.update(AuditEvent).values(actor="nobody"))
    with pytest.raises(AuditTrailIsAppendOnly):
        db.session.execute(sa.delete(AuditEvent))
    with pytest.raises(AuditTrailIsAppendOnly):
        db.session.execute(sa.delete(AuditEvent.__table__))
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 4
    assert "round.tampered" not in db.session.scalars(sa.select(AuditEvent.action)).all()


@pytest.mark.parametrize("path", ["/admin/audit", "/admin/audit.csv"])
def test_audit_is_for_admins_only(client, app, path):
    response = client.get(path)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    for role in (Role.COORDINATOR, Role.VOLUNTEER, Role.VIEWER):
        user = make_user(role)
        other = app.test_client()
        login(other, user.email)
        assert other.get(path).status_code == 403
    assert db.session.scalar(
        sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == "audit.exported")) == 0


def test_details_show_false_empty_and_null_as_stored(client):
    add_event("round.created", "ana@example.org", datetime(2024, 3, 1, 3, 0, tzinfo=UTC),
              scope=[], scheduled=False, paper_may_finish=None, target=0, name="R1")
    admin(client)
    html = client.get("/admin/audit?action=round.created").get_data(as_text=True)
    assert "name=R1, paper_may_finish=null, scheduled=false, scope=[], target=0" in html
    rows = [row for row in read_csv(client.get("/admin/audit.csv?action=round.created"))]
    assert rows[0]["details"] == '{"name":"R1","paper_may_finish":null,"scheduled":false,"scope":[],"target":0}'
