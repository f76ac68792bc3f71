"""Every registered URL rule, walked as anonymous, volunteer, viewer, coordinator and admin.

Each rule's own access decision (``view.access``) says who may use it; this test checks the
server keeps to it for every method: refused roles get 403 before the view runs, anonymous
users are sent to sign in, allowed roles are let through (GET only: an allowed POST would
act). A new route fails here until it has an access decision and, if it takes a new kind of
URL argument, a sample value in ``SAMPLES``.
"""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from werkzeug.routing import Rule

from survey_app.access import PUBLIC
from survey_app.extensions import db
from survey_app.models import (
    EntrySource,
    FormStatus,
    FreeTextReview,
    Mode,
    PaperEntry,
    PaperForm,
    Role,
)
from tests.factories import login, make_response, make_round, make_user, make_villages

EXEMPT_ENDPOINTS = {"static"}  # Flask's own static files
ACTIONS = {"POST", "PUT", "PATCH", "DELETE"}
ROLES = [None, Role.VOLUNTEER, Role.VIEWER, Role.COORDINATOR, Role.ADMIN]
# Every user may work in 32.73.01, where the sample village lies.
SCOPE = ["32.73.01"]


@pytest.fixture
def world(app: Flask) -> dict[str, object]:
    """One of everything a URL can name, in the scope of every test user."""
    make_villages()
    users = {role: make_user(role, f"{role.value}-matrix@example.org", [] if role is Role.ADMIN else SCOPE)
             for role in Role}
    round_ = make_round("Round 1", "trust-safety@2", opened=True)
    response = make_response(round_, 1, mode=Mode.PAPER)
    db.session.flush()
    form = PaperForm(round_id=round_.id, village_id=1, serial="A-1", status=FormStatus.SINGLE, needs_second=False,
                     response_id=response.id, interview_date=date(2026, 11, 1))
    volunteer = users[Role.VOLUNTEER]  # volunteers may open their own entries only
    form.entries = [PaperEntry(number=1, user_id=volunteer.id, keyed_by=volunteer.email, source=EntrySource.SCREEN,
                               answers={})]
    db.session.add(form)
    review = FreeTextReview(round_id=round_.id, response_id=response.id, question_id="work_together",
                            original="hp 0812 3456 7890", kinds="phone")
    db.session.add(review)
    db.session.commit()
    other = make_user(Role.VIEWER, "other@example.org", SCOPE)
    return {
        "round_slug": round_.slug,
        "round_id": round_.id,
        "village_code": "32.73.01.1001",
        "area_code": "32.73.01",
        "code": "en",
        "fmt": "csv",
        "form_id": form.id,
        "entry_id": form.entries[0].id,
        "response_id": response.id,
        "review_id": review.id,
        "user_id": other.id,
        "token": "not-a-real-token",
        "job_id": "0" * 32,
        "key": "trust-safety",
        "version": 2,
    }


def _url(app: Flask, rule: Rule, world: dict[str, object]) -> str:
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        choices = getattr(converter, "items", None)  # the ``any(...)`` converter
        if choices:
            values[name] = sorted(choices)[0]
        elif name in world:
            values[name] = world[name]
        else:
            pytest.fail(f"{rule.rule}: add a sample value for <{name}> to the access-matrix world")
    with app.test_request_context():
        adapter = app.url_map.bind("localhost")
        return adapter.build(rule.endpoint, values, method=sorted(rule.methods - {"HEAD", "OPTIONS"})[0])


def _rules(app: Flask) -> list[Rule]:
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint not in EXEMPT_ENDPOINTS]


def access_problems(app: Flask, client, world: dict[str, object], role: Role | None) -> list[str]:  # type: ignore[no-untyped-def]
    """Every way a route departs from its access decision for ``role``, as readable lines."""
    problems = []
    for rule in _rules(app):
        access = getattr(app.view_functions[rule.endpoint], "access", None)
        if access is None:
            problems.append(f"{rule.rule}: no access decision")
            continue
        url = _url(app, rule, world)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            allowed = access == PUBLIC or (role is not None and role in access)
            if allowed and method in ACTIONS:
                continue  # letting it through would carry out the action
            response = client.open(url, method=method)
            status, location = response.status_code, response.headers.get("Location", "")
            if access == PUBLIC:
                ok = status not in (401, 403)  # "/" may still send anonymous users to sign in
            elif not allowed and role is None:
                ok = status in (302, 401) and (status == 401 or "/auth/login" in location)
            elif not allowed:
                ok = status == 403
            else:
                ok = status not in (401, 403) and "/auth/login" not in location
            if not ok:
                expected = "allowed" if allowed else "refused"
                problems.append(f"{method} {url} ({rule.endpoint}): expected {expected}, got {status} {location}")
    return problems


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
def test_every_route_keeps_its_access_decision_for_every_role(app, client, world, role):
    if role is not None:
        login(client, f"{role.value}-matrix@example.org")
    app.config["WTF_CSRF_ENABLED"] = False  # refusals must come from the access check, not CSRF
    assert access_problems(app, client, world, role) == []


def test_a_route_added_without_an_access_decision_fails_the_matrix(app, client, world):
    app.add_url_rule("/admin/forgotten", "forgotten", lambda: "secret")
    app.add_url_rule("/admin/leaky", "leaky", _leaky_view, methods=["POST"])
    login(client, "viewer-matrix@example.org")
    app.config["WTF_CSRF_ENABLED"] = False
    problems = access_problems(app, client, world, Role.VIEWER)
    assert "/admin/forgotten: no access decision" in problems
    assert any(line.startswith("POST /admin/leaky (leaky): expected refused, got 200") for line in problems)


def _leaky_view() -> str:
    """Claims admin-only but forgets to check: the matrix must catch the 200."""
    return "done"


_leaky_view.access = frozenset({Role.ADMIN})  # type: ignore[attr-defined]


def test_the_matrix_covers_every_route(app, world):
    """Each rule builds a URL from the samples: a new argument name needs a sample above."""
    assert all(_url(app, rule, world) for rule in _rules(app))
