import re

import pytest
import sqlalchemy as sa

from survey_app.extensions import db
from survey_app.models import Mode, Response, Role
from tests.factories import login, make_response, make_round, make_user, make_villages


def test_console_lists_rounds_with_counts_by_mode(client):
    village = make_villages()[0]
    round_ = make_round("Putaran Uji", opened=True)
    for n, mode in enumerate([Mode.WEB, Mode.WEB, Mode.PAPER]):
        make_response(round_, village.id, mode=mode, key=f"k{n}")
    db.session.commit()
    login(client, make_user(Role.ADMIN).email)
    html = client.get("/admin/").get_data(as_text=True)
    row = html[html.index("Putaran Uji"):]
    row = row[: row.index("</tr>")]
    cells = [cell.split("</td>")[0].strip() for cell in row.split('<td class="num">')[1:]]
    assert cells == ["2", "1", "3"]
    assert "dibuka" in row  # status shown in Indonesian


def test_console_says_when_there_are_no_rounds(client):
    login(client, make_user(Role.COORDINATOR).email)
    assert "Belum ada putaran." in client.get("/admin/").get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 0


def _nav(html: str) -> list[tuple[str, bool]]:
    import re

    nav = html[html.index('<nav class="console"'):]
    nav = nav[: nav.index("</nav>")]
    return [(href, current is not None) for href, current in
            ((m.group(1), m.group(2)) for m in re.finditer(r'<a href="([^"]+)"( aria-current="[^"]+")?', nav))]


@pytest.mark.parametrize(("role", "links"), [
    (Role.ADMIN, ["/admin/", "/admin/progress", "/entry/", "/entry/reconciliation", "/downloads/",
                  "/admin/villages", "/admin/users", "/admin/audit"]),
    (Role.COORDINATOR, ["/admin/", "/admin/progress", "/entry/", "/entry/reconciliation", "/downloads/",
                        "/admin/villages"]),
    (Role.VOLUNTEER, ["/entry/"]),
    (Role.VIEWER, ["/downloads/"]),
])
def test_the_navigation_offers_exactly_the_pages_a_role_may_open(client, role, links):
    login(client, make_user(role).email)
    html = client.get("/auth/password").get_data(as_text=True)
    assert [href for href, _ in _nav(html)] == links
    for href in links:
        assert client.get(href).status_code == 200, href


def test_the_navigation_marks_the_section_of_the_page(client):
    make_villages()
    round_ = make_round("Putaran Uji")
    login(client, make_user(Role.ADMIN).email)
    html = client.get(f"/admin/rounds/{round_.slug}").get_data(as_text=True)
    assert [href for href, current in _nav(html) if current] == ["/admin/"]


def test_the_responses_page_belongs_to_paper_entry_not_reconciliation(client):
    make_villages()
    round_ = make_round("Putaran Uji")
    login(client, make_user(Role.ADMIN).email)
    html = client.get(f"/entry/{round_.id}/responses").get_data(as_text=True)
    assert [href for href, current in _nav(html) if current] == ["/entry/"]
    html = client.get(f"/entry/{round_.id}/queue").get_data(as_text=True)
    assert [href for href, current in _nav(html) if current] == ["/entry/reconciliation"]


def test_every_console_page_belongs_to_exactly_one_section(app):
    from survey_app.navigation import NAV, _within

    console = [endpoint for endpoint in app.view_functions if endpoint.split(".")[0] in ("admin", "entry", "downloads")]
    for endpoint in console:
        sections = [link for link, _, section in NAV if _within(endpoint, section)]
        assert len(sections) == 1, (endpoint, sections)


def test_times_are_local_and_labelled_on_every_page(client, app):
    from datetime import UTC, datetime

    app.config["TIMEZONE"] = "Asia/Makassar"  # UTC+8: WITA
    make_villages()
    admin = make_user(Role.ADMIN)
    login(client, admin.email)
    client.get("/lang/en")
    admin.last_login_at = datetime(2024, 3, 1, 16, 0, tzinfo=UTC)
    db.session.commit()
    pages = [client.get(path).get_data(as_text=True) for path in ("/admin/users", f"/admin/users/{admin.id}")]
    for html in pages:
        assert "2024-03-02 00:00 WITA" in html
        assert "16:00" not in html
    audit = client.get("/admin/audit").get_data(as_text=True)
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d WITA", audit)
    csv_text = client.get("/admin/audit.csv").get_data(as_text=True)
    assert csv_text.splitlines()[0].lstrip("\ufeff").startswith("occurred_at_wita,")
