"""Who saw what (UU 27/2022, a breach report within 3 x 24 hours): the audit trail lists every
download of individual-level data in a period, by whom and from where, on the page and as CSV."""

from __future__ import annotations

import csv
import io

from survey_app import clock
from survey_app.extensions import db
from survey_app.models import Role
from tests.factories import sign_in

ROUND = "putaran-1-2026"


def test_downloads_of_individual_level_data_are_listed_with_who_and_where(client, runner, demo_data, tmp_path):
    client.environ_base["REMOTE_ADDR"] = "10.1.2.3"
    sign_in(client, Role.ADMIN, email="kepala@polres.example")
    db.session.remove()
    assert client.get(f"/downloads/{ROUND}/village/32.73.01.1001.xlsx").status_code == 200  # no free text
    assert client.get(f"/downloads/{ROUND}/village/32.73.01.1002.xlsx?free_text=1").status_code == 200
    result = runner.invoke(args=["export", "responses", "--round", "Putaran 1 2026", "--format", "csv",
                                 "--out", str(tmp_path / "r.csv")])
    assert result.exit_code == 0, result.output
    db.session.remove()
    today = clock.today().isoformat()  # the survey's zone (WIB), where the console's dates are
    query = f"individual=y&date_from={today}&date_to={today}"
    page = client.get(f"/admin/audit?{query}").get_data(as_text=True)
    assert "32.73.01.1002" in page and "10.1.2.3" in page
    assert "32.73.01.1001" not in page  # a report without free text holds no individual answers
    assert "what=responses" in page and "where=cli@" in page
    listed = list(csv.reader(io.StringIO(client.get(f"/admin/audit.csv?{query}").get_data(as_text=True)
                                         .lstrip("\ufeff"))))
    rows = listed[1:]
    assert len(rows) == 2
    assert {row[1] for row in rows} == {"kepala@polres.example", "cli"}
    assert any('"where":"10.1.2.3"' in row[-1] for row in rows)
    # Without the filter the ordinary download is there too.
    assert "32.73.01.1001" in client.get(f"/admin/audit?date_from={today}").get_data(as_text=True)
