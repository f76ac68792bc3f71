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
        "/privasi",
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


SIBLINGS = [  # (scope, code, covered): scopes match whole segments, never leading characters
    (["32.7"], "32.73.01.1001", False),
    (["32.73.0"], "32.73.01.1001", False),
    (["32.73.01.100"], "32.73.01.1001", False),
    (["32.73.01"], "32.73.010", False),
    (["32.73"], "32.73.01.1001", True),
    (["32.73.01.1001"], "32.73.01.1001", True),
    (["32.74", "32.73.01"], "32.73.01.1001", True),
    ([], "32.73.01.1001", True),
]


@pytest.mark.parametrize(("scope", "code", "covered"), SIBLINGS)
def test_a_scope_covers_whole_segments_in_python_and_in_sql(app, scope, code, covered):
    import sqlalchemy as sa

    from survey_app.extensions import db
    from survey_app.models import code_in_scope, covers

    assert covers(scope, code) is covered
    in_sql = db.session.scalar(sa.select(code_in_scope(sa.literal(code), scope)))
    assert bool(in_sql) is covered


def test_a_user_scoped_to_leading_characters_of_an_area_sees_none_of_it(client):
    from tests.factories import make_round, make_villages

    make_villages()
    make_round("Round 1", "trust-safety@2", opened=True, scope=["32.73.01"])
    import sqlalchemy as sa

    from survey_app.extensions import db
    from survey_app.models import UserScope

    user = make_user(Role.COORDINATOR, "prefix@example.org", ["32.73.02"])
    # The console refuses such a scope; a row changed by hand must still not widen anything.
    db.session.execute(sa.update(UserScope).where(UserScope.user_id == user.id).values(code_prefix="32.7"))
    db.session.commit()
    login(client, user.email)
    assert client.get("/downloads/round-1/village/32.73.01.1001.xlsx").status_code == 403
    assert "32.73.01.1001" not in client.get("/downloads/round-1/").get_data(as_text=True)
    assert client.get("/admin/rounds/round-1/posters.html?area=32.73.01").status_code == 403


def test_a_round_or_village_outside_the_users_area_is_refused_everywhere(client):
    """Not an empty page, not a header-only file, not a "taken" serial: 403."""
    from tests.factories import csrf_token, make_round, make_villages

    make_villages()
    round_ = make_round("Round 1", "trust-safety@2", opened=True, scope=["32.73.01"])
    wide = make_round("Round 2", "trust-safety@2", opened=True, scope=["32.73"])
    login(client, make_user(Role.COORDINATOR, "elsewhere@example.org", ["32.73.02"]).email)
    assert client.get("/admin/rounds/round-1/links.csv").status_code == 403
    assert client.get("/downloads/round-1/").status_code == 403
    token = csrf_token(client, "/admin/")
    assert client.post("/downloads/round-1/jobs", data={"csrf_token": token, "kind": "responses",
                                                         "fmt": "csv"}).status_code == 403
    assert client.get(f"/entry/{round_.id}/serial?serial=A-1&village=32.73.01.1001").status_code == 403
    # In a round that covers both districts: the user's own villages answer, the others do not.
    assert client.get(f"/entry/{wide.id}/serial?serial=A-1&village=32.73.01.1001").status_code == 403
    own = client.get(f"/entry/{wide.id}/serial?serial=A-1&village=32.73.02.1002")
    assert own.status_code == 200 and own.get_json()["state"] == "new"
