"""The round pages: list, creation, the round page, lifecycle steps with confirmation, schedule."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import AuditEvent, DoubleEntry, Role, Round, RoundStatus
from survey_app.operations.rounds import apply_schedule
from tests.factories import csrf_token, login, make_response, make_round, make_user, make_villages


@pytest.fixture
def admin(client):
    make_villages()
    user = make_user(Role.ADMIN)
    login(client, user.email)
    client.get("/lang/en")
    return user


def _round(name: str) -> Round:
    return db.session.scalar(sa.select(Round).where(Round.name == name))


def _actions(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def _create(client, **fields):  # type: ignore[no-untyped-def]
    data = {"name": "Putaran Uji", "questionnaire": "trust-safety@2", "scope": "32.73.01",
            "double_entry": "off", "csrf_token": csrf_token(client, "/admin/rounds/new")}
    data.update(fields)
    return client.post("/admin/rounds/new", data=data, content_type="multipart/form-data")


def test_an_admin_creates_a_draft_round_with_all_its_settings(client, admin):
    response = _create(client, opens_on="2026-12-01", closes_on="2026-12-31", scheduled="y",
                       target_per_village="80", min_n="40", double_entry="sample", double_entry_share="20")
    assert response.status_code == 303
    round_ = _round("Putaran Uji")
    assert response.headers["Location"].endswith(f"/admin/rounds/{round_.slug}")
    assert (round_.status, round_.questionnaire_ref, round_.scope_prefixes) == (
        RoundStatus.DRAFT, "trust-safety@2", ["32.73.01"])
    assert (round_.opens_on, round_.closes_on, round_.scheduled) == (date(2026, 12, 1), date(2026, 12, 31), True)
    assert (round_.target_per_village, round_.min_n) == (80, 40)
    assert (round_.double_entry, round_.double_entry_share) == (DoubleEntry.SAMPLE, 20)
    [created] = _actions("round.created")
    assert created.actor == admin.email and created.details["target_per_village"] == 80
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "created as a draft" in page


def test_the_scope_can_come_from_an_uploaded_list_of_village_codes(client, admin):
    upload = (io.BytesIO(b"code\n32.73.01.1001\n32.73.02.1003\n"), "villages.csv")
    response = _create(client, scope="", scope_file=upload)
    assert response.status_code == 303
    assert _round("Putaran Uji").scope_prefixes == ["32.73.01.1001", "32.73.02.1003"]


@pytest.mark.parametrize(("fields", "message"), [
    ({"scope_file": (b"32.73.01.1001\nnot a code\n", "v.csv")}, "line(s) 2"),
    ({"scope": "99.99"}, "Unknown area or village code(s): 99.99"),
    ({"opens_on": "2026-12-31", "closes_on": "2026-12-01"}, "before it opens"),
    ({"scheduled": "y"}, "needs an opening date"),
    ({"double_entry": "sample"}, "between 1 and 100"),
    ({"questionnaire": "trust-safety@9"}, "Not a valid choice"),
    ({"target_per_village": "0"}, "Number must be"),
    ({"name": ""}, "This field is required"),
    ({"scope": ""}, "Give the areas or villages of this round, or choose all villages."),
    ({"all_villages": "y"}, "not both"),
])
def test_bad_round_input_is_refused_with_a_message_and_nothing_stored(client, admin, fields, message):
    if "scope_file" in fields:  # a fresh stream per run: the parameters are shared by both backends
        data, name = fields["scope_file"]
        fields = {**fields, "scope_file": (io.BytesIO(data), name)}
    response = _create(client, **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Round)) == 0
    assert _actions("round.created") == []


def test_all_villages_is_a_choice_that_shows_the_count(client, admin):
    client.get("/lang/en")
    page = client.get("/admin/rounds/new").get_data(as_text=True)
    assert "…or all villages: every one of the 6 imported" in page
    assert "empty means every village" not in page
    response = _create(client, scope="", all_villages="y")
    assert response.status_code == 303
    assert _round("Putaran Uji").scope_prefixes == []


def test_a_duplicate_name_is_refused(client, admin):
    make_round("Putaran Uji")
    response = _create(client)
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)


def test_the_round_page_shows_the_version_diff_against_the_previous_round(client, admin):
    make_round("Round 1", "trust-safety@1")
    current = make_round("Round 2", "trust-safety@2")
    html = client.get(f"/admin/rounds/{current.slug}").get_data(as_text=True)
    kinds = dict(re.findall(r'data-question="([^"]+)" data-kind="([^"]+)"', html))
    assert kinds["trust_police"] == "same"
    assert kinds["safe_walk_dark"] == "caution"  # amended: its scale grew from 4 to 5 points
    assert "comparable with caution: the series breaks" in html
    assert kinds["access_easy_contact"] == "not_comparable"
    assert kinds["worry_online_fraud"] == "added"
    assert kinds["fkpm_active"] == "removed"
    assert "Against trust-safety@1 (round Round 1)" in html


def test_the_first_round_of_a_questionnaire_has_nothing_to_compare(client, admin):
    round_ = make_round("Round 1", "trust-safety@1")
    html = client.get(f"/admin/rounds/{round_.slug}").get_data(as_text=True)
    assert "nothing to compare with yet" in html
    assert "data-kind" not in html


def test_the_round_page_lists_links_and_serves_them_all_as_csv(client, admin):
    round_ = make_round("Round 1", opened=True, scope=["32.73.01"])
    html = client.get(f"/admin/rounds/{round_.slug}").get_data(as_text=True)
    assert "http://127.0.0.1:5000/s/round-1/32.73.01.1001" in html
    assert "32.73.02.1001" not in html
    response = client.get(f"/admin/rounds/{round_.slug}/links.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["code", "village", "district", "regency", "url"]
    assert [row[0] for row in rows[1:]] == ["32.73.01.1001", "32.73.01.1002", "32.73.01.1003"]
    assert rows[1][4] == "http://127.0.0.1:5000/s/round-1/32.73.01.1001"
    assert _actions("report.downloaded")[0].details["what"] == "round_links"


def test_posters_for_an_area_are_one_printable_page(client, admin):
    round_ = make_round("Round 1", opened=True)
    response = client.get(f"/admin/rounds/{round_.slug}/posters.html?area=32.73.02")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.count("<svg") == 3 and "Cipaganti" in html and "Sukarasa" not in html
    assert _actions("report.downloaded")[0].details == {"what": "posters", "round": "Round 1", "area": "32.73.02",
                                                        "villages": 3, "where": "127.0.0.1"}
    assert client.get(f"/admin/rounds/{round_.slug}/posters.html?area=11.01").status_code == 404


def test_opening_needs_a_confirmation_that_says_what_happens(client, admin):
    round_ = make_round("Round 1")
    page = client.get(f"/admin/rounds/{round_.slug}/open")
    assert page.status_code == 200
    assert "Residents can answer" in page.get_data(as_text=True)
    assert _round("Round 1").status is RoundStatus.DRAFT  # a GET changes nothing
    token = csrf_token(client, f"/admin/rounds/{round_.slug}/open")
    response = client.post(f"/admin/rounds/{round_.slug}/open", data={"csrf_token": token})
    assert response.status_code == 303
    assert _round("Round 1").status is RoundStatus.OPEN
    assert [e.actor for e in _actions("round.opened")] == [admin.email]
    assert "is open" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_post_without_csrf_changes_nothing(client, admin):
    round_ = make_round("Round 1")
    assert client.post(f"/admin/rounds/{round_.slug}/open", data={}).status_code == 400
    assert _round("Round 1").status is RoundStatus.DRAFT


def test_closing_can_let_paper_entry_finish_then_end_it(client, admin):
    round_ = make_round("Round 1", opened=True)
    page = client.get(f"/admin/rounds/{round_.slug}/close").get_data(as_text=True)
    assert "takes no new web answers" in page and "not reopened" in page
    token = csrf_token(client, f"/admin/rounds/{round_.slug}/close")
    client.post(f"/admin/rounds/{round_.slug}/close", data={"csrf_token": token, "paper_may_finish": "y"})
    closed = _round("Round 1")
    assert (closed.status, closed.paper_after_close) == (RoundStatus.CLOSED, True)
    assert closed.takes_paper(date.today()) is True
    # The resident form is closed, paper entry still lists the round.
    assert client.get("/s/round-1/32.73.01.1001").status_code == 410
    assert f"/entry/{closed.id}/key" in client.get("/entry/").get_data(as_text=True)
    token = csrf_token(client, f"/admin/rounds/{round_.slug}/end-paper")
    client.post(f"/admin/rounds/{round_.slug}/end-paper", data={"csrf_token": token})
    assert _round("Round 1").paper_after_close is False
    assert client.get(f"/entry/{closed.id}/key").status_code == 404
    assert [e.action for e in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.object_type == "round")
                                                 .order_by(AuditEvent.id))][-2:] == [
        "round.closed", "round.paper_entry_ended"]


def test_closing_without_paper_stops_paper_entry(client, admin):
    round_ = make_round("Round 1", opened=True)
    token = csrf_token(client, f"/admin/rounds/{round_.slug}/close")
    client.post(f"/admin/rounds/{round_.slug}/close", data={"csrf_token": token})
    assert client.get(f"/entry/{round_.id}/key").status_code == 404


def test_a_closed_round_is_not_reopened(client, admin):
    round_ = make_round("Round 1", opened=True)
    token = csrf_token(client, f"/admin/rounds/{round_.slug}/close")
    client.post(f"/admin/rounds/{round_.slug}/close", data={"csrf_token": token})
    response = client.post(f"/admin/rounds/{round_.slug}/open", data={"csrf_token": token}, follow_redirects=True)
    assert "is closed; a closed round is not reopened" in response.get_data(as_text=True)
    assert _round("Round 1").status is RoundStatus.CLOSED


def test_settings_change_dates_schedule_target_and_min_n(client, admin):
    round_ = make_round("Round 1")
    opens, closes = date.today() + timedelta(days=10), date.today() + timedelta(days=40)
    token = csrf_token(client, f"/admin/rounds/{round_.slug}")
    response = client.post(f"/admin/rounds/{round_.slug}/settings", data={
        "csrf_token": token, "opens_on": opens.isoformat(), "closes_on": closes.isoformat(), "scheduled": "y",
        "target_per_village": "50", "min_n": "25"})
    assert response.status_code == 303
    changed = _round("Round 1")
    assert (changed.scheduled, changed.target_per_village, changed.min_n) == (True, 50, 25)
    [event] = _actions("round.settings_changed")
    assert event.details["old"]["min_n"] is None and event.details["new"]["min_n"] == 25
    bad = client.post(f"/admin/rounds/{round_.slug}/settings", data={
        "csrf_token": token, "opens_on": closes.isoformat(), "closes_on": opens.isoformat()}, follow_redirects=True)
    assert "before it opens" in bad.get_data(as_text=True)
    assert _round("Round 1").opens_on == opens


def test_a_scheduled_round_follows_its_dates(client, admin):
    today = date.today()
    round_ = make_round("Round 1")
    round_.scheduled, round_.opens_on, round_.closes_on = True, today - timedelta(days=1), today + timedelta(days=9)
    db.session.commit()
    # The resident form goes by the dates before anyone records the opening...
    assert client.get("/s/round-1/32.73.01.1001").status_code == 200
    # ...and the first console page records it, once, in the audit trail.
    html = client.get("/admin/").get_data(as_text=True)
    assert 'status-open' in html and "scheduled" in html
    assert _round("Round 1").status is RoundStatus.OPEN
    assert [e.actor for e in _actions("round.opened")] == ["schedule"]
    client.get("/admin/")
    assert len(_actions("round.opened")) == 1


def test_apply_schedule_opens_and_closes_a_round_whose_period_passed(app):
    make_villages()
    round_ = make_round("Round 1")
    round_.scheduled, round_.opens_on, round_.closes_on = True, date(2026, 1, 1), date(2026, 1, 31)
    assert apply_schedule(date(2025, 12, 31)) == []
    assert [r.name for r in apply_schedule(date(2026, 2, 1))] == ["Round 1"]
    assert (round_.status, round_.paper_after_close) == (RoundStatus.CLOSED, True)
    assert [e.action for e in db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id))][-2:] == [
        "round.opened", "round.closed"]


def test_the_list_shows_counts_and_links_to_each_round(client, admin):
    round_ = make_round("Round 1", opened=True)
    make_response(round_, 1)
    db.session.commit()
    html = client.get("/admin/").get_data(as_text=True)
    assert f'href="/admin/rounds/{round_.slug}"' in html
    assert 'href="/admin/rounds/new"' in html


@pytest.mark.parametrize("role", [Role.COORDINATOR])
def test_coordinators_see_rounds_but_do_not_change_them(client, role):
    make_villages()
    round_ = make_round("Round 1")
    login(client, make_user(role, scope=["32.73.01"]).email)
    html = client.get(f"/admin/rounds/{round_.slug}").get_data(as_text=True)
    assert "/open" not in html and "32.73.02.1001" not in html
    assert 'href="/admin/rounds/new"' not in client.get("/admin/").get_data(as_text=True)
    assert client.get("/admin/rounds/new").status_code == 403
    assert client.get(f"/admin/rounds/{round_.slug}/open").status_code == 403
    assert client.post(f"/admin/rounds/{round_.slug}/settings", data={}).status_code in (400, 403)


def test_a_coordinator_outside_the_round_is_refused(client):
    make_villages()
    round_ = make_round("Round 1", scope=["32.73.02"])
    login(client, make_user(Role.COORDINATOR, scope=["32.73.01"]).email)
    assert client.get(f"/admin/rounds/{round_.slug}").status_code == 403
    response = client.get(f"/admin/rounds/{round_.slug}/posters.html?area=32.73.02")
    assert response.status_code == 403


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.VIEWER])
def test_volunteers_and_viewers_are_refused_and_sent_to_their_own_start(client, role):
    make_villages()
    round_ = make_round("Round 1")
    login(client, make_user(role, scope=["32.73.01"]).email)
    assert client.get("/admin/").status_code == 403
    assert client.get(f"/admin/rounds/{round_.slug}").status_code == 403
    start = {Role.VOLUNTEER: "/entry/", Role.VIEWER: "/downloads/"}[role]
    assert client.get("/").headers["Location"].endswith(start)


def test_anonymous_users_are_sent_to_sign_in(client):
    assert client.get("/admin/rounds/new").status_code == 302
    assert "/auth/login" in client.get("/admin/rounds/new").headers["Location"]


def test_a_scheduled_round_whose_questionnaire_changed_does_not_break_the_console(client, admin, monkeypatch):
    round_ = make_round("Round 1")
    round_.scheduled, round_.opens_on = True, date.today() - timedelta(days=1)
    db.session.commit()

    def changed(key, version):  # type: ignore[no-untyped-def]
        from survey_app.operations import OperationError

        raise OperationError("questionnaires/trust-safety/v1.yaml has changed since trust-safety@1 was first used")

    monkeypatch.setattr("survey_app.questionnaires.load", changed)
    assert client.get("/admin/").status_code == 200
    assert _round("Round 1").status is RoundStatus.DRAFT
    assert _actions("round.opened") == []
