"""Staff preview the residents' form: the real pages, both languages, skip logic, marked as a
preview, and nothing stored, by either door."""

from __future__ import annotations

import re
import uuid

import pytest
import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import AuditEvent, Response, Role
from survey_app.questionnaires import load
from tests.factories import complete_answers, csrf_token, form_pages, login, make_round, make_user, make_villages


@pytest.fixture
def draft(app):  # type: ignore[no-untyped-def]
    make_villages()
    return make_round("Putaran Draf", "trust-safety@2", scope=["32.73.01"])


def _stored() -> int:
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Response)) or 0
    db.session.close()
    return count


@pytest.mark.parametrize("role", [Role.ADMIN, Role.COORDINATOR])
def test_staff_walk_a_draft_rounds_form_and_nothing_is_stored(client, draft, role):
    login(client, make_user(role, scope=["32.73.01"] if role is Role.COORDINATOR else None).email)
    url = f"/admin/rounds/{draft.slug}/preview"
    assert client.get(f"/s/{draft.slug}/32.73.01.1001").status_code == 403  # the real link: not open yet
    page = client.get(url).get_data(as_text=True)
    assert 'id="preview-banner"' in page
    assert "Sukarasa" in page and "Putaran Draf" in page  # named after one of the user's villages
    events = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    last = form_pages(client, url, complete_answers(load("trust-safety", 2)))
    assert last.status_code == 200
    assert 'id="preview-banner"' in last.get_data(as_text=True)
    assert _stored() == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == events


def test_any_questionnaire_version_in_both_languages_with_its_skip_logic(client, draft):
    login(client, make_user(Role.ADMIN).email)
    url = "/admin/preview/trust-safety/1"
    assert "trust-safety@1" in client.get("/admin/rounds/new").get_data(as_text=True)
    token = csrf_token(client, url)
    english = client.post(url, data={"csrf_token": token, "_page": "0", "_nav": "lang-en"})
    assert english.status_code == 200 and 'lang="en"' in english.get_data(as_text=True)
    answers = complete_answers(load("trust-safety", 1), {"contact_12m": "no"})
    last = form_pages(client, url, answers)
    assert last.status_code == 200 and _stored() == 0
    assert client.get("/admin/preview/trust-safety/99").status_code == 404


def test_the_preview_json_door_checks_and_never_stores(client, draft):
    login(client, make_user(Role.ADMIN).email)
    url = f"/admin/rounds/{draft.slug}/preview"
    page = client.get(url).get_data(as_text=True)
    submit = re.search(r'data-submit="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    assert submit == "/admin/preview/trust-safety/2/submit"
    token = csrf_token(client, url)
    answers = complete_answers(load("trust-safety", 2))
    payload = {"submission_key": str(uuid.uuid4()), "answers": answers}
    reply = client.post(submit, json=payload, headers={"X-CSRFToken": token})
    assert reply.status_code == 200 and reply.json["status"] == "preview"
    bad = client.post(submit, json={**payload, "answers": {**answers, "trust_police": "not a code"}},
                      headers={"X-CSRFToken": token})
    assert bad.status_code == 422 and "trust_police" in bad.json["errors"]
    assert client.post(submit, json=payload).status_code == 400  # CSRF, as everywhere
    assert _stored() == 0


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.VIEWER])
def test_only_staff_may_preview(client, draft, role):
    login(client, make_user(role, scope=["32.73.01"]).email)
    assert client.get(f"/admin/rounds/{draft.slug}/preview").status_code == 403
    assert client.get("/admin/preview/trust-safety/2").status_code == 403


def test_a_coordinator_outside_the_rounds_area_may_not_preview_it(client, draft):
    login(client, make_user(Role.COORDINATOR, scope=["32.73.02"]).email)
    assert client.get(f"/admin/rounds/{draft.slug}/preview").status_code == 403
