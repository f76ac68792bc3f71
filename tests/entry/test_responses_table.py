"""The submissions table: filters (area, mode, local dates, status, quality), sort, the
answers as columns, and the user's area, through the route."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from survey_app.extensions import db
from survey_app.models import Correction, Mode, Role
from tests.factories import login, make_response, make_round, make_user, make_villages


@pytest.fixture
def table(app):  # type: ignore[no-untyped-def]
    """Six responses of one round, each different in one way (ids 1..6, in this order)."""
    villages = make_villages()
    round_ = make_round("Putaran 1", "trust-safety@2", opened=True)
    at = lambda day, hour: datetime(2027, 3, day, hour, tzinfo=UTC)  # noqa: E731
    rows = [
        make_response(round_, villages[0].id, answers={"trust_police": "4", "local_problems": ["theft", "drugs"]},
                      submitted_at=at(1, 3), duration_s=400),
        make_response(round_, villages[1].id, answers={"trust_police": "1"}, submitted_at=at(1, 20), duration_s=20),
        make_response(round_, villages[3].id, mode=Mode.PAPER, answers={"trust_police": "2"}, submitted_at=at(2, 3)),
        make_response(round_, villages[4].id, answers={"trust_police": "3"}, submitted_at=at(3, 3), duration_s=300),
        make_response(round_, villages[0].id, answers={"trust_police": "3"}, submitted_at=at(4, 3), duration_s=300,
                      deleted_at=at(5, 3), delete_reason="test"),
        make_response(round_, villages[2].id, answers={"trust_police": "2"}, submitted_at=at(5, 3), duration_s=500),
    ]
    db.session.flush()
    db.session.add(Correction(response_id=rows[5].id, question_id="trust_police", old_value="1", new_value="2",
                              reason="typo", corrected_by="admin@example.org"))
    db.session.commit()
    return round_


def _ids(client, round_, query: str = "") -> list[int]:  # type: ignore[no-untyped-def]
    response = client.get(f"/entry/{round_.id}/responses{query}")
    assert response.status_code == 200, response.status_code
    body = response.get_data(as_text=True)
    return [int(n) for n in re.findall(r'<tr(?: class="deleted")?><td>(\d+)</td>', body)]


def test_filters_each_narrow_the_table(client, table):
    login(client, make_user(Role.ADMIN).email)
    assert _ids(client, table) == [6, 5, 4, 3, 2, 1]  # newest first
    assert _ids(client, table, "?area=32.73.01") == [6, 5, 2, 1]
    assert _ids(client, table, "?area=32.73.01.1001") == [5, 1]
    assert _ids(client, table, "?mode=paper") == [3]
    # Local dates (Jakarta, UTC+7): 20:00 UTC on 1 March is already 2 March there.
    assert _ids(client, table, "?date_from=2027-03-02&date_to=2027-03-02") == [3, 2]
    assert _ids(client, table, "?status=deleted") == [5]
    assert _ids(client, table, "?status=counted&mode=web") == [6, 4, 2, 1]
    assert _ids(client, table, "?flag=fast") == [2]  # a web answer under FAST_COMPLETION_SECONDS
    assert _ids(client, table, "?flag=corrected") == [6]


def test_sort_by_village_mode_or_number_both_ways(client, table):
    login(client, make_user(Role.ADMIN).email)
    assert _ids(client, table, "?sort=submitted&dir=asc") == [1, 2, 3, 4, 5, 6]
    assert _ids(client, table, "?sort=village&dir=asc") == [1, 5, 2, 6, 3, 4]
    assert _ids(client, table, "?sort=id&dir=desc") == [6, 5, 4, 3, 2, 1]
    assert _ids(client, table, "?sort=mode&dir=asc") == [3, 1, 2, 4, 5, 6]  # "paper" before "web"
    assert _ids(client, table, "?sort=mode&dir=desc") == [6, 5, 4, 2, 1, 3]


def test_answers_are_columns_with_the_question_text_on_hover(client, table):
    login(client, make_user(Role.ADMIN).email)
    client.get("/lang/en")
    html = client.get(f"/entry/{table.id}/responses?sort=id&dir=asc").get_data(as_text=True)
    assert re.search(r'<th scope="col" title="[^"]*trust[^"]*"><code>trust_police</code></th>', html, re.I)
    first_row = html[html.index("<tr><td>1</td>"):]
    first_row = first_row[: first_row.index("</tr>")]
    assert '<td data-q="trust_police">4</td>' in first_row
    assert '<td data-q="local_problems">theft, drugs</td>' in first_row


def test_a_coordinator_sees_only_their_area_and_bad_filters_are_refused(client, table):
    login(client, make_user(Role.COORDINATOR, scope=["32.73.02"]).email)
    assert _ids(client, table) == [4, 3]
    assert _ids(client, table, "?area=32.73.01") == []
    assert client.get(f"/entry/{table.id}/responses?date_from=2027-03-05&date_to=2027-03-01").status_code == 422
    assert client.get(f"/entry/{table.id}/responses?mode=fax").status_code == 422


def test_the_pager_keeps_the_filters(client, app, table):
    for number in range(60):
        make_response(table, 1, answers={"trust_police": "1"}, submitted_at=datetime(2027, 3, 9, 1, tzinfo=UTC),
                      duration_s=200 + number)
    db.session.commit()
    login(client, make_user(Role.ADMIN).email)
    client.get("/lang/en")
    html = client.get(f"/entry/{table.id}/responses?area=32.73.01.1001").get_data(as_text=True)
    assert "Page 1 of 2 (62)" in html
    pager = html[html.index('<nav class="pager"'):]
    link = re.search(r'href="([^"]+)">Next<', pager).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
    assert link.startswith(f"/entry/{table.id}/responses?") and "area=32.73.01.1001" in link and "page=2" in link
