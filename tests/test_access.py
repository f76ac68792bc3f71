"""Every route carries an explicit access decision, and the decisions hold."""

import pytest

from survey_app.access import PUBLIC
from survey_app.models import Role
from tests.factories import login, make_user

# Flask's own static route serves public files.
EXEMPT_ENDPOINTS = {"static"}


def test_every_route_declares_who_may_use_it(app):
    missing = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in EXEMPT_ENDPOINTS
        and not hasattr(app.view_functions[rule.endpoint], "access")
    ]
    assert missing == [], f"routes without an access decision: {missing}"


def test_public_routes_are_few_and_known(app):
    public = sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if getattr(app.view_functions[rule.endpoint], "access", None) == PUBLIC
    )
    assert public == [
        "/",
        "/auth/invite/<token>",
        "/auth/login",
        "/lang/<code>",
        "/s/<round_slug>/<village_code>",
        "/s/<round_slug>/<village_code>/submit",
        "/s/<round_slug>/<village_code>/terima-kasih",
        "/s/csrf",
        "/s/sw.js",
    ]


@pytest.mark.parametrize(("role", "status"), [
    (Role.ADMIN, 200), (Role.COORDINATOR, 200), (Role.VOLUNTEER, 403), (Role.VIEWER, 403)])
def test_staff_reach_the_console(client, role, status):
    user = make_user(role)
    login(client, user.email)
    assert client.get("/admin/").status_code == status
